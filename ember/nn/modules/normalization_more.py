"""More normalisation layers: LocalResponseNorm, CrossMapLRN2d, SyncBatchNorm (BatchNorm over any N >= 2-D
input, with the batch statistics of all ranks of a process group when training under ember.distributed)."""
import numpy as np

from .. import functional as F
from ..._device import xp_of
from ..._ops._base import Op, _wrap
from .module import Module
from ._sync_batchnorm import active_group, sync_batch_norm
from .normalization import _BatchNorm

__all__ = ["LocalResponseNorm", "CrossMapLRN2d", "SyncBatchNorm"]


class _LRNBase(Module):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


class LocalResponseNorm(_LRNBase):
    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)


def _cross_map_windows(channels, size):
    """(C, C) 0/1 matrix: which squared channels torch's running-window loop sums for each channel
    (its window keeps channel 0 and drops the others one step late, reproduced as is)."""
    pre_pad = int((size - 1) / 2 + 1)
    m = np.zeros((channels, channels))
    m[0, :min(pre_pad, channels)] = 1
    for c in range(1, channels):
        m[c] = m[c - 1]
        if c < channels - pre_pad + 1:
            m[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            m[c, c - pre_pad] -= 1
    return m


def _band(channels, size):
    """(C, C) 0/1 matrix of torch's backward window: channel c sums channels
    [c - inversePrePad, c + size - 1 - inversePrePad]."""
    lead = int(size - (size - 1) / 2)
    c = np.arange(channels)
    return ((c[None, :] >= c[:, None] - lead) & (c[None, :] <= c[:, None] + size - 1 - lead)).astype(np.float64)


def _over_channels(m, x):
    """m (C, C) applied along dim 1 of x (N, C, H, W)."""
    return xp_of(x).einsum("cd,nd...->nc...", m, x)


class CrossMapLRN2dBackward(Op):
    """y = x * (k + alpha/size * window sum of x^2)^-beta, with torch's legacy forward window and
    its backward formula (which assumes a symmetric window), both reproduced as torch has them."""

    save_inputs = True
    save_output = True

    def forward(self, x, size, alpha, beta, k):
        self.size, self.alpha, self.beta = size, alpha, beta
        xp = xp_of(x)
        windows = xp.asarray(_cross_map_windows(x.shape[1], size), dtype=x.dtype)
        self.scale = _over_channels(windows, x * x) * (alpha / size) + k
        return x * self.scale ** -beta

    def backward(self, g):
        x, y = self.saved_tensors  # the input, then the output
        scale = _wrap(self.scale)
        band = _wrap(xp_of(self.scale).asarray(_band(x.shape[1], self.size), dtype=self.scale.dtype))
        ratio = (g * y / scale).transpose(0, 1)
        accum = (band @ ratio.reshape(ratio.shape[0], -1)).reshape(ratio.shape).transpose(0, 1)
        return scale.pow(-self.beta) * g - (2 * self.alpha * self.beta / self.size) * x * accum


class CrossMapLRN2d(_LRNBase):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__(size, alpha, beta, k)

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        return CrossMapLRN2dBackward.apply(input, size=self.size, alpha=self.alpha, beta=self.beta, k=self.k)


class SyncBatchNorm(_BatchNorm):
    """BatchNorm whose training statistics are the process group's whole batch; plain BatchNorm in eval mode
    or in one process."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        pg = active_group(self.process_group) if self.training else None
        if pg is None:
            return super().forward(input)
        return sync_batch_norm(self, input, pg, self._count_batch())

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Every BatchNorm*D in module replaced by a SyncBatchNorm holding the same parameters and buffers."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group)
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
