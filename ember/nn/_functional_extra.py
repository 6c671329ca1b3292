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
from .._ops.nn_ops import batch_norm, softmax
from ..autograd import grad_mode
from ._embedding_bag import embedding_bag

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "instance_norm", "rms_norm", "gumbel_softmax", "embedding_bag"]

_INTERP_MODES = ("nearest", "nearest-exact", "linear", "bilinear")
_MODE_DIMS = {"linear": 3, "bilinear": 4}


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


def _linear_weights(n_in, n_out, scale, align_corners):
    s = _scale(n_in, n_out, scale, align_corners)
    dst = np.arange(n_out, dtype=np.float64)
    src = dst * s if align_corners else np.maximum(s * (dst + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, src - i0


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of an (N, C, *spatial) input: nearest, nearest-exact, linear (3-D), bilinear (4-D)."""
    if mode not in _INTERP_MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if mode.startswith("nearest"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise NotImplementedError("Anti-alias option is only supported for bilinear and bicubic modes")
    k = input.dim() - 2
    if mode in _MODE_DIMS and input.dim() != _MODE_DIMS[mode]:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_MODE_DIMS[mode]}D input")
    if k < 1:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    sizes, scales = _output_sizes(input, size, scale_factor, k)
    if not input.dtype.is_floating_point:
        kernel = f"upsample_{mode.replace('-', '_')}{k}d" if mode.startswith("nearest") else f"upsample_{mode}{k}d"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[input.dtype.name]}'")
    if recompute_scale_factor:
        scales = [None] * k
    xp = xp_of(input._data)
    out = input
    for d, (n_out, scale) in enumerate(zip(sizes, scales)):
        dim = d + 2
        n_in = input.shape[dim]
        if mode.startswith("nearest"):
            idx = _nearest_index(n_in, n_out, scale, mode == "nearest-exact")
            out = out.index_select(dim, _wrap(xp.asarray(idx)))
            continue
        i0, i1, lam = _linear_weights(n_in, n_out, scale, align_corners)
        shape = (n_out,) + (1,) * (input.dim() - dim - 1)
        lam = _wrap(xp.asarray(lam.reshape(shape), dtype=input._data.dtype))
        lo = out.index_select(dim, _wrap(xp.asarray(i0)))
        hi = out.index_select(dim, _wrap(xp.asarray(i1)))
        out = lo * (1 - lam) + hi * lam
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
