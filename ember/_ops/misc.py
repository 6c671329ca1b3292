"""Matrix odds and ends: trace, diagonal/diag/diag_embed, tril/triu, cross,
and the counting ops histc, histogram and bincount.

`diagonal` is a writable view (as in torch), made with `as_strided` because
NumPy's own `diagonal` is read-only. It and `diag_embed` are each other's
gradient.
"""
import warnings

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op
from ._inplace import _TYPE_WORDS, commit
from ._return_types import return_type


# -- diagonals ----------------------------------------------------------------------------------------
def _diagonal_view(x, offset, dim1, dim2):
    """The diagonal of `x` over (dim1, dim2) as a writable array view, diagonal last."""
    nd = x.ndim
    rest = [d for d in range(nd) if d not in (dim1, dim2)]
    y = x.transpose(rest + [dim1, dim2])
    if offset >= 0:
        y = y[..., :, offset:]
    else:
        y = y[..., -offset:, :]
    n = max(0, min(y.shape[-2], y.shape[-1]))
    shape = y.shape[:-2] + (n,)
    strides = y.strides[:-2] + (y.strides[-2] + y.strides[-1],)
    if n == 0:
        return xp_of(x).empty(shape, dtype=x.dtype)
    return xp_of(x).lib.stride_tricks.as_strided(y, shape, strides)


def _diag_dims(t, offset, dim1, dim2, ndim=None):
    d1, d2 = t._wrap_dim(dim1, ndim), t._wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class DiagonalBackward0(Op):
    is_view = True

    def forward(self, x, offset, dim1, dim2):
        self.shape, self.args = x.shape, (offset, dim1, dim2)
        return _diagonal_view(x, offset, dim1, dim2)

    def backward(self, g):
        offset, dim1, dim2 = self.args
        return DiagonalScatter.apply(g, shape=self.shape, offset=offset, dim1=dim1, dim2=dim2)


class DiagonalBackward0_copy(DiagonalBackward0):  # noqa: N801 - torch's node name
    """torch.diag of a matrix: the diagonal as a new tensor."""

    is_view = False

    def forward(self, x, offset, dim1, dim2):
        return DiagonalBackward0.forward(self, x, offset, dim1, dim2).copy()


class DiagonalScatter(Op):
    """Zeros of `shape` with `g` written on a diagonal: the gradient of `diagonal`."""

    def forward(self, g, shape, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = g
        return out

    def backward(self, gg):
        return DiagonalBackward0_copy.apply(gg, offset=self.args[0], dim1=self.args[1], dim2=self.args[2])


class DiagEmbedBackward0(Op):
    def forward(self, x, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)
        n = x.shape[-1] + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = xp_of(x).zeros(tuple(shape), dtype=x.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = x
        return out

    def backward(self, g):
        return DiagonalBackward0_copy.apply(g, offset=self.args[0], dim1=self.args[1], dim2=self.args[2])


def diagonal(input, offset=0, dim1=0, dim2=1):
    d1, d2 = _diag_dims(input, offset, dim1, dim2)
    return DiagonalBackward0.apply(input, offset=offset, dim1=d1, dim2=d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    d1, d2 = _diag_dims(input, offset, dim1, dim2, input._data.ndim + 1)
    return DiagEmbedBackward0.apply(input, offset=offset, dim1=d1, dim2=d2)


def diag(input, diagonal=0, *, out=None):
    """A vector -> the matrix with it on a diagonal; a matrix -> that diagonal (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        return _out(DiagEmbedBackward0.apply(input, offset=diagonal, dim1=0, dim2=1), out)
    if nd == 2:
        return _out(DiagonalBackward0_copy.apply(input, offset=diagonal, dim1=0, dim2=1), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def _out(result, out):
    if out is None:
        return result
    from .elementwise import _out as copy_out

    return copy_out(result, out)


class TraceBackward0(Op):
    def forward(self, x):
        self.shape = x.shape
        kind = x.dtype.kind
        return x.trace(dtype=np.int64 if kind in "biu" else None)

    def backward(self, g):
        return DiagonalScatter.apply(g.expand(min(self.shape)), shape=self.shape, offset=0, dim1=0, dim2=1)


def trace(input):
    if _amp.active: return _autocast("trace", trace, input)  # noqa: E701
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._dtype is D.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return TraceBackward0.apply(input)


# -- triangles ----------------------------------------------------------------------------------------
class TrilBackward0(Op):
    def forward(self, x, diagonal):
        self.k = diagonal
        return xp_of(x).tril(x, diagonal)

    def backward(self, g):
        return tril(g, self.k)


class TriuBackward0(Op):
    def forward(self, x, diagonal):
        self.k = diagonal
        return xp_of(x).triu(x, diagonal)

    def backward(self, g):
        return triu(g, self.k)


def tril(input, diagonal=0, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _out(TrilBackward0.apply(input, diagonal=diagonal), out)


def triu(input, diagonal=0, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _out(TriuBackward0.apply(input, diagonal=diagonal), out)


# -- cross product ------------------------------------------------------------------------------------
class LinalgCrossBackward0(Op):
    save_inputs = True

    def forward(self, a, b, dim):
        self.dim = dim
        return xp_of(a).cross(a, b, axis=dim)

    def backward(self, g):
        a, b = self.saved_tensors
        return linalg_cross(b, g, dim=self.dim), linalg_cross(g, a, dim=self.dim)


def linalg_cross(input, other, *, dim=-1, out=None):
    """torch.linalg.cross: the cross product of 3-vectors along `dim` (operands broadcast)."""
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {_TYPE_WORDS[input._dtype.name]} but found "
                           f"{_TYPE_WORDS[other._dtype.name]}")
    if input._data.ndim != other._data.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    d = input._wrap_dim(dim)
    na, nb = input._data.shape[d], other._data.shape[d]
    if na != 3 or nb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {na} and {nb}")
    return _out(LinalgCrossBackward0.apply(input, other, dim=d - input._data.ndim), out)


def cross(input, other, dim=None, *, out=None):
    """torch.cross: with no dim, the first dim of size 3 (deprecated in torch, which warns)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, n in enumerate(shape) if n == 3), -1)
    return linalg_cross(input, other, dim=dim, out=out)


# -- counting ---------------------------------------------------------------------------------------
histogram_result = return_type("histogram", ("hist", "bin_edges"))


def _float_only(t, kernel):
    if not t._dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[t._dtype.name]}'")


