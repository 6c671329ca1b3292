"""LU factorization with partial pivoting: lu_factor(_ex), lu, lu_unpack, lu_solve (and
torch.lu / torch.lu_solve). NumPy exposes no getrf, so the factorization is LAPACK's
unblocked getf2 on the array module, one column at a time over the whole batch: the
pivot is the first largest |a| of the column, as LAPACK's idamax picks it.

Gradients (torch's linalg_lu_backward), for A = P L U, square case:

    dA = P L^-H [ (L^H gL) o strictly-lower + (gU U^H) o upper ] U^-H

with the tall and wide cases handled as in torch; lu_factor's packed LU differentiates
through the same formula.
"""
import math

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._ops._base import Op, _wrap
from .._ops._inplace import _TYPE_WORDS
from .._ops._return_types import return_type
from ._checks import check_float
from ._inverse import _out, _outs
from ._triangular import solve_triangular

lu_factor_result = return_type("linalg_lu_factor", ("LU", "pivots"))
lu_factor_ex_result = return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
lu_result = return_type("linalg_lu", ("P", "L", "U"))
lu_unpack_result = return_type("lu_unpack", ("P", "L", "U"))


def getrf(a):
    """(packed LU, 1-based int32 pivots, int32 info) for a (batch of) m x n matrices."""
    xp = xp_of(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((math.prod(batch), m, n)).copy()  # the batch flattened: row swaps by plain fancy indexing
    rows = xp.arange(lu.shape[0])
    piv = xp.zeros((lu.shape[0], k), dtype=np.int32)
    info = xp.zeros(lu.shape[0], dtype=np.int32)
    for j in range(k):
        p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=-1)
        piv[:, j] = p + 1
        row_p, row_j = lu[rows, p].copy(), lu[:, j].copy()
        lu[rows, p] = row_j
        lu[:, j] = row_p
        pivot = lu[:, j, j]
        zero = pivot == 0
        info = xp.where(zero & (info == 0), j + 1, info).astype(np.int32)
        with np.errstate(divide="ignore", invalid="ignore"):
            col = xp.where(zero[:, None], lu[:, j + 1:, j], lu[:, j + 1:, j] / pivot[:, None])
        lu[:, j + 1:, j] = col
        lu[:, j + 1:, j + 1:] -= col[:, :, None] * lu[:, j, None, j + 1:]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _permutation(piv, m, dtype, xp):
    """The permutation matrix P (A = P L U) from LAPACK's sequential row swaps."""
    batch = piv.shape[:-1]
    flat = piv.reshape((math.prod(batch), piv.shape[-1]))
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):  # swap entries j and piv[j] - 1, over the whole batch at once
        p = flat[:, j].astype(np.int64) - 1
        at_j, at_p = perm[:, j].copy(), perm[rows, p].copy()
        perm[:, j] = at_p
        perm[rows, p] = at_j
    # Row j of P^T A is row perm[j] of A: P[perm[j], j] = 1
    eye = xp.eye(m, dtype=dtype)
    return eye[perm.reshape(batch + (m,))].swapaxes(-1, -2)


def _split(lu, m, n):
    """L (m x k, unit lower) and U (k x n, upper) from a packed LU, as ember Tensors."""
    k = min(m, n)
    low = lu[..., :, :k].tril(-1) + _eye_rect(lu, m, k)
    up = lu[..., :k, :].triu()
    return low, up


def _eye_rect(t, m, k):
    from .. import _creation

    return _creation.eye(m, k, dtype=t._dtype, device=t.device)


