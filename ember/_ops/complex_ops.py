"""Complex-number ops: real/imag views, conj, view_as_real/view_as_complex,
complex(), polar(), angle, sgn, isreal, and the conjugate-transpose properties.

Gradients follow torch's convention: for a real loss L of complex z, z.grad is
dL/d(re z) + i dL/d(im z). Holomorphic ops get it from their real formulas
(see `Op.holomorphic` in _base.py); the ops here are not holomorphic and give
their gradients explicitly.

ember has no lazy conjugate or negative bits: conj() of a complex tensor
materialises (a copy, not a view), so is_conj() and is_neg() are always False
and resolve_conj()/resolve_neg() return their input.
"""
import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op, tensor_method
from ._inplace import _TYPE_WORDS, commit
from .conversion import _caster
from .elementwise import _broadcast_check, where


def _need_tensor(fn, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


# -- predicates --------------------------------------------------------------------------
def is_complex(input):
    _need_tensor("is_complex", input)
    return input._dtype.is_complex


def is_conj(input):
    """Always False: ember materialises conjugates (no lazy conjugate bit)."""
    _need_tensor("is_conj", input)
    return False


def is_neg(input):
    """Always False: ember has no lazy negative bit."""
    _need_tensor("is_neg", input)
    return False


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def isreal(input):
    """True where the imaginary part is 0 (everywhere for real dtypes)."""
    _need_tensor("isreal", input)
    if not input._dtype.is_complex:
        return Tensor._make(xp_of(input._data).ones(input._data.shape, dtype=np.bool_), D.bool_)
    return Tensor._make(input._data.imag == 0, D.bool_)


# -- views of the real and imaginary parts ----------------------------------------------------
class ViewAsRealBackward0(Op):
    """(..., ) complex -> (..., 2) real sharing memory; the gradient re-pairs the two parts."""

    is_view = True
    holomorphic = False

    def forward(self, x):
        return x[..., None].view(x.real.dtype)

    def backward(self, g):
        return view_as_complex(g.contiguous())


class ViewAsComplexBackward0(Op):
    """(..., 2) real -> (...) complex sharing memory."""

    is_view = True
    holomorphic = False

    def forward(self, x):
        if not x.size:  # an empty array's strides are arbitrary: NumPy may refuse the view
            x = xp_of(x).ascontiguousarray(x)
        return x.view(np.result_type(x.dtype, np.complex64))[..., 0]

    def backward(self, g):
        return view_as_real(g)


def view_as_real(input):
    _need_tensor("view_as_real", input)
    if not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsRealBackward0.apply(input)


def view_as_complex(input):
    if _amp.active: return _autocast("view_as_complex", view_as_complex, input)  # noqa: E701
    _need_tensor("view_as_complex", input)
    dt = input._dtype
    if dt not in (D.float32, D.float64):
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a tensor "
                           f"of scalar type: {_TYPE_WORDS[dt.name]}")
    a = input._data
    if not a.ndim or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.size and a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if a.size and any(s % (2 * a.itemsize) for s in a.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplexBackward0.apply(input)


def real(input):
    """The real part, a writable view (torch: view_as_real(z).select(-1, 0)); a real tensor itself."""
    _need_tensor("real", input)
    if not input._dtype.is_complex:
        return input
    return view_as_real(input).select(-1, 0)


def imag(input):
    """The imaginary part, a writable view."""
    _need_tensor("imag", input)
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


def _set_part(part):
    def setter(self, value):
        part(self).copy_(value if isinstance(value, Tensor) else Tensor._make(np.asarray(value)))

    return setter


Tensor.real = property(real, _set_part(real))
Tensor.imag = property(imag, _set_part(imag))


# -- conjugation --------------------------------------------------------------------------
class ConjPhysicalBackward0(Op):
    holomorphic = False

    def forward(self, x):
        return xp_of(x).conj(x)

    def backward(self, g):
        return g.conj()


class ConjBackward0(ConjPhysicalBackward0):
    """torch.conj's node (torch's is a lazy view; ember's conjugate is materialised)."""


def conj_physical(input, *, out=None):
    _need_tensor("conj_physical", input)
    if not input._dtype.is_complex:
        return input if out is None else commit(out, input)
    result = ConjPhysicalBackward0.apply(input)
    return result if out is None else commit(out, result)


def conj(input):
    """The conjugate; a real tensor itself. Materialised (torch returns a lazy view)."""
    _need_tensor("conj", input)
    if not input._dtype.is_complex:
        return input
    return ConjBackward0.apply(input)


@tensor_method("conj_physical_")
def conj_physical_(self):
    """In place: self becomes its conjugate (nothing to do for a real tensor)."""
    return self if not self._dtype.is_complex else commit(self, ConjPhysicalBackward0.apply(self))


def adjoint(input):
    """The conjugate transpose of the last two dims."""
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. Got "
                           f"{input._data.ndim}-D tensor.")
    return conj(input.transpose(-2, -1))


def _H(self):
    n = self._data.ndim
    if n != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if n > 2 else ""))
    return conj(self.t())


def _mH(self):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got "
                           f"{self._data.ndim}-D tensor.")
    return adjoint(self)


Tensor.H = property(_H)
Tensor.mH = property(_mH)


