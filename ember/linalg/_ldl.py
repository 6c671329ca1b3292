"""LDL^T factorization of symmetric matrices (Bunch-Kaufman diagonal pivoting) and the
solve that uses it: ldl_factor(_ex), ldl_solve. NumPy exposes no sytrf, so this is
LAPACK's unblocked dsytf2 / dsytrs for the lower triangle, one matrix at a time, giving
the same packed LD and pivots as torch (1-based; a negative pair marks a 2x2 block).
Neither is differentiable in torch.
"""
import math

import numpy as np

from .._device import xp_of
from .._ops._base import Op
from .._ops._return_types import return_type
from ._checks import _LinAlgError, check_matrix
from ._inverse import _out, _outs

ldl_factor_result = return_type("linalg_ldl_factor", ("LD", "pivots"))
ldl_factor_ex_result = return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))

_ALPHA = (1 + math.sqrt(17)) / 8


def _sytf2(a):
    """dsytf2 with uplo='L' on one matrix (0-based here; pivots returned 1-based)."""
    a = np.tril(a).astype(a.dtype, copy=True)
    n = a.shape[0]
    piv = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                jmax = k + int(np.argmax(np.abs(a[imax, k:imax])))
                rowmax = abs(a[imax, jmax])
                if imax < n - 1:
                    jmax = imax + 1 + int(np.argmax(np.abs(a[imax + 1:, imax])))
                    rowmax = max(rowmax, abs(a[jmax, imax]))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # swap rows and columns kk and kp of the trailing lower triangle
                if kp < n - 1:
                    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                seg = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = seg
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1 / a[k, k]
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.tril(d11 * np.outer(x, x))
                    a[k + 1:, k] *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1 / (d11 * d22 - 1)
                d21 = t / d21
                for j in range(k + 2, n):
                    wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                    wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                    a[j:, j] -= a[j:, k] * wk + a[j:, k + 1] * wkp1
                    a[j, k], a[j, k + 1] = wk, wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return a, piv, info


def _sytrs(ld, piv, b):
    """dsytrs with uplo='L': X with A X = B from A's packed LD and pivots."""
    b = b.copy()
    n = ld.shape[0]
    k = 0
    while k < n:  # L D Y = P^T B
        if piv[k] > 0:
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1 = ld[k, k] / akm1k
            ak = ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y
        if piv[k] > 0:
            if k < n - 1:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
                b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            kp = -piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def _host(a):
    return a if type(a) is np.ndarray else a.get()


class LinalgLdlFactorExBackward0(Op):
    """(LD, pivots, info); LD requires grad as torch's does, but has no derivative."""

    n_diff_outputs = 1

    def backward(self, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")

    def forward(self, a):
        host = _host(a)
        # the batch count spelled out: reshape cannot infer -1 when a matrix is 0 x 0
        mats = host.reshape((int(np.prod(host.shape[:-2])),) + host.shape[-2:])
        out = [_sytf2(m) for m in mats]
        xp = xp_of(a)
        ld = np.stack([o[0] for o in out]).reshape(host.shape) if out else host.copy()
        piv = np.stack([o[1] for o in out]).reshape(host.shape[:-1]) if out else np.zeros(host.shape[:-1], np.int32)
        info = np.array([o[2] for o in out], dtype=np.int32).reshape(host.shape[:-2])
        return xp.asarray(ld), xp.asarray(piv), xp.asarray(info)


class LinalgLdlSolveBackward0(Op):
    def backward(self, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")

    def forward(self, ld, piv, b):
        ldh, pivh, bh = _host(ld), _host(piv), _host(b)
        batch = np.broadcast_shapes(ldh.shape[:-2], bh.shape[:-2])
        ldh = np.broadcast_to(ldh, batch + ldh.shape[-2:]).reshape((-1,) + ldh.shape[-2:])
        pivh = np.broadcast_to(pivh, batch + pivh.shape[-1:]).reshape((-1,) + pivh.shape[-1:])
        bb = np.broadcast_to(bh, batch + bh.shape[-2:]).reshape((-1,) + bh.shape[-2:])
        x = np.stack([_sytrs(l, p, c) for l, p, c in zip(ldh, pivh, bb)]) if bb.shape[0] else bb.copy()
        return xp_of(b).asarray(x.reshape(batch + bh.shape[-2:]))


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    check_matrix("torch.linalg.ldl_factor_ex", A)
    ld, piv, info = LinalgLdlFactorExBackward0.apply(A)
    if check_errors and bool((info._data != 0).any()):
        _raise(info)
    return _outs(ldl_factor_ex_result(ld, piv, info), out)


def _raise(info):
    host = _host(info._data).reshape(-1)
    b = int(np.argmax(host != 0))
    where = f"(Batch element {b}): " if info._data.ndim else ""
    raise _LinAlgError(f"torch.linalg.ldl_factor_ex: {where}The factorization could not be completed because the "
                       f"input is not invertible: the diagonal element {int(host[b])} is zero.")


def ldl_factor(A, *, hermitian=False, out=None):
    """(LD, pivots): D's 1x1 and 2x2 blocks on and below the diagonal, L's multipliers below."""
    check_matrix("torch.linalg.ldl_factor", A)
    ld, piv, info = ldl_factor_ex(A, hermitian=hermitian)
    return _outs(ldl_factor_result(ld, piv), out)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    if LD._data.ndim < 2 or B._data.ndim < 2:
        raise RuntimeError("torch.linalg.ldl_solve: Expected LD and B to have at least 2 dimensions")
    if LD._dtype is not B._dtype:
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected LD and B to have the same dtype, but found LD of type "
                           f"{LD._dtype.name.capitalize()} and B of type {B._dtype.name.capitalize()} instead")
    if B._data.shape[-2] != LD._data.shape[-1]:
        raise RuntimeError(f"torch.linalg.ldl_solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({LD._data.shape[-2]}x{LD._data.shape[-1]} and {B._data.shape[-2]}x{B._data.shape[-1]})")
    return _out(LinalgLdlSolveBackward0.apply(LD, pivots, B), out)
