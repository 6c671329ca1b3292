"""ember.nn.functional: PyTorch's torch.nn.functional.

Fused ops (softmax, linear, conv, pooling, normalisation, embedding, nll_loss,
binary_cross_entropy, activations) come from ember/_ops/nn_ops.py; the rest is
composed here from differentiable Tensor ops.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import _random
from .._creation import empty, ones_like as _ones_like
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._ops import nn_ops as _nn
from .._ops._base import Op, _wrap
from .._ops._opmath import composite_in_float32
from .._ops.nn_ops import (  # noqa: F401 - part of the functional namespace
    linear, bilinear, layer_norm, batch_norm, group_norm, gelu, silu, elu, selu, celu,
    leaky_relu, softplus, hardtanh,
)
from .._ops.nn_ops import _TARGET_WORDS
from .._ops.random_ops import _fill_perm
from .._ops.elementwise import _broadcast_check, _inplace_saving_self
from .._ops.selection import where
from .._ops.shape import broadcast_tensors as _broadcast_tensors
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled as _is_grad_enabled, no_grad as _no_grad
from ._functional_loss import _reduce

_legacy_reduction = _nn._legacy_reduction


# -- activations ---------------------------------------------------------------------------
def relu(input, inplace=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"relu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


@composite_in_float32
def _mish(input):
    return input * softplus(input).tanh()


def mish(input, inplace=False):
    return _inplace_saving_self(_mish)(input) if inplace else _mish(input)


def logsigmoid(input):
    _nn._float_only(input, "log_sigmoid_cpu")
    return -softplus(-input)


def softsign(input):
    return input / (1 + input.abs())


def tanhshrink(input):
    return input - input.tanh()


def hardsigmoid(input, inplace=False):
    return _inplace_saving_self(_nn.hardsigmoid)(input) if inplace else _nn.hardsigmoid(input)


def hardswish(input, inplace=False):
    return _inplace_saving_self(_nn.hardswish)(input) if inplace else _nn.hardswish(input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _nn.softmax(input, _nn._softmax_dim(input.ndim, dim, "softmax"), dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _nn.log_softmax(input, _nn._softmax_dim(input.ndim, dim, "log_softmax"), dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return softmax(-input, dim, dtype=dtype)


def glu(input, dim=-1):
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {input._wrap_dim(dim)} is size {n}")
    first = [slice(None)] * input.ndim
    second = list(first)
    d = input._wrap_dim(dim)
    first[d], second[d] = slice(0, n // 2), slice(n // 2, n)
    return input[tuple(first)] * input[tuple(second)].sigmoid()


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight broadcast over the channel dim (dim 1)."""
    if _amp.active: return _autocast("prelu", prelu, input, weight)  # noqa: E701
    if input.ndim == 0 and weight.numel() != 1:  # a 0-d input takes a one-element weight only
        raise RuntimeError("Not allow zero-dim input tensor.")
    if weight.numel() != 1 and input.ndim >= 2:
        if weight.numel() != input.shape[1]:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {input.shape[1]}.")
        weight = weight.reshape((1, -1) + (1,) * (input.ndim - 2))
    elif weight.numel() == 1 and weight.ndim:
        weight = weight.reshape(())  # the result keeps input's shape (a 0-d input stays 0-d)
    return where(input > 0, input, input * weight)