def _check_bins(bins):
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")


def _host(x):
    return x if type(x) is np.ndarray else x.get()


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts in `bins` equal bins over [min, max] (the data's range when both are 0);
    values outside are ignored and max falls in the last bin, as in torch."""
    _float_only(input, "histogram_cpu")
    _check_bins(bins)
    x = input._data.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    xp = xp_of(x)
    x = x[(x >= lo) & (x <= hi)]
    # torch's bin index: (x - min) * bins / (max - min), computed in the input dtype.
    pos = ((x - x.dtype.type(lo)) * x.dtype.type(bins) / x.dtype.type(hi - lo)).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    counts = xp.bincount(pos, minlength=bins).astype(x.dtype)
    return _out(Tensor._make(counts, input._dtype), out)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or weight sums) per bin; `bins` is a count or the edges."""
    from ._base import _wrap

    _float_only(input, "histogramdd")
    x = input._data.reshape(-1)
    xp = xp_of(x)
    if isinstance(bins, Tensor):
        edges = bins._data.astype(x.dtype, copy=False)
    else:
        _check_bins(bins)
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif x.size:
            lo, hi = float(x.min()), float(x.max())
        else:
            lo, hi = 0.0, 0.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = xp.linspace(lo, hi, bins + 1).astype(x.dtype)
    n = edges.shape[0] - 1
    inside = (x >= edges[0]) & (x <= edges[-1])
    w = None if weight is None else weight._data.reshape(-1)[inside]
    x = x[inside]
    pos = xp.minimum(xp.searchsorted(edges, x, side="right") - 1, n - 1)
    hist = xp.bincount(pos, weights=w, minlength=n).astype(x.dtype)
    if density:
        hist = hist / (hist.sum() * xp.diff(edges))
    result = histogram_result(_wrap(hist.astype(x.dtype, copy=False)), _wrap(edges))
    if out is not None:
        _out(result[0], out[0])
        _out(result[1], out[1])
        return out
    return result


def bincount(input, weights=None, minlength=0):
    """Occurrences of each non-negative int (or the sum of their weights)."""
    if input._dtype.is_floating_point:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_TYPE_WORDS[input._dtype.name]}'")
    x = input._data
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = xp_of(x)
    if weights is None:
        return Tensor._make(xp.bincount(x, minlength=minlength).astype(np.int64, copy=False), D.int64)
    if weights._data.shape != x.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dt = weights._dtype if weights._dtype in (D.float32, D.float64) else D.float64
    counts = xp.bincount(x, weights=weights._data.astype(np.float64, copy=False), minlength=minlength)
    return Tensor._make(counts.astype(D.np_dtype(dt), copy=False), dt)


# -- Tensor methods -------------------------------------------------------------------------------------
Tensor.trace = trace
Tensor.diag = diag
Tensor.diagonal = diagonal
Tensor.diag_embed = diag_embed
Tensor.tril = tril
Tensor.triu = triu
Tensor.tril_ = lambda self, diagonal=0: commit(self, tril(self, diagonal))
Tensor.triu_ = lambda self, diagonal=0: commit(self, triu(self, diagonal))
Tensor.cross = cross
Tensor.histc = histc
Tensor.histogram = histogram
Tensor.bincount = bincount

__all__ = ["trace", "diag", "diagonal", "diag_embed", "tril", "triu", "cross", "histc", "histogram", "bincount",
           "inverse", "det", "logdet", "slogdet"]

# torch.inverse/det/logdet/slogdet are ember.linalg's (imported last: ember.linalg uses this module).
from ..linalg._inverse import det, inverse, logdet, slogdet  # noqa: E402

Tensor.inverse = inverse
Tensor.det = det
Tensor.logdet = logdet
Tensor.slogdet = slogdet
