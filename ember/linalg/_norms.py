"""Norms: vector_norm, matrix_norm and norm (which picks one of the two).

    ||x||_p = (sum |x_i|^p)^(1/p),   d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1)

with ord inf/-inf the max/min |x_i| and ord 0 the count of non-zeros. Matrix
norms are built from ember ops (sums of |A|, amax/amin, singular values), so
their gradients come from those ops.
"""
import math


from .._device import xp_of
from .._ops._base import Op
from .._ops.reduction import expand_reduced, normalize_dims
from ._checks import check_float
from ._inverse import _out

_INF = math.inf


class LinalgVectorNormBackward0(Op):
    save_inputs = True
    save_output = True

    def forward(self, x, ord, dims, keepdim):
        self.ord, self.dims, self.keepdim = ord, dims, keepdim
        xp = xp_of(x)
        ax = xp.abs(x)
        if ord == 2:
            return xp.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
        if ord == _INF:
            return ax.max(axis=dims, keepdims=keepdim)
        if ord == -_INF:
            return ax.min(axis=dims, keepdims=keepdim)
        if ord == 0:
            return (x != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
        if ord == 1:
            return ax.sum(axis=dims, keepdims=keepdim)
        return (ax ** ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)

    def backward(self, g):
        ord, dims, keepdim = self.ord, self.dims, self.keepdim
        if ord == 0:
            return None  # torch leaves the gradient undefined (piecewise constant)
        x, norm = self.saved_tensors
        shape = x._data.shape
        g = expand_reduced(g, shape, dims, keepdim)
        norm = expand_reduced(norm, shape, dims, keepdim)
        if ord == 1:
            return g * x.sign()
        if ord == 2:
            return g * x / norm.masked_fill(norm == 0, 1.0)
        if ord in (_INF, -_INF):
            hit = (x.abs() == norm).to(x._dtype)
            count = hit.sum(dim=dims, keepdim=True)
            return g * x.sign() * hit / count
        # general p: sign(x) |x|^(p-1) / norm^(p-1); 0 where the norm is 0
        scale = x.abs().pow(ord - 1) / norm.masked_fill(norm == 0, 1.0).pow(ord - 1)
        return g * x.sign() * scale


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    check_float("linalg.vector_norm", x) if dtype is None else None
    if dtype is not None:
        x = x.to(dtype)
    if x._data.size == 0 and ord < 0 or (x._data.size == 0 and ord == _INF and dim is None):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                           "operation does not have an identity")
    dims = normalize_dims(x, dim) if x._data.ndim else ()
    ord = float(ord) if not isinstance(ord, float) else ord
    return _out(LinalgVectorNormBackward0.apply(x, ord=ord, dims=dims, keepdim=keepdim), out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    check_float("linalg.matrix_norm", A) if dtype is None else None
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (A._wrap_dim(d) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return _out(vector_norm(A, 2, (d0, d1), keepdim), out)
    if ord == "nuc" or ord in (2, -2):
        from ._decompositions import svdvals

        moved = A.movedim((d0, d1), (-2, -1)) if (d0, d1) != (A._data.ndim - 2, A._data.ndim - 1) else A
        s = svdvals(moved)
        r = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return _out(r, out)
    if ord in (1, -1, _INF, -_INF):
        sum_dim, pick_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(sum_dim, keepdim=True)
        r = sums.amax(pick_dim, keepdim=True) if ord > 0 else sums.amin(pick_dim, keepdim=True)
        if not keepdim:
            r = r.squeeze((d0, d1))
        return _out(r, out)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector norm for one dim (or a 1-D input), matrix norm for two dims (or a 2-D input
    with an ord); with neither ord nor dim, the 2-norm of the flattened input."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(ord, str) or (dim is not None and len(dim) == 2) or (dim is None and ord is not None
                                                                        and A._data.ndim == 2):
        if dim is None and A._data.ndim != 2:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                               f"{A._data.ndim}D.")
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype,
                           out=out)
    if dim is None and ord is not None and A._data.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A._data.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)



