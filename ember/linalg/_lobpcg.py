"""LOBPCG: the k largest (or smallest) eigenpairs of a symmetric positive-definite
generalized problem A X = B X E, by Knyazev's locally optimal block preconditioned
conjugate gradient, in torch's two variants ('ortho', after Stathopoulos & Wu, the
default; and 'basic'). A port of torch/_lobpcg.py's forward on ember ops: the same
random start (torch.randn) and steps, so a seed gives torch's result. Dense inputs;
no gradient yet (torch differentiates through the eigenpairs of the result).
"""
from .. import _dtype as D
from ..autograd import grad_mode
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
    from .._ops.random_ops import randn
    from .._creation import empty

    if A._requires_grad or (B is not None and B._requires_grad):
        raise NotImplementedError("ember's lobpcg has no gradient yet: call it on A.detach() (and B.detach())")
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
