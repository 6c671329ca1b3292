"""Factorizations: cholesky, qr, svd/svdvals, eigh/eigvalsh. Forward on LAPACK
(the array module's linalg); gradients with ember ops (real inputs):

    A = L L^T:  dA = L^-T S L^-1,  S = sym(Φ(L^T gL)) halved (Φ: lower part, half diagonal)
    A = Q R (m >= n):  M = R gR^T - gQ^T Q,  dA = (gQ + Q copyltu(M)) R^-T
    A = U S V^T:  F_ij = 1 / (s_j^2 - s_i^2),
        dA = U [(F∘(U^T gU - gU^T U)) S + diag(gS) + S (F∘(V^T gV - gV^T V))] V^T
             + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)
    A = V diag(w) V^T:  dA = sym(V (diag(gw) + (V^T gV) / E) V^T),  E_ij = w_j - w_i

The SVD and eigh gradients need distinct (singular) values, as in torch.
"""
import numpy as np

from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._ops._base import Op
from .._ops._return_types import return_type
from ._checks import _LinAlgError, batch_prefix, check_matrix
from ._inverse import _eye_like, _out, inv

qr_result = return_type("linalg_qr", ("Q", "R"))
svd_result = return_type("linalg_svd", ("U", "S", "Vh"))
eigh_result = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))


