"""torch-level names for linear algebra that lives in ember.linalg: torch.lu, lu_solve,
lu_unpack, cholesky*, qr, svd, pinverse, triangular_solve, geqrf/orgqr/ormqr,
matrix_exp, matrix_power, and the functions torch removed in 1.9 (solve, lstsq,
symeig, matrix_rank), which raise torch's message. Tensor methods too.
"""
import warnings

from .._autocast import call as _autocast, state as _amp
from .._tensor import Tensor
from ._return_types import return_type
from ..linalg._decompositions import qr as linalg_qr, svd as linalg_svd
from ..linalg import _functions as _linalg_functions
from ..linalg._functions import geqrf, householder_product, ormqr, torch_vander as vander
from ..linalg._inverse import pinv
from ..linalg._lobpcg import lobpcg
from ..linalg._lowrank import pca_lowrank, svd_lowrank
from ..linalg._lu import lu_unpack, torch_lu as lu, torch_lu_solve as lu_solve
from ..linalg._triangular import cholesky, cholesky_inverse, cholesky_solve, triangular_solve

__all__ = ["lu", "lu_solve", "lu_unpack", "cholesky", "cholesky_inverse", "cholesky_solve", "qr", "svd", "pinverse",
           "triangular_solve", "geqrf", "orgqr", "ormqr", "matrix_exp", "matrix_power", "solve", "lstsq", "symeig",
           "matrix_rank", "vander", "svd_lowrank", "pca_lowrank", "frobenius_norm", "nuclear_norm",
           "lobpcg"]

qr_result = return_type("qr", ("Q", "R"))


def matrix_exp(input):
    """torch.matrix_exp: linalg.matrix_exp under torch's parameter name (input, not A)."""
    return _linalg_functions.matrix_exp(input)


def matrix_power(input, n, *, out=None):
    """torch.matrix_power: linalg.matrix_power under torch's parameter name (input, not A)."""
    return _linalg_functions.matrix_power(input, n, out=out)
svd_result = return_type("svd", ("U", "S", "V"))


def qr(input, some=True, *, out=None):
    """torch.qr (deprecated in torch): linalg.qr in 'reduced' (some) or 'complete' mode."""
    if _amp.active: return _autocast("qr", qr, input, some, out=out)  # noqa: E701
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                  "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
                  "Q, R = torch.qr(A, some)\nshould be replaced with\n"
                  "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning, stacklevel=2)
    q, r = linalg_qr(input, "reduced" if some else "complete")
    return qr_result(q, r)


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with V, not V^H; without compute_uv, U and V are zero-filled
    (m x m) and (n x n), as in torch."""
    if _amp.active: return _autocast("svd", svd, input, some, compute_uv, out=out)  # noqa: E701
    if not compute_uv:
        from ..linalg._decompositions import svdvals

        m, n = input._data.shape[-2:]
        s = svdvals(input)
        batch = input._data.shape[:-2]
        return svd_result(input.new_zeros(batch + (m, m)), s, input.new_zeros(batch + (n, n)))
    u, s, vh = linalg_svd(input, full_matrices=not some)
    return svd_result(u, s, vh.mT)


def pinverse(input, rcond=1e-15):
    if _amp.active: return _autocast("pinverse", pinverse, input, rcond)  # noqa: E701
    return pinv(input, rtol=rcond)


def frobenius_norm(input, dim=(-2, -1), keepdim=False, *, out=None):
    """Deprecated in torch (kept for TorchScript): linalg.vector_norm(input, 2, dim, keepdim)."""
    from .reduction import vector_norm

    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed in "
                  "a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    return vector_norm(input, 2.0, dim, keepdim, out=out)


def nuclear_norm(input, dim=(-2, -1), keepdim=False, *, out=None):
    """Deprecated in torch (kept for TorchScript): linalg.matrix_norm(input, 'nuc', dim, keepdim)."""
    from ..linalg._norms import matrix_norm

    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = (-2, -1), dim
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
                  "future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    return matrix_norm(input, "nuc", tuple(dim), keepdim, out=out)


def orgqr(input, input2):
    if _amp.active: return _autocast("orgqr", orgqr, input, input2)  # noqa: E701
    return householder_product(input, input2)


# -- removed in torch 1.9: torch keeps the names to say what replaces them ----------------------------
def solve(input, A, *, out=None):
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. "
        "`torch.solve` is deprecated in favor of `torch.linalg.solve`. "
        "`torch.linalg.solve` has its arguments reversed and does not return the LU factorization.\n\n"
        "To get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\n"
        "X = torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)")


def lstsq(input, A, *, out=None):
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. "
        "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
        "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the returned "
        "tuple (although it returns other information about the problem).")


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. The default behavior has changed from "
        "using the upper triangular portion of the matrix by default to using the lower triangular portion.")


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed.\n"
        "Please use the `torch.linalg.matrix_rank` function instead. "
        "The parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.")


def _tensor_lu(self, pivot=True, get_infos=False):
    return lu(self, pivot=pivot, get_infos=get_infos)


for _name in ("cholesky", "cholesky_inverse", "cholesky_solve", "qr", "svd", "pinverse", "triangular_solve", "geqrf",
              "orgqr", "ormqr", "matrix_exp", "matrix_power", "lu_solve", "solve", "lstsq", "symeig"):
    setattr(Tensor, _name, globals()[_name])
Tensor.lu = _tensor_lu
