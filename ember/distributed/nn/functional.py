"""torch.distributed.nn.functional: collectives that autograd differentiates (the gradient of an all-reduce
sum is the all-reduce sum of the gradients, as every rank's output depends on every rank's input)."""
from ...autograd.function import Function
from ..distributed_c10d import ReduceOp, _all_reduce, _resolve

__all__ = ["all_reduce"]


class _AllReduce(Function):
    @staticmethod
    def forward(ctx, op, pg, tensor):
        ctx.op, ctx.pg = op, pg
        out = tensor.clone()
        _all_reduce(pg, out, op, False)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        if ctx.op != ReduceOp.SUM:
            raise RuntimeError(f"ember.distributed.nn.all_reduce: the gradient of {ctx.op} is not implemented")
        return None, None, _AllReduce.apply(ctx.op, ctx.pg, grad_output)


def all_reduce(tensor, op=ReduceOp.SUM, group=None):
    return _AllReduce.apply(op, _resolve(group), tensor)