# -- Cholesky -------------------------------------------------------------------------------------------
def _not_positive_definite(a):
    """torch's message: the order of the first leading minor that is not positive-definite."""
    host = a if type(a) is np.ndarray else a.get()
    mats = host.reshape((-1,) + host.shape[-2:])
    for i, m in enumerate(mats):
        for k in range(1, m.shape[-1] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return _LinAlgError(f"linalg.cholesky: {batch_prefix(i, host.ndim > 2)}The factorization could not "
                                    f"be completed because the input is not positive-definite (the leading minor of "
                                    f"order {k} is not positive-definite).")
    return _LinAlgError("linalg.cholesky: The factorization could not be completed because the input is not "
                        "positive-definite.")


class LinalgCholeskyExBackward0(Op):
    save_output = True

    def forward(self, a, upper):
        self.upper = upper
        xp = xp_of(a)
        try:
            low = xp.linalg.cholesky(xp.tril(a) + xp.tril(a, -1).swapaxes(-1, -2))  # reads the lower half only
        except np.linalg.LinAlgError:
            raise _not_positive_definite(a) from None
        return low.swapaxes(-1, -2).copy() if upper else low

    def backward(self, g):
        out, = self.saved_tensors
        low, gl = (out.mT, g.mT) if self.upper else (out, g)
        phi = (low.mT @ gl).tril()
        sym = 0.5 * (phi + phi.tril(-1).mT)
        low_inv = inv(low)
        return low_inv.mT @ sym @ low_inv


def cholesky(A, *, upper=False, out=None):
    if _amp.active: return _autocast("cholesky", cholesky, A, upper=upper, out=out)  # noqa: E701
    check_matrix("linalg.cholesky", A)
    return _out(LinalgCholeskyExBackward0.apply(A, upper=upper), out)


# -- QR ---------------------------------------------------------------------------------------------------
class LinalgQrBackward0(Op):
    n_diff_outputs = 2
    save_inputs = True

    def forward(self, a, mode):
        self.mode = mode
        xp = xp_of(a)
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            q = xp.zeros((0,), dtype=a.dtype)
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        self.q, self.r = q, r
        return q, r

    def backward(self, gq, gr):
        from .._ops._base import _wrap

        a, = self.saved_tensors
        m, n = a._data.shape[-2:]
        if self.mode == "r" or (self.mode == "complete" and m > n):
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr." if self.mode == "r" else
                               "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        q, r = _wrap(self.q), _wrap(self.r)
        if m >= n:
            return _qr_grad_tall(q, r, gq, gr)
        # wide: A = [X | Y], X = Q U square, R = [U | V] with V = Q^T Y
        u, v = r[..., :, :m], r[..., :, m:]
        y = a[..., :, m:]
        gu, gv = gr[..., :, :m], gr[..., :, m:]
        gx = _qr_grad_tall(q, u, gq + y @ gv.mT, gu)
        gy = q @ gv
        from .._ops.joining import cat

        return cat([gx, gy], dim=-1)


def _qr_grad_tall(q, r, gq, gr):
    m = r @ gr.mT - gq.mT @ q
    copyltu = m.tril(-1).mT + m.tril()
    return solve_right_upper(gq + q @ copyltu, r)


def solve_right_upper(b, r):
    """B R^-T for an upper-triangular (invertible) R."""
    return b @ inv(r).mT


def qr(A, mode="reduced", *, out=None):
    if _amp.active: return _autocast("qr", qr, A, mode, out=out)  # noqa: E701
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    check_matrix("linalg.qr", A, square=False)
    return qr_result(*LinalgQrBackward0.apply(A, mode=mode))


# -- SVD --------------------------------------------------------------------------------------------------
class LinalgSvdBackward0(Op):
    n_diff_outputs = 3

    def forward(self, a, full_matrices, compute_uv):
        self.full, self.compute_uv = full_matrices, compute_uv
        xp = xp_of(a)
        if not compute_uv:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            self.u, self.s, self.vh = u, s, vh
            return s, xp.zeros((0,), dtype=a.dtype), xp.zeros((0,), dtype=a.dtype)
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        self.u, self.s, self.vh = u, s, vh
        return u, s, vh

    def backward(self, gu, gs, gvh):
        from .._ops._base import _wrap

        if not self.compute_uv:  # svdvals: outputs are (S, empty, empty)
            gu, gs, gvh = None, gu, None
        k = self.s.shape[-1]
        u, s, vh = _wrap(self.u), _wrap(self.s), _wrap(self.vh)
        if gs is None and gu is None and gvh is None:
            return None
        if self.u.shape[-1] != k or self.vh.shape[-2] != k:  # full_matrices with a non-square A
            if (gu is not None and bool((gu._data[..., k:] != 0).any())) or \
                    (gvh is not None and bool((gvh._data[..., k:, :] != 0).any())):
                raise RuntimeError("linalg_svd_backward: full_matrices=True is not differentiable for a "
                                   "non-square input when the loss depends on the extra singular vectors")
            u, vh = u[..., :, :k], vh[..., :k, :]
            gu = gu[..., :, :k] if gu is not None else None
            gvh = gvh[..., :k, :] if gvh is not None else None
        return svd_grad(u, s, vh, gu, gs, gvh)


def svd_grad(u, s, vh, gu, gs, gvh):
    """The gradient of a thin SVD (see the module docstring)."""
    v = vh.mT
    m, n = u._data.shape[-2], v._data.shape[-2]
    k = s._data.shape[-1]
    inner = 0
    if gs is not None:
        inner = gs.diag_embed()
    if gu is None and gvh is None:
        return u @ inner @ vh
    s2 = s * s
    diff = s2.unsqueeze(-2) - s2.unsqueeze(-1)  # [i, j] = s_j^2 - s_i^2
    eye = _eye_like(s, k)
    f = (1 - eye) / (diff + eye)
    s_mat = s.diag_embed()
    s_inv = (1 / s).unsqueeze(-2)
    result = 0
    if gu is not None:
        ut_gu = u.mT @ gu
        inner = inner + (f * (ut_gu - ut_gu.mT)) @ s_mat
        if m > k:
            result = result + ((gu - u @ ut_gu) * s_inv) @ vh
    if gvh is not None:
        gv = gvh.mT
        vt_gv = v.mT @ gv
        inner = inner + s_mat @ (f * (vt_gv - vt_gv.mT))
        if n > k:
            result = result + (u * s_inv) @ (gv - v @ vt_gv).mT
    return u @ inner @ vh + result


def svd(A, full_matrices=True, *, driver=None, out=None):
    if _amp.active: return _autocast("svd", svd, A, full_matrices, driver=driver, out=out)  # noqa: E701
    check_matrix("linalg.svd", A, square=False)
    return svd_result(*LinalgSvdBackward0.apply(A, full_matrices=full_matrices, compute_uv=True))


def svdvals(A, *, driver=None, out=None):
    if _amp.active: return _autocast("svdvals", svdvals, A, driver=driver, out=out)  # noqa: E701
    check_matrix("linalg.svdvals", A, square=False)
    return _out(LinalgSvdBackward0.apply(A, full_matrices=False, compute_uv=False)[0], out)


# -- eigh ---------------------------------------------------------------------------------------------------
class LinalgEighBackward0(Op):
    n_diff_outputs = 2

    def forward(self, a, uplo, compute_v):
        xp = xp_of(a)
        w, v = xp.linalg.eigh(a, UPLO=uplo)
        self.w, self.v = w, v
        return (w, v) if compute_v else (w, xp.zeros((0,), dtype=a.dtype))

    def backward(self, gw, gv):
        from .._ops._base import _wrap

        w, v = _wrap(self.w), _wrap(self.v)
        inner = 0 if gw is None else gw.diag_embed()
        if gv is not None and gv._data.size:
            n = w._data.shape[-1]
            eye = _eye_like(w, n)
            e = w.unsqueeze(-2) - w.unsqueeze(-1)  # [i, j] = w_j - w_i
            inner = inner + (v.mT @ gv) * ((1 - eye) / (e + eye))
        ga = v @ inner @ v.mT
        return 0.5 * (ga + ga.mT)  # torch's gradient is symmetric (A is read as symmetric)


def eigh(A, UPLO="L", *, out=None):
    if _amp.active: return _autocast("eigh", eigh, A, UPLO, out=out)  # noqa: E701
    check_matrix("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return eigh_result(*LinalgEighBackward0.apply(A, uplo=UPLO, compute_v=True))


def eigvalsh(A, UPLO="L", *, out=None):
    if _amp.active: return _autocast("eigvalsh", eigvalsh, A, UPLO, out=out)  # noqa: E701
    check_matrix("linalg.eigvalsh", A)
    return _out(LinalgEighBackward0.apply(A, uplo=UPLO, compute_v=False)[0], out)
