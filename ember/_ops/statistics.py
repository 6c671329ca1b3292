"""Statistics: nansum/nanmean/nanmedian, quantile/nanquantile, mode, aminmax,
logcumsumexp, cov/corrcoef, trapezoid/cumulative_trapezoid, gradient, histogramdd.

Ops with their own kernels (nanmedian, mode, aminmax, logcumsumexp) are Op classes
named like torch's backward nodes; the rest are compositions of ember ops, as torch
writes them (quantile sorts, gathers and lerps; cov is a matmul of centred data),
which gives them torch's gradients, and higher-order ones, for free.
"""
import math

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op, _wrap
from ._inplace import _TYPE_WORDS
from ._return_types import return_type
from .elementwise import _out
from .reduction import AmaxBackward0, MaxBackward0, _check_nonempty, _even_split
from .selection import where

__all__ = ["nansum", "nanmean", "nanmedian", "quantile", "nanquantile", "mode", "aminmax", "logcumsumexp", "cov",
           "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid", "gradient", "histogramdd"]

nanmedian_result = return_type("nanmedian")
mode_result = return_type("mode")
aminmax_result = return_type("aminmax", ("min", "max"))
histogramdd_result = return_type("histogramdd", ("hist", "bin_edges"))


def _word(t):
    return _TYPE_WORDS[t._dtype.name]


