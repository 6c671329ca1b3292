"""More activations of torch.nn.functional: hardshrink, softshrink, rrelu, the in-place
forms (elu_, celu_, selu_, leaky_relu_, hardtanh_, threshold_, rrelu_) and the `inplace`
flags, feature_alpha_dropout and local_response_norm. Re-exported by nn/functional.py.

All are compositions of differentiable ember ops; an in-place form is the out-of-place
function committed into its input by ember's one in-place mechanism
(elementwise._inplace_saving_self: the input is cloned first when the graph needs it).
"""
import numpy as np

from .. import _random
from .._ops import nn_ops as _nn
from .._ops._base import _wrap
from .._ops._inplace import _TYPE_WORDS
from .._ops.elementwise import _inplace_saving_self
from .._ops.selection import where

__all__ = ["hardshrink", "softshrink", "rrelu", "rrelu_", "elu", "elu_", "celu", "celu_", "selu", "selu_",
           "leaky_relu", "leaky_relu_", "hardtanh", "hardtanh_", "silu", "threshold", "threshold_",
           "feature_alpha_dropout", "local_response_norm"]


def _check_lambd(input, lambd, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[input.dtype.name]}'")


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    _check_lambd(input, lambd, "hardshrink_cpu")
    return where((input >= -lambd) & (input <= lambd), input * 0, input)  # as torch's test: NaN passes


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    _check_lambd(input, lambd, "softshrink_cpu")
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {float(np.finfo(input._data.dtype).max):g}] for input "
                           f"dtype {_TYPE_WORDS[input.dtype.name]}, but found {lambd:g}")
    # torch's gradient tests -lambd <= x <= lambd, so a NaN input passes its gradient
    return where((input >= -lambd) & (input <= lambd), input * 0, where(input > lambd, input - lambd, input + lambd))


def _rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _nn.leaky_relu(input, (lower + upper) / 2)
    # one draw of uniform(lower, upper) (double) per non-positive element, in memory order
    x = np.asarray(input.numpy(force=True)).ravel()
    neg = x <= 0
    gen = generator if generator is not None else _random.generator_for(input.device)
    noise = np.ones(x.shape, dtype=x.dtype)
    noise[neg] = gen.uniform(int(neg.sum()), "float64", lower, upper).astype(x.dtype)
    noise = _wrap(input.xp.asarray(noise.reshape(input.shape)))
    return input * noise


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    return rrelu_(input, lower, upper, training) if inplace else _rrelu(input, lower, upper, training)


rrelu_ = _inplace_saving_self(_rrelu)


# the activations with an `inplace` flag: the in-place form when it is set, as torch
def elu(input, alpha=1.0, inplace=False):
    return elu_(input, alpha) if inplace else _nn.elu(input, alpha)


def celu(input, alpha=1.0, inplace=False):
    return celu_(input, alpha) if inplace else _nn.celu(input, alpha)


def selu(input, inplace=False):
    return selu_(input) if inplace else _nn.selu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return leaky_relu_(input, negative_slope) if inplace else _nn.leaky_relu(input, negative_slope)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return hardtanh_(input, min_val, max_val) if inplace else _nn.hardtanh(input, min_val, max_val)


def silu(input, inplace=False):
    return _silu_(input) if inplace else _nn.silu(input)


def threshold(input, threshold, value, inplace=False):
    return threshold_(input, threshold, value) if inplace else _threshold(input, threshold, value)


elu_ = _inplace_saving_self(_nn.elu)
celu_ = _inplace_saving_self(_nn.celu)
selu_ = _inplace_saving_self(_nn.selu)
leaky_relu_ = _inplace_saving_self(_nn.leaky_relu)
hardtanh_ = _inplace_saving_self(_nn.hardtanh)
_silu_ = _inplace_saving_self(_nn.silu)


def _threshold(input, threshold, value):
    return where(input <= threshold, value, input)  # as torch: NaN is kept


threshold_ = _inplace_saving_self(_threshold)


# -- dropout of whole channels -------------------------------------------------------------------------
_SELU_ALPHA_SCALE = 1.7580993408473766  # alpha * scale of SELU: where alpha dropout sends dropped units


def _feature_noise(input, p, alpha):
    """torch's _dropout_impl with feature noise: one Bernoulli(1 - p) draw per (sample, channel).
    Plain: x * keep / (1 - p). Alpha: x * keep * a + (keep - 1) * alpha' * a + alpha' * a * p."""
    from .functional import _dropout_mask

    if p == 1:
        return input * 0
    keep = _dropout_mask(input, p, tuple(input.shape[:2]) + (1,) * (input.dim() - 2))
    if not alpha:
        return input * keep
    keep._data = (keep._data > 0).astype(keep._data.dtype)
    a = 1.0 / np.sqrt((_SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
    return input * (keep * a) + ((keep - 1) * (_SELU_ALPHA_SCALE * a) + _SELU_ALPHA_SCALE * a * p)


_feature_noise_ = _inplace_saving_self(_feature_noise)


def feature_noise_dropout(input, p, train, alpha, inplace=False):
    """Dropout of whole channels (feature_dropout / feature_alpha_dropout), in place or not."""
    from .functional import _check_p

    _check_p(p)
    if not train or input.numel() == 0:
        return input
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return (_feature_noise_ if inplace else _feature_noise)(input, p, alpha)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return feature_noise_dropout(input, p, training, True, inplace)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * mean of squares over `size` neighbouring channels) ** beta."""
    from .functional import avg_pool2d, pad
    from ._functional_pool import avg_pool3d

    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    return input / div.mul(alpha).add(k).pow(beta)
