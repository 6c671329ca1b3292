"""LOBPCG: the k largest (or smallest) eigenpairs of a symmetric positive-definite
generalized problem A X = B X E, by Knyazev's locally optimal block preconditioned
conjugate gradient, in torch's two variants ('ortho', after Stathopoulos & Wu, the
default; and 'basic'). A port of torch/_lobpcg.py's forward on ember ops: the same
random start (torch.randn) and steps, so a seed gives torch's result. Dense inputs.

Gradients (B = I only, as torch's), through the eigenpairs found: with all n eigenpairs,
eigh's formula; with fewer, torch's formula through the characteristic polynomial of
the eigenvalues found, on a random basis of the orthogonal complement drawn from a fresh
generator (so the same as torch's).
"""
from .. import _dtype as D
from ..autograd import grad_mode
from ..autograd.function import Function
from ._decompositions import eigh, qr
from ._triangular import solve_triangular


def _mm(A, B):
    return B if A is None else A @ B


def _qform(A, S):
    return S.mT @ _mm(A, S)


def _symeig(A, largest=False):
    E, Z = eigh(A, UPLO="U")
    return (E.flip(-1), Z.flip(-1)) if largest else (E, Z)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None, tracker=None,
           ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """(E, X): k eigenvalues and their eigenvectors (as columns)."""
    args = (k, B, X, n, iK, niter, tol, largest, method, ortho_iparams, ortho_fparams, ortho_bparams)
    if grad_mode.state.enabled and (A._requires_grad or (B is not None and B._requires_grad)):
        B_sym = (B + B.mT) / 2 if B is not None else None
        return _LobpcgFunction.apply((A + A.mT) / 2, B_sym, largest, args)
    return _lobpcg(A, *args)


