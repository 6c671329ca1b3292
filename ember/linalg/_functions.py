"""Matrix functions and products of reflectors: matrix_exp, matrix_power, cond, tensorinv,
tensorsolve, vander, householder_product (orgqr), ormqr and geqrf.

matrix_exp is Padé 13 with scaling and squaring (Higham 2005); its gradient is torch's:
the upper-right block of exp([[A^H, g], [0, A^H]]), itself a matrix_exp, so it differentiates
again. The rest are compositions of ember ops (matmul, inv, solve, cumprod), which carry
torch's gradients.
"""
import math

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._ops._base import Op
from .._ops._inplace import _TYPE_WORDS
from .._ops._return_types import return_type
from ._checks import check_float, check_matrix
from ._inverse import _out, _outs

geqrf_result = return_type("geqrf", ("a", "tau"))

# Padé 13 coefficients and the 1-norm bound under which it is accurate to double precision.
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def expm_array(a):
    """exp(A) for a (batch of) square matrices, computed in float64 (float32 rounds once at the end)."""
    xp = xp_of(a)
    x = a.astype(np.float64)
    n = x.shape[-1]
    if n == 0:
        return a.copy()
    norm = xp.abs(x).sum(axis=-2).max(axis=-1)  # the 1-norm of each matrix
    with np.errstate(divide="ignore"):
        s = xp.maximum(0, xp.ceil(xp.log2(norm / _THETA13))).astype(np.int64)
    s = xp.where(xp.isfinite(norm), s, 0)
    x = x / (2.0 ** s)[..., None, None]
    b = _PADE13
    eye = xp.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    top = int(s.max()) if s.size else 0
    for i in range(top):  # square each matrix as often as it was halved
        r = xp.where((s > i)[..., None, None], r @ r, r)
    return r.astype(a.dtype, copy=False)


class LinalgMatrixExpBackward0(Op):
    save_inputs = True

    def forward(self, a):
        return expm_array(a)

    def backward(self, g):
        from .._ops.joining import cat

        a, = self.saved_tensors
        n = a._data.shape[-1]
        ah = a.mT
        block = cat([cat([ah, g], -1), cat([ah * 0, ah], -1)], -2)
        return matrix_exp(block)[..., :n, n:]


def matrix_exp(A):
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.")
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError(f"linalg.matrix_exp: A must be batches of square matrices, but they are {n} by {m} "
                           "matrices")
    if not A._dtype.is_floating_point:
        raise RuntimeError(f"linalg.matrix_exp: Expected a floating point or complex tensor as input. Got "
                           f"{_TYPE_WORDS[A._dtype.name]}")
    return LinalgMatrixExpBackward0.apply(A)


def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring, as torch orders the products; n < 0 inverts first."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    rows, cols = A._data.shape[-2:]
    if rows != cols:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are {rows} by "
                           f"{cols} matrices")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    if n == 0:
        from .. import _creation

        result = A.clone()
        result.copy_(_creation.eye(rows, dtype=A._dtype, device=A.device).expand(A._data.shape))
        return _out(result, out)
    a = A
    if n < 0:
        from ._inverse import inv

        a, n = inv(A), -n
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else z @ z
        if bit:
            result = z if result is None else result @ z
    return _out(result, out)


def cond(A, p=None, *, out=None):
    """The condition number of A in the p-norm: the ratio of extreme singular values for
    p in (None, 2, -2), norm(A) * norm(A^-1) otherwise (inf for a singular A)."""
    if _amp.active: return _autocast("cond", cond, A, p, out=out)  # noqa: E701
    from ._decompositions import svdvals
    from ._inverse import inv
    from ._norms import matrix_norm
    from .._ops.selection import where

    if A._data.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor A must have at least 2 dimensions.")
    check_float("linalg.cond", A)
    if p is None or p in (2, -2):
        s = svdvals(A)
        if p == -2:
            return _out(s[..., -1] / s[..., 0], out)
        return _out(s[..., 0] / s[..., -1], out)
    if isinstance(p, str) and p not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    check_matrix("linalg.cond", A)
    if p == "nuc":  # as torch: from the singular values, which a singular A also has
        s = svdvals(A)
        return _out(s.sum(-1) * s.reciprocal().sum(-1), out)
    from ._triangular import inv_ex

    inverse, info = inv_ex(A)
    singular = info != 0
    if not bool(singular._data.any()):
        return _out(matrix_norm(A, p) * matrix_norm(inverse, p), out)
    # A singular matrix's condition number is inf (its 'inverse' is read as zeros meanwhile).
    inverse = where(singular.unsqueeze(-1).unsqueeze(-1), 0.0, inverse)
    return _out(where(singular, math.inf, matrix_norm(A, p) * matrix_norm(inverse, p)), out)


