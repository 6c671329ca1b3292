"""Fused neural-network ops: softmax, log_softmax, linear, normalisation,
embedding, nll_loss, binary_cross_entropy and the activations with a closed-form
derivative. Convolution and pooling live in `_conv.py` (re-exported here).

Each op computes its forward in one pass on arrays and writes its backward
with ember Tensor ops, so higher-order gradients work.
"""
import math

import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op, _wrap
from ._conv import (  # noqa: F401 - re-exported family members
    conv_nd, conv_transpose_nd, max_pool_nd, avg_pool_nd, adaptive_avg_pool_nd,
)
from ._special import erf as _erf
from .matmul import matmul, matmul_arrays
from .reduction import _accumulate_sum
from .selection import where


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


class SoftmaxBackward0(Op):
    """y = exp(x - max) / sum(exp(x - max));  dx = y * (g - sum(g * y))."""

    save_output = True

    saved_names = ("dim=dim", "result")

    def forward(self, x, dim):
        self.dim = dim
        if x.ndim == 0:
            return np.ones_like(x) if type(x) is np.ndarray else x * 0 + 1
        e = xp_of(x).exp(x - x.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
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
        xp = xp_of(x)
        shifted = x - x.max(axis=dim, keepdims=True)
        shifted -= xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        return shifted

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
class LinearBackward0(Op):
    """y = x @ W^T + b over the last dim of x;
    dx = g @ W,  dW = g^T @ x (leading dims flattened),  db = sum of g over leading dims."""

    save_inputs = True

    def forward(self, x, w, b):
        out = matmul_arrays(x, w.T)
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w, b = self.saved_tensors
        want_x, want_w, want_b = (f[0] is not None for f in self.next_functions)
        gx = g @ w if want_x else None
        gw = None
        if want_w:
            if g.ndim == 2:  # the usual (batch, features): no reshape ops in the graph
                gw = g.mT @ x
            else:
                n_out, n_in = w._data.shape
                gw = g.reshape(-1, n_out).mT @ x.reshape(-1, n_in)
        gb = None
        if want_b:
            gb = g if g.ndim == 1 else g.sum(0 if g.ndim == 2 else tuple(range(g.ndim - 1)))
        return gx, gw, gb


# torch reports F.linear's node by the kernel it lowers to: one node here, named as torch names it.
_LINEAR_NODES = {(ndim, has_bias): type(name, (LinearBackward0,), {"__doc__": LinearBackward0.__doc__})
                 for (ndim, has_bias), name in {(1, False): "SqueezeBackward4", (1, True): "ViewBackward0",
                                                (2, False): "MmBackward0", (2, True): "AddmmBackward0",
                                                (3, False): "UnsafeViewBackward0", (3, True): "ViewBackward0"}.items()}


def linear(input, weight, bias=None):
    if input._dtype is not weight._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_dt(input)} != {_dt(weight)}")
    if input.ndim == 0 or weight.ndim != 2 or (bias is not None and bias.ndim != 1):
        return _linear_unfused(input, weight, bias)
    if input._data.shape[-1] != weight._data.shape[-1]:
        rows = math.prod(input._data.shape[:-1])
        cols = input._data.shape[-1]
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
                           f"{weight._data.shape[-1]}x{weight._data.shape[0]})")
    return _LINEAR_NODES[min(input._data.ndim, 3), bias is not None].apply(input, weight, bias)


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

    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# -- normalisation ------------------------------------------------------------------------------
