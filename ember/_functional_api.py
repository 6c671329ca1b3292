"""The neural-network functions torch exposes as `torch.<name>` (torch.conv2d, torch.dropout,
torch.layer_norm...), with torch's own positional signatures, which differ from
torch.nn.functional's (torch.dropout(input, p, train) has no defaults; the losses take the
reduction as an int: 0 none, 1 mean, 2 sum, and, whatever their schemas say, torch's Python
bindings default it to 0: no reduction).

Each forwards to ember.nn.functional, imported on first call, so `import ember` stays fast.
"""
import warnings

from ._tensor import Tensor

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "convolution",
    "conv_tbc", "batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm", "dropout", "dropout_",
    "alpha_dropout", "alpha_dropout_", "feature_dropout", "feature_dropout_", "feature_alpha_dropout",
    "feature_alpha_dropout_", "embedding", "embedding_renorm_", "bilinear", "prelu", "rrelu", "rrelu_", "selu",
    "selu_", "celu", "celu_", "threshold", "threshold_", "hardshrink", "max_pool1d", "max_pool2d",
    "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "pdist", "pairwise_distance", "cosine_embedding_loss", "hinge_embedding_loss",
    "margin_ranking_loss", "triplet_margin_loss", "poisson_nll_loss", "kl_div", "ctc_loss",
    "binary_cross_entropy_with_logits", "constant_pad_nd", "grid_sampler", "grid_sampler_2d", "grid_sampler_3d",
    "affine_grid_generator", "lstm", "gru", "embedding_bag", "norm_except_dim",
]

_REDUCTIONS = ("none", "mean", "sum")


def _F():
    from .nn import functional

    return functional


def _reduction(r):
    return _REDUCTIONS[r] if isinstance(r, int) else r


def norm_except_dim(v, pow=2, dim=0):
    """The pow-norm of v over every dim but `dim` (weight normalization's norm; see nn.utils.weight_norm)."""
    from .nn.utils.weight_norm import norm_except_dim as impl

    return impl(v, pow, dim)


# -- convolution ----------------------------------------------------------------------------------------
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _F().conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _F().conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _F().conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    nd = weight.dim() - 2
    F = _F()
    if transposed:
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[nd - 1]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return (F.conv1d, F.conv2d, F.conv3d)[nd - 1](input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input, weight, bias, pad=0):
    return _F().conv_tbc(input, weight, bias, pad)


# -- normalisation -----------------------------------------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F().group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F().rms_norm(input, normalized_shape, weight, eps)


# -- dropout ---------------------------------------------------------------------------------------------------
def dropout(input, p, train):
    return _F().dropout(input, p, train)


def dropout_(input, p, train):
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    from ._ops.elementwise import _inplace_saving_self

    return _inplace_saving_self(_F().alpha_dropout)(input, p, train) if train and p else input


def feature_dropout(input, p, train):
    return _feature_dropout(input, p, train, False)


def feature_dropout_(input, p, train):
    return _feature_dropout(input, p, train, False, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _feature_dropout(input, p, train, True)


def feature_alpha_dropout_(input, p, train):
    return _feature_dropout(input, p, train, True, inplace=True)


def _feature_dropout(*args, **kwargs):
    from .nn._functional_act import feature_noise_dropout

    return feature_noise_dropout(*args, **kwargs)


# -- embedding, bilinear, activations -------------------------------------------------------------------
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _F().embedding(indices, weight, None if padding_idx < 0 else padding_idx)  # (aten: negative = none)


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """(output, offset2bag, bag_size, max_indices) as torch's kernel returns them: offset2bag (each index's
    bag) only for mean, max or a padding_idx; bag_size (non-padding indices per bag) and max_indices (the
    weight row of each bag's max per column, else bag_size) only for mean and max."""
    import numpy as np

    from ._creation import tensor, zeros

    name = ("sum", "mean", "max")[mode]
    out = _F().embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq, mode=name,
                             sparse=sparse, per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    idx = np.asarray(indices.numpy(force=True)).reshape(-1)
    offs = np.asarray(offsets.numpy(force=True)).reshape(-1)
    bags = out.shape[0]
    long = dict(dtype=indices.dtype, device=indices.device)
    if name == "sum":
        offset2bag = tensor(np.searchsorted(offs, np.arange(idx.size), side="right") - 1, **long) \
            if padding_idx is not None else zeros(0, **long)
        n = bags if weight.requires_grad else offs.size  # (torch's two kernels size these differently)
        return out, offset2bag, zeros(n, **long), zeros(n, **long)
    bag_of = np.searchsorted(offs, np.arange(idx.size), side="right") - 1
    used = idx != padding_idx if padding_idx is not None else np.ones(idx.size, dtype=bool)
    bag_size = np.bincount(bag_of[used], minlength=bags)[:bags]
    if name == "mean":
        max_indices = bag_size
    else:
        w = np.asarray(weight.numpy(force=True))
        max_indices = np.zeros((bags, w.shape[1]), dtype=np.int64)
        for b in range(bags):
            rows = idx[(bag_of == b) & used]
            if rows.size:
                max_indices[b] = rows[w[rows].argmax(0)]  # the first maximum, as torch's strict >
    return out, tensor(bag_of, **long), tensor(bag_size, **long), tensor(max_indices, **long)


def embedding_renorm_(input, indices, max_norm, norm_type):
    from ._ops.nn_ops import _renorm_rows

    _renorm_rows(input, indices._data, max_norm, norm_type)
    return input


def bilinear(input1, input2, weight, bias=None):
    return _F().bilinear(input1, input2, weight, bias)


def prelu(input, weight):
    return _F().prelu(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    from .nn._functional_act import _rrelu

    return _rrelu(input, lower, upper, training, generator)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu_(input, lower, upper, training, generator)


def selu(input):
    return _F().selu(input)


def selu_(input):
    return _F().selu_(input)


def celu(input, alpha=1.0):
    return _F().celu(input, alpha)


def celu_(input, alpha=1.0):
    return _F().celu_(input, alpha)


def threshold(input, threshold, value):
    return _F().threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return _F().threshold_(input, threshold, value)


def hardshrink(input, lambd=0.5):
    return _F().hardshrink(input, lambd)


# -- pooling and shuffles -----------------------------------------------------------------------------------
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return _F().avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)


def pixel_shuffle(input, upscale_factor):
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    return _F().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):
    return _F().channel_shuffle(input, groups)


# -- distances and losses --------------------------------------------------------------------------------------
def pdist(input, p=2):
    return _F().pdist(input, p)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def kl_div(input, target, reduction=0, *, log_target=False):
    with warnings.catch_warnings():  # F.kl_div's warning about 'mean' is F's, not torch.kl_div's
        warnings.simplefilter("ignore")
        return _F().kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                         zero_infinity)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return _F().binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


# -- padding and sampling ----------------------------------------------------------------------------------------
def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, list(pad), "constant", value)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    from .nn._functional_vision import grid_sampler as sample

    return sample(input, grid, interpolation_mode, padding_mode, align_corners)


grid_sampler_2d = grid_sampler_3d = grid_sampler


def affine_grid_generator(theta, size, align_corners):
    from .nn._functional_vision import affine_grid_generator as generate

    return generate(theta, list(size), align_corners)


# -- recurrences -------------------------------------------------------------------------------------------------
def lstm(input, *args):
    from .nn._functional_rnn import lstm as run

    return run(input, *args)


def gru(input, *args):
    from .nn._functional_rnn import gru as run

    return run(input, *args)


# the two that torch also has as Tensor methods
Tensor.hardshrink = hardshrink
Tensor.prelu = prelu
