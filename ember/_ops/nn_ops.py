"""Fused neural-network ops: softmax, log_softmax, normalisation, embedding, the losses
torch computes as one node (nll_loss, mse, binary cross-entropy, huber, smooth L1, soft margin)
and the activations with a closed-form derivative; linear, lowered onto addmm/mm as torch
lowers it. Convolution and pooling live in `_conv.py` (re-exported here).

Each op is the node torch records (same name, same inputs in the same order): its forward
works on arrays, its backward is written with ember Tensor ops (or, for the norms, one formula
that runs on arrays when no graph is recorded), so higher-order gradients work.
"""
import math

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ..autograd import grad_mode
from ._base import Op, _wrap
from ._opmath import half_in_float32
from ._conv import (  # noqa: F401 - re-exported family members
    conv_nd, conv_transpose_nd, max_pool_nd, avg_pool_nd, adaptive_avg_pool_nd,
)
from ._special import erf as _erf
from .matmul import AddmmBackward0, MmBackward0, matmul
from .shape import (SqueezeBackward0, TBackward0, UnsafeViewBackward0, UnsqueezeBackward0, ViewBackward0,
                    reshape)
from .reduction import _accumulate_sum
from .selection import where

_state = grad_mode.state


# -- softmax -------------------------------------------------------------------------------
def _softmax_dim(ndim, dim, name):
    if dim is None:
        import warnings

        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                      "dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return dim


def _float_only(x, kernel):
    """torch has no integer kernels for these ops."""
    if not x._dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{D._SCALAR_TYPE_NAMES[x._dtype.name]}\'')


def _reduce_kept(ufunc, x, dim):
    """ufunc.reduce over one dim, kept: the ufunc's own reduce (ndarray.max/.sum add a Python layer
    that costs more than the work on small inputs); CuPy arrays take their method."""
    if type(x) is np.ndarray:
        return ufunc.reduce(x, axis=dim, keepdims=True)
    return (x.max if ufunc is np.maximum else x.sum)(axis=dim, keepdims=True)


class SoftmaxBackward0(Op):
    """y = exp(x - max) / sum(exp(x - max)), in one buffer;  dx = y * (g - sum(g * y))."""

    save_output = True

    saved_names = ("dim=dim", "result")

    @half_in_float32
    def forward(self, x, dim):
        self.dim = dim
        if x.ndim == 0:
            return np.ones_like(x) if type(x) is np.ndarray else x * 0 + 1
        if x.size == 0:  # nothing to normalise (and max() of an empty axis raises)
            return x.copy()
        xp = xp_of(x)
        e = xp.subtract(x, _reduce_kept(np.maximum, x, dim))
        xp.exp(e, out=e)
        e /= _reduce_kept(np.add, e, dim)
        return e

    def backward(self, g):
        (y,) = self.saved_tensors
        return y * (g - (g * y).sum(self.dim, keepdim=True))


class LogSoftmaxBackward0(Op):
    """y = x - max - log(sum(exp(x - max)));  dx = g - exp(y) * sum(g)."""

    save_output = True

    saved_names = ("dim=dim", "result")

    def forward(self, x, dim):
        self.dim = dim
        if x.ndim == 0:
            return x * 0
        if x.size == 0:
            return x.copy()
        xp = xp_of(x)
        half = x.dtype if D.is_half(x.dtype) else None
        if half is not None:  # computed in float32 and rounded once, as torch
            x = x.astype(np.float32)
        shifted = xp.subtract(x, _reduce_kept(np.maximum, x, dim))
        lse = _reduce_kept(np.add, xp.exp(shifted), dim)
        if half is not None and dim == x.ndim - 1:  # torch's last-dim kernel keeps the sum and its log in half
            lse = xp.log(lse.astype(half).astype(np.float32)).astype(half).astype(np.float32)
        else:
            xp.log(lse, out=lse)
        shifted -= lse
        return shifted if half is None else shifted.astype(half)

    def backward(self, g):
        (y,) = self.saved_tensors
        return g - y.exp() * g.sum(self.dim, keepdim=True)