class NativeLayerNormBackward0(Op):
    """y = (x - mean) * rstd * w + b, statistics over `dims` (given by the caller,
    computed there once). Backward, with xhat = (x - mean) * rstd and h = g * w:
    dx = rstd * (h - mean(h) - xhat * mean(h * xhat)),  dw = g * xhat,  db = g
    (dw, db summed down to w's and b's shapes by Op._apply)."""

    save_inputs = True

    saved_names = ("input", "weight", "bias")

    def forward(self, x, w, b, dims, eps, mean, var):
        self.dims, self.eps = dims, eps
        xp = xp_of(x)
        out = (x - mean) * (1 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        if w is not None:
            out *= w
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w, b = self.saved_tensors
        dims = self.dims
        mean = x.mean(dims, keepdim=True)
        xc = x - mean
        rstd = ((xc * xc).mean(dims, keepdim=True) + self.eps).rsqrt()
        xhat = xc * rstd
        want_x, want_w, want_b = (f[0] is not None for f in self.next_functions)
        gx = None
        if want_x:
            h = g if w is None else g * w
            gx = rstd * (h - h.mean(dims, keepdim=True) - xhat * (h * xhat).mean(dims, keepdim=True))
        return gx, (g * xhat if want_w else None), (g if want_b else None)


class NativeBatchNormBackward0(NativeLayerNormBackward0):
    pass


def _moments(x, dims):
    """Mean and biased variance of an array over dims (kept), in x's dtype."""
    mean = x.mean(axis=dims, keepdims=True)
    xc = x - mean
    return mean, (xc * xc).mean(axis=dims, keepdims=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input._data.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{input.shape}")
    dims = tuple(range(input.ndim - k, input.ndim))
    mean, var = _moments(input._data, dims)
    return NativeLayerNormBackward0.apply(input, weight, bias, dims=dims, eps=eps, mean=mean, var=var)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Training: normalise with the batch statistics and move the running ones
    toward them (the variance unbiased, as torch); eval: use the running ones."""
    if input.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")
    c = input._data.shape[1]
    shape = (1, c) + (1,) * (input.ndim - 2)
    w = weight.reshape(shape) if weight is not None else None
    b = bias.reshape(shape) if bias is not None else None
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        n = input._data.size // c
        if n <= 1:
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
        mean = running_mean._data.reshape(shape).astype(input._data.dtype, copy=False)
        var = running_var._data.reshape(shape).astype(input._data.dtype, copy=False)
        # Constant statistics: the op is affine in x, so compose it from differentiable pieces.
        scale = _wrap((1 / xp_of(var).sqrt(var + eps)).astype(var.dtype, copy=False))
        scale = scale if w is None else w * scale
        out = (input - _wrap(mean)) * scale
        return out if b is None else out + b
    return NativeBatchNormBackward0.apply(input, w, b, dims=dims, eps=eps, mean=mean, var=var)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    n, c = input._data.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {input.shape} and num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, -1)
    dims = (2,)
    mean, var = _moments(grouped._data, dims)
    out = NativeLayerNormBackward0.apply(grouped, None, None, dims=dims, eps=eps, mean=mean, var=var)
    out = out.reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def index_add_arrays(out, idx, values):
    """out[idx] += values, repeated indices accumulating (np.add.at; cupyx.scatter_add on CUDA)."""
    xp = xp_of(out)
    if xp is np:
        np.add.at(out, idx, values)
    else:
        import cupyx

        cupyx.scatter_add(out, idx, values)


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


class MseLossBackward0(Op):
    """mse_loss of same-shaped tensors of one float dtype: (x - t)^2, then its mean, sum or
    itself (reduction 'none'); dx = norm * (x - t) * g with torch's norm, 2/n for 'mean'
    (rounded to the dtype, as torch's kernel takes it) or 2; dt = -dx."""

    save_inputs = True

    saved_names = ("self", "target", "reduction=reduction")

    def forward(self, x, t, reduction):
        loss = x - t
        loss *= loss
        self.reduction, self.n = reduction, loss.size
        if reduction == "none":
            return loss
        s = _accumulate_sum(loss, tuple(range(loss.ndim)), False)  # sum and mean as ember's reductions
        if reduction == "sum":
            return s
        return (s / self.n).astype(loss.dtype, copy=False) if self.n else s * np.nan

    def backward(self, g):
        x, t = self.saved_tensors
        want_x, want_t = (f[0] is not None for f in self.next_functions)
        norm = 2.0 / self.n if self.reduction == "mean" and self.n else 2.0  # (empty: no values to scale)
        gx = (x - t) * norm * g
        return (gx if want_x else None), (-gx if want_t else None)


class NllLossBackward0(Op):
    """loss_n = -w[t_n] * logp[n, t_n] (0 where t_n == ignore_index); 'mean' divides
    by the sum of the weights used. The gradient puts -w[t_n]/denominator at
    (n, t_n), so it is linear in g and built from the saved target."""

    saved_names = ("reduction=reduction",)

    def forward(self, logp, target, weight, reduction, ignore_index):
        xp = xp_of(logp)
        c = logp.shape[1] if logp.ndim > 1 else logp.shape[0]
        valid = target != ignore_index
        if valid.all():  # nothing ignored (the usual case): no masking
            safe, bad = target.copy(), target  # a copy: the backward needs the targets of now
        else:
            safe, bad = xp.where(valid, target, 0), target[valid]
        if bad.size and (bad.min() < 0 or bad.max() >= c):
            raise IndexError(f"Target {int(bad[(bad < 0) | (bad >= c)][0])} is out of bounds.")
        wt = valid.astype(logp.dtype) if weight is None else weight[safe] * valid
        if logp.ndim == 1:
            picked = logp[safe]
        else:
            picked = logp[xp.arange(len(safe)), safe]
        loss = -picked * wt
        self.shape, self.safe, self.wt, self.reduction = logp.shape, safe, wt, reduction
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "sum":
            return total
        self.denom = wt.sum()
        return total / self.denom

    def backward(self, g):
        xp = xp_of(self.wt)
        coef = -self.wt if self.reduction != "mean" else -self.wt / self.denom
        full = xp.zeros(self.shape, dtype=coef.dtype)
        if len(self.shape) == 1:
            full[self.safe] = coef
        else:
            full[xp.arange(len(self.safe)), self.safe] = coef
            if self.reduction == "none":
                g = g.unsqueeze(1)
        return g * _wrap(full), None, None


_TARGET_WORDS = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int32": "Int",
                 "int16": "Short", "int8": "Char", "bool": "Bool", "complex64": "ComplexFloat",
                 "complex128": "ComplexDouble"}


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
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
    if input.ndim > 2:
        # (N, C, d1, ...) -> (N * d1 * ..., C)
        c = input._data.shape[1]
        flat_in = input.permute(0, *range(2, input.ndim), 1).reshape(-1, c)
        out = NllLossBackward0.apply(flat_in, target.reshape(-1), weight, reduction=reduction,
                                     ignore_index=ignore_index)
        return out.reshape(target.shape) if reduction == "none" else out
    return NllLossBackward0.apply(input, target, weight, reduction=reduction, ignore_index=ignore_index)


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


class BinaryCrossEntropyBackward0(Op):
    """l = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100 (torch);
    dl/dx = w (x - t) / max(x (1 - x), 1e-12),  dl/dt = w (log(1 - x) - log x)."""

    save_inputs = True

    def forward(self, x, t, w):
        xp = xp_of(x)
        log_x = xp.maximum(xp.log(x), -100)
        log_1mx = xp.maximum(xp.log1p(-x), -100)
        out = -(t * log_x + (1 - t) * log_1mx)
        if w is not None:
            out *= w
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        x, t, w = self.saved_tensors
        if w is not None:
            g = g * w
        want_x, want_t, _ = (f[0] is not None for f in self.next_functions)
        gx = None
        if want_x:
            denom = x * (1 - x)
            gx = g * (x - t) / where(denom < 1e-12, 1e-12, denom)
        gt = g * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100)) if want_t else None
        return gx, gt, None


