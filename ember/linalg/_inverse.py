"""Inverses, solves and determinants: inv, solve, det, slogdet, logdet, pinv,
lstsq, matrix_rank. Forward on the array module's LAPACK; gradients

    Y = A^-1:      dA = -Y^T g Y^T
    X = A^-1 B:    dB = A^-T g,  dA = -dB X^T
    d = det A:     dA = g d A^-T
    P = pinv(A):   dA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)

written with ember ops, so they differentiate again.
"""
import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from .._ops._base import Op, _wrap
from .._ops._return_types import return_type
from ._checks import _LinAlgError, batch_prefix, check_float, check_matrix, singular_batch

slogdet_result = return_type("linalg_slogdet", ("sign", "logabsdet"))
lstsq_result = return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def _eye_like(t, n):
    from .._creation import eye

    return eye(n, dtype=t._dtype, device=t.device)


class LinalgInvExBackward0(Op):
    save_output = True

    def forward(self, a):
        try:
            return xp_of(a).linalg.inv(a)
        except np.linalg.LinAlgError:
            i, pivot = singular_batch(a)
            raise _LinAlgError(f"linalg.inv: {batch_prefix(i, a.ndim > 2)}The diagonal element {pivot} is zero, the "
                               "inversion could not be completed because the input matrix is singular.") from None

    def backward(self, g):
        y, = self.saved_tensors
        yt = y.mT
        return -(yt @ g @ yt)


def inv(A, *, out=None):
    if _amp.active: return _autocast("inv", inv, A, out=out)  # noqa: E701
    check_matrix("linalg.inv", A)
    return _out(LinalgInvExBackward0.apply(A), out)


def inverse(input, *, out=None):
    """torch.inverse: linalg.inv."""
    if _amp.active: return _autocast("inverse", inverse, input, out=out)  # noqa: E701
    return inv(input, out=out)


def _out(result, out):
    if out is None:
        return result
    from .._ops.elementwise import _out as copy_out

    return copy_out(result, out)


def _outs(result, out):
    """out= for a tuple result: each part copied into its out tensor; returns out."""
    if out is None:
        return result
    for r, o in zip(result, out):
        _out(r, o)
    return out


