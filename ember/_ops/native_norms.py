"""torch.native_layer_norm / native_batch_norm / native_group_norm: the normalisation ops of
nn_ops.py that also return the statistics they normalised with, as torch's aten kernels do.

The normalised output is nn_ops' op (one forward, one gradient). The statistics are those of
_moments: layer norm's and batch norm's do not require grad (torch: not differentiable);
group norm's do (torch differentiates its mean and rstd outputs), so they are ember ops on x.
"""
from .._device import xp_of
from ._base import _wrap
from .nn_ops import _moments, batch_norm, group_norm, layer_norm

__all__ = ["native_layer_norm", "native_batch_norm", "native_group_norm"]


def _rstd(var, eps):
    return 1 / (var + eps) ** 0.5


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(layer_norm(input), mean, rstd), the statistics over the normalised dims, kept."""
    out = layer_norm(input, normalized_shape, weight, bias, eps)
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    mean, var = _moments(input._data, tuple(range(input.ndim - k, input.ndim)))
    return out, _wrap(mean), _wrap(_rstd(var, eps))


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """(batch_norm(input), save_mean, save_invstd): the batch statistics per channel when
    training (running statistics updated), empty tensors in evaluation."""
    out = batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        xp = xp_of(input._data)
        return out, _wrap(xp.empty(0, dtype=input._data.dtype)), _wrap(xp.empty(0, dtype=input._data.dtype))
    mean, var = _moments(input._data, (0,) + tuple(range(2, input.ndim)))
    c = input._data.shape[1]
    return out, _wrap(mean.reshape(c)), _wrap(_rstd(var, eps).reshape(c))


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """(group_norm(input), mean, rstd) with the (N, group) statistics differentiable, as torch's."""
    out = group_norm(input, group, weight, bias, eps)
    x = input.reshape(N, group, -1)
    mean = x.mean(-1)
    rstd = (x.var(-1, unbiased=False) + eps).rsqrt()
    return out, mean, rstd
