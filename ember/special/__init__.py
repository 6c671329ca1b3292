"""torch.special: special functions. Those torch also has at top level are the same functions
(ember.special.erf is ember.erf); the rest are ops here on kernels in _kernels.py.

As in torch, the Bessel and Airy functions and the orthogonal polynomials are not
differentiable (their outputs never require grad); zeta is differentiable in q only.
"""
import math

import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._ops import (digamma, erf, erfc, erfinv, exp2, expm1, i0, igamma, igammac, log1p, logit, logsumexp, mvlgamma, polygamma,
                    round, sigmoid, sinc, xlogy, lgamma)
from .._ops._base import Op
from .._ops.elementwise import _TYPE_WORDS, _Binary, _binary, _make_unary, _need_tensor, _out, _prep, _apply_binary, binary_dtype, where
from .._ops.more_math import special_i0e as i0e, special_i1 as i1, special_i1e as i1e
from .._ops.nn_ops import softmax as _softmax, log_softmax as _log_softmax
from .._ops import _gamma, _special
from .._tensor import Tensor
from . import _kernels as K

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
           "scaled_modified_bessel_k1", "spherical_bessel_j0", "i0", "i0e", "i1", "i1e", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p", "digamma", "psi", "polygamma", "multigammaln",
           "gammaln", "gammainc", "gammaincc", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "log1p",
           "entr", "logit", "log_ndtr", "ndtr", "ndtri", "log_softmax", "softmax", "logsumexp", "round", "sinc",
           "xlogy", "xlog1py", "zeta"]

psi = digamma
gammaln = lgamma
expit = sigmoid


def multigammaln(input, p, *, out=None):
    return mvlgamma(input, p, out=out)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)


def _no_half_kernel(dtype, kernel):
    """torch has only float32/float64 CPU kernels for the Bessel, Airy, polynomial, zeta,
    ndtri, log_ndtr and erfcx functions: half types raise its NotImplementedError."""
    if dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[dtype.name]}'")


def _full_floats_only(cls, kernel):
    """The op class, refusing half-type inputs as torch does."""
    forward = cls.forward

    def checked(self, x, *args, **kwargs):
        _no_half_kernel(D.from_numpy_dtype(x.dtype), kernel)
        return forward(self, x, *args, **kwargs)

    cls.forward = checked
    return cls


def _float64(kernel):
    """A float64 kernel as a unary compute(xp, x): computes in float64, rounds to x's dtype."""

    def compute(xp, x):
        return kernel(xp, x.astype(np.float64)).astype(x.dtype, copy=False)

    return compute


# -- differentiable unary functions --------------------------------------------------------------------
_SQRT_2PI = math.sqrt(2 * math.pi)
ndtri, SpecialNdtriBackward0 = _make_unary("ndtri", "SpecialNdtriBackward0", _float64(K.ndtri),
                                           lambda g, x, y: g * _SQRT_2PI * (y * y / 2).exp(), "y", True)
log_ndtr, SpecialLogNdtrBackward0 = _make_unary(
    "log_ndtr", "SpecialLogNdtrBackward0", _float64(K.log_ndtr),
    lambda g, x, y: g / _SQRT_2PI * (-(y + x * x / 2)).exp(), "xy", True)  # torch's: finite far in the tail
erfcx, SpecialErfcxBackward0 = _make_unary(
    "erfcx", "SpecialErfcxBackward0", _float64(K.erfcx),
    lambda g, x, y: g * (2 * x * y - 2 / math.sqrt(math.pi)), "xy", True)
for _cls, _kernel in ((SpecialNdtriBackward0, "ndtri_cpu"), (SpecialLogNdtrBackward0, "log_ndtr_cpu"),
                      (SpecialErfcxBackward0, "erfcx_cpu")):
    _full_floats_only(_cls, _kernel)
entr, SpecialEntrBackward0 = _make_unary(
    "entr", "SpecialEntrBackward0",
    lambda xp, x: xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1)),
                           xp.where(x == 0, 0, xp.where(x < 0, -xp.inf, xp.nan))).astype(x.dtype),
    lambda g, x, y: g * -(1 + x.log()), "x", True)


def ndtr(input, *, out=None):
    """The standard normal CDF, as torch composes it: (1 + erf(x / sqrt(2))) / 2 (so it is 0, not
    tiny, far in the left tail, and differentiable through erf)."""
    _need_tensor("ndtr", 1, "input", input)
    x = input if input._dtype.is_floating_point else input.to(D._default[0])
    return _out((1 + erf(x * math.sqrt(0.5))) * 0.5, out)


def xlog1py(input, other, *, out=None):
    """x log1p(y), 0 where x == 0 (unless y is NaN)."""
    return _out(_binary(SpecialXlog1PyBackward0, input, other), out)


