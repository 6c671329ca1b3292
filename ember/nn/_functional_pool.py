"""More pooling, folding and shuffling of torch.nn.functional: the 3-d forms of the
existing pools, lp_pool, max_unpool, fractional and adaptive 3-d max pooling, fold /
unfold, pixel_shuffle / pixel_unshuffle, channel_shuffle, conv_transpose3d, conv_tbc.
Re-exported by nn/functional.py.

The max pools here choose, without gradient, the flat input position of each
window's maximum, and then gather it: the gradient is gather's (a scatter-add of g
into the chosen positions), as torch's max pooling backward.
"""
import math

import numpy as np

from .._device import xp_of
from .._ops import nn_ops as _nn
from .._ops._base import _wrap
from .._ops._conv import _tuple
from .._ops._fold import col2im, im2col
from .._ops.random_ops import rand

__all__ = ["avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d", "fractional_max_pool2d", "fractional_max_pool3d",
           "fold", "unfold", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "conv_transpose3d", "conv_tbc"]


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _nn.avg_pool_nd(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool3d(input, output_size):
    return _nn.adaptive_avg_pool_nd(3, input, output_size)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _nn.conv_transpose_nd(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_tbc(input, weight, bias, pad=0):
    """Time-batch-channel convolution: input (T, B, Cin), weight (K, Cin, Cout), bias (Cout,)."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    out = _nn.conv_nd(1, input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, pad, 1, 1)
    return out.permute(2, 0, 1)


# -- max pooling over chosen windows ---------------------------------------------------------------
def _max_over_windows(input, windows):
    """input (N, C, *S); windows: int array (N or 1, C or 1, *O, K) of flat positions in S.
    Returns (the max of each window, the flat position of its first max)."""
    n, c = input.shape[:2]
    x = input._data.reshape(n, c, -1)
    xp = xp_of(x)
    win = xp.broadcast_to(xp.asarray(windows), (n, c) + windows.shape[2:])
    vals = xp.take_along_axis(x, win.reshape(n, c, -1), axis=2).reshape(win.shape)
    if vals.dtype.kind == "f":  # NaN wins, as in torch's kernels
        vals = xp.where(xp.isnan(vals), xp.inf, vals)
    chosen = xp.take_along_axis(win, vals.argmax(-1)[..., None], -1)[..., 0]
    chosen = _wrap(xp.ascontiguousarray(chosen, dtype=np.int64))
    out = input.reshape(n, c, -1).gather(2, chosen.reshape(n, c, -1)).reshape(tuple(chosen.shape))
    return out, chosen


def _window_grid(positions, spatial):
    """Per-dim window positions (arrays (..., O_d, k_d)) -> flat input positions (..., *O, prod(k)),
    numbered row-major over the spatial dims as torch's indices are."""
    nd = len(spatial)
    flat = 0
    for d, pos in enumerate(positions):
        lead = pos.shape[:-2]
        o, k = pos.shape[-2:]
        shape = lead + tuple(o if i == d else 1 for i in range(nd)) + tuple(k if i == d else 1 for i in range(nd))
        flat = flat + pos.reshape(shape) * math.prod(spatial[d + 1:])
    return flat.reshape(flat.shape[:flat.ndim - nd] + (-1,))


def _batched(input, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    return input.unsqueeze(0) if input.dim() == nd + 1 else input


def _unbatched(outs, was_unbatched):
    return tuple(o.squeeze(0) for o in outs) if was_unbatched else outs


def adaptive_max_pool3d(input, output_size, return_indices=False):
    x = _batched(input, 3, "adaptive_max_pool3d()")
    spatial = tuple(x.shape[2:])
    if 0 in spatial:
        raise RuntimeError("adaptive_max_pool3d(): Expected input to have non-zero size for non-batch dimensions, "
                           f"but input has sizes {list(input.shape)} with dimension {input.dim() - 1} being empty")
    sizes = [n if o is None else int(o) for n, o in zip(spatial, _tuple(output_size, 3))]
    positions = []
    for n, o in zip(spatial, sizes):
        i = np.arange(o)
        start, end = (i * n) // o, -((-(i + 1) * n) // o)
        k = int((end - start).max())
        positions.append(np.minimum(start[:, None] + np.arange(k), end[:, None] - 1))  # short windows repeat
    windows = _window_grid(positions, spatial)[None, None]
    out, idx = _unbatched(_max_over_windows(x, windows), input.dim() == 4)
    return (out, idx) if return_indices else out


# -- fractional max pooling ----------------------------------------------------------------------------
def _intervals(sample, n_in, n_out, k):
    """torch's generate_intervals in the input's float type: window starts for one spatial dim.
    sample (N, C) -> (N, C, n_out)."""
    t = sample.dtype.type
    seq = np.empty(sample.shape + (n_out,), dtype=np.int64)
    if n_out > 1:
        alpha = t(n_in - k) / t(n_out - 1)
        i = np.arange(n_out - 1, dtype=sample.dtype)
        seq[..., :-1] = ((i + sample[..., None]) * alpha).astype(np.int64) - \
            (sample * alpha).astype(np.int64)[..., None]
    if n_out > 0:
        seq[..., -1] = n_in - k
    return seq


def _fractional_max_pool(nd, input, kernel_size, output_size, output_ratio, return_indices, _random_samples):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:  # (torch's len() also refuses a bare float here)
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _tuple(output_ratio, nd)
        output_size = [int(input.shape[-nd + i] * ratio[i]) for i in range(nd)]
    kernel, sizes = _tuple(kernel_size, nd), _tuple(output_size, nd)
    if _random_samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.shape[0]
        _random_samples = rand(n_batch, input.shape[-nd - 1], nd, dtype=input.dtype, device=input.device)
    x = _batched(input, nd, name)
    spatial = tuple(x.shape[2:])
    words = ("time", "height", "width")[3 - nd:]
    for w, n, o, k in zip(words, spatial, sizes, kernel):
        if o + k - 1 > n:
            raise RuntimeError(f"{name}_out(): pool {w} {k} too large relative to input {w} {n}")
    samples = np.asarray(_random_samples.numpy(force=True))
    # torch reads the samples in the order (W, H) for 2-d and (T, H, W) for 3-d
    order = (1, 0) if nd == 2 else (0, 1, 2)
    positions = [_intervals(samples[..., order[d]], spatial[d], sizes[d], kernel[d])[..., None] +
                 np.arange(kernel[d]) for d in range(nd)]
    windows = xp_of(x._data).asarray(_window_grid(positions, spatial))
    out, idx = _unbatched(_max_over_windows(x, windows), input.dim() == nd + 1)
    return (out, idx) if return_indices else out


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


# -- lp pooling -------------------------------------------------------------------------------------------
def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    from .functional import relu

    if norm_type == float("inf"):
        return _nn.max_pool_nd(nd, input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -_nn.max_pool_nd(nd, -input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = _nn.avg_pool_nd(nd, input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(math.prod(_tuple(kernel_size, nd))).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# -- max unpooling ---------------------------------------------------------------------------------------
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    nd = len(kernel_size)
    default = [(input.shape[-nd + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(nd)]
    if output_size is None:
        return default
    output_size = list(output_size)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    return output_size


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    from .._creation import zeros

    kernel = _tuple(kernel_size, nd)
    stride = kernel if stride is None else _tuple(stride, nd)
    size = _unpool_output_size(input, kernel, stride, _tuple(padding, nd), output_size)
    if indices.dtype.name != "int64":
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    unbatched = input.dim() == nd + 1
    x, idx = (input.unsqueeze(0), indices.unsqueeze(0)) if unbatched else (input, indices)
    n, c = x.shape[:2]
    total = math.prod(size)
    flat_idx = idx.reshape(n, c, -1)
    bad = flat_idx._data[(flat_idx._data < 0) | (flat_idx._data >= total)]
    if bad.size:
        raise RuntimeError(f"Found an invalid max index: {int(bad[0])} (output volumes are of size "
                           f"{'x'.join(map(str, size))}")
    out = zeros((n, c, total), dtype=x.dtype, device=x.device).scatter(2, flat_idx, x.reshape(n, c, -1))
    out = out.reshape((n, c) + tuple(size))
    return out.squeeze(0) if unbatched else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# -- fold / unfold ---------------------------------------------------------------------------------------
def _pairs(*values):
    return [_tuple(v, 2) for v in values]


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    if input.dim() not in (3, 4) or 0 in input.shape[1:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    kernel, dilation, padding, stride = _pairs(kernel_size, dilation, padding, stride)
    x = input.unsqueeze(0) if input.dim() == 3 else input
    spatial = tuple(x.shape[2:])
    blocks = [(n + 2 * p - (d * (k - 1) + 1)) // s + 1 for n, p, d, k, s in zip(spatial, padding, dilation, kernel,
                                                                                  stride)]
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size {spatial}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, calculated shape of the array of sliding blocks as {tuple(blocks)}, "
                           "but its components must be at least one.")
    out = im2col(x, kernel, dilation, padding, stride)
    return out.squeeze(0) if input.dim() == 3 else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    if input.dim() not in (2, 3) or 0 in input.shape[1:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    size, kernel, dilation, padding, stride = _pairs(output_size, kernel_size, dilation, padding, stride)
    x = input.unsqueeze(0) if input.dim() == 2 else input
    k = math.prod(kernel)
    if x.shape[1] % k:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={x.shape[1]} and kernel_size={kernel}.")
    blocks = [(n + 2 * p - (d * (kk - 1) + 1)) // s + 1 for n, p, d, kk, s in zip(size, padding, dilation, kernel,
                                                                                   stride)]
    if blocks[0] * blocks[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={x.shape[2]}.")
    out = col2im(x, size, kernel, dilation, padding, stride)
    return out.squeeze(0) if input.dim() == 2 else out


# -- shuffles ----------------------------------------------------------------------------------------------
def _shuffle_args(input, factor, name, what):
    r = int(factor)
    if input.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {r}")
    return r


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    r = _shuffle_args(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = _shuffle_args(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """(N, C, *) -> channels regrouped: (N, g, C/g, *) transposed to (N, C/g, g, *)."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(input.shape)
