"""More elementwise and small composite math ops: addcmul/addcdiv, nan_to_num,
logaddexp(2), hypot, sinc, deg2rad/rad2deg, clamp_min/clamp_max, searchsorted/
bucketize, cdist, diff, cummax/cummin, cosine_similarity.

Ops with their own kernels (nan_to_num, logaddexp, hypot, sinc, cummax) are Op
classes named like torch's backward nodes; the rest are compositions of ember
ops, which gives them torch's gradients (and higher-order ones) for free.
"""
import math

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op, _wrap
from ._opmath import composite_in_float32
from .elementwise import _binary, _Binary, _inplace_saving_self, _out, _TYPE_WORDS, clamp, where
from .joining import cat
from ._return_types import return_type

__all__ = ["addcmul", "addcdiv", "nan_to_num", "logaddexp", "logaddexp2", "hypot", "sinc", "deg2rad", "rad2deg",
           "clamp_min", "clamp_max", "searchsorted", "bucketize", "cdist", "diff", "cummax", "cummin",
           "cosine_similarity"]


def _float_only(name, *tensors):
    for t in tensors:
        if isinstance(t, Tensor) and not t._dtype.is_floating_point:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_TYPE_WORDS[t._dtype.name]}'")


# -- addcmul, addcdiv -------------------------------------------------------------------------
@composite_in_float32
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2"""
    prod = tensor1 * tensor2
    return _out(input + (prod if value == 1 else prod * value), out)


@composite_in_float32
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (true division; integer operands are refused, as in torch)."""
    if not tensor1._dtype.is_floating_point and not tensor2._dtype.is_floating_point:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
            "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as "
            "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
            "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    quot = tensor1 / tensor2
    return _out(input + (quot if value == 1 else quot * value), out)


