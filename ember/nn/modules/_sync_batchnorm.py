"""SyncBatchNorm's training forward over several ranks: the batch statistics are the whole global batch's.

The per-rank sums are all-reduced with the differentiable all_reduce of ember.distributed.nn, whose
gradient all-reduces the gradients back, so each rank's input gradient includes the other ranks' use of
the shared statistics (as torch's SyncBatchNorm backward). Mean and variance take two passes (sum, then
sum of squared deviations) for the accuracy of single-process batch norm."""
from ... import autograd
from ..._creation import tensor as _tensor


def active_group(process_group):
    """The group to synchronise over, or None (no process group loaded/initialised, or a one-rank group)."""
    import sys

    dist = sys.modules.get("ember.distributed")
    if dist is None or not dist.is_initialized():
        return None
    pg = process_group if process_group is not None else dist.group.WORLD
    return pg if dist.get_world_size(pg) > 1 else None


def sync_batch_norm(bn, input, pg, factor):
    from ...distributed.distributed_c10d import _all_reduce
    from ...distributed.distributed_c10d import ReduceOp
    from ...distributed.nn.functional import all_reduce

    dims = [0] + list(range(2, input.dim()))
    shape = [1, input.shape[1]] + [1] * (input.dim() - 2)
    count = _tensor([input.numel() // input.shape[1]], dtype=input.dtype)
    _all_reduce(pg, count, ReduceOp.SUM, False)
    n = float(count.item())
    mean = all_reduce(input.sum(dims), group=pg) / n
    centered = input - mean.reshape(shape)
    var = all_reduce((centered * centered).sum(dims), group=pg) / n
    out = centered * (var + bn.eps).rsqrt().reshape(shape)
    if bn.weight is not None:
        out = out * bn.weight.reshape(shape)
    if bn.bias is not None:
        out = out + bn.bias.reshape(shape)
    if bn.track_running_stats and bn.running_mean is not None:
        with autograd.no_grad():
            bn.running_mean.mul_(1 - factor).add_(mean.detach() * factor)
            bn.running_var.mul_(1 - factor).add_(var.detach() * (factor * n / max(n - 1, 1)))
    return out
