"""linalg.eig / linalg.eigvals: eigen-decomposition of general square matrices, always
complex (LAPACK geev through the array module: unit-norm eigenvectors, as torch's).

Gradient (torch's linalg_eig_backward), with A = V diag(L) V^-1:
    eigenvalues only:  gA = V^-H diag(gL) V^H
    otherwise:         gA = V^-H (D + diag(gL)) V^H,
                       D = (V^H gV - V^H V diag(re(diag(V^H gV)))) / E, zero diagonal,
                       E_ij = conj(L_j) - conj(L_i)
and the real part for a real A (handled by the op's input cast).
"""
import numpy as np

from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._ops._base import Op
from .._ops._return_types import return_type
from .._ops.complex_ops import real
from ._checks import check_matrix

eig_result = return_type("linalg_eig", ("eigenvalues", "eigenvectors"))


class LinalgEigBackward0(Op):
    holomorphic = False  # the backward below is torch's complex formula

    def forward(self, a):
        xp = xp_of(a)
        ctype = np.complex128 if a.dtype in (np.float64, np.complex128) else np.complex64
        w, v = xp.linalg.eig(a)
        w, v = w.astype(ctype, copy=False), v.astype(ctype, copy=False)
        self._w, self._v = w, v
        return w, v

    def backward(self, gL, gV):
        from .._tensor import Tensor

        L, V = Tensor._make(self._w), Tensor._make(self._v)
        Vh = V.mH
        if gV is None:
            return _solve_h(V, gL.unsqueeze(-1) * Vh)
        VhgV = Vh @ gV
        diag = VhgV.diagonal(0, -2, -1)
        ret = VhgV - Vh @ (V * real(diag).unsqueeze(-2))
        Lc = L.conj()
        E = Lc.unsqueeze(-2) - Lc.unsqueeze(-1)
        eye = _eye(E)
        ret = ret / (E + eye) * (1 - eye)  # E's diagonal is 0: divide by 1 there, then clear it
        if gL is not None:
            ret = ret + eye * gL.unsqueeze(-1)
        return _solve_h(V, ret @ Vh)


def _eye(like):
    from .._creation import eye

    n = like.shape[-1]
    return eye(n, dtype=like.dtype.to_real(), device=like.device)


class _SolveBackward(Op):
    """X = A^-1 B for complex A, B: gB = A^-H g, gA = -gB X^H."""

    holomorphic = False
    save_inputs = True
    save_output = True

    def forward(self, a, b):
        return xp_of(a).linalg.solve(a, b)

    def backward(self, g):
        a, _, x = self.saved_tensors
        gb = _SolveBackward.apply(a.mH, g)
        return -(gb @ x.mH), gb


def _solve_h(V, B):
    """V^-H B."""
    return _SolveBackward.apply(V.mH.contiguous(), B)


def _check(name, A):
    A._dtype.to_complex()  # torch's error for integer inputs ("Unknown Complex ScalarType for Long")
    check_matrix(name, real(A) if A._dtype.is_complex else A)  # the shape checks; complex dtypes are fine


def eig(A, *, out=None):
    """(eigenvalues, eigenvectors), complex, of a (batch of) square matrices."""
    if _amp.active: return _autocast("eig", eig, A, out=out)  # noqa: E701
    _check("linalg.eig", A)
    L, V = LinalgEigBackward0.apply(A)
    result = eig_result(L, V)
    if out is not None:
        from ._inverse import _out

        return eig_result(_out(L, out[0]), _out(V, out[1]))
    return result


def eigvals(A, *, out=None):
    if _amp.active: return _autocast("eigvals", eigvals, A, out=out)  # noqa: E701
    _check("linalg.eigvals", A)
    L = LinalgEigBackward0.apply(A)[0]
    if out is not None:
        from ._inverse import _out

        return _out(L, out)
    return L

