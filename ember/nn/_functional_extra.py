"""More of torch.nn.functional: interpolate, adaptive max pooling, instance_norm,
rms_norm, gumbel_softmax (and embedding_bag from _embedding_bag.py). Re-exported by nn/functional.py.

interpolate, instance_norm, rms_norm and gumbel_softmax are compositions of ember
ops (their gradients are torch's); adaptive max pooling is an Op whose backward
scatters the gradient to each window's argmax, as torch's does.
"""
import math

import numpy as np

from .. import _dtype as D
from .._creation import zeros, zeros_like, empty_like
from .._device import xp_of
from .._ops._base import Op, _wrap
from .._ops._opmath import composite_in_float32
from .._ops._inplace import _TYPE_WORDS
from .._ops import nn_ops as _nn
from .._ops.nn_ops import batch_norm, softmax
from ..autograd import grad_mode
from ._embedding_bag import embedding_bag

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "instance_norm", "rms_norm", "gumbel_softmax", "embedding_bag"]

_INTERP_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area", "lanczos")
_MODE_DIMS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5, "lanczos": 4}
# the kernel torch names when an integer input reaches it
_INT_KERNEL = {"linear": "compute_indices_weights_linear", "trilinear": "compute_indices_weights_linear",
               "bilinear": "upsample_bilinear2d_channels_last", "bicubic": "compute_indices_weights_cubic",
               "lanczos": "compute_indices_weights_aa"}


# -- interpolate ----------------------------------------------------------------------------------
def _output_sizes(input, size, scale_factor, k):
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None else
                         "either size or scale_factor should be defined")
    if size is not None:
        sizes = [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)] * k
        if len(sizes) != k:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(input.shape[2:])} and output size of {sizes}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                             f"format.")
        return sizes, [None] * k
    scales = [float(s) for s in scale_factor] if isinstance(scale_factor, (list, tuple)) else [float(scale_factor)] * k
    if len(scales) != k:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input with "
                         f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scales}. Please "
                         f"provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                         f"format.")
    return [math.floor(n * s) for n, s in zip(input.shape[2:], scales)], scales


def _scale(n_in, n_out, scale, align_corners):
    """torch's area_pixel_compute_scale: output index -> input coordinate factor."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _nearest_index(n_in, n_out, scale, exact):
    # torch computes these in float32 (floorf), which decides some boundary cases
    s = np.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
    dst = np.arange(n_out, dtype=np.float32)
    src = np.floor((dst + np.float32(0.5)) * s if exact else dst * s).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _cubic(x, a):
    """Keys' cubic convolution kernel at |x| (torch's cubic_convolution1 / cubic_convolution2)."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _lanczos(x):
    """Lanczos-3 window: sinc(x) sinc(x / 3) on |x| < 3."""
    return np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0.0)


def _taps(mode, n_in, n_out, scale, align_corners):
    """torch's separable interpolation along one dim as taps: out[i] = sum_k w[k, i] * in[idx[k, i]]
    (upsample's compute_indices_weights: linear 2 taps, cubic 4 with A = -0.75, indices clamped)."""
    s = _scale(n_in, n_out, scale, align_corners)
    dst = np.arange(n_out, dtype=np.float64)
    cubic = mode == "bicubic"
    src = dst * s if align_corners else s * (dst + 0.5) - 0.5
    if not align_corners and not cubic:
        src = np.maximum(src, 0.0)
    # guard_index_and_lambda (floorf: the index in float32)
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0, 0.0, 1.0)
    if not cubic:
        return np.stack([i0, np.minimum(i0 + 1, n_in - 1)]), np.stack([1 - lam, lam])
    idx = np.clip(i0 + np.arange(-1, 3)[:, None], 0, n_in - 1)
    return idx, _cubic(np.stack([lam + 1, lam, 1 - lam, 2 - lam]), -0.75)