# -- dropout -----------------------------------------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(input, p, shape):
    """Keep-mask scaled by 1/(1-p), drawn from ember's generator (Bernoulli(1-p)).

    A full-shape mask is laid out like input (torch draws it into empty_like(input),
    which keeps input's strides), so a transposed input gets the draws in its memory order."""
    shape = tuple(shape)
    perm = _fill_perm(input._data) if shape == input._data.shape else None
    drawn = shape if perm is None else tuple(shape[d] for d in perm)  # in the order torch fills
    if input.is_cpu:  # the new mask straight from the generator, as bernoulli_ fills it
        keep = _random.generator_for(input.device).bernoulli(math.prod(drawn), 1 - p)
        mask = Tensor._make(keep.reshape(drawn).astype(input._data.dtype), input._dtype)
    else:
        mask = empty(drawn, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    if perm is not None:
        mask = mask.permute(*np.argsort(perm).tolist())
    if p < 1:
        mask._data *= 1 / (1 - p)
    return mask


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if not training or p == 0:
        return input
    out = input * _dropout_mask(input, p, input.shape)
    return input.copy_(out) if inplace else out


def _feature_dropout(input, p, training, inplace, batched_ndim, name):
    _check_p(p)
    if not training or p == 0:
        return input
    if input.ndim not in (batched_ndim, batched_ndim - 1):
        warnings.warn(f"{name}: Received a {input.ndim}-D input to {name}, which is deprecated", UserWarning,
                      stacklevel=3)
    lead = 2 if input.ndim == batched_ndim else 1
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    out = input * _dropout_mask(input, p, shape)
    return input.copy_(out) if inplace else out


def dropout1d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:  # torch: input * 0 (no mask, no division by 1 - p)
        return input.mul_(0) if inplace else input * 0
    alpha_p = -_nn._SELU_ALPHA * _nn._SELU_SCALE
    keep = _dropout_mask(input, p, input.shape)
    keep._data = (keep._data > 0).astype(keep._data.dtype)
    a = ((1 - p) * (1 + p * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * p
    out = (input * keep + alpha_p * (1 - keep)) * a + b
    return input.copy_(out) if inplace else out


# -- embedding, one_hot, pad, normalize ----------------------------------------------------
embedding = _nn.embedding


def one_hot(tensor, num_classes=-1):
    if tensor._dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    idx = tensor._data
    xp = xp_of(idx)
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _wrap((idx[..., None] == xp.arange(num_classes)).astype(np.int64))


class ConstantPadNdBackward0(Op):
    """Pad with a constant (negative pads crop). The adjoint pads g by the negated
    amounts, so the same op gives the gradient."""

    def forward(self, x, pads, value):
        self.pads = pads
        xp = xp_of(x)
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, pads))
        if any(n < 0 for n in shape):
            raise RuntimeError(f"The input size {x.shape}, plus negative padding ... resulted in a negative "
                               "output size, which is invalid. Check dimension of your input.")
        out = xp.full(shape, value, dtype=x.dtype)
        src = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, pads))
        dst = tuple(slice(max(lo, 0), m - max(hi, 0)) for m, (lo, hi) in zip(shape, pads))
        out[dst] = x[src]
        return out

    def backward(self, g):
        return ConstantPadNdBackward0.apply(g, pads=tuple((-lo, -hi) for lo, hi in self.pads), value=0)


class ReflectionPadBackward(Op):
    """Pad by gathering input cells (reflect, replicate, circular): out = x[idx] per dim."""

    def forward(self, x, index, shape):
        self.index, self.shape = index, shape
        for d, idx in index:
            x = x.take(idx, axis=d)
        return x

    def backward(self, g):
        return PadScatterBackward.apply(g, index=self.index, shape=self.shape)

    def name(self):
        return "ReflectionPad2DBackward0"


class PadScatterBackward(Op):
    def forward(self, g, index, shape):
        self.index, self.shape = index, shape
        xp = xp_of(g)
        for d, idx in reversed(index):
            out_shape = list(g.shape)
            out_shape[d] = shape[d]
            out = xp.zeros(out_shape, dtype=g.dtype)
            moved = xp.moveaxis(out, d, 0)
            _nn.index_add_arrays(moved, idx, xp.moveaxis(g, d, 0))
            g = out
        return g

    def backward(self, h):
        return ReflectionPadBackward.apply(h, index=self.index, shape=self.shape)


