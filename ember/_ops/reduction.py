"""Reductions: sum, mean (more are added by the reduction family below).

`dim` may be None, an int or a sequence of ints; `keepdim` keeps reduced dims
as size 1. Gradients expand back over the reduced dims.
"""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ._base import Op


def normalize_dims(t, dim):
    """dim argument -> a sorted tuple of non-negative dims (all dims for None)."""
    nd = t._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(nd))
    if isinstance(dim, (int, np.integer)):
        return (t._wrap_dim(int(dim)),)
    dims = tuple(t._wrap_dim(int(d)) for d in dim)
    if len(set(dims)) != len(dims):
        d = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def expand_reduced(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to `shape`."""
    if not keepdim and dims:
        kept = list(g._data.shape)
        for d in dims:
            kept.insert(d, 1)
        g = g.reshape(tuple(kept))
    return g.expand(shape)


class SumBackward0(Op):
    """Sum over all dims (SumBackward0) or some dims (the node is renamed SumBackward1)."""

    def forward(self, x, dims, keepdim, dtype):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        return x.sum(axis=dims, keepdims=keepdim)

    def backward(self, g):
        return expand_reduced(g, self.shape, self.dims, self.keepdim)


class SumBackward1(SumBackward0):
    pass


def _sum_dtype(t, dtype):
    if dtype is not None:
        return dtype
    if not t._dtype.is_floating_point:
        return D.int64  # torch sums bools and ints in int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dims = normalize_dims(input, dim)
    cls = SumBackward0 if dim is None else SumBackward1
    return cls.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


class MeanBackward0(Op):
    def forward(self, x, dims, keepdim, dtype):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        n = 1
        for d in dims:
            n *= x.shape[d]
        self.n = n
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        s = x.sum(axis=dims, keepdims=keepdim)
        return (s / n).astype(x.dtype, copy=False) if n else s * np.nan

    def backward(self, g):
        return expand_reduced(g / self.n, self.shape, self.dims, self.keepdim)


class MeanBackward1(MeanBackward0):
    pass


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is None and not input._dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_TYPE_NAMES.get(input._dtype.name, input._dtype.name)}")
    dims = normalize_dims(input, dim)
    cls = MeanBackward0 if dim is None else MeanBackward1
    return cls.apply(input, dims=dims, keepdim=keepdim, dtype=dtype)


_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}

Tensor.sum = sum
Tensor.mean = mean

__all__ = ["sum", "mean"]