def _taps_aa(mode, n_in, n_out, scale, align_corners):
    """torch's antialiased weights (_compute_indices_min_size_weights_aa, as PIL): the filter is
    stretched by the scale when downsampling, cut to the input and normalised to sum 1."""
    s = _scale(n_in, n_out, scale, align_corners)
    interp, filt = {"bilinear": (2, lambda x: np.maximum(0.0, 1 - np.abs(x))),
                    "bicubic": (4, lambda x: _cubic(x, -0.5)), "lanczos": (6, _lanczos)}[mode]
    support = interp * 0.5 * s if s >= 1.0 else interp * 0.5
    k = int(math.ceil(support)) * 2 + 1
    center = s * (np.arange(n_out, dtype=np.float64) + 0.5)
    invscale = 1.0 / s if s >= 1.0 else 1.0
    xmin = np.maximum((center - support + 0.5).astype(np.int64), 0)
    xsize = np.clip(np.minimum((center + support + 0.5).astype(np.int64), n_in) - xmin, 0, k)
    j = np.arange(k)[:, None]
    w = np.where(j < xsize, filt((j + xmin - center + 0.5) * invscale), 0.0)
    total = w.sum(0)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w)
    return np.minimum(xmin + j, n_in - 1), w


def _check_interpolate(input, mode, align_corners, antialias):
    """torch's argument checks, in its order; returns align_corners as the kernels take it."""
    if mode not in _INTERP_MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode in _MODE_DIMS and input.dim() != _MODE_DIMS[mode] and 3 <= input.dim() <= 5:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_MODE_DIMS[mode]}D input")
    if not 3 <= input.dim() <= 5:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    return align_corners


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of an (N, C, *spatial) input as torch's upsample kernels do, one dim
    at a time (they are separable): nearest(-exact) picks input cells, linear / bilinear / trilinear /
    bicubic (and their antialiased forms) sum weighted input cells, area is adaptive average pooling."""
    align_corners = _check_interpolate(input, mode, align_corners, antialias)
    k = input.dim() - 2
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    sizes, scales = _output_sizes(input, size, scale_factor, k)
    if any(n <= 0 for n in sizes):
        names = "DHW"[3 - k:]
        shown = [", ".join(f"{a}: {n}" for a, n in zip(names, ns)) for ns in (input.shape[2:], sizes)]
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({shown[0]}) and output "
                           f"({shown[1]})")
    if recompute_scale_factor or mode == "area":
        scales = [None] * k
    if mode == "area":
        return _nn.adaptive_avg_pool_nd(k, input, sizes)
    if not input.dtype.is_floating_point and not (mode.startswith("nearest") and input.dtype is D.uint8):
        kernel = _INT_KERNEL.get(mode, "upsample_nearest2d_channels_last" if k == 2 else
                                 "compute_indices_weights_nearest")
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[input.dtype.name]}'")
    xp = xp_of(input._data)
    out = input
    for d, (n_out, scale) in enumerate(zip(sizes, scales)):
        dim = d + 2
        n_in = input.shape[dim]
        if mode.startswith("nearest"):
            idx = _nearest_index(n_in, n_out, scale, mode == "nearest-exact")
            out = out.index_select(dim, _wrap(xp.asarray(idx)))
            continue
        idx, w = (_taps_aa if antialias else _taps)(mode, n_in, n_out, scale, align_corners)
        shape = (n_out,) + (1,) * (input.dim() - dim - 1)
        acc = None
        for i_k, w_k in zip(idx, w):
            term = out.index_select(dim, _wrap(xp.asarray(i_k))) * \
                _wrap(xp.asarray(w_k.reshape(shape), dtype=input._data.dtype))
            acc = term if acc is None else acc + term
        out = acc
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- adaptive max pooling -------------------------------------------------------------------------
class AdaptiveMaxPool2DBackward0(Op):
    """Max over the windows [floor(i H / oh), ceil((i + 1) H / oh)) x (the same in W);
    the index output is the flat h * W + w position of each max (the first, NaN wins)."""

    n_diff_outputs = 1

    def forward(self, x, output_size):
        xp = xp_of(x)
        h, w = x.shape[-2:]
        oh, ow = output_size
        vals = xp.empty(x.shape[:-2] + (oh, ow), dtype=x.dtype)
        idx = xp.empty(x.shape[:-2] + (oh, ow), dtype=np.int64)
        for i in range(oh):
            h0, h1 = (i * h) // oh, -((-(i + 1) * h) // oh)
            for j in range(ow):
                w0, w1 = (j * w) // ow, -((-(j + 1) * w) // ow)
                win = x[..., h0:h1, w0:w1].reshape(x.shape[:-2] + (-1,))
                # argmax on NaN-as-+inf gives the first NaN, as torch's kernel (NaN wins)
                at = (xp.where(xp.isnan(win), xp.inf, win) if x.dtype.kind == "f" else win).argmax(-1)
                vals[..., i, j] = xp.take_along_axis(win, at[..., None], -1)[..., 0]
                idx[..., i, j] = (h0 + at // (w1 - w0)) * w + w0 + at % (w1 - w0)
        self.shape = x.shape
        self.idx = idx
        return vals, idx

    def backward(self, g, _=None):
        flat = g.reshape(g.shape[:-2] + (-1,))
        grad = zeros(self.shape[:-2] + (self.shape[-2] * self.shape[-1],), dtype=g.dtype, device=g.device)
        idx = _wrap(self.idx.reshape(self.idx.shape[:-2] + (-1,)))
        return grad.scatter_add(-1, idx, flat).reshape(self.shape)


def _pair(v, k):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * k


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}")
    if any(n == 0 for n in input.shape[-2:]):
        raise RuntimeError("adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, "
                           f"but input has sizes {list(input.shape)} with dimension {input.dim() - 1} being empty")
    size = tuple(input.shape[-2 + i] if s is None else int(s) for i, s in enumerate(_pair(output_size, 2)))
    out, idx = AdaptiveMaxPool2DBackward0.apply(input, output_size=size)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d() argument 'input' should have 2 or 3 dimensions, "
                           f"but got {input.dim()}")
    out, idx = AdaptiveMaxPool2DBackward0.apply(input.unsqueeze(-2), output_size=(1, _pair(output_size, 1)[0]))
    out, idx = out.squeeze(-2), idx.squeeze(-2)
    return (out, idx) if return_indices else out


# -- instance_norm, rms_norm ------------------------------------------------------------------------
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """batch_norm of each (sample, channel) slice over its spatial dims: the input seen
    as one sample of N*C channels; running stats move toward the mean over samples."""
    n, c = input.shape[:2]
    if use_input_stats and math.prod(input.shape[2:]) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(input.shape)}")
    x = input.reshape((1, n * c) + tuple(input.shape[2:]))
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    out = batch_norm(x, rm, rv, w, b, training=use_input_stats, momentum=momentum, eps=eps)
    if use_input_stats:
        with grad_mode.no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.reshape(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.reshape(n, c).mean(0))
    return out.reshape(input.shape)


@composite_in_float32
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2 over the last len(normalized_shape) dims) + eps) * weight;
    eps defaults to the dtype's machine epsilon, as torch."""
    if isinstance(normalized_shape, int):
        raise TypeError("rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    shape = tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in shape)}], but got input of size{input.shape}")
    if eps is None:
        eps = float(np.finfo(D.np_dtype(input.dtype)).eps)
    dims = tuple(range(-len(shape), 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


# -- gumbel_softmax -----------------------------------------------------------------------------------
def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) with g = -log(Exp(1)) Gumbel noise (torch's draw order);
    hard: the one-hot argmax in the forward pass, the soft sample's gradient (straight-through)."""
    with grad_mode.no_grad():
        gumbels = -empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