def _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, ortho_iparams, ortho_fparams, ortho_bparams):
    from .._ops.random_ops import randn
    from .._creation import empty

    if A._data.shape[-2] != A._data.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A._data.shape != B._data.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    dtype = A._dtype if A._dtype.is_floating_point else D.float32
    if tol is None:
        tol = {D.float32: 1.2e-07, D.float64: 2.23e-16}[dtype] ** 0.5
    m = A._data.shape[-1]
    k = (1 if X is None else X._data.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X._data.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller than 3 x "
                         f"the number of requested eigenpairs (={n})")
    method = "ortho" if method is None else method
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams = {"tol": tol}
    bparams = {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        for key in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
            fparams.setdefault(key, tol)
        bparams.setdefault("ortho_use_drop", False)
    with grad_mode.no_grad():
        batch = A._data.shape[:-2]
        if batch:
            N = 1
            for s in batch:
                N *= s
            bA = A.reshape((N, m, m))
            bB = B.reshape((N, m, m)) if B is not None else None
            bX = X.reshape((N,) + X._data.shape[-2:]) if X is not None else None
            bE = empty((N, k), dtype=dtype, device=A.device)
            bXret = empty((N, m, k), dtype=dtype, device=A.device)
            for i in range(N):
                X_ = randn((m, n), dtype=dtype, device=A.device) if bX is None else bX[i]
                iparams["batch_index"] = i
                worker = _LOBPCG(bA[i], bB[i] if bB is not None else None, X_, iK, iparams, fparams, bparams, method)
                worker.run()
                bE[i] = worker.E[:k]
                bXret[i] = worker.X[:, :k]
            return bE.reshape(batch + (k,)), bXret.reshape(batch + (m, k))
        X = randn((m, n), dtype=dtype, device=A.device) if X is None else X
        if tuple(X._data.shape) != (m, n):
            raise AssertionError(f"X shape mismatch: got {X.shape}, expected {(m, n)}")
        worker = _LOBPCG(A, B, X, iK, iparams, fparams, bparams, method)
        worker.run()
        return worker.E[:k], worker.X[:, :k]


class _LOBPCG:
    """The iteration state and steps of torch's LOBPCG worker."""

    def __init__(self, A, B, X, iK, iparams, fparams, bparams, method):
        from .._creation import zeros

        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams, self.method = iparams, fparams, bparams, method
        m, n = iparams["m"], iparams["n"]
        self.X = X
        self.E = zeros((n,), dtype=X._dtype, device=X.device)
        self.R = zeros((m, n), dtype=X._dtype, device=X.device)
        self.S = zeros((m, 3 * n), dtype=X._dtype, device=X.device)
        self.ivars = {"istep": 0}
        self.fvars = {}

    def run(self):
        self.update()
        while not (self.ivars["iterations_left"] == 0 or self.ivars["converged_count"] >= self.iparams["k"]):
            self.update()

    def update(self):
        if self.ivars["istep"] == 0:
            x_norm = float(self.X.norm())
            self.fvars["A_norm"] = float(_mm(self.A, self.X).norm()) / x_norm
            self.fvars["B_norm"] = float(_mm(self.B, self.X).norm()) / x_norm
            self.ivars.update(iterations_left=self.iparams["niter"], converged_count=0, converged_end=0)
        self._update_ortho() if self.method == "ortho" else self._update_basic()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def update_residual(self):
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self):
        prev = self.ivars["converged_count"]
        E, X, R = self.E, self.X, self.R
        rerr = R.norm(2, (0,)) / (X.norm(2, (0,)) * (self.fvars["A_norm"] + E[:X._data.shape[-1]].abs()
                                                     * self.fvars["B_norm"]))
        count = 0
        for converged in (rerr < self.fparams["tol"]).tolist():
            if not converged:
                break
            count += 1
        if count < prev:
            raise AssertionError(f"the number of converged eigenpairs (was {prev}, got {count}) cannot decrease")
        self.ivars["converged_count"] = count
        return count

    def _start(self, n):
        """The first step, shared by both methods: Rayleigh-Ritz on X."""
        Ri = self._rayleigh_ritz_transform(self.X)
        E, Z = _symeig(_qform(_qform(self.A, self.X), Ri), self.bparams["largest"])
        return E, Ri @ Z

    def _update_basic(self):
        ns, nc, n = self.ivars["converged_end"], self.ivars["converged_count"], self.iparams["n"]
        largest = self.bparams["largest"]
        if self.ivars["istep"] == 0:
            E, T = self._start(n)
            self.X[:] = self.X @ T
            self.E[:] = E
            np_ = 0
            self.update_residual()
            nc = self.update_converged_count()
            self.S[..., :n] = self.X
            W = _mm(self.iK, self.R)
        else:
            S_ = self.S[:, nc:ns]
            Ri = self._rayleigh_ritz_transform(S_)
            E_, Z = _symeig(_qform(_qform(self.A, S_), Ri), largest)
            self.X[:, nc:] = S_ @ (Ri @ Z[:, :n - nc])
            self.E[nc:] = E_[:n - nc]
            P = S_ @ (Ri @ Z[:, n:2 * n - nc])
            np_ = P._data.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[..., :n] = self.X
            self.S[:, n:n + np_] = P
            W = _mm(self.iK, self.R[:, nc:])
        self.ivars["converged_end"] = ns = n + np_ + W._data.shape[-1]
        self.S[:, n + np_:ns] = W

    def _update_ortho(self):
        ns, nc, n = self.ivars["converged_end"], self.ivars["converged_count"], self.iparams["n"]
        largest = self.bparams["largest"]
        if self.ivars["istep"] == 0:
            _, T = self._start(n)
            self.X = self.X @ T
            self.update_residual()
            np_ = 0
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            W = self._get_ortho(self.R, self.X)
        else:
            S_ = self.S[:, nc:ns]
            E_, Z = _symeig(_qform(self.A, S_), largest)
            self.X[:, nc:] = S_ @ Z[:, :n - nc]
            self.E[nc:] = E_[:n - nc]
            P = S_ @ (Z[:, n - nc:] @ qr(Z[:n - nc, n - nc:].mT).Q)
            np_ = P._data.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n:n + np_] = P
            W = self._get_ortho(self.R[:, nc:], self.S[:, :n + np_])
        ns = self.ivars["converged_end"] = n + np_ + W._data.shape[-1]
        self.S[:, n + np_:ns] = W

    def _rayleigh_ritz_transform(self, S):
        from ._decompositions import cholesky

        SBS = _qform(self.B, S)
        d_row = SBS.diagonal(0, -2, -1) ** (-0.5)
        d_col = d_row.reshape(d_row._data.shape[0], 1)
        R = cholesky(SBS * d_row * d_col, upper=True)
        return solve_triangular(R, d_row.diag_embed(), upper=True, left=False)

    def _get_svqb(self, U, drop, tau):
        from .._ops.indexing import nonzero

        if U._data.size == 0:
            return U
        UBU = _qform(self.B, U)
        d = UBU.diagonal(0, -2, -1)
        nz = nonzero(d.abs() != 0.0).reshape(-1)
        if nz._data.shape[0] < d._data.shape[0]:
            U = U[:, nz]
            if U._data.size == 0:
                return U
            UBU = _qform(self.B, U)
            d = UBU.diagonal(0, -2, -1)
        d_col = (d ** (-0.5)).reshape(d._data.shape[0], 1)
        E, Z = _symeig(UBU * d_col * d_col.mT)
        t = tau * float(E.abs().max())
        if drop:
            keep = nonzero(E > t).reshape(-1)
            E, Z, d_col = E[keep], Z[:, keep], d_col[keep]
        else:
            E[E < t] = t
        return (U * d_col.mT) @ (Z * E ** (-0.5))

    def _get_ortho(self, U, V):
        from .._creation import eye

        tau_ortho = self.fparams["ortho_tol"]
        tau_drop, tau_replace = self.fparams["ortho_tol_drop"], self.fparams["ortho_tol_replace"]
        i_max, j_max = self.iparams["ortho_i_max"], self.iparams["ortho_j_max"]
        use_drop = self.bparams["ortho_use_drop"]
        BV_norm = _mm(self.B, V).norm()
        BU = _mm(self.B, U)
        VBU = V.mT @ BU
        for _ in range(i_max):
            U = U - V @ VBU
            drop, tau_svqb = False, tau_drop
            for _ in range(j_max):
                if use_drop:
                    U = self._get_svqb(U, drop, tau_svqb)
                    drop, tau_svqb = True, tau_replace
                else:
                    U = self._get_svqb(U, False, tau_replace)
                if U._data.size == 0:
                    return U
                BU = _mm(self.B, U)
                UBU = U.mT @ BU
                R = UBU - eye(UBU._data.shape[-1], dtype=UBU._dtype, device=UBU.device)
                if float(R.norm()) / float(BU.norm() * U.norm()) < tau_ortho:
                    break
            VBU = V.mT @ BU
            if float(VBU.norm()) / float(BV_norm * U.norm()) < tau_ortho:
                break
            if self.iparams["m"] < U._data.shape[-1] + V._data.shape[-1]:
                raise ValueError(f"Overdetermined shape of U: #B-cols(={self.iparams['m']}) >= "
                                 f"#U-cols(={U._data.shape[-1]}) + #V-cols(={V._data.shape[-1]}) must hold")
        return U


