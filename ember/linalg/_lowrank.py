"""Randomized low-rank SVD and PCA (Halko, Martinsson and Tropp 2009, algorithms 4.4 and
5.1), as torch's torch/_lowrank.py computes them for dense inputs: the same random
projection (torch.randn, so a seed gives torch's result), QR and SVD steps."""
from .. import _dtype as D
from ._decompositions import qr, svd


def _basis(A, q, niter, M):
    """Q with q orthonormal columns such that Q Q^H (A - M) approximates A - M."""
    from .._ops.random_ops import randn

    dtype = A._dtype if A._dtype.is_floating_point else D.float32
    R = randn(A._data.shape[-1], q, dtype=dtype, device=A.device)
    X = A @ R if M is None else A @ R - M @ R
    Q = qr(X).Q
    for _ in range(2 if niter is None else niter):
        X = A.mT @ Q if M is None else A.mT @ Q - M.mT @ Q
        Q = qr(X).Q
        X = A @ Q if M is None else A @ Q - M @ Q
        Q = qr(X).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A - M ~ U diag(S) V^H, of rank q."""
    q = 6 if q is None else q
    m, n = A._data.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A._data.shape)
    if m < n:
        A = A.mT
        M = M.mT if M is not None else None
    Q = _basis(A, q, niter, M)
    B = Q.mT @ A if M is None else Q.mT @ A - Q.mT @ M
    U, S, Vh = svd(B, full_matrices=False)
    V, U = Vh.mT, Q @ U
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A, q=None, center=True, niter=2):
    """svd_lowrank of A with its column means removed (center=True)."""
    m, n = A._data.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter)