def _softmax_like(cls, kernel, input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    _float_only(input, kernel)
    dim = input._wrap_dim(dim)
    return cls.apply(input, dim=dim)


def softmax(input, dim, dtype=None):
    """torch.softmax and Tensor.softmax: dim required, dtype may be positional
    (F.softmax, with its optional dim and _stacklevel, is in nn/functional.py)."""
    return _softmax_like(SoftmaxBackward0, "softmax_lastdim_kernel_impl", input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    return _softmax_like(LogSoftmaxBackward0, "log_softmax_lastdim_kernel_impl", input, dim, dtype)


# -- linear ------------------------------------------------------------------------------------
class SqueezeBackward4(SqueezeBackward0):
    """squeeze over a list of dims (torch's squeeze.dims overload, which linear's 1-D case records)."""


def linear(input, weight, bias=None):
    """torch's own lowering, so the graph is torch's: 2-D input -> addmm(bias, x, w.t()) or
    mm(x, w.t()); other ranks flatten the leading dims into a matrix (a view), multiply, and view
    the result back (ViewBackward0 with a bias, UnsafeViewBackward0 without, as torch's
    _flatten_nd_linear and matmul record them); a 1-D input without bias is unsqueezed and
    squeezed. A non-contiguous input with a bias goes through matmul + bias, as in torch."""
    if _amp.active: return _autocast("linear", linear, input, weight, bias)  # noqa: E701
    if input._dtype is not weight._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_dt(input)} != {_dt(weight)}")
    if (bias is not None and bias.ndim == 1 and weight.ndim == 2 and input.ndim
            and bias._data.shape[0] not in (1, weight._data.shape[0])):
        target = list(input.shape[:-1]) + [weight._data.shape[0]]
        raise RuntimeError(f"The expanded size of the tensor ({target[-1]}) must match the existing size "
                           f"({bias._data.shape[0]}) at non-singleton dimension {len(target) - 1}.  Target sizes: "
                           f"{target}.  Tensor sizes: [{bias._data.shape[0]}]")
    if input.ndim == 0 or weight.ndim != 2 or (bias is not None and bias.ndim != 1):
        return _linear_unfused(input, weight, bias)
    shape = input._data.shape
    if shape[-1] != weight._data.shape[-1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({math.prod(shape[:-1])}x{shape[-1]} and "
                           f"{weight._data.shape[-1]}x{weight._data.shape[0]})")
    wt = TBackward0.apply(weight, dim0=0, dim1=1)
    if input.ndim == 2:
        return MmBackward0.apply(input, wt) if bias is None else AddmmBackward0.apply(bias, input, wt, beta=1, alpha=1)
    out_shape = shape[:-1] + (weight._data.shape[0],)
    if bias is None:
        if input.ndim == 1:
            prod = MmBackward0.apply(UnsqueezeBackward0.apply(input, dim=0), wt)
            return SqueezeBackward4.apply(prod, dims=(0,))
        prod = MmBackward0.apply(reshape(input, (-1, shape[-1])), wt)
        return UnsafeViewBackward0.apply(prod, shape=out_shape)
    if not input._data.flags.c_contiguous:
        return matmul(input, wt) + bias
    flat = ViewBackward0.apply(input, shape=(-1, shape[-1]))
    return ViewBackward0.apply(AddmmBackward0.apply(bias, flat, wt, beta=1, alpha=1), shape=out_shape)


def _linear_unfused(input, weight, bias):
    """torch's own route for a weight that is not a matrix or a bias that is not a vector:
    matmul(input, weight.t()) + bias, except where torch fuses into addmm (2-D input with a bias,
    or a contiguous input with a 1-D bias), which needs a matrix weight."""
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim == 1 and bias is not None and (input.ndim == 2 or bias.ndim == 1 and input.is_contiguous()):
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    out = matmul(input, weight.t())
    return out if bias is None else out + bias


def _dt(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int"}.get(t._dtype.name, t._dtype.name)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T W_k x2 + b_k."""
    from .matmul import einsum

    for i, (x, n) in enumerate(((input1, weight._data.shape[1]), (input2, weight._data.shape[2])), 1):
        if x._data.shape[-1] != n:  # torch's checks, before einsum words them its own way
            raise RuntimeError(f"bilinear(): input{i} size does not match weight size: got {x._data.shape[-1]} but "
                               f"expected {n}")
    if input1._data.shape[:-1] != input2._data.shape[:-1]:
        d = next(i for i, (a, b) in enumerate(zip(input1.shape, input2.shape)) if a != b)
        raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got {input1.shape[d]} and "
                           f"{input2.shape[d]}")
    if bias is not None and bias._data.shape[-1] != weight._data.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias._data.shape[-1]} but "
                           f"expected {weight._data.shape[0]}")

    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# -- normalisation ------------------------------------------------------------------------------