def lu_backward(gl, gu, P, low, up, m, n):
    """torch's linalg_lu_backward for A = P L U (L: m x k, U: k x n)."""
    from .._ops.joining import cat

    k = min(m, n)
    if m == n:
        ga = None
        if gl is not None:
            ga = (low.mT @ gl).tril(-1)
        if gu is not None:
            t = (gu @ up.mT).triu()
            ga = t if ga is None else ga + t
        ga = solve_triangular(up.mT, ga, upper=False, left=False)
        ga = solve_triangular(low.mT, ga, upper=True, unitriangular=True)
        return P @ ga
    if m < n:  # wide: U = [U1 | U2]
        u1 = up[..., :, :k]
        ga = low.mT @ gl if gl is not None else None
        if gu is not None:
            t = gu.triu() @ up.mT
            ga = -t if ga is None else ga - t
        ga = solve_triangular(u1.mT, ga.tril(-1), upper=False, left=False)
        if gu is not None:
            ga = cat([ga + gu[..., :, :k].triu(), gu[..., :, k:]], -1)
        ga = solve_triangular(low.mT, ga, upper=True, unitriangular=True)
        if gu is None:
            ga = cat([ga, (up[..., :, k:] * 0)], -1)
        return P @ ga
    # tall: L = [L1; L2]
    l1 = low[..., :k, :]
    ga = gu @ up.mT if gu is not None else None
    if gl is not None:
        t = low.mT @ gl.tril(-1)
        ga = -t if ga is None else ga - t
    ga = solve_triangular(l1.mT, ga.triu(), upper=True, unitriangular=True)
    if gl is not None:
        ga = cat([ga + gl[..., :k, :].tril(-1), gl[..., k:, :]], -2)
    ga = solve_triangular(up.mT, ga, upper=False, left=False)
    if gl is None:
        ga = cat([ga, low[..., k:, :] * 0], -2)
    return P @ ga


class LinalgLuFactorExBackward0(Op):
    """(LU, pivots, info); only LU is differentiable."""

    n_diff_outputs = 1

    def forward(self, a):
        lu, piv, info = getrf(a)
        self.lu, self.piv = lu, piv
        return lu, piv, info

    def backward(self, g, *_):
        m, n = self.lu.shape[-2:]
        xp = xp_of(self.lu)
        low, up = _split(_wrap(self.lu), m, n)
        P = _wrap(_permutation(self.piv, m, self.lu.dtype, xp))
        k = min(m, n)
        return lu_backward(g[..., :, :k].tril(-1), g[..., :k, :].triu(), P, low, up, m, n)


class LinalgLuBackward0(Op):
    """(L, U, P): P, last, is not differentiable (lu() reorders them to torch's (P, L, U))."""

    n_diff_outputs = 2

    def forward(self, a, pivot):
        m, n = a.shape[-2:]
        xp = xp_of(a)
        lu, piv, _ = getrf(a)
        k = min(m, n)
        low = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=a.dtype)
        up = xp.triu(lu[..., :k, :])
        P = _permutation(piv, m, a.dtype, xp)
        self.P, self.low, self.up = P, low, up
        return low, up, P

    def backward(self, gl, gu):
        m, n = self.low.shape[-2], self.up.shape[-1]
        return lu_backward(gl, gu, _wrap(self.P), _wrap(self.low), _wrap(self.up), m, n)