def tensorinv(A, ind=2, *, out=None):
    """The inverse of A read as a (prod(shape[:ind]) x prod(shape[ind:])) matrix, shaped shape[ind:] + shape[:ind]."""
    if _amp.active: return _autocast("tensorinv", tensorinv, A, ind, out=out)  # noqa: E701
    from ._inverse import inv

    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = A._data.shape
    front, back = math.prod(shape[:ind]), math.prod(shape[ind:])
    if front != back:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {back} != {front}")
    return _out(inv(A.reshape(front, back)).reshape(shape[ind:] + shape[:ind]), out)


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B."""
    if _amp.active: return _autocast("tensorsolve", tensorsolve, A, B, dims, out=out)  # noqa: E701
    from ._inverse import solve

    if dims is not None:
        nd = A._data.ndim
        dims = [A._wrap_dim(d) for d in dims]
        A = A.movedim(dims, list(range(nd - len(dims), nd)))
    result_shape = A._data.shape[B._data.ndim:]
    n = math.prod(result_shape)
    other = math.prod(A._data.shape[:B._data.ndim])
    if n != other:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {n} != {other}")
    return _out(solve(A.reshape(n, n), B.reshape(-1)).reshape(result_shape), out)


# -- Vandermonde ----------------------------------------------------------------------------------
def _powers(x, n):
    """x^0, x^1, ..., x^(n-1) along a new last dim (cumprod: integers become int64, as torch's)."""
    shape = x._data.shape + (n - 1,)
    rest = x.unsqueeze(-1).expand(shape).cumprod(-1)
    from .._ops.joining import cat

    return cat([rest.new_ones(x._data.shape + (1,)), rest], -1)


def vander(x, *, N=None):
    """torch.linalg.vander: increasing powers of the last dim's elements, (..., n) -> (..., n, N)."""
    if x._dtype is D.bool_:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    if x._data.ndim == 0:  # torch treats a 0-d x as one element: (1, N)
        x = x.unsqueeze(0)
    n = x._data.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _powers(x, n)


def torch_vander(x, N=None, increasing=False):
    """torch.vander: columns x^(N-1) ... x^0 (increasing=False) of a 1-D x; integers and bools give int64."""
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if not x._dtype.is_floating_point:
        x = x.long()  # cumprod would make int64 anyway; bools too
    if n <= 1:
        result = x.new_ones((x._data.shape[0], n))
    else:
        result = _powers(x, n)
    return result if increasing else result.flip(1)


# -- Householder reflectors ---------------------------------------------------------------------
def _reflectors(A, k):
    """The reflectors' vectors as columns: unit diagonal, A's entries below it."""
    from .. import _creation

    m = A._data.shape[-2]
    v = A[..., :, :k].tril(-1)
    return v + _creation.eye(m, k, dtype=A._dtype, device=A.device)


def _apply_reflectors(A, tau, C, left, transpose):
    """Q C, Q^H C, C Q or C Q^H for Q = H_1 ... H_k, H_i = I - tau_i v_i v_i^H."""
    k = tau._data.shape[-1]
    v = _reflectors(A, k)
    # left: Q C applies H_k first; the others run the reflectors in the other order.
    order = range(k - 1, -1, -1) if left != transpose else range(k)
    for i in order:
        vi = v[..., :, i:i + 1]
        ti = tau[..., i:i + 1].unsqueeze(-1)
        if left:
            C = C - vi @ (ti * (vi.mT @ C))
        else:
            C = C - ((C @ vi) * ti) @ vi.mT
    return C


def _check_reflectors(name, A, tau):
    if A._data.ndim < 2:
        raise RuntimeError(f"torch.{name}: input must have at least 2 dimensions.")
    m, n = A._data.shape[-2:]
    if tau._data.ndim != A._data.ndim - 1:
        raise RuntimeError(f"torch.{name}: Expected tau to have one dimension less than input, but got tau.ndim "
                           f"equal to {tau._data.ndim} and input.ndim is equal to {A._data.ndim}")
    if A._dtype is not tau._dtype:
        raise RuntimeError(f"torch.{name}: tau dtype {tau._dtype} does not match input dtype {A._dtype}")
    if tau._data.shape[:-1] != A._data.shape[:-2]:
        raise RuntimeError(f"torch.{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but "
                           f"got {list(tau._data.shape[:-1])}")


def householder_product(A, tau, *, out=None):
    """The first n columns of H_1 ... H_k (torch.orgqr): the Q of a QR from geqrf's output."""
    if _amp.active: return _autocast("householder_product", householder_product, A, tau, out=out)  # noqa: E701
    name = "linalg.householder_product"
    _check_reflectors(name, A, tau)
    check_float(name, A)
    m, n = A._data.shape[-2:]
    if m < n:
        raise RuntimeError(f"torch.{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if n < tau._data.shape[-1]:
        raise RuntimeError(f"torch.{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    from .. import _creation

    eye = _creation.eye(m, n, dtype=A._dtype, device=A.device).expand(A._data.shape)
    if tau._data.shape[-1] == 0:
        # no reflectors: Q is eye, yet torch's output still hangs off A and tau in the graph
        # (empty sums: zeros even where A holds NaN, and a zero gradient)
        eye = eye + A.narrow(-1, 0, 0).sum(-1, keepdim=True) + tau.sum(-1, keepdim=True).unsqueeze(-1)
    return _out(_apply_reflectors(A, tau, eye, True, False), out)


def orgqr(input, tau):
    if _amp.active: return _autocast("orgqr", orgqr, input, tau)  # noqa: E701
    return householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """Q @ other (or other @ Q, with Q^H when transpose) for Q from geqrf's reflectors."""
    if _amp.active: return _autocast("ormqr", ormqr, input, tau, other, left, transpose, out=out)  # noqa: E701
    _check_reflectors("ormqr", input, tau)
    if other._data.ndim < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    m = other._data.shape[-2] if left else other._data.shape[-1]
    if input._data.shape[-2] != m:
        side = "other.shape[-2]" if left else "other.shape[-1]"
        raise RuntimeError(f"torch.ormqr: {side} must be equal to input.shape[-2]")
    if tau._data.shape[-1] > m:
        raise RuntimeError(f"torch.ormqr: tau.shape[-1] must be less than or equal to {m}")
    return _out(_apply_reflectors(input, tau, other, left, transpose), out)


class GeqrfBackward0(Op):
    def backward(self, *grads):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")

    def forward(self, a):
        xp = xp_of(a)
        m, n = a.shape[-2:]
        if a.size == 0:
            return a.copy(), xp.zeros(a.shape[:-2] + (min(m, n),), dtype=a.dtype)
        h, tau = xp.linalg.qr(a, mode="raw")
        return h.swapaxes(-1, -2).astype(a.dtype), tau.astype(a.dtype)


def geqrf(input, *, out=None):
    """(a, tau): LAPACK's packed QR (R on and above the diagonal, the reflectors below)."""
    if _amp.active: return _autocast("geqrf", geqrf, input, out=out)  # noqa: E701
    check_float("geqrf", input)
    if input._data.ndim < 2:
        raise RuntimeError(f"torch.geqrf: input must have at least 2 dimensions.")
    return _outs(geqrf_result(*GeqrfBackward0.apply(input)), out)