# layer_norm, batch_norm and group_norm are one op each, as in torch: y = (x - mean) * rstd * w + b with
# the statistics over `dims` of a "statistics view" of x (x itself, or (N, G, -1) for group_norm) and
# w, b broadcast over x as `wshape`. The backward formula is written once, on values that are either
# arrays (the fast path, when no graph is recorded: in-place ufuncs on fresh temporaries) or Tensors
# (create_graph: every step is an ember op, so double backward differentiates it, statistics included).
def _rows(a, dims):
    """(rows, n) when dims are the trailing axes of a C-contiguous float array: then a reduction over
    them is a matrix-vector product, which BLAS runs ~3x faster than ufunc.reduce (layer_norm, group_norm)."""
    k = len(dims)
    if (isinstance(a, Tensor) or a.dtype.kind != "f" or not a.flags.c_contiguous or not k
            or dims != tuple(range(a.ndim - k, a.ndim))):
        return None
    n = math.prod(a.shape[a.ndim - k:])
    return (a.size // n if n else 0), n


_FILLED = {}


def _filled(xp, n, dtype, value):
    """n copies of value: the right-hand side of the BLAS reductions below, cached (read only) on the CPU."""
    if xp is not np:
        return xp.full(n, value, dtype)
    key = (n, dtype, value)
    v = _FILLED.get(key)
    if v is None:
        if len(_FILLED) > 64:
            _FILLED.clear()
        v = _FILLED[key] = np.full(n, value, dtype)
        v.flags.writeable = False
    return v


def _mean(a, dims):
    if isinstance(a, Tensor):
        return a.mean(dims, keepdim=True)
    rn = _rows(a, dims)
    if rn is None or not rn[1]:
        return a.mean(axis=dims, keepdims=True)
    out = a.reshape(rn) @ _filled(xp_of(a), rn[1], a.dtype, 1 / rn[1])
    return out.reshape(a.shape[:a.ndim - len(dims)] + (1,) * len(dims))


def _mean_prod(a, b, dims):
    """mean(a * b) over dims, kept: per-row dot products when the dims are trailing (no temporary)."""
    rn = None if isinstance(a, Tensor) or a.shape != b.shape else _rows(a, dims)
    if rn is None or not rn[1] or not b.flags.c_contiguous:
        return _mean(a * b, dims)
    xp = xp_of(a)
    if hasattr(xp, "vecdot"):
        out = xp.vecdot(a.reshape(rn), b.reshape(rn))
    else:
        out = a.reshape(rn[0], 1, rn[1]) @ b.reshape(rn[0], rn[1], 1)
    out = out.reshape(a.shape[:a.ndim - len(dims)] + (1,) * len(dims))
    out /= rn[1]
    return out


def _sum(a, dims):
    if isinstance(a, Tensor):
        return a.sum(dims)
    k = len(dims)
    if (k and dims == tuple(range(k)) and a.dtype.kind == "f" and a.flags.c_contiguous and a.size):
        lead = math.prod(a.shape[:k])  # column sums of a (lead, rest) matrix: a vector-matrix product
        return (_filled(xp_of(a), lead, a.dtype, 1) @ a.reshape(lead, -1)).reshape(a.shape[k:])
    return a.sum(axis=dims)


def _into(ufunc, a, b, fresh):
    """ufunc(a, b), written into `fresh` (one of a, b, a temporary of the result's shape) when the
    values are arrays; a recorded Tensor op when they are Tensors."""
    if isinstance(fresh, Tensor):
        return {np.multiply: Tensor.__mul__, np.subtract: Tensor.__sub__, np.add: Tensor.__add__}[ufunc](a, b)
    return getattr(xp_of(fresh), ufunc.__name__)(a, b, out=fresh)


def _compute_dtype(x):
    """Half types are normalised in float32 and rounded once at the end, as torch does."""
    return np.float32 if D.is_half(x.dtype) else x.dtype


def _moments(x, dims, centered=False):
    """Mean and biased variance of an array over dims (kept), in the compute dtype; with centered,
    also x - mean (the forward normalises that buffer in place instead of subtracting again)."""
    x = x.astype(_compute_dtype(x), copy=False)
    mean = _mean(x, dims)
    xc = x - mean
    return (mean, _mean_prod(xc, xc, dims), xc) if centered else (mean, _mean_prod(xc, xc, dims))


class _NativeNorm(Op):
    """Params: stat_shape (x's statistics view, None for x itself), dims (statistics dims of that view),
    wshape (w and b broadcast over x, None for as they are), rdims (x's dims that dw, db sum over),
    eps, stats ((mean, var) arrays, or None to compute them) and batch (whether the statistics are
    x's own, so dx flows through them, or constants: batch_norm's running statistics)."""

    save_inputs = True
    half_stats = False
    keep_xhat = False

    saved_names = ("input", "weight", "bias")

    def forward(self, x, w, b, stat_shape, dims, wshape, rdims, eps, stats, batch):
        self.stat_shape, self.dims, self.wshape, self.rdims, self.eps, self.batch = \
            stat_shape, dims, wshape, rdims, eps, batch
        self.in_shape = x.shape
        xp = xp_of(x)
        ct = _compute_dtype(x)
        xs = x.astype(ct, copy=False).reshape(stat_shape or x.shape)
        if stats is None:
            mean, var, out = _moments(xs, dims, centered=True)
        else:
            mean, var = (a.astype(ct, copy=False) for a in stats)
            out = xp.subtract(xs, mean, dtype=ct)
        rstd = var + eps
        xp.sqrt(rstd, out=rstd)
        xp.reciprocal(rstd, out=rstd)
        if self.half_stats and ct is not x.dtype and batch:  # torch's batch norm rounds its statistics to half
            mean, rstd = mean.astype(x.dtype).astype(ct), rstd.astype(x.dtype).astype(ct)
            out = xp.subtract(xs, mean)
        self.mean, self.rstd = mean, rstd
        out *= rstd
        out = out.reshape(x.shape)
        # Kept for a backward without a graph (2 of its ~8 passes), when the output is a new array:
        # with neither w nor b the output is this buffer, which the caller may change in place.
        self.xhat = out if self.keep_xhat and _state.enabled and (w is not None or b is not None) else None
        if w is not None:
            out = xp.multiply(out, w.reshape(wshape or w.shape), out=None if self.xhat is not None else out)
        if b is not None:
            out = xp.add(out, b.reshape(wshape or b.shape), out=None if out is self.xhat else out)
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        x, w, _ = self.saved_tensors
        want_x, want_w, want_b = (f[0] is not None for f in self.next_functions)
        dims, shape = self.dims, x._data.shape
        view = self.stat_shape or shape
        if _state.enabled:  # create_graph: Tensor ops throughout
            ct = D._BY_NP[np.dtype(_compute_dtype(x._data))]
            G, X = g.to(ct), x.to(ct)
            W = None if w is None else w.to(ct).reshape(self.wshape or w.shape)
            if self.batch:
                mean = _mean(X.reshape(view), dims)
                xc = X.reshape(view) - mean
                rstd = (_mean(xc * xc, dims) + self.eps).rsqrt()
            else:
                mean, rstd = _wrap(self.mean), _wrap(self.rstd)
        else:  # no graph: the same formula on arrays, in place where a temporary is ours
            ct = _compute_dtype(x._data)
            G, X = g._data.astype(ct, copy=False), x._data.astype(ct, copy=False)
            W = None if w is None else w._data.astype(ct, copy=False).reshape(self.wshape or w._data.shape)
            mean, rstd = self.mean, self.rstd
        if self.xhat is not None and not _state.enabled:
            xhat = self.xhat  # read only below: a retained graph may run this backward again
        else:
            xhat = X.reshape(view) - mean
            xhat = _into(np.multiply, xhat, rstd, xhat).reshape(shape)
        gb = _sum(G, self.rdims) if want_b else None
        gw = _sum(G * xhat, self.rdims) if want_w else None
        gx = None
        if want_x:
            hs = (G if W is None else G * W).reshape(view)
            if self.batch:  # dx = rstd * (h - mean(h) - xhat * mean(h * xhat)) over the statistics dims
                xhs = xhat.reshape(view)
                c = _mean_prod(hs, xhs, dims)
                t = xhs * c if xhat is self.xhat else _into(np.multiply, xhs, c, xhs)  # reuse xhat if ours
                t = _into(np.add, t, _mean(hs, dims), t)
                t = _into(np.subtract, hs, t, t)
                gx = _into(np.multiply, t, rstd, t)
                gx = gx if gx.shape == shape else gx.reshape(shape)  # a base-less array is adopted as .grad
            else:  # constant statistics: y is affine in x
                gx = (hs * rstd).reshape(shape)
        # dw, db are cast to w's and b's dtypes by Op._apply; dx needs its own cast
        gx, gw, gb = (v if v is None or isinstance(v, Tensor) else _wrap(v) for v in (gx, gw, gb))
        return (gx if gx is None or gx._dtype is x._dtype else gx.to(x._dtype)), gw, gb


class NativeLayerNormBackward0(_NativeNorm):
    keep_xhat = True
    saved_names = ("input", "weight", "bias", "result1=result1", "result2=result2",
                   "normalized_shape=normalized_shape")

    # torch's saved statistics: mean and rstd over the normalised dims (kept), in the input's dtype
    @property
    def result1(self):
        return _wrap(self.mean.astype(self.in_dtype, copy=False))

    @property
    def result2(self):
        return _wrap(self.rstd.astype(self.in_dtype, copy=False))

    @property
    def in_dtype(self):
        return self._saved[0][0]._data.dtype

    @property
    def normalized_shape(self):
        return tuple(self.in_shape[d] for d in self.dims)


class NativeBatchNormBackward0(_NativeNorm):
    half_stats = True


class NativeGroupNormBackward0(_NativeNorm):
    pass


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(normalized_shape)}")
    if tuple(input._data.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{input.shape}")
    nd = input.ndim
    return NativeLayerNormBackward0.apply(input, weight, bias, stat_shape=None, dims=tuple(range(nd - k, nd)),
                                          wshape=None, rdims=tuple(range(nd - k)), eps=eps, stats=None, batch=True)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Training: normalise with the batch statistics and move the running ones
    toward them (the variance unbiased, as torch); eval: use the running ones."""
    if input.ndim < 2:
        # torch reads the channels from dim 1: a 1-D input passes only when empty (no channels)
        if input._data.size:
            input._wrap_dim(1)  # torch's IndexError
        return input.clone()
    c = input._data.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    wshape = (1, c) + (1,) * (input.ndim - 2)
    dims = (0,) + tuple(range(2, input.ndim))
    if input._data.size == 0:  # an empty batch: torch returns it, the running statistics untouched
        return NativeBatchNormBackward0.apply(input, weight, bias, stat_shape=None, dims=dims, wshape=wshape,
                                              rdims=dims, eps=eps, stats=(input._data.sum(dims, keepdims=True),) * 2,
                                              batch=False)
    if training:
        n = input._data.size // c
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        mean, var = _moments(input._data, dims)
        if running_mean is not None:
            rm = running_mean._data
            rm *= 1 - momentum
            rm += momentum * mean.reshape(c).astype(rm.dtype, copy=False)
            running_mean._bump_version()
        if running_var is not None:
            rv = running_var._data
            rv *= 1 - momentum
            rv += momentum * (var.reshape(c) * (n / (n - 1))).astype(rv.dtype, copy=False)
            running_var._bump_version()
    else:
        mean, var = running_mean._data.reshape(wshape), running_var._data.reshape(wshape)
    return NativeBatchNormBackward0.apply(input, weight, bias, stat_shape=None, dims=dims, wshape=wshape, rdims=dims,
                                          eps=eps, stats=(mean, var), batch=training)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    n, c = input._data.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {input.shape} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t._data.size != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    nd = input.ndim
    return NativeGroupNormBackward0.apply(
        input, weight, bias, stat_shape=(n, num_groups, input._data.size // max(n * num_groups, 1)), dims=(2,),
        wshape=(1, c) + (1,) * (nd - 2), rdims=(0,) + tuple(range(2, nd)), eps=eps, stats=None, batch=True)


def index_add_arrays(out, idx, values):
    """out[idx] += values along out's first axis, repeated indices accumulating (indexing.add_rows)."""
    from .indexing import add_rows

    add_rows(out, idx, values)


# -- embedding ----------------------------------------------------------------------------------
class EmbeddingBackward0(Op):
    """Row lookup weight[indices]; the gradient adds g's rows back into the looked-up
    rows (padding_idx's row gets none)."""

    saved_names = ("indices=idx", "padding_idx=padding_idx", "scale_grad_by_freq=scale_grad_by_freq:False", "sparse=sparse:False", "weight_sym_argsize_0=num")

    def forward(self, w, idx, padding_idx):
        self.idx, self.padding_idx, self.num = idx, padding_idx, w.shape[0]
        return w[idx]

    def backward(self, g):
        return EmbeddingDenseBackward0.apply(g, idx=self.idx, num_weights=self.num, padding_idx=self.padding_idx)


class EmbeddingDenseBackward0(Op):
    def forward(self, g, idx, num_weights, padding_idx):
        self.idx, self.padding_idx = idx, padding_idx
        xp = xp_of(g)
        out = xp.zeros((num_weights,) + g.shape[idx.ndim:], dtype=g.dtype)
        index_add_arrays(out, idx.ravel(), g.reshape((-1,) + g.shape[idx.ndim:]))
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    def backward(self, h):
        return EmbeddingBackward0.apply(h, idx=self.idx, padding_idx=self.padding_idx)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    if input._dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{_TYPE_NAMES.get(input._dtype.name, input._dtype.name)} "
                           "instead (while checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return EmbeddingBackward0.apply(weight, idx=idx, padding_idx=padding_idx)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _renorm_rows(weight, idx, max_norm, norm_type):
    """embedding(max_norm=...): rows used whose norm exceeds max_norm are scaled down in place."""
    xp = xp_of(weight._data)
    rows = xp.unique(idx.ravel())
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._bump_version()


# -- losses ---------------------------------------------------------------------------------
_REDUCTIONS = ("none", "mean", "sum")


def reduction_enum(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


class _LossOp(Op):
    """A loss node: the elementwise loss reduced here ('none', 'sum', 'mean'), and the incoming
    gradient scaled back (1/n for 'mean', times the constant weight when there is one)."""

    weight = None

    def _reduced(self, loss, reduction):
        self.reduction, self.n = reduction, loss.size
        if reduction == "none":
            return loss
        s = _accumulate_sum(loss, tuple(range(loss.ndim)), False)  # sum and mean as ember's reductions
        if reduction == "sum":
            return s
        return (s / self.n).astype(loss.dtype, copy=False) if self.n else s * np.nan

    def _scaled(self, g):
        if self.reduction == "mean" and self.n:
            g = g / self.n
        return g if self.weight is None else g * _wrap(self.weight)


class MseLossBackward0(_LossOp):
    """mse_loss of same-shaped tensors of one float dtype: (x - t)^2, then its mean, sum or
    itself (reduction 'none'); dx = norm * (x - t) * g with torch's norm, 2/n for 'mean'
    (rounded to the dtype, as torch's kernel takes it) or 2; dt = -dx."""

    save_inputs = True

    saved_names = ("self", "target", "reduction=reduction")

    def forward(self, x, t, reduction):
        loss = x - t
        loss *= loss
        return self._reduced(loss, reduction)

    def backward(self, g):
        x, t = self.saved_tensors
        want_x, want_t = (f[0] is not None for f in self.next_functions)
        norm = 2.0 / self.n if self.reduction == "mean" and self.n else 2.0  # (empty: no values to scale)
        gx = (x - t) * norm * g
        return (gx if want_x else None), (-gx if want_t else None)


class _PointwiseLoss(_LossOp):
    """A loss of same-shaped x and t that is elementwise, then reduced, in one node: `f` on arrays,
    `dfdx` in Tensor ops (the target gets its negative), scaled by g (g / n for
    'mean'), so double backward works."""

    save_inputs = True

    def forward(self, x, t, reduction, **params):
        self.params = params
        return self._reduced(self.f(xp_of(x), x, t, **params).astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, t = self.saved_tensors
        g = self._scaled(g)
        gx = g * self.dfdx(x, t, **self.params) if self.needs_grad(0) else None
        gt = -gx if gx is not None and self.needs_grad(1) else (
            -(g * self.dfdx(x, t, **self.params)) if self.needs_grad(1) else None)
        return gx, gt


class HuberLossBackward0(_PointwiseLoss):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = x - t;  dl/dx = clamp(d, -delta, delta)."""

    @staticmethod
    def f(xp, x, t, delta):
        d = xp.abs(x - t)
        return xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))

    @staticmethod
    def dfdx(x, t, delta):
        return (x - t).clamp(-delta, delta)


class SmoothL1LossBackward0(_PointwiseLoss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta;  dl/dx = clamp(d / beta, -1, 1) (sign(d) for beta 0)."""

    @staticmethod
    def f(xp, x, t, beta):
        d = xp.abs(x - t)
        return d if beta == 0 else xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)

    @staticmethod
    def dfdx(x, t, beta):
        d = x - t
        return d.sign() if beta == 0 else (d / beta).clamp(-1, 1)


class SoftMarginLossBackward0(_PointwiseLoss):
    """log1p(exp(-t x));  dl/dx = -t z / (1 + z), z = exp(-t x): torch's formulas as they are (inf and
    NaN where exp overflows). The target is a constant (torch records x only)."""

    def forward(self, x, target, reduction):
        self.target = target
        return super().forward(x, target, reduction)

    @staticmethod
    def f(xp, x, t):
        return xp.log1p(xp.exp(-t * x))

    def backward(self, g):
        (x,) = self.saved_tensors
        t = _wrap(self.target)
        z = (-t * x).exp()
        return self._scaled(g) * (-t * z / (1 + z))


class NllLossBackward0(Op):
    """loss_i = -w[t_i] * logp[i, t_i] over the class dim (0 for a 1-D input, else 1), 0 where
    t_i == ignore_index; 'mean' divides by the sum of the weights used. The gradient puts
    -w[t_i]/denominator at (i, t_i): it is linear in g (so double backward is g's product with a
    constant). target and weight are parameters, not inputs: torch records only the log-probs."""

    save_inputs = True  # torch keeps `self` (the log-probs): shown as _saved_self, version-checked
    saved_names = ("self", "target=target", "weight=weight", "total_weight=total_weight",
                   "ignore_index=ignore_index", "reduction=reduction")

    @property
    def total_weight(self):
        """torch's saved total_weight: the sum of the weights used (the count of targets not
        ignored without weights), 0 for reduction='none' (torch's kernel does not compute it)."""
        xp = xp_of(self.safe)
        dtype = self._saved[0][0]._data.dtype
        if self.reduction == "none":
            total = 0
        else:
            total = self.safe.size if self.wt is None else self.wt.sum()
        return _wrap(xp.asarray(total, dtype=dtype))

    def forward(self, logp, target, weight, reduction, ignore_index):
        self.target, self.weight, self.ignore_index = target, weight, ignore_index
        xp = xp_of(logp)
        ax = 0 if logp.ndim == 1 else 1
        c = logp.shape[ax]
        lo, hi = (int(target.min()), int(target.max())) if target.size else (0, 0)
        if lo >= 0 and hi < c and not lo <= ignore_index <= hi:  # nothing ignored (the usual case): no mask
            safe = target.copy()  # a copy: the backward needs the targets of now
            wt = None if weight is None else weight[safe]
        else:
            valid = target != ignore_index
            safe, bad = xp.where(valid, target, 0), target[valid]
            if bad.size and (bad.min() < 0 or bad.max() >= c):
                raise IndexError(f"Target {int(bad[(bad < 0) | (bad >= c)][0])} is out of bounds.")
            wt = valid.astype(logp.dtype) if weight is None else weight[safe] * valid
        if logp.ndim == 2:
            picked = logp[xp.arange(len(safe)), safe]
        else:
            picked = xp.take_along_axis(logp, xp.expand_dims(safe, ax), axis=ax).squeeze(ax)
        loss = -picked if wt is None else -(picked * wt)
        self.shape, self.safe, self.wt, self.reduction = logp.shape, safe, wt, reduction
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "sum":
            return total
        self.denom = loss.dtype.type(loss.size) if wt is None else wt.sum()
        return total / self.denom

    def backward(self, g):
        xp = xp_of(self.safe)
        coef = -1.0 if self.wt is None else -self.wt
        if self.reduction == "mean":
            coef = coef / self.denom
        full = xp.zeros(self.shape, dtype=g._data.dtype)
        if len(self.shape) == 2:
            full[xp.arange(len(self.safe)), self.safe] = coef
        else:
            ax = 0 if len(self.shape) == 1 else 1
            xp.put_along_axis(full, xp.expand_dims(self.safe, ax), xp.expand_dims(xp.asarray(coef), ax)
                              if xp.ndim(coef) else coef, axis=ax)
        if self.reduction == "none" and len(self.shape) > 1:
            g = g.unsqueeze(1)
        return g * _wrap(full)


class NllLoss2DBackward0(NllLossBackward0):
    """nll_loss of a 4-D (N, C, H, W) input: torch's nll_loss2d kernel."""


_TARGET_WORDS = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int32": "Int",
                 "int16": "Short", "int8": "Char", "bool": "Bool", "complex64": "ComplexFloat",
                 "complex128": "ComplexDouble"}


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    if _amp.active: return _autocast("nll_loss", nll_loss, input, target, weight, size_average, ignore_index, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim > 1 and input._data.shape[0] != target._data.shape[0]:
        raise ValueError(f"Expected input batch_size ({input._data.shape[0]}) to match target batch_size "
                         f"({target._data.shape[0]}).")
    if input.ndim <= 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target._dtype is not D.int64 and target._dtype is not D.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_TARGET_WORDS[target._dtype.name]}")
    shape = input._data.shape
    if input.ndim == 1 and target._data.size != 1 and target.ndim:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target._data.shape[0]}")
    c = shape[1] if input.ndim > 1 else shape[0]
    if weight is not None and (weight.ndim != 1 or weight._data.size != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got weight "
                           f"tensor of shape: {list(weight.shape)}")
    if input.ndim > 2 and target._data.shape != shape[:1] + shape[2:]:
        if input.ndim == 4:
            raise RuntimeError(f"size mismatch (got input: {list(shape)} , target: {list(target.shape)}")
        raise RuntimeError(f"Expected target size {list(shape[:1] + shape[2:])}, got {list(target.shape)}")
    params = dict(target=target._data, weight=None if weight is None else weight._data, reduction=reduction,
                  ignore_index=ignore_index)
    if input.ndim <= 2:
        return NllLossBackward0.apply(input, **params)
    if input.ndim == 4:
        return NllLoss2DBackward0.apply(input, **params)
    # other ranks: torch views (N, C, d1, ...) as (N, C, 1, d1 * ...) for nll_loss2d
    n, c = input._data.shape[:2]
    flat = input.view(n, c, 1, -1)
    params["target"] = target._data.reshape(n, 1, -1)
    out = NllLoss2DBackward0.apply(flat, **params)
    return out.view(target.shape) if reduction == "none" else out