def _pad_index(n, lo, hi, mode):
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        if lo >= n or hi >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension with size {n}")
        period = 2 * (n - 1) if n > 1 else 1
        i = np.abs(i) % period
        return np.where(i >= n, period - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if lo > n or hi > n:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    # torch crops first (negative pads), then wraps around what is left: input[start:start + m]
    start, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
    i = np.arange(-max(lo, 0), m + max(hi, 0))
    return start + i % m if m > 0 else i[:0]


def pad(input, pad, mode="constant", value=None):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    nd = input.ndim
    pairs = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        pairs[nd - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if mode == "constant":
        return ConstantPadNdBackward0.apply(input, pads=tuple(pairs), value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise NotImplementedError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    k = len(pad) // 2
    if input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    if _amp.active and (mode == "replicate" or mode == "reflect" and k < 3):  # torch's float32 list: reflection_pad1d/2d, replication_pad1d/2d/3d  # noqa: E501
        return _autocast("pad", globals()["pad"], input, pad, mode, value)  # (the argument `pad` hides the function)
    xp = xp_of(input._data)
    index = tuple((d, xp.asarray(_pad_index(input._data.shape[d], lo, hi, mode)))
                  for d, (lo, hi) in enumerate(pairs) if lo or hi)
    return ReflectionPadBackward.apply(input, index=index, shape=input._data.shape)


def _norm(x, p, dim, keepdim=True):
    return x.norm(p, dim, keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = _norm(input, p, dim).clamp(min=eps).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1/max(|x1|, eps) * x2/max(|x2|, eps)) over dim of the broadcast x1, x2, as torch computes it."""
    if x1.shape != x2.shape:
        x1, x2 = _broadcast_tensors(x1, x2)
    n1 = _norm(x1, 2, dim).clamp(min=eps)
    n2 = _norm(x2, 2, dim).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return (x1 - x2 + eps).norm(p, -1, keepdim)


# -- convolution and pooling --------------------------------------------------------------------
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _nn.conv_nd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _nn.conv_nd(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _nn.conv_nd(3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _nn.conv_transpose_nd(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _nn.conv_transpose_nd(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _nn.max_pool_nd(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _nn.max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if _amp.active: return _autocast("max_pool3d", max_pool3d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)  # noqa: E701,E501
    return _nn.max_pool_nd(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _nn.avg_pool_nd(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _nn.avg_pool_nd(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool1d(input, output_size):
    return _nn.adaptive_avg_pool_nd(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    return _nn.adaptive_avg_pool_nd(2, input, output_size)


# -- losses ---------------------------------------------------------------------------------------
def _warn_size(input, target, stacklevel=3):
    if target._data.shape != input._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", UserWarning, stacklevel=stacklevel)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if _amp.active: return _autocast("mse_loss", mse_loss, input, target, size_average, reduce, reduction, weight)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    if not (input._dtype._differentiable or target._dtype._differentiable):
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_nn._TARGET_WORDS.get(input._dtype.name, 'Long')}'")
    if (weight is None and input._dtype is target._dtype and input._dtype.is_floating_point
            and input._data.shape == target._data.shape and reduction in _nn._REDUCTIONS):
        return _nn.MseLossBackward0.apply(input, target, reduction=reduction)  # torch's single node
    d = input - target
    loss = d * d
    return _reduce(loss if weight is None else loss * weight, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if _amp.active: return _autocast("l1_loss", l1_loss, input, target, size_average, reduce, reduction, weight)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = (input - target).abs()
    return _reduce(loss if weight is None else loss * weight, reduction)


def _same_shape_loss(input, target):
    """Whether a pointwise loss can be torch's single node (same shapes and float dtype)."""
    return (input._dtype is target._dtype and input._dtype.is_floating_point
            and input._data.shape == target._data.shape)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    if _amp.active: return _autocast("smooth_l1_loss", smooth_l1_loss, input, target, size_average, reduce, reduction, beta)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if _same_shape_loss(input, target):
        return _nn.SmoothL1LossBackward0.apply(input, target, reduction=reduction, beta=beta)
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    if _amp.active: return _autocast("huber_loss", huber_loss, input, target, reduction, delta, weight)  # noqa: E701
    _nn.reduction_enum(reduction)
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if _same_shape_loss(input, target):
        if weight is None:
            return _nn.HuberLossBackward0.apply(input, target, reduction=reduction, delta=delta)
        return _reduce(_nn.HuberLossBackward0.apply(input, target, reduction="none", delta=delta) * weight, reduction)
    d = (input - target).abs()
    loss = where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce(loss if weight is None else loss * weight, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if _amp.active: return _autocast("binary_cross_entropy", binary_cross_entropy, input, target, weight, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    x = input._data
    if x.size and ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if target._dtype is not input._dtype:
        raise RuntimeError(f"Found dtype {_nn._TARGET_WORDS.get(target._dtype.name, 'Long')} but expected "
                           f"{_nn._TARGET_WORDS.get(input._dtype.name, 'Long')}")
    y = target._data
    if y.size and ((y < 0) | (y > 1)).any():
        raise RuntimeError("all elements of target should be between 0 and 1")
    if weight is not None:
        try:
            np.broadcast_shapes(weight._data.shape, x.shape)
        except ValueError:
            raise RuntimeError(f"Attempting to broadcast a dimension of length {weight.shape[-1]} at -1! Mismatching "
                               f"argument at index 1 had {weight.shape}; but expected shape should be broadcastable "
                               f"to {list(input.shape)}") from None
    return _nn.BinaryCrossEntropyBackward0.apply(input, target, weight=None if weight is None else weight._data,
                                                 reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """One node, as torch records it (see nn_ops.BinaryCrossEntropyWithLogitsBackward0)."""
    if _amp.active: return _autocast("binary_cross_entropy_with_logits", binary_cross_entropy_with_logits, input, target, weight, size_average, reduce, reduction, pos_weight)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if pos_weight is not None:
        _broadcast_check(pos_weight, target)  # torch's RuntimeError, not NumPy's ValueError
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None and t.requires_grad and _is_grad_enabled():
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not differentiable with respect "
                               f"to argument '{name}'. This input cannot have requires_grad True.")
    return _nn.BinaryCrossEntropyWithLogitsBackward0.apply(
        input, target, weight=None if weight is None else weight._data,
        pos_weight=None if pos_weight is None else pos_weight._data, reduction=reduction)


nll_loss = _nn.nll_loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    if _amp.active: return _autocast("cross_entropy", cross_entropy, input, target, weight, size_average, ignore_index, reduce, reduction, label_smoothing)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    shape = input._data.shape
    class_dim = 0 if len(shape) <= 1 else 1
    logp = log_softmax(input, class_dim)
    c = shape[class_dim] if shape else 1
    wshape = (c,) + (1,) * (len(shape) - class_dim - 1)
    if target._data.shape == shape:
        # class probabilities: torch picks this path by shape alone
        if not target._dtype.is_floating_point:
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_TARGET_WORDS.get(target._dtype.name, 'Long')}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / c
        prod = logp * target  # torch's order of operations, so its graph too
        if weight is not None:
            prod = prod * weight.reshape(wshape)
        if reduction == "none":
            return -prod.sum(class_dim)
        if reduction == "sum":
            return -prod.sum()
        return -prod.sum() / (input.numel() // c) if input.numel() else -prod.sum() / 0.0
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return nll
    ignore = target == ignore_index
    smooth = -(logp if weight is None else logp * weight.reshape(wshape)).sum(class_dim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target._data[~ignore._data]
            smooth = smooth.sum() / weight[_wrap(kept)].sum()
        else:
            smooth = smooth.sum() / (~ignore).sum()
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / c)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if _amp.active: return _autocast("kl_div", kl_div, input, target, size_average, reduce, reduction, log_target)  # noqa: E701,E501
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input  # torch's: NaN for a negative target
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, _nn.reduction_enum(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    if _amp.active: return _autocast("margin_ranking_loss", margin_ranking_loss, input1, input2, target, margin, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) for target 1, max(0, cos - margin) for target -1; torch's EPSILON 1e-12."""
    if _amp.active: return _autocast("cosine_embedding_loss", cosine_embedding_loss, input1, input2, target, margin, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    eps = 1e-12
    prod = (input1 * input2).sum(-1)
    m1 = (input1 * input1).sum(-1) + eps
    m2 = (input2 * input2).sum(-1) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = cos * 0
    pos = where(target == 1, 1 - cos, zeros)
    neg = where(target == -1, (cos - margin).clamp(min=0), zeros)
    return _reduce(pos + neg, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    if _amp.active: return _autocast("hinge_embedding_loss", hinge_embedding_loss, input, target, margin, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    # torch's terms: zeros (not input * 0, NaN at inf), the margin term wherever target != 1
    loss = where(target != 1, (margin - input).clamp(min=0), 0.0) + where(target != -1, input, 0.0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    if _amp.active: return _autocast("soft_margin_loss", soft_margin_loss, input, target, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.requires_grad and _is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument "
                           "'target'. This input cannot have requires_grad True.")
    if _same_shape_loss(input, target):
        return _nn.SoftMarginLossBackward0.apply(input, target=target._data, reduction=reduction)
    return _reduce(softplus(-target * input), reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """torch's checks and formula (torch/nn/functional.py), its clamp of var made under no_grad."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:  # homoscedastic: one variance per sample
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with _no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    if _amp.active: return _autocast("poisson_nll_loss", poisson_nll_loss, input, target, log_input, full, size_average, eps, reduce, reduction)  # noqa: E701,E501
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        t = target  # torch's term, masked where t <= 1 (its gradient there is NaN, as torch's)
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + stirling.masked_fill(t <= 1, 0)
    return _reduce(loss, reduction)


# -- attention ------------------------------------------------------------------------------------
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q k^T * scale + mask) v; a boolean mask marks the positions that take part."""
    if _amp.active: return _autocast("scaled_dot_product_attention", scaled_dot_product_attention, query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)  # noqa: E701,E501
    L, S = query.shape[-2], key.shape[-2]
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        causal = np.tril(np.ones((L, S), dtype=bool))
        scores = scores.masked_fill(_wrap(xp_of(scores._data).asarray(~causal)), float("-inf"))
    if attn_mask is not None:
        if attn_mask._dtype is D.bool_:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    attn = softmax(scores, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn @ value


# torch's docstring fragments, public in its functional namespace
reproducibility_notes = {
    "forward_reproducibility_note": "This operation may behave nondeterministically when given tensors on a CUDA "
                                    "device. See :doc:`/notes/randomness` for more information.",
    "backward_reproducibility_note": "This operation may produce nondeterministic gradients when given tensors on a "
                                     "CUDA device. See :doc:`/notes/randomness` for more information.",
    "cudnn_reproducibility_note": "In some circumstances when given tensors on a CUDA device and using CuDNN, this "
                                  "operator may select a nondeterministic algorithm to increase performance. If this "
                                  "is undesirable, you can try to make the operation deterministic (potentially at a "
                                  "performance cost) by setting ``torch.backends.cudnn.deterministic = True``. See "
                                  ":doc:`/notes/randomness` for more information.",
}
tf32_notes = {"tf32_note": "This operator supports :ref:`TensorFloat32<tf32_on_ampere>`."}

from ._functional_extra import *  # noqa: E402,F401,F403 - interpolate, instance_norm, rms_norm, ...
from ._functional_pool import *  # noqa: E402,F401,F403 - 3-d pools, lp/fractional/unpool, fold, shuffles
from ._functional_act import *  # noqa: E402,F401,F403 - shrinks, rrelu, in-place forms, LRN
from ._functional_loss import *  # noqa: E402,F401,F403 - margin, triplet and ctc losses, pdist
from ._functional_vision import *  # noqa: E402,F401,F403 - affine_grid, grid_sample
from ._functional_attention import *  # noqa: E402,F401,F403 - multi_head_attention_forward
from ._functional_mm import *  # noqa: E402,F401,F403 - grouped_mm

__all__ = [n for n in dir() if not n.startswith("_") and not n.endswith(("Backward", "Backward0"))
           and n not in ("math", "warnings", "np", "D", "Op", "where", "xp_of")]

# The functions torch.nn.functional takes straight from torch's C++ bindings parse their arguments
# there, so they take NumPy's keyword names (cosine_similarity(a, b, axis=1)); the rest are Python
# functions in torch and stay strict. See ember/_ops/_arg_parser.py.
_PARSER_BUILTINS = {
    "adaptive_avg_pool1d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "bilinear", "celu_", "channel_shuffle",
    "conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_similarity", "elu_", "gelu", "hardshrink", "hardtanh_", "leaky_relu_", "linear", "logsigmoid",
    "native_channel_shuffle", "one_hot", "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu",
    "relu_", "rrelu_", "scaled_dot_product_attention", "selu_", "softplus", "softshrink", "threshold_",
}
from .._ops._arg_parser import install as _install_numpy_aliases  # noqa: E402

_install_numpy_aliases(globals(), python_defined=set(globals()) - _PARSER_BUILTINS)