# -- building complex numbers ------------------------------------------------------------------
def _check_pair(fn, a, b):
    for x in (a, b):
        _need_tensor(fn, x)
    if a._dtype is not b._dtype:
        raise RuntimeError(f"Expected object of scalar type {_TYPE_WORDS[a._dtype.name]} but got scalar type "
                           f"{_TYPE_WORDS[b._dtype.name]} for second argument")
    if a._dtype not in (D.float16, D.float32, D.float64):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_TYPE_WORDS[a._dtype.name]} and {_TYPE_WORDS[b._dtype.name]}")
    if a._dtype is D.float16:
        D._refuse_complex32("complex_cpu")


class ComplexBackward0(Op):
    holomorphic = False

    def forward(self, re, im):
        out = xp_of(re).empty(np.broadcast_shapes(re.shape, im.shape), np.result_type(re.dtype, np.complex64))
        out.real, out.imag = re, im
        return out

    def backward(self, g):
        return real(g), imag(g)


def _apply_pair(name, op, a, b, out):
    """complex() and polar(): the checks, the op with torch's broadcast error, and out=."""
    _check_pair(name, a, b)
    try:
        result = op.apply(a, b)
    except ValueError:
        _broadcast_check(a, b)
        raise
    return result if out is None else commit(out, result)


def complex(real, imag, *, out=None):
    """real + i imag (float tensors of one dtype, broadcast)."""
    return _apply_pair("complex", ComplexBackward0, real, imag, out)


class PolarBackward0(Op):
    """abs * (cos(angle) + i sin(angle)). Gradients as torch's polar_backward: re(conj(g) sgn(z)) for
    abs (so a negative abs gets the opposite sign), re(conj(g) i z) for angle."""

    holomorphic = False
    save_output = True

    def forward(self, r, theta):
        xp = xp_of(r)
        u = ComplexBackward0.forward(self, xp.cos(theta), xp.sin(theta))
        return r * u

    def backward(self, g):
        z, = self.saved_tensors
        gc = g.conj()
        return (gc * z.sgn()).real, (gc * z * 1j).real


def polar(abs, angle, *, out=None):
    """abs * e^(i angle)."""
    if _amp.active: return _autocast("polar", polar, abs, angle, out=out)  # noqa: E701
    return _apply_pair("polar", PolarBackward0, abs, angle, out)


# -- angle and sgn -------------------------------------------------------------------------------
class AngleBackward0(Op):
    """atan2(im, re); for reals 0 or pi (NaN stays NaN). Gradient g i z / |z|^2 (0 at z = 0)."""

    holomorphic = False
    save_inputs = True

    def forward(self, x):
        xp = xp_of(x)
        if x.dtype.kind == "c":
            return xp.angle(x)
        if x.dtype.kind in "biu":
            x = x.astype(D.np_dtype(D._default[0]))
        return xp.where(x < 0, x.dtype.type(np.pi), xp.where(x != x, x, 0)).astype(x.dtype, copy=False)

    def backward(self, g):
        x, = self.saved_tensors
        if not x._dtype.is_complex:
            return g * 0
        return where(x == 0, 0.0, g * (x * 1j) / (x.abs() ** 2))


def angle(input, *, out=None):
    _need_tensor("angle", input)
    result = AngleBackward0.apply(input)
    return result if out is None else commit(out, result)


class SgnBackward0(Op):
    """z / |z| (0 at 0); torch's sgn_backward: (g - s re(g conj(s))) / |z|."""

    holomorphic = False
    save_inputs = True
    save_output = True

    def forward(self, x):
        xp = xp_of(x)
        a = xp.abs(x)
        return xp.where(a == 0, 0, x / xp.where(a == 0, 1, a)).astype(x.dtype, copy=False)

    def backward(self, g):
        x, s = self.saved_tensors
        a = x.abs()
        return where(a == 0, 0.0, (g - s * (g * s.conj()).real) / a)


def sgn(input, *, out=None):
    """sign for real tensors; z / |z| for complex ones."""
    _need_tensor("sgn", input)
    result = SgnBackward0.apply(input) if input._dtype.is_complex else input.sign()
    return result if out is None else commit(out, result)


def eig(input, eigenvectors=False, *, out=None):
    """torch.eig was removed in torch 1.9; torch 2.13 keeps the name and raises this."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` returns complex "
        "tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking complex tensors.\n\n"
        "L, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\n"
        "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)")


_real_abs_ = Tensor.abs_


def _abs_(self):
    """x.abs_(): a complex tensor cannot hold its (real) absolute values in place."""
    if self._dtype.is_complex:
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return _real_abs_(self)


# -- Tensor methods ----------------------------------------------------------------------------
Tensor.is_complex = lambda self: self._dtype.is_complex
Tensor.is_conj = is_conj
Tensor.is_neg = is_neg
Tensor.resolve_conj = resolve_conj
Tensor.resolve_neg = resolve_neg
Tensor.isreal = isreal
Tensor.conj = conj
Tensor.conj_physical = conj_physical
Tensor.adjoint = adjoint
Tensor.abs_ = Tensor.absolute_ = _abs_
Tensor.eig = eig
Tensor.angle = angle
Tensor.sgn = sgn
Tensor.sgn_ = lambda self: commit(self, sgn(self))
Tensor.cfloat = _caster(D.complex64)
Tensor.cdouble = _caster(D.complex128)
Tensor.chalf = _caster(D.complex32)

__all__ = ["is_complex", "is_conj", "is_neg", "resolve_conj", "resolve_neg", "isreal", "view_as_real",
           "view_as_complex", "real", "imag", "conj", "conj_physical", "adjoint", "complex", "polar", "angle", "sgn",
           "eig", "conj_physical_"]