class LinalgSolveExBackward0(Op):
    """X = A^-1 B for B of shape (..., n, k) (vectors are given a trailing dim by solve)."""

    save_inputs = True
    save_output = True

    def forward(self, a, b):
        try:
            return xp_of(a).linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise _LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None

    def backward(self, g):
        a, b, x = self.saved_tensors
        gb = solve(a.mT, g)
        ga = -(gb @ x.mT) if self.next_functions[0][0] is not None else None
        return ga, gb


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when left=False); B may be a (batch of) vector(s)."""
    if _amp.active: return _autocast("solve", solve, A, B, left=left, out=out)  # noqa: E701
    check_matrix("linalg.solve", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not {type(B).__name__}")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A._dtype.name.capitalize()} and B of type {B._dtype.name.capitalize()} instead")
    if not left:
        return _out(solve(A.mT, B.mT).mT, out)
    n = A._data.shape[-1]
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and B._data.shape == A._data.shape[:-1])
    b = B.unsqueeze(-1) if vector else B
    if b._data.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A._data.shape[-2]}x{n} and {b._data.shape[-2]}x{b._data.shape[-1]})")
    batch = np.broadcast_shapes(A._data.shape[:-2], b._data.shape[:-2])
    a = A if A._data.shape[:-2] == batch else A.expand(batch + A._data.shape[-2:])
    b = b if b._data.shape[:-2] == batch else b.expand(batch + b._data.shape[-2:])
    x = LinalgSolveExBackward0.apply(a, b)
    return _out(x.squeeze(-1) if vector else x, out)


class LinalgDetBackward0(Op):
    save_inputs = True
    save_output = True

    def forward(self, a):
        return xp_of(a).linalg.det(a)

    def backward(self, g):
        a, d = self.saved_tensors
        return (g * d).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def det(A, *, out=None):
    check_matrix("linalg.det", A)
    return _out(LinalgDetBackward0.apply(A), out)


class LinalgSlogdetBackward0(Op):
    n_diff_outputs = 2
    save_inputs = True

    def forward(self, a):
        sign, logabs = xp_of(a).linalg.slogdet(a)
        return sign.astype(a.dtype, copy=False), logabs.astype(a.dtype, copy=False)

    def backward(self, g_sign, g_logabs):
        a, = self.saved_tensors
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def slogdet(A, *, out=None):
    check_matrix("linalg.slogdet", A)
    return slogdet_result(*LinalgSlogdetBackward0.apply(A))


def logdet(input):
    """log(det A): NaN where the determinant is negative, -inf where it is zero."""
    from .._ops.selection import where

    sign, logabs = slogdet(input)
    return where(sign < 0, float("nan"), logabs)


class LinalgPinvBackward0(Op):
    save_inputs = True
    save_output = True

    def forward(self, a, atol, rtol, hermitian):
        xp = xp_of(a)
        if hermitian:
            w, v = xp.linalg.eigh(a)
            s, u, vt = xp.abs(w), v, None
        else:
            u, s, vt = xp.linalg.svd(a, full_matrices=False)
        smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), dtype=s.dtype)
        tol = xp.maximum(atol, rtol * smax)
        with np.errstate(divide="ignore"):
            s_inv = xp.where(s > tol, 1 / xp.where(s > tol, s, 1), 0).astype(a.dtype, copy=False)
        if hermitian:
            sign = xp.where(w < 0, -1, 1).astype(a.dtype)
            return (v * (s_inv * sign)[..., None, :]) @ v.swapaxes(-1, -2)
        return (vt.swapaxes(-1, -2) * s_inv[..., None, :]) @ u.swapaxes(-1, -2)

    def backward(self, g):
        a, p = self.saved_tensors
        m, n = a._data.shape[-2:]
        pt, gt = p.mT, g.mT
        res_a = _eye_like(a, m) - a @ p
        res_p = _eye_like(a, n) - p @ a
        return -(pt @ g @ pt) + res_a @ gt @ (p @ pt) + (pt @ p) @ gt @ res_p


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse through the SVD; singular values below
    max(atol, rtol * largest) count as zero (rtol defaults to eps * max(m, n))."""
    check_matrix("linalg.pinv", A, square=hermitian)
    m, n = A._data.shape[-2:]
    eps = float(np.finfo(A._data.dtype).eps)
    if rtol is None:
        rtol = eps * max(m, n) if atol is None or atol == 0 else 0.0
    atol = 0.0 if atol is None else atol
    if isinstance(atol, Tensor) or isinstance(rtol, Tensor):
        atol = atol._data[..., None] if isinstance(atol, Tensor) else atol
        rtol = rtol._data[..., None] if isinstance(rtol, Tensor) else rtol
    return _out(LinalgPinvBackward0.apply(A, atol=atol, rtol=rtol, hermitian=hermitian), out)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """The number of singular values above max(atol, rtol * largest)."""
    if _amp.active: return _autocast("matrix_rank", matrix_rank, A, atol=atol, rtol=rtol, hermitian=hermitian, tol=tol, out=out)  # noqa: E701,E501
    check_matrix("linalg.matrix_rank", A, square=hermitian)
    a = A._data
    xp = xp_of(a)
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    if rtol is None:
        rtol = float(np.finfo(a.dtype).eps) * max(a.shape[-2:]) if atol is None or atol == 0 else 0.0
    atol = 0.0 if atol is None else atol
    smax = s.max(axis=-1) if s.shape[-1] else xp.zeros(s.shape[:-1], dtype=s.dtype)
    rank = (s > xp.maximum(atol, rtol * smax)[..., None]).sum(axis=-1)
    return _out(Tensor._make(xp.asarray(rank, dtype=np.int64), D.int64), out)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B, as torch's CPU default driver 'gelsy' reports it:
    (solution, residuals, rank, singular_values); residuals and singular values are
    empty for 'gelsy'/'gels', as in torch. The solution is pinv(A) @ B (differentiable)."""
    if _amp.active: return _autocast("lstsq", lstsq, A, B, rcond, driver=driver)  # noqa: E701
    check_float("linalg.lstsq", A)
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {A._dtype} and other's dtype {B._dtype}")
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B._data.ndim == A._data.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if b._data.shape[-2] != A._data.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A._data.shape[-2:]
    eps = float(np.finfo(A._data.dtype).eps)
    rtol = eps * max(m, n) if rcond is None else rcond
    x = pinv(A, rtol=rtol) @ b
    if vector:
        x = x.squeeze(-1)
    empty = Tensor._make(xp_of(A._data).zeros(0, dtype=A._data.dtype), A._dtype)
    rank = matrix_rank(A, rtol=rtol) if driver != "gels" else Tensor._make(np.zeros(0, dtype=np.int64), D.int64)
    sv = empty
    residuals = x.reshape(-1)[:0]  # empty, but on the graph as torch's is
    if driver in ("gelsd", "gelss"):
        sv = _wrap(xp_of(A._data).linalg.svd(A._data, compute_uv=False))
    if m > n and driver != "gelsy" and bool((rank._data == n).all()):
        # on the graph (torch's residuals have a gradient in A and B)
        r = (A @ x.unsqueeze(-1) if vector else A @ x) - b
        residuals = (r.abs().square() if r.is_complex() else r * r).sum(-2)
        if vector:
            residuals = residuals.squeeze(-1)
    return lstsq_result(x, residuals, rank, sv)
