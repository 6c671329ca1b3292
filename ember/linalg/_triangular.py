"""Triangular systems and what is built on them: solve_triangular (torch.triangular_solve),
cholesky_ex, cholesky_solve, cholesky_inverse, inv_ex and solve_ex.

    X = A^-1 B (A triangular):  dB = A^-H g (a triangular solve with the other triangle),
                                dA = -dB X^H, restricted to A's triangle (strictly, if unit)

cholesky_solve and cholesky_inverse are two triangular solves, so their gradients come
from this one.
"""
import numpy as np

from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._ops._base import Op, _wrap
from .._ops._inplace import _TYPE_WORDS
from .._ops._return_types import return_type
from ._checks import _LinAlgError, check_float, check_matrix
from ._inverse import _out, _outs

solve_triangular_result = return_type("triangular_solve", ("solution", "cloned_coefficient"))
cholesky_ex_result = return_type("linalg_cholesky_ex", ("L", "info"))
inv_ex_result = return_type("linalg_inv_ex", ("inverse", "info"))
solve_ex_result = return_type("linalg_solve_ex", ("result", "info"))


def _triangle(a, upper, unit):
    xp = xp_of(a)
    t = xp.triu(a) if upper else xp.tril(a)
    if unit:
        n = a.shape[-1]
        t = t.copy()
        t[..., xp.arange(n), xp.arange(n)] = 1
    return t


def _substitute(t, b, upper):
    """Back (forward) substitution, one row at a time: for a triangle with a zero on its
    diagonal, where LAPACK's trtrs (and torch) give inf/nan instead of failing."""
    xp = xp_of(t)
    n = t.shape[-1]
    x = xp.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:], dtype=b.dtype)
    rows = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in rows:
            done = slice(i + 1, n) if upper else slice(0, i)
            acc = b[..., i, :] - (t[..., i, None, done] @ x[..., done, :])[..., 0, :]
            x[..., i, :] = acc / t[..., i, i, None]
    return x


def solve_triangular_array(a, b, upper, left=True, unit=False):
    """A^-1 B (left) or B A^-1 for the upper or lower triangle of A (unit: ones on its diagonal)."""
    if not left:
        return solve_triangular_array(a.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper, True, unit).swapaxes(-1, -2)
    t = _triangle(a, upper, unit)
    xp = xp_of(a)
    try:
        return xp.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        return _substitute(t, b, upper)


class LinalgSolveTriangularBackward0(Op):
    save_inputs = True
    save_output = True

    def forward(self, a, b, upper, left, unitriangular):
        self.upper, self.left, self.unit = upper, left, unitriangular
        return solve_triangular_array(a, b, upper, left, unitriangular)

    def backward(self, g):
        a, b, x = self.saved_tensors
        upper, left, unit = self.upper, self.left, self.unit
        gb = solve_triangular(a.mT, g, upper=not upper, left=left, unitriangular=unit)
        ga = None
        if self.needs_grad(0):
            ga = -(gb @ x.mT) if left else -(x.mT @ gb)
            ga = ga.triu(int(unit)) if upper else ga.tril(-int(unit))
        return ga, gb


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (X A = B when left=False), reading only A's upper or lower triangle."""
    name = "linalg.solve_triangular"
    if not A._dtype.is_floating_point:
        raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for '{_TYPE_WORDS[A._dtype.name]}'")
    check_float(name, A)
    for what, t in (("A", A), ("B", B)):
        if t._data.ndim < 2:
            raise RuntimeError(f"torch.{name}: The input tensor {what} must have at least 2 dimensions.")
    if A._dtype is not B._dtype:
        B = B.to(A._dtype)  # torch solves in A's dtype (an integer B too)
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {n} by {m} matrices")
    k = B._data.shape[-2] if left else B._data.shape[-1]
    if k != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} ({n}x{m} and "
                           f"{B._data.shape[-2]}x{B._data.shape[-1]})")
    return _out(LinalgSolveTriangularBackward0.apply(A, B, upper=upper, left=left, unitriangular=unitriangular), out)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve (deprecated in torch): (A^-1 b or A^-T b, a copy of A)."""
    if _amp.active: return _autocast("triangular_solve", triangular_solve, input, A, upper, transpose, unitriangular, out=out)  # noqa: E701,E501
    _deprecated("torch.triangular_solve", "torch.linalg.solve_triangular")
    coefficient = A.mT if transpose else A
    x = solve_triangular(coefficient, input, upper=upper != transpose, unitriangular=unitriangular)
    return _outs(solve_triangular_result(x, A.clone()), out)


def _deprecated(name, replacement, gap=""):
    """torch's warning for its deprecated linalg names (its text, missing space included)."""
    import warnings

    warnings.warn(f"{name} is deprecated in favor of {replacement}{gap}and will be removed in a future PyTorch "
                  "release.", UserWarning, stacklevel=3)