# -- nan_to_num -------------------------------------------------------------------------------
class NanToNumBackward0(Op):
    save_inputs = True

    def forward(self, x, nan, posinf, neginf):
        if x.dtype.kind not in "fV":
            return x.copy()  # integers and bools have nothing to replace
        if x.dtype.itemsize == 2:  # half types through float32 (NumPy skips ml_dtypes' bfloat16)
            return xp_of(x).nan_to_num(x.astype(np.float32), nan=nan, posinf=posinf, neginf=neginf).astype(x.dtype)
        return xp_of(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * x.isfinite()


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN -> nan, +inf -> posinf (default: the dtype's max), -inf -> neginf (default: its lowest)."""
    if input._dtype.is_floating_point:
        info = D.finfo(input._dtype)
        posinf = info.max if posinf is None else posinf
        neginf = info.min if neginf is None else neginf
    return _out(NanToNumBackward0.apply(input, nan=nan, posinf=posinf, neginf=neginf), out)


# -- logaddexp, logaddexp2, hypot ------------------------------------------------------------
class LogaddexpBackward0(_Binary):
    """log(e^a + e^b); d/da = 1 / (1 + e^(b - a))."""

    save_inputs = True

    def forward(self, a, b, dtype):
        _float_dtype("logaddexp", dtype)
        return xp_of(a if hasattr(a, "dtype") else b).logaddexp(*_cast_both(a, b, dtype))

    def backward(self, g):
        a, b = self.saved_tensors
        return g / (1 + (b - a).exp()), g / (1 + (a - b).exp())


class Logaddexp2Backward0(_Binary):
    """log2(2^a + 2^b); d/da = 1 / (1 + 2^(b - a))."""

    save_inputs = True

    def forward(self, a, b, dtype):
        _float_dtype("logaddexp2", dtype)
        return xp_of(a if hasattr(a, "dtype") else b).logaddexp2(*_cast_both(a, b, dtype))

    def backward(self, g):
        a, b = self.saved_tensors
        return g / (1 + (b - a).exp2()), g / (1 + (a - b).exp2())


class HypotBackward0(_Binary):
    """sqrt(a^2 + b^2); d/da = a / hypot(a, b)."""

    save_inputs = True
    save_output = True

    def forward(self, a, b, dtype):
        _float_dtype("hypot", dtype)
        return xp_of(a if hasattr(a, "dtype") else b).hypot(*_cast_both(a, b, dtype))

    def backward(self, g):
        a, b, y = self.saved_tensors
        return g * a / y, g * b / y


def _float_dtype(name, dtype):
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_TYPE_WORDS[dtype.name]}'")


def _cast_both(a, b, dtype):
    npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
    return [x.astype(npdt, copy=False) if hasattr(x, "dtype") else x for x in (a, b)]


def logaddexp(input, other, *, out=None):
    return _out(_binary(LogaddexpBackward0, input, other), out)


def logaddexp2(input, other, *, out=None):
    return _out(_binary(Logaddexp2Backward0, input, other), out)


def hypot(input, other, *, out=None):
    return _out(_binary(HypotBackward0, input, other), out)


# -- sinc, deg2rad, rad2deg ------------------------------------------------------------------
class SincBackward0(Op):
    """sin(pi x) / (pi x), 1 at 0; d/dx = (cos(pi x) pi x - sin(pi x)) / (pi x^2), 0 at 0."""

    save_inputs = True

    def forward(self, x):
        if x.dtype.kind not in "fV":
            x = x.astype(D.np_dtype(D._default[0]))
        # half types computed in float32 and rounded once, as torch; sinc(inf) is NaN, quietly as in torch
        with np.errstate(invalid="ignore"):
            return xp_of(x).sinc(x.astype(np.float32) if x.dtype.itemsize == 2 else x).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        zero = x * x * math.pi == 0  # torch's test: a denormal x counts as 0 too
        safe = where(zero, 1.0, x)  # no 0/0 to mask afterwards
        px = safe * math.pi
        return g * where(zero, 0.0, (px * px.cos() - px.sin()) / (px * safe))


def sinc(input, *, out=None):
    return _out(SincBackward0.apply(input), out)


def _to_float(x):
    return x if x._dtype.is_floating_point else x.to(D._default[0])


def deg2rad(input, *, out=None):
    return _out(_to_float(input) * (math.pi / 180), out)


def rad2deg(input, *, out=None):
    return _out(_to_float(input) * (180 / math.pi), out)


# -- clamp_min, clamp_max ----------------------------------------------------------------------
def clamp_min(input, min, *, out=None):
    return clamp(input, min=min, out=out)


def clamp_max(input, max, *, out=None):
    return clamp(input, max=max, out=out)


# -- searchsorted, bucketize -------------------------------------------------------------------
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Indices where `input` would be inserted into the innermost rows of `sorted_sequence`
    to keep them sorted; side='right' (or right=True) puts equal values after."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    xp = xp_of(seq)
    vals = xp.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    how = "right" if right else "left"
    if seq.ndim <= 1:
        idx = xp.searchsorted(seq, vals, side=how)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               "dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
        rows_s = seq.reshape(-1, seq.shape[-1])
        rows_v = vals.reshape(-1, vals.shape[-1])
        idx = xp.stack([xp.searchsorted(s, v, side=how) for s, v in zip(rows_s, rows_v)]).reshape(vals.shape)
    return _out(_wrap(xp.asarray(idx, dtype=np.int32 if out_int32 else np.int64)), out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value: i with boundaries[i-1] < x <= boundaries[i] (right=False)."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# -- cdist, diff --------------------------------------------------------------------------------
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """||x1[..., i, :] - x2[..., j, :]||_p for every pair (i, j)."""
    if _amp.active: return _autocast("cdist", cdist, x1, x2, p, compute_mode)  # noqa: E701
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.dim() < 2 else 2} got: "
                           f"{(x1 if x1.dim() < 2 else x2).dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, -1)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (logical xor for bools), after prepend/append."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if prepend is not None or append is not None:
        input = cat([t for t in (prepend, input, append) if t is not None], dim)
    for _ in range(n):
        size = input.shape[dim]
        hi, lo = input.narrow(dim, min(size, 1), max(size - 1, 0)), input.narrow(dim, 0, max(size - 1, 0))
        input = hi ^ lo if input._dtype is D.bool_ else hi - lo
    return input


# -- cummax, cummin -------------------------------------------------------------------------------
cummax_result = return_type("cummax")
cummin_result = return_type("cummin")


class _CumExtreme(Op):
    """Running max/min with the index of its last occurrence (ties move the index, as torch).
    NaN wins once seen. The gradient flows to the index each output came from."""

    n_diff_outputs = 1

    def forward(self, x, dim):
        xp = xp_of(x)
        self.dim = dim
        if x.ndim == 0:
            return x.copy(), xp.zeros((), dtype=np.int64)
        xm = xp.moveaxis(x, dim, -1)
        pos = xp.broadcast_to(xp.arange(xm.shape[-1]), xm.shape)
        run = self.ufunc(xp).accumulate(xm, axis=-1)  # NaN propagates, as in torch
        # x is the new extreme when x >= (<=) the running value (then run == x), or NaN
        hit = (xm == run) | (xm != xm)
        idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=-1)
        self.shape = x.shape
        self.idx = idx = xp.moveaxis(idx, -1, dim).astype(np.int64, copy=False)
        return xp.moveaxis(run, -1, dim), idx

    def backward(self, g, _=None):
        from .indexing import scatter_add
        from .._creation import zeros

        if g.dim() == 0:
            return g
        return scatter_add(zeros(self.shape, dtype=g.dtype, device=g.device), self.dim, _wrap(self.idx), g)


class CummaxBackward0(_CumExtreme):
    ufunc = staticmethod(lambda xp: xp.maximum)


class CumminBackward0(_CumExtreme):
    ufunc = staticmethod(lambda xp: xp.minimum)


def _dim(x, dim):
    nd = max(x.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd if x.dim() else 0


def cummax(input, dim):
    return cummax_result(*CummaxBackward0.apply(input, dim=_dim(input, dim)))


def cummin(input, dim):
    return cummin_result(*CumminBackward0.apply(input, dim=_dim(input, dim)))


# -- cosine_similarity -------------------------------------------------------------------------
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    from ..nn.functional import cosine_similarity as f  # nn sits above _ops: imported on first use

    return f(x1, x2, dim, eps)


# -- Tensor methods -------------------------------------------------------------------------------
for _fn in (addcmul, addcdiv, nan_to_num, logaddexp, logaddexp2, hypot, sinc, deg2rad, rad2deg, clamp_min,
            clamp_max, diff, cummax, cummin):
    setattr(Tensor, _fn.__name__, _fn)
for _fn in (addcmul, addcdiv, nan_to_num, hypot, sinc, deg2rad, rad2deg, clamp_min, clamp_max):
    setattr(Tensor, _fn.__name__ + "_", _inplace_saving_self(_fn))