def _lu_checks(name, A):
    if not A._dtype.is_floating_point:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_TYPE_WORDS[A._dtype.name]}'")
    check_float(name, A)
    if A._data.ndim < 2:
        raise RuntimeError(f"torch.{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"[{', '.join(map(str, A._data.shape))}] instead")


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    _lu_checks("linalg.lu_factor_ex", A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv, info = LinalgLuFactorExBackward0.apply(A)
    if check_errors and bool((info._data != 0).any()):
        _raise_singular("torch.linalg.lu_factor_ex", info)
    return _outs(lu_factor_ex_result(lu, piv, info), out)


def _raise_singular(name, info):
    from ._checks import _LinAlgError

    host = info._data if type(info._data) is np.ndarray else info._data.get()
    flat = host.reshape(-1)
    b = int(np.argmax(flat != 0))
    where = f"(Batch element {b}): " if host.ndim else ""
    j = int(flat[b])
    raise _LinAlgError(f"{name}: {where}U[{j},{j}] is zero and using it on lu_solve would result in a division by "
                       "zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) "
                       "or linalg.lu_factor_ex(A, pivot)")


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots): L below the diagonal (unit diagonal implied), U on and above; pivots
    are LAPACK's 1-based row swaps. A singular matrix raises, as in torch."""
    _lu_checks("linalg.lu_factor", A)
    lu, piv, info = lu_factor_ex(A, pivot=pivot)
    if bool((info._data != 0).any()):
        _raise_singular("torch.linalg.lu_factor", info)
    return _outs(lu_factor_result(lu, piv), out)


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U."""
    _lu_checks("linalg.lu", A)
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    low, up, P = LinalgLuBackward0.apply(A, pivot=pivot)
    return _outs(lu_result(P, low, up), out)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from lu_factor's packed result; differentiable w.r.t. LU_data."""
    if LU_pivots._dtype is not D.int32:
        raise RuntimeError(f"lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype. Note: "
                           f"this function is intended to be used with the output produced by torch.linalg.lu_factor")
    m, n = LU_data._data.shape[-2:]
    k = min(m, n)
    empty = LU_data.new_empty(0)
    low, up = _split(LU_data, m, n) if unpack_data else (empty, empty)
    if unpack_pivots:
        P = _wrap(_permutation(LU_pivots._data, m, LU_data._data.dtype, xp_of(LU_data._data)))
    else:
        P = empty
    return _outs(lu_unpack_result(P, low, up), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (X A = B when left=False; A^H in place of A when adjoint) from A's LU."""
    if _amp.active: return _autocast("lu_solve", lu_solve, LU, pivots, B, left=left, adjoint=adjoint, out=out)  # noqa: E701,E501
    m, n = LU._data.shape[-2:]
    if m != n:
        raise RuntimeError(f"linalg.lu_solve: A must be batches of square matrices, but they are {m} by {n} matrices")
    if LU._dtype is not B._dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
                           f"{LU._dtype.name.capitalize()} and B of type {B._dtype.name.capitalize()} instead")
    P, low, up = lu_unpack(LU, pivots)
    # A = P L U.  left: A X = B -> X = U^-1 L^-1 P^T B;  A^H X = B -> X = P L^-H U^-H B
    if left and not adjoint:
        y = solve_triangular(low, P.mT @ B, upper=False, unitriangular=True)
        x = solve_triangular(up, y, upper=True)
    elif left:
        y = solve_triangular(up.mT, B, upper=False)
        x = P @ solve_triangular(low.mT, y, upper=True, unitriangular=True)
    elif not adjoint:  # X P L U = B -> X = B U^-1 L^-1 P^T
        y = solve_triangular(up, B, upper=True, left=False)
        x = solve_triangular(low, y, upper=False, left=False, unitriangular=True) @ P.mT
    else:  # X U^H L^H P^T = B -> X = B P L^-H U^-H
        y = solve_triangular(low.mT, B @ P, upper=True, left=False, unitriangular=True)
        x = solve_triangular(up.mT, y, upper=False, left=False)
    return _out(x, out)


# -- torch-level names ------------------------------------------------------------------------------
def torch_lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu (deprecated in torch): (LU, pivots[, infos]); without get_infos a singular A raises."""
    from ._triangular import _deprecated

    _deprecated("torch.lu", "torch.linalg.lu_factor / torch.linalg.lu_factor_ex", " ")
    lu_, piv, info = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    return _outs((lu_, piv, info) if get_infos else (lu_, piv), out)


def torch_lu_solve(input, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve (deprecated in torch): linalg.lu_solve(LU, pivots, b)."""
    from ._triangular import _deprecated

    _deprecated("torch.lu_solve", "torch.linalg.lu_solve")
    return lu_solve(LU_data, LU_pivots, input, out=out)