# -- Cholesky-based -----------------------------------------------------------------------------
def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info is the order of the first leading minor that is not positive-definite
    (0 when A is). Without check_errors a failed factorization raises nothing."""
    if _amp.active: return _autocast("cholesky_ex", cholesky_ex, A, upper=upper, check_errors=check_errors, out=out)  # noqa: E701,E501
    from ._decompositions import LinalgCholeskyExBackward0

    check_matrix("linalg.cholesky_ex", A)
    try:
        low = LinalgCholeskyExBackward0.apply(A, upper=upper)
        info = xp_of(A._data).zeros(A._data.shape[:-2], dtype=np.int32)
    except _LinAlgError:
        if check_errors:
            raise
        low, info = _partial_cholesky(A, upper)
    return _outs(cholesky_ex_result(low, _wrap(info)), out)


def _partial_cholesky(A, upper):
    """For a batch with a non-positive-definite matrix: each matrix's factor (zeros where it
    failed) and the order of its first bad leading minor."""
    a = A._data
    xp = xp_of(a)
    mats = a.reshape((-1,) + a.shape[-2:])
    info = np.zeros(mats.shape[0], dtype=np.int32)
    low = xp.zeros_like(mats)
    for i in range(mats.shape[0]):
        m = mats[i]
        sym = xp.tril(m) + xp.tril(m, -1).swapaxes(-1, -2)
        try:
            low[i] = xp.linalg.cholesky(sym)
        except np.linalg.LinAlgError:
            for k in range(1, m.shape[-1] + 1):
                try:
                    xp.linalg.cholesky(sym[:k, :k])
                except np.linalg.LinAlgError:
                    info[i] = k
                    break
    low = low.reshape(a.shape)
    if upper:
        low = low.swapaxes(-1, -2).copy()
    return _wrap(low), xp.asarray(info.reshape(a.shape[:-2]))


def cholesky(input, upper=False, *, out=None):
    """torch.cholesky (deprecated in torch): linalg.cholesky."""
    if _amp.active: return _autocast("cholesky", cholesky, input, upper, out=out)  # noqa: E701
    _deprecated("torch.cholesky", "torch.linalg.cholesky", " ")
    from ._decompositions import cholesky as linalg_cholesky

    return linalg_cholesky(input, upper=upper, out=out)


def _cholesky_solve_array(b, factor, upper):
    low = factor.swapaxes(-1, -2) if upper else factor
    y = solve_triangular_array(low, b, upper=False)
    return solve_triangular_array(low.swapaxes(-1, -2), y, upper=True)


class CholeskySolveBackward0(Op):
    """X = (L L^H)^-1 B. torch's gradients, which treat the factor as a full matrix:
    dB = cholesky_solve(g), dL = -(gB X^H + X gB^H) L (U (...) when upper)."""

    save_inputs = True
    save_output = True

    def forward(self, b, factor, upper):
        self.upper = upper
        return _cholesky_solve_array(b, factor, upper)

    def backward(self, g):
        b, factor, x = self.saved_tensors
        gb = CholeskySolveBackward0.apply(g, factor, upper=self.upper)
        gf = None
        if self.needs_grad(1):
            common = gb @ x.mT
            common = common + common.mT
            gf = -(factor @ common) if self.upper else -(common @ factor)
        return gb, gf


class CholeskyInverseBackward0(Op):
    """(L L^H)^-1; torch's gradient: -(Y (g + g^H) Y) L (L (...) when upper), Y the result."""

    save_inputs = True
    save_output = True

    def forward(self, factor, upper):
        self.upper = upper
        n = factor.shape[-1]
        eye = xp_of(factor).broadcast_to(xp_of(factor).eye(n, dtype=factor.dtype), factor.shape)
        return _cholesky_solve_array(eye, factor, upper)

    def backward(self, g):
        factor, y = self.saved_tensors
        common = y @ (g + g.mT) @ y
        return -(factor @ common) if self.upper else -(common @ factor)