def _legacy_reduction(size_average, reduce, reduction):
    """torch's deprecated size_average/reduce pair, mapped onto `reduction`."""
    if size_average is None and reduce is None:
        return reduction_enum(reduction)
    import warnings

    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    out = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{out}' instead.",
                  UserWarning, stacklevel=3)
    return out


class BinaryCrossEntropyBackward0(_LossOp):
    """l = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100 (torch), then reduced;
    dl/dx = w (x - t) / max(x (1 - x), 1e-12),  dl/dt = -w logit(x).
    The weight is a constant (torch records input and target only)."""

    save_inputs = True

    def forward(self, x, t, weight, reduction):
        xp = xp_of(x)
        log_x = xp.maximum(xp.log(x), -100)
        log_1mx = xp.maximum(xp.log1p(-x), -100)
        out = -(t * log_x + (1 - t) * log_1mx)
        if weight is not None:
            out *= weight
        self.weight = weight
        return self._reduced(out.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, t = self.saved_tensors
        g = self._scaled(g)
        want_x, want_t = (f[0] is not None for f in self.next_functions)
        gx = None
        if want_x:
            denom = x * (1 - x)
            gx = g * (x - t) / where(denom < 1e-12, 1e-12, denom)
        gt = -g * x.logit() if want_t else None  # torch's: unclamped, infinite at x = 0 or 1
        return gx, gt


class BinaryCrossEntropyWithLogitsBackward0(_LossOp):
    """l = (1 - t) x + lw * softplus(-x), lw = 1 + (pos_weight - 1) t (1 without pos_weight), times
    weight, then reduced; softplus(-x) = log1p(exp(-|x|)) + max(-x, 0), computed in place.
    dl/dx = (1 - t) - lw * sigmoid(-x) (sigmoid(x) - t without pos_weight),
    dl/dt = -x + (pos_weight - 1) softplus(-x); weight and pos_weight are constants, as in torch."""

    save_inputs = True

    def forward(self, x, t, weight, pos_weight, reduction):
        xp = xp_of(x)
        loss = xp.abs(x, out=xp.empty_like(x))  # an array even for 0-d x (NumPy returns a scalar there)
        xp.negative(loss, out=loss)
        xp.exp(loss, out=loss)
        xp.log1p(loss, out=loss)
        loss += xp.maximum(-x, 0)
        if pos_weight is not None:
            loss = loss * ((pos_weight - 1) * t + 1)
        loss += (1 - t) * x  # torch's term: x - t x would be inf - inf at x = inf
        if weight is not None:
            loss = loss * weight
        self.weight, self.pos_weight = weight, pos_weight
        return self._reduced(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, t = self.saved_tensors
        want_x, want_t = (f[0] is not None for f in self.next_functions)
        g = self._scaled(g)
        pw = None if self.pos_weight is None else _wrap(self.pos_weight)
        gx = gt = None
        if want_x:
            gx = g * (x.sigmoid() - t if pw is None else (1 - t) - ((pw - 1) * t + 1) * (-x).sigmoid())
        if want_t:
            gt = g * (-x if pw is None else (pw - 1) * SoftplusBackward0.apply(-x, beta=1, threshold=20) - x)
        return gx, gt


# -- activations with a closed-form derivative ---------------------------------------------
class _Pointwise(Op):
    """x -> f(x) with f' written in Tensor ops on the saved input."""

    save_inputs = True

    @half_in_float32
    def forward(self, x, **params):
        self.params = params
        return self.f(xp_of(x), x, **params).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        return self.df(g, x, **self.params)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


# Abramowitz & Stegun 7.1.26 (torch's Vectorized<float>::erf, which its CPU GELU calls), with the
# 1/sqrt(2) of erf(x / sqrt(2)) folded into p, and into the polynomial the 1/2 of cdf = (1 + erf) / 2
# and sqrt(2 pi), because the exp below is kept scaled as the normal pdf.
_AS_P = 0.3275911 / math.sqrt(2)
_AS_R = tuple(0.5 * math.sqrt(2 * math.pi) * c
              for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def _gelu_cdf_f32(xp, x, keep_deriv):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2 on a 1-d float32 array in ~20 passes (NumPy has no
    vectorised erf; its sign/copysign are slow, so the sign is moved with integer bit ops as
    torch's kernel does), and when asked the GELU derivative Phi(x) + x phi(x)."""
    f32 = np.float32
    t = xp.abs(x)
    t *= f32(_AS_P)
    t += f32(1)
    xp.reciprocal(t, out=t)
    h = t * f32(_AS_R[0])
    for c in _AS_R[1:]:
        h += f32(c)
        h *= t
    pdf = xp.multiply(x, f32(-0.5))
    pdf *= x
    xp.exp(pdf, out=pdf)
    pdf *= f32(_INV_SQRT_2PI)
    h *= pdf  # (1 - erf(|x| / sqrt 2)) / 2
    xp.subtract(f32(0.5), h, out=h)
    sign = xp.bitwise_and(x.view(np.uint32), np.uint32(0x80000000), out=t.view(np.uint32))
    xp.bitwise_xor(h.view(np.uint32), sign, out=h.view(np.uint32))  # erf(x / sqrt 2) / 2, odd in x
    h += f32(0.5)
    if not keep_deriv:
        return h, None
    pdf *= x
    pdf += h
    return h, pdf


class GeluBackward0(_Pointwise):
    """Exact GELU runs on arrays in place. float32 and the half types (in float32) use torch's own
    CPU formula: its vectorised erf is Abramowitz & Stegun 7.1.26, 1 - t R(t) exp(-z^2) with
    t = 1 / (1 + p |z|), one exp and a degree-4 polynomial (torch's float64 uses an accurate erf,
    as ember's does). When a gradient will be needed the forward also keeps the derivative
    cdf + x pdf (it has exp(-x^2/2) in hand), so that the backward without a graph is one
    multiply; with create_graph the backward is Tensor ops (df). The tanh form goes through f/df."""

    def forward(self, x, approximate):
        self.params = {"approximate": approximate}
        self.deriv = None
        if approximate != "none":
            return self.f(xp_of(x), x, approximate).astype(x.dtype, copy=False)
        xp = xp_of(x)
        ct = np.dtype(_compute_dtype(x)).type
        xc = x.astype(ct, copy=False).reshape(-1)  # 1-d: in-place passes need arrays, not scalars
        keep = _state.enabled  # a graph may be recorded: keep the derivative
        if ct is np.float32:
            cdf, deriv = _gelu_cdf_f32(xp, xc, keep)
        else:
            cdf = _erf(xp, xc * ct(1 / math.sqrt(2)))
            cdf += ct(1)
            cdf *= ct(0.5)
            deriv = None
            if keep:
                deriv = xp.multiply(xc, ct(-0.5))
                deriv *= xc
                xp.exp(deriv, out=deriv)
                deriv *= ct(_INV_SQRT_2PI)  # pdf
                deriv *= xc
                deriv += cdf
        self.deriv = deriv
        cdf *= xc
        return cdf.reshape(x.shape).astype(x.dtype, copy=False)

    def backward(self, g):
        if self.deriv is None or _state.enabled:  # create_graph: Tensor ops
            return super().backward(g)
        d = self.deriv.reshape(g.shape)
        return _wrap((d * g._data).astype(g._data.dtype, copy=False))

    @staticmethod
    def f(xp, x, approximate):  # the tanh form (the exact one is the forward above)
        x = D.opmath(x)  # half types in float32, rounded once by the caller (as torch)
        return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))))  # x*x*x: NumPy's power is slow

    @staticmethod
    def df(g, x, approximate):
        if approximate == "tanh":
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)).tanh()
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x))
        cdf = 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
        return g * (cdf + x * _INV_SQRT_2PI * (-0.5 * x * x).exp())