# -- gradient -------------------------------------------------------------------------------------------------
def _complete_backward(gD, gU, D, U):
    """eigh's gradient: U (diag(gD) + (U^T gU) * F) U^T, F_ij = 1 / (D_j - D_i), 0 on the diagonal."""
    F = D.unsqueeze(-2) - D.unsqueeze(-1)
    n = D._data.shape[-1]
    eye = _eye(n, D)
    F = (1 - eye) / (F + eye)
    Ut = U.mT
    return U @ ((gD.diag_embed() + (Ut @ gU) * F) @ Ut)


def _eye(n, like):
    from .._creation import eye

    return eye(n, dtype=like._dtype, device=like.device)


def _char_poly(roots):
    """Coefficients (lowest power first) of prod_i (x - roots_i), monic."""
    from .._ops.joining import cat

    order = roots._data.shape[-1]
    coeffs = cat([roots.new_ones(roots._data.shape[:-1] + (1,)),
                  roots.new_zeros(roots._data.shape[:-1] + (order,)), roots.new_ones(roots._data.shape[:-1] + (1,))],
                 -1)
    for i in range(1, order + 1):
        window = coeffs[..., order - i:order + 1]
        shifted = coeffs[..., order - i + 1:order + 2]
        updated = window - roots[..., i - 1:i] * shifted
        coeffs = cat([coeffs[..., :order - i], updated, coeffs[..., order + 1:]], -1)
    return coeffs[..., 1:order + 2]


def _partial_backward(gD, gU, A, D, U, largest):
    """torch's _symeig_backward_partial_eigenspace."""
    from .._ops.random_ops import Generator, randn

    m = A._data.shape[-1]
    Ut = U.mT
    proj = _eye(m, A) - U @ Ut
    gen = Generator(A.device)
    U_ortho = proj @ randn(A._data.shape[:-1] + (m - D._data.shape[-1],), dtype=A._dtype, device=A.device,
                           generator=gen)
    U_ortho_t = U_ortho.mT
    poly = _char_poly(D)
    projected = gU
    series = gU * 0
    k = 0
    for k in range(1, poly._data.shape[-1]):
        value = _vector_poly(poly[..., k:], D)
        series = series + projected * value.unsqueeze(-2)
        projected = A @ projected
    at_A = _matrix_poly(poly, A)
    to_ortho = U_ortho_t @ (at_A @ U_ortho)
    sign = -1 if largest and k % 2 == 1 else 1
    from ._decompositions import cholesky
    from ._triangular import cholesky_solve

    L = cholesky(sign * to_ortho)
    res = _complete_backward(gD, gU, D, U)
    return res - (U_ortho @ (sign * cholesky_solve(U_ortho_t @ series, L))) @ Ut


def _vector_poly(poly, x):
    res = x.new_ones(1).expand(x._data.shape)
    for k in range(poly._data.shape[-1] - 2, -1, -1):
        res = poly[..., k].unsqueeze(-1) + x * res
    return res


def _matrix_poly(poly, x):
    n = x._data.shape[-1]
    eye = _eye(n, x)
    res = eye
    for k in range(poly._data.shape[-1] - 2, -1, -1):
        res = x @ res + poly[..., k].unsqueeze(-1).unsqueeze(-1) * eye
    return res


class _LobpcgFunction(Function):
    """torch's LOBPCGAutogradFunction: eigenpairs forward, their gradient backward."""

    @staticmethod
    def forward(ctx, A, B, largest, args):
        D, U = _lobpcg(A, *args[:1], B, *args[2:])
        ctx.save_for_backward(A, D, U)
        ctx.largest, ctx.has_B = largest, B is not None
        return D, U

    @staticmethod
    def backward(ctx, gD, gU):
        if ctx.has_B:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        A, D, U = ctx.saved_tensors
        largest = True if ctx.largest is None else ctx.largest
        gD = D * 0 if gD is None else gD
        gU = U * 0 if gU is None else gU
        if U._data.shape[-1] == U._data.shape[-2]:
            return _complete_backward(gD, gU, D, U), None, None, None
        return _partial_backward(gD, gU, A, D, U, largest), None, None, None