class SpecialXlog1PyBackward0(_Binary):
    save_inputs = True

    def forward(self, a, b, dtype):
        if not dtype.is_floating_point:
            dtype = D._default[0]
        npdt = D.np_dtype(dtype)
        a, b = (x.astype(npdt) if hasattr(x, "dtype") else x for x in (a, b))
        xp = xp_of(a) if hasattr(a, "dtype") else xp_of(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.asarray(xp.where((a == 0) & (b == b), 0, a * xp.log1p(b))).astype(npdt, copy=False)

    def backward(self, g):
        a, b = self.saved_tensors
        ga = where((a == 0) & (b <= -1), 0.0, xlog1py(g, b)) if self.needs_grad(0) else None
        gb = g * a / (b + 1) if self.needs_grad(1) else None
        return ga, gb


# -- zeta ------------------------------------------------------------------------------------------------
class SpecialZetaBackward0(_Binary):
    """Hurwitz zeta(x, q): d/dq = -x zeta(x + 1, q); torch has no derivative in x."""

    save_inputs = True

    def forward(self, x, q, dtype):
        if not dtype.is_floating_point:
            dtype = D._default[0]
        _no_half_kernel(dtype, "zeta_cpu")
        npdt = D.np_dtype(dtype)
        xp = xp_of(x) if hasattr(x, "dtype") else xp_of(q)
        shape = np.broadcast_shapes(np.shape(x), np.shape(q))
        return xp.asarray(_gamma.zeta(xp, x, q).reshape(shape)).astype(npdt)

    def backward(self, g):
        x, q = self.saved_tensors
        if self.needs_grad(0):
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, g * -x * zeta(x + 1, q)


def zeta(input, other, *, out=None):
    return _out(_binary(SpecialZetaBackward0, input, other), out)


# -- non-differentiable unary functions --------------------------------------------------------------------
class _NoGradUnary(Op):
    """A unary special function torch does not differentiate (its output never requires grad),
    computed in x's precision as torch computes it: float32 results then agree with torch's to
    a few ulp, with the same overflows, underflows and NaNs."""

    differentiable = False
    kernel = None

    def forward(self, x):
        if x.dtype.kind in "biu":
            x = x.astype(D.np_dtype(D._default[0]))
        with np.errstate(all="ignore"):
            return self.kernel(xp_of(x), x).astype(x.dtype, copy=False)


def _no_grad_unary(name, kernel):
    cls = _full_floats_only(type(name, (_NoGradUnary,), {"kernel": staticmethod(kernel)}), name + "_cpu")

    def fn(input, *, out=None):
        _need_tensor(name, 1, "input", input)
        return _out(cls.apply(input), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


airy_ai = _no_grad_unary("airy_ai", K.airy_ai)
bessel_j0 = _no_grad_unary("bessel_j0", K.bessel_j0)
bessel_j1 = _no_grad_unary("bessel_j1", K.bessel_j1)
bessel_y0 = _no_grad_unary("bessel_y0", K.bessel_y0)
bessel_y1 = _no_grad_unary("bessel_y1", K.bessel_y1)
modified_bessel_i0 = _no_grad_unary("modified_bessel_i0", _special.i0)  # i0 and i1 without their gradients
modified_bessel_i1 = _no_grad_unary("modified_bessel_i1", _special.i1)
modified_bessel_k0 = _no_grad_unary("modified_bessel_k0", K.modified_bessel_k0)
modified_bessel_k1 = _no_grad_unary("modified_bessel_k1", K.modified_bessel_k1)
scaled_modified_bessel_k0 = _no_grad_unary("scaled_modified_bessel_k0", K.scaled_modified_bessel_k0)
scaled_modified_bessel_k1 = _no_grad_unary("scaled_modified_bessel_k1", K.scaled_modified_bessel_k1)
spherical_bessel_j0 = _no_grad_unary("spherical_bessel_j0", K.spherical_bessel_j0)


# -- orthogonal polynomials ------------------------------------------------------------------------------------
class _Polynomial(Op):
    """P_n(x) with x and n broadcast (n truncated to an integer; NaN/inf n count as -1)."""

    differentiable = False

    def forward(self, x, n, dtype, kernel, name):
        if not dtype.is_floating_point:
            dtype = D._default[0]
        _no_half_kernel(dtype, name + "_cpu")
        npdt = D.np_dtype(dtype)
        xp = xp_of(x) if hasattr(x, "dtype") else xp_of(n)
        # in the result's precision, as torch: float32 recurrences overflow (to inf, then NaN) where torch's do
        xs, ns = xp.broadcast_arrays(xp.asarray(x, dtype=npdt), xp.asarray(n, dtype=np.float64))
        n_int = xp.where(xp.isfinite(ns), xp.trunc(ns), -1.0).astype(npdt)
        kw = {"limit": 128 if npdt == np.float32 else 512} if name.startswith("hermite") else {}
        with np.errstate(all="ignore"):
            return xp.asarray(kernel(xp, xs, n_int, **kw)).astype(npdt, copy=False)


def _polynomial(name, kernel):
    def fn(input, n, *, out=None):
        a, b = _prep(input, n)
        if not isinstance(a, Tensor):  # a number x with a tensor n
            from .._creation import tensor

            a = tensor(a, dtype=D.result_type(b, a) if b._dtype.is_floating_point else D._default[0])
        return _out(_apply_binary(_Polynomial, a, b, binary_dtype(a, b), kernel=kernel, name=name), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", K.chebyshev_t)
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", K.chebyshev_u)
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", K.chebyshev_v)
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", K.chebyshev_w)
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t", K.shifted(K.chebyshev_t))
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u", K.shifted(K.chebyshev_u, limit=6))
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v", K.shifted(K.chebyshev_v, limit=6))
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w", K.shifted(K.chebyshev_w, limit=4))
hermite_polynomial_h = _polynomial("hermite_polynomial_h", K.hermite_h)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", K.hermite_he)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", K.laguerre_l)
legendre_polynomial_p = _polynomial("legendre_polynomial_p", K.legendre_p)


# -- regularized incomplete gamma ----------------------------------------------------------------------------
def gammainc(input, other, *, out=None):
    return igamma(input, other, out=out)


def gammaincc(input, other, *, out=None):
    return igammac(input, other, out=out)


from .._ops._arg_parser import install as _install_numpy_aliases  # noqa: E402

_install_numpy_aliases(globals(), python_defined=())  # all of torch's are parser builtins: axis= works