class SiluBackward0(_Pointwise):
    @staticmethod
    def f(xp, x):
        return x / (1 + xp.exp(-x))

    @staticmethod
    def df(g, x):
        s = x.sigmoid()
        return g * s * (1 + x * (1 - s))


class EluBackward0(_Pointwise):
    """elu/selu/celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    @staticmethod
    def f(xp, x, alpha, scale, input_scale):
        return scale * xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0) * input_scale))

    @staticmethod
    def df(g, x, alpha, scale, input_scale):  # torch tests x <= 0: a NaN input takes the linear side
        return where(x <= 0, g * (scale * alpha * input_scale) * (x * input_scale).exp(), g * scale)


class LeakyReluBackward0(_Pointwise):
    @staticmethod
    def f(xp, x, negative_slope):
        return xp.where(x > 0, x, x * negative_slope)

    @staticmethod
    def df(g, x, negative_slope):
        return where(x > 0, g, g * negative_slope)


class SoftplusBackward0(_Pointwise):
    """(1/beta) log(1 + exp(beta x)), linear where beta x > threshold."""

    @staticmethod
    def f(xp, x, beta, threshold):
        bx = x * beta
        return xp.where(bx > threshold, x, xp.logaddexp(0, bx) / beta)

    @staticmethod
    def df(g, x, beta, threshold):
        bx = x * beta
        return where(bx > threshold, g, g * bx.sigmoid())


class HardtanhBackward0(_Pointwise):
    @staticmethod
    def f(xp, x, min_val, max_val):
        return xp.clip(x, min_val, max_val)

    @staticmethod
    def df(g, x, min_val, max_val):  # torch zeroes x <= min or x >= max: a NaN input passes g
        return where((x <= min_val) | (x >= max_val), 0.0, g)


_ONE_SIXTH = float(np.float32(1 / 6))  # torch's kernels use the float 1.0f / 6.0f, for double too


class HardsigmoidBackward0(_Pointwise):
    """min(max(x + 3, 0), 6) / 6; gradient 1/6 inside (-3, 3), 0 elsewhere and at NaN (torch's kernel)."""

    @staticmethod
    def f(xp, x):
        return xp.clip(x + 3, 0, 6) / 6

    @staticmethod
    def df(g, x):
        return where((x > -3) & (x < 3), g * _ONE_SIXTH, 0.0)


class HardswishBackward0(_Pointwise):
    """x min(max(x + 3, 0), 6) / 6; gradient 0 below -3, x / 3 + 1/2 up to 3, 1 above (and at NaN)."""

    @staticmethod
    def f(xp, x):
        return x * xp.clip(x + 3, 0, 6) / 6

    @staticmethod
    def df(g, x):
        return where(x < -3, 0.0, where(x <= 3, g * (x / 3 + 0.5), g))


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return GeluBackward0.apply(input, approximate=approximate)


def silu(input, inplace=False):
    if not input._dtype.is_complex:  # torch's silu has complex kernels (holomorphic: x * sigmoid(x))
        _float_only(input, "silu_cpu")
    return SiluBackward0.apply(input)


def elu(input, alpha=1.0, inplace=False):
    _float_only(input, "elu_cpu")
    return EluBackward0.apply(input, alpha=alpha, scale=1.0, input_scale=1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    _float_only(input, "elu_cpu")
    return EluBackward0.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def celu(input, alpha=1.0, inplace=False):
    _float_only(input, "elu_cpu")
    return EluBackward0.apply(input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _float_only(input, "leaky_relu_cpu")
    return LeakyReluBackward0.apply(input, negative_slope=negative_slope)


def softplus(input, beta=1.0, threshold=20.0):
    _float_only(input, "softplus_cpu")
    return SoftplusBackward0.apply(input, beta=beta, threshold=threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return HardtanhBackward0.apply(input, min_val=min_val, max_val=max_val)


def hardsigmoid(input):
    return HardsigmoidBackward0.apply(input)


def hardswish(input):
    return HardswishBackward0.apply(input)


Tensor.softmax = softmax
Tensor.log_softmax = log_softmax

__all__ = ["softmax", "log_softmax"]