# -- activations with a closed-form derivative ---------------------------------------------
class _Pointwise(Op):
    """x -> f(x) with f' written in Tensor ops on the saved input."""

    save_inputs = True

    def forward(self, x, **params):
        self.params = params
        return self.f(xp_of(x), x, **params).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        return self.df(g, x, **self.params)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class GeluBackward0(_Pointwise):
    @staticmethod
    def f(xp, x, approximate):
        if approximate == "tanh":
            return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1 + _erf(xp, x * (1 / math.sqrt(2))).astype(x.dtype, copy=False))

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
    def df(g, x, alpha, scale, input_scale):
        return where(x > 0, g * scale, g * (scale * alpha * input_scale) * (x * input_scale).exp())


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
    def df(g, x, min_val, max_val):
        return where((x > min_val) & (x < max_val), g, g * 0)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return GeluBackward0.apply(input, approximate=approximate)


def silu(input, inplace=False):
    _float_only(input, "silu")
    return SiluBackward0.apply(input)


def elu(input, alpha=1.0, inplace=False):
    _float_only(input, "elu")
    return EluBackward0.apply(input, alpha=alpha, scale=1.0, input_scale=1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    _float_only(input, "elu")
    return EluBackward0.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def celu(input, alpha=1.0, inplace=False):
    _float_only(input, "elu")
    return EluBackward0.apply(input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _float_only(input, "leaky_relu")
    return LeakyReluBackward0.apply(input, negative_slope=negative_slope)


def softplus(input, beta=1.0, threshold=20.0):
    _float_only(input, "softplus")
    return SoftplusBackward0.apply(input, beta=beta, threshold=threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return HardtanhBackward0.apply(input, min_val=min_val, max_val=max_val)


Tensor.softmax = softmax
Tensor.log_softmax = log_softmax

__all__ = ["softmax", "log_softmax"]