def cholesky_solve(input, input2, upper=False, *, out=None):
    """X with (L L^H) X = B for the Cholesky factor L = input2 (U^H U when upper)."""
    if _amp.active: return _autocast("cholesky_solve", cholesky_solve, input, input2, upper, out=out)  # noqa: E701
    if input._data.ndim < 2 or input2._data.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {input._data.ndim} dimensions instead"
                           if input._data.ndim < 2 else
                           f"u should have at least 2 dimensions, but has {input2._data.ndim} dimensions instead")
    if input._dtype is not input2._dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{input._dtype.name.capitalize()} and A of type {input2._dtype.name.capitalize()} instead.")
    return _out(CholeskySolveBackward0.apply(input, input2, upper=upper), out)


def cholesky_inverse(input, upper=False, *, out=None):
    """(L L^H)^-1 from the Cholesky factor L (U^H U when upper)."""
    if _amp.active: return _autocast("cholesky_inverse", cholesky_inverse, input, upper, out=out)  # noqa: E701
    if input._data.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    check_float("cholesky_inverse", input)
    return _out(CholeskyInverseBackward0.apply(input, upper=upper), out)


# -- _ex forms ------------------------------------------------------------------------------------
def _info_zeros(A):
    return _wrap(xp_of(A._data).zeros(A._data.shape[:-2], dtype=np.int32))


def _singular_info(A):
    """LAPACK getrf's info per matrix: the 1-based index of the first zero pivot, or 0."""
    from ._checks import first_zero_pivot

    a = A._data
    host = a if type(a) is np.ndarray else a.get()
    mats = host.reshape((-1,) + host.shape[-2:])
    info = np.array([first_zero_pivot(m) for m in mats], dtype=np.int32).reshape(host.shape[:-2])
    return _wrap(xp_of(a).asarray(info))


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is 0, or the first zero pivot of a singular matrix (whose
    'inverse' is then NaN) when check_errors is False."""
    if _amp.active: return _autocast("inv_ex", inv_ex, A, check_errors=check_errors, out=out)  # noqa: E701
    from ._inverse import inv

    try:
        result = inv_ex_result(inv(A), _info_zeros(A))
    except _LinAlgError:
        if check_errors:
            raise
        info = _singular_info(A)
        ok = (info == 0).unsqueeze(-1).unsqueeze(-1)
        # the invertible matrices of the batch, with the singular ones swapped for I
        from .._ops.selection import where

        eye = _eye(A)
        inverse = inv(where(ok, A, eye))
        result = inv_ex_result(where(ok, inverse, float("nan")), info)
    return _outs(result, out)


def _eye(A):
    from .. import _creation

    return _creation.eye(A._data.shape[-1], dtype=A._dtype, device=A.device)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    from ._inverse import solve

    try:
        result = solve_ex_result(solve(A, B, left=left), _info_zeros(A))
    except _LinAlgError:
        if check_errors:
            raise
        info = _singular_info(A)
        shape = np.broadcast_shapes(A._data.shape[:-2], B._data.shape[:-2] if B._data.ndim > 1 else ())
        x = xp_of(B._data).full(shape + B._data.shape[-2 if B._data.ndim > 1 else -1:], np.nan, dtype=B._data.dtype)
        result = solve_ex_result(_wrap(x), info)
    return _outs(result, out)