# -- nansum, nanmean ----------------------------------------------------------------------------
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """sum with NaN counted as zero (its gradient is zero there, as torch's)."""
    x = where(input.isnan(), 0.0, input) if input._dtype.is_floating_point else input
    return x.sum(dim, keepdim, dtype=dtype, out=out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """nansum / the number of non-NaN elements, as torch writes it."""
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {_word(input)}")
    count = input.isnan().logical_not().sum(dim, keepdim)
    return _out(nansum(input, dim, keepdim, dtype=dtype) / count, out)


# -- nanmedian -----------------------------------------------------------------------------------
class NanmedianBackward0(AmaxBackward0):
    """nanmedian() over all elements: the lower median of the non-NaN values (NaN if all are);
    the gradient is split evenly among the elements equal to it, as torch's."""

    nan_ties = True

    def forward(self, x, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        xp = xp_of(x)
        flat = xp.sort(x.reshape(-1))  # NaN sorts last
        n = int((~xp.isnan(flat)).sum()) if flat.dtype.kind in "fV" else flat.size
        if n == 0:
            return xp.asarray(xp.nan, dtype=x.dtype)
        return flat[(n - 1) // 2]


class NanmedianBackward1(MaxBackward0):
    """nanmedian(dim) -> (values, indices): the gradient goes to the returned index."""

    def forward(self, x, dim, keepdim):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        xp = xp_of(x)
        order = xp.argsort(x, axis=dim, kind="stable")  # NaN last, ties in input order
        count = (~xp.isnan(x)).sum(axis=dim, keepdims=True) if x.dtype.kind in "fV" else x.shape[dim]
        k = xp.maximum((xp.asarray(count) - 1) // 2, 0)  # an all-NaN row takes the first NaN
        idx = xp.take_along_axis(order, xp.broadcast_to(k, order.shape[:dim] + (1,) + order.shape[dim + 1:]), dim)
        self.idx = idx
        values = xp.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)


def _dim_pair(name, full_cls, dim_cls, result, input, dim, keepdim):
    """(values, indices) along one dim, or the full reduction when dim is None (NaN if empty)."""
    if dim is None:
        return full_cls.apply(input, dims=tuple(range(input._data.ndim)), keepdim=False)
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return result(*dim_cls.apply(input.reshape(1), dim=0, keepdim=False))
    _check_nonempty(name, input, (d,), True)
    return result(*dim_cls.apply(input, dim=d, keepdim=keepdim))


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    r = _dim_pair("median", NanmedianBackward0, NanmedianBackward1, nanmedian_result, input, dim, keepdim)
    return _pair_out(r, out)


def _pair_out(result, out):
    if out is None:
        return result
    if isinstance(result, tuple):
        return type(result)(_out(result[0], out[0]), _out(result[1], out[1]))
    return _out(result, out)


# -- quantile ------------------------------------------------------------------------------------
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    """torch's quantile_impl: sort (NaN last), rank = q * (count - 1), then pick or lerp."""
    from .. import _creation

    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input._dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _MODES:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got {interpolation}")
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        q = _creation.tensor(float(q), dtype=input._dtype, device=input.device)
    else:
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._dtype is not input._dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._data
        if qa.size and not bool(((qa >= 0) & (qa <= 1)).all()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if input._data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    # Reduce over the last dim of `sorted_`: all elements flattened, or dim moved last.
    if dim is None:
        x = input.reshape(-1)
        out_shape = (1,) * input._data.ndim if keepdim else ()
    else:
        d = input._wrap_dim(dim)
        x = input.movedim(d, -1) if input._data.ndim else input.reshape(1)
        shape = list(input._data.shape)
        if shape:
            if keepdim:
                shape[d] = 1
            else:
                del shape[d]
        out_shape = tuple(shape)
    sorted_ = x.sort(-1).values.reshape(-1, x._data.shape[-1])  # (rows, n)
    n = sorted_._data.shape[-1]
    qs = q.reshape(-1)  # (k,)
    nan = sorted_.isnan()
    if ignore_nan:
        ranks = qs * (nan.logical_not().sum(-1, keepdim=True) - 1)  # (rows, k)
        ranks = where(ranks < 0, 0.0, ranks)  # an all-NaN row reads its first (NaN) element
    else:
        ranks = (qs * (n - 1)).expand(sorted_._data.shape[0], qs._data.shape[0])
        ranks = where(nan.any(-1, keepdim=True), float(n - 1), ranks)  # a row with NaN gives NaN
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()  # half to even, as torch.round
    below = ranks.long()
    values = sorted_.gather(-1, below)
    if interpolation in ("linear", "midpoint"):
        weights = ranks - below if interpolation == "linear" else ranks * 0 + 0.5
        values = values.lerp(sorted_.gather(-1, ranks.ceil().long()), weights)
    # (rows, k) -> (k, *out_shape), or out_shape for a scalar q
    values = values.mT.reshape(qs._data.shape + out_shape)
    return values.reshape(out_shape) if scalar_q or q._data.ndim == 0 else values


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    if _amp.active: return _autocast("quantile", quantile, input, q, dim, keepdim, interpolation=interpolation, out=out)  # noqa: E701,E501
    return _out(_quantile("quantile", input, q, dim, keepdim, interpolation, False), out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    if _amp.active: return _autocast("nanquantile", nanquantile, input, q, dim, keepdim, interpolation=interpolation, out=out)  # noqa: E701,E501
    return _out(_quantile("nanquantile", input, q, dim, keepdim, interpolation, True), out)


# -- mode ----------------------------------------------------------------------------------------
class ModeBackward0(MaxBackward0):
    """mode(dim) -> (values, indices): the most frequent value (the smallest on a tie) and the
    last index holding it, as torch's CPU kernel; the gradient goes to that index."""

    def forward(self, x, dim, keepdim):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        xp = xp_of(x)
        host = x if xp is np else x.get()  # run lengths on the host (NumPy's ufunc.accumulate)
        rows = np.moveaxis(host, dim, -1)
        order = np.argsort(rows, axis=-1, kind="stable")
        s = np.take_along_axis(rows, order, -1)
        n = s.shape[-1]
        pos = np.arange(n)
        starts = np.concatenate([np.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]], -1)
        run_start = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
        count = pos - run_start + 1  # the count of each value so far within its run
        best = np.argmax(count == count.max(axis=-1, keepdims=True), axis=-1)[..., None]
        idx = np.take_along_axis(order, best, -1)  # stable sort: the run's last original index
        idx = xp.asarray(np.moveaxis(idx, -1, dim))
        self.idx = idx
        values = xp.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)


def mode(input, dim=-1, keepdim=False, *, out=None):
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return _pair_out(mode_result(*ModeBackward0.apply(input.reshape(1), dim=0, keepdim=False)), out)
    if input._data.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return _pair_out(mode_result(*ModeBackward0.apply(input, dim=d, keepdim=keepdim)), out)


# -- aminmax -------------------------------------------------------------------------------------
class AminmaxBackward0(Op):
    """(min, max) in one pass; each gradient is split evenly among the elements that tie."""

    save_inputs = True

    def forward(self, x, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        lo, hi = x.min(axis=dims, keepdims=keepdim), x.max(axis=dims, keepdims=keepdim)
        self.lo, self.hi = lo, hi
        return lo, hi

    def backward(self, g_min, g_max):
        x, = self.saved_tensors
        grad = 0
        if g_min is not None:
            grad = grad + _even_split(g_min, x, _wrap(self.lo), self.dims, self.keepdim)
        if g_max is not None:
            grad = grad + _even_split(g_max, x, _wrap(self.hi), self.dims, self.keepdim)
        return grad


def aminmax(input, *, dim=None, keepdim=False, out=None):
    if dim is None:
        if not input._data.size:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        dims = tuple(range(input._data.ndim))
    else:
        d = input._wrap_dim(dim)
        if input._data.ndim and input._data.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = (d,) if input._data.ndim else ()
    r = aminmax_result(*AminmaxBackward0.apply(input, dims=dims, keepdim=keepdim))
    return _pair_out(r, out)


# -- logcumsumexp --------------------------------------------------------------------------------
class LogcumsumexpBackward0(Op):
    """log(cumsum(exp(x))) along dim. Gradient (torch's, after TensorFlow's): with the
    incoming gradient split by sign, exp(x + reverse_logcumsumexp(log|g±| - result))."""

    save_inputs = True
    save_output = True

    def forward(self, x, dim):
        self.dim = dim
        if x.ndim == 0:
            return x.copy()
        xp = xp_of(x)
        if xp is np:
            return np.logaddexp.accumulate(x, axis=dim)
        # CuPy has no ufunc.accumulate: a log-depth scan of logaddexp (Hillis-Steele), which keeps
        # the sequential result's range (a shift by the max would underflow small prefixes to -inf)
        y = xp.moveaxis(x, dim, -1).copy()
        step = 1
        while step < y.shape[-1]:
            y[..., step:] = xp.logaddexp(y[..., step:], y[..., :-step])
            step *= 2
        return xp.moveaxis(y, -1, dim)

    def backward(self, g):
        x, y = self.saved_tensors
        if not g._data.ndim:
            return g
        d = self.dim
        lowest = float(D.finfo(g._dtype).min)
        log_abs = g.abs().log()

        def rev(t):
            return logcumsumexp(t.flip(d), d).flip(d)

        pos = (rev(where(g > 0, log_abs, lowest) - y) + x).exp()
        neg = (rev(where(g < 0, log_abs, lowest) - y) + x).exp()
        return pos - neg


def logcumsumexp(input, dim, *, out=None):
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_word(input)}'")
    return _out(LogcumsumexpBackward0.apply(input, dim=input._wrap_dim(dim)), out)


# -- cov, corrcoef -------------------------------------------------------------------------------
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the rows (variables) over the columns (observations), weighted, as torch."""
    import warnings

    from .. import _creation

    if input._data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input._data.ndim} dimensions")
    if input._dtype is D.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input._data.ndim < 2 else input
    n = x._data.shape[1]
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is not None:
            _check_weights(name, wt, n)
    w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    w_sum = w.sum() if w is not None else _creation.tensor(n, dtype=D.int64, device=input.device)
    if w is not None and not bool(w_sum._data != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if bool(norm._data <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    x = x - avg.unsqueeze(1)
    c = x @ (x * w if w is not None else x).t()
    return (c / norm).squeeze()


def _check_weights(name, w, n):
    """cov's checks of fweights (integers) and aweights (floats), with torch's messages."""
    if w._data.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{w._data.ndim} dimensions")
    integral = name == "fweights"
    if (w._dtype.is_floating_point or w._dtype is D.bool_) if integral else not w._dtype.is_floating_point:
        kind = "integral" if integral else "floating point"
        raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with {_word(w)} dtype")
    if w._data.size != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {w._data.size} != {n}")
    if n and bool(w._data.min() < 0):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def corrcoef(input):
    """Pearson correlation coefficients: cov scaled by the standard deviations, clipped to [-1, 1]."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.reshape(-1, 1)
    c = c / std.reshape(1, -1)
    return c.clip(-1, 1)


# -- trapezoid -----------------------------------------------------------------------------------
def _zeros_reduced(y, dim):
    from .. import _creation

    shape = list(y._data.shape)
    del shape[dim]
    dt = y._dtype if y._dtype.is_floating_point else D.get_default_dtype()
    return _creation.zeros(shape, dtype=dt, device=y.device)


def _check_spacing_args(name, x, dx):
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both x and dx")


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along dim, with sample points x or a constant spacing dx."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        x, dx = None, x  # trapezoid(y, 2.0): the spacing given positionally
    _check_spacing_args("trapezoid", x, dx)
    d = y._wrap_dim(dim)
    if y._data.shape[d] == 0:
        return _zeros_reduced(y, d)
    if x is None:
        spacing = 1 if dx is None else dx
        return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * spacing
    if x._data.ndim == 1:
        if x._data.shape[0] != y._data.shape[d]:
            raise RuntimeError(f"trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y._data.ndim
        shape[d] = x._data.shape[0]
        x = x.reshape(shape)
    xd = x._wrap_dim(d - y._data.ndim)
    n = x._data.shape[xd]
    widths = x.narrow(xd, 1, n - 1) - x.narrow(xd, 0, n - 1)
    m = y._data.shape[d]
    return (widths * (y.narrow(d, 1, m - 1) + y.narrow(d, 0, m - 1))).sum(d) / 2.0


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral along dim (one element fewer than y)."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        x, dx = None, x
    _check_spacing_args("cumulative_trapezoid", x, dx)
    d = y._wrap_dim(dim)
    m = y._data.shape[d]
    if m == 0:
        return y.narrow(d, 0, 0) * 1.0 if not y._dtype.is_floating_point else y.narrow(d, 0, 0).clone()
    pairs = y.narrow(d, 1, m - 1) + y.narrow(d, 0, m - 1)
    if x is None:
        spacing = 1 if dx is None else dx
        return (spacing / 2.0 * pairs).cumsum(d)
    if x._data.ndim == 1:
        if x._data.shape[0] != m:
            raise RuntimeError("cumulative_trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y._data.ndim
        shape[d] = m
        x = x.reshape(shape)
    xd = x._wrap_dim(d - y._data.ndim)
    n = x._data.shape[xd]
    widths = x.narrow(xd, 1, n - 1) - x.narrow(xd, 0, n - 1)
    return (widths * pairs / 2.0).cumsum(d)


# -- gradient ------------------------------------------------------------------------------------
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative estimate along each dim: central differences inside, one-sided (first or
    second order) at the edges; spacing is a scalar, one scalar per dim, or coordinates."""
    if dim is None:
        dims = list(range(input._data.ndim))
    elif isinstance(dim, (int, np.integer)):
        dims = [input._wrap_dim(int(dim))]
    else:
        dims = [input._wrap_dim(int(d)) for d in dim]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if spacing is None:  # torch's "unspecified": unit spacing
        spacing = 1
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length "
                               f"{len(spacing)} and a dim argument of length {len(dims)}.")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    for d in dims:
        if input._data.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    return tuple(_gradient_along(input, h, d, edge_order) for h, d in zip(spacings, dims))


def _gradient_along(f, h, d, edge_order):
    n = f._data.shape[d]

    def part(start, length):
        return f.narrow(d, start, length)

    if not isinstance(h, Tensor) or h._data.ndim == 0:
        h = h.item() if isinstance(h, Tensor) else h
        inner = (part(2, n - 2) - part(0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            first = (part(1, 1) - part(0, 1)) / h
            last = (part(n - 1, 1) - part(n - 2, 1)) / h
        else:
            first = (part(0, 1) * -1.5 + part(1, 1) * 2.0 - part(2, 1) * 0.5) / h
            last = (part(n - 3, 1) * 0.5 - part(n - 2, 1) * 2.0 + part(n - 1, 1) * 1.5) / h
    else:
        if h._data.ndim != 1 or h._data.shape[0] != n:
            raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and each spacing "
                               f"tensor to have one element per sample along dimension {d}")
        view = [1] * f._data.ndim
        view[d] = n - 1
        dx = h.diff().reshape(view)
        dx1, dx2 = dx.narrow(d, 0, n - 2), dx.narrow(d, 1, n - 2)
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        inner = a * part(0, n - 2) + b * part(1, n - 2) + c * part(2, n - 2)
        if edge_order == 1:
            first = (part(1, 1) - part(0, 1)) / dx.narrow(d, 0, 1)
            last = (part(n - 1, 1) - part(n - 2, 1)) / dx.narrow(d, n - 2, 1)
        else:
            e1, e2 = dx.narrow(d, 0, 1), dx.narrow(d, 1, 1)
            first = (-(2.0 * e1 + e2) / (e1 * (e1 + e2)) * part(0, 1) + (e1 + e2) / (e1 * e2) * part(1, 1)
                     - e1 / (e2 * (e1 + e2)) * part(2, 1))
            e1, e2 = dx.narrow(d, n - 3, 1), dx.narrow(d, n - 2, 1)
            last = (e2 / (e1 * (e1 + e2)) * part(n - 3, 1) - (e2 + e1) / (e1 * e2) * part(n - 2, 1)
                    + (2.0 * e2 + e1) / (e2 * (e1 + e2)) * part(n - 1, 1))
    from .joining import cat

    return cat([first, inner, last], d)


# -- histogramdd ---------------------------------------------------------------------------------
def histogramdd(input, bins=10, *, range=None, weight=None, density=False, out=None):
    """Counts (or weight sums) in a D-dimensional grid of bins over the last dim's D coordinates;
    `bins` is a count per dim (or one for all), or the edges per dim as 1-D tensors."""
    from .misc import _float_only

    _float_only(input, "histogramdd")
    if input._data.ndim < 2 and input._data.ndim != 1:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    x = input._data.reshape(-1, input._data.shape[-1])
    xp = xp_of(x)
    nd = x.shape[1]
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        edges = [b._data.astype(x.dtype, copy=False) for b in bins]
    else:
        counts = list(bins) if isinstance(bins, (list, tuple)) else [int(bins)] * nd
        if len(counts) != nd:
            raise RuntimeError(f"torch.histogramdd: expected {nd} sequences of bin edges for each of the {nd} "
                               f"dimensions of the histogram but got {len(counts)}")
        for i, c in enumerate(counts):
            if c <= 0:
                raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {c} for dimension {i}")
        if range is not None and len(range) != 2 * nd:
            raise RuntimeError(f"torch.histogramdd: for a {nd}-dimensional histogram range should have {2 * nd} "
                               f"elements, but got {len(range)}")
        edges = []
        for i, c in enumerate(counts):
            if range is not None:
                lo, hi = float(range[2 * i]), float(range[2 * i + 1])
            elif x.shape[0]:
                lo, hi = float(x[:, i].min()), float(x[:, i].max())
            else:
                lo, hi = 0.0, 0.0
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges.append(xp.linspace(lo, hi, c + 1).astype(x.dtype))
    sizes = [e.shape[0] - 1 for e in edges]
    inside = xp.ones(x.shape[0], dtype=bool)
    flat = xp.zeros(x.shape[0], dtype=np.int64)
    for i, e in enumerate(edges):
        col = x[:, i]
        inside &= (col >= e[0]) & (col <= e[-1])
        pos = xp.clip(xp.searchsorted(e, col, side="right") - 1, 0, sizes[i] - 1)
        flat = flat * sizes[i] + pos
    w = None if weight is None else weight._data.reshape(-1)[inside]
    hist = xp.bincount(flat[inside], weights=w, minlength=math.prod(sizes)).astype(x.dtype).reshape(sizes)
    if density:
        widths = [xp.diff(e) for e in edges]
        vol = widths[0]
        for wd in widths[1:]:
            vol = vol[..., None] * wd  # the outer product: each bin's volume
        hist = (hist / (hist.sum() * vol)).astype(x.dtype, copy=False)
    result = histogramdd_result(_wrap(hist), tuple(_wrap(e) for e in edges))
    if out is not None:
        _out(result[0], out[0])
        return out
    return result


for _fn in (nansum, nanmean, nanmedian, quantile, nanquantile, mode, aminmax, logcumsumexp, cov, corrcoef):
    setattr(Tensor, _fn.__name__, _fn)
