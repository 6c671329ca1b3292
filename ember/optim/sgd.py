"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from . import _kernels as K
from .optimizer import Optimizer, _check, _grads, _in_chunks, _zeros_like

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check(not lr < 0.0, f"Invalid learning rate: {lr}")  # as torch: NaN passes
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group):
        momentum = group["momentum"]
        for p, g in _grads(group, group["maximize"]):
            buf, first = None, False
            if momentum != 0:
                state = self.state[p]
                if state.get("momentum_buffer") is None:
                    state["momentum_buffer"] = _zeros_like(p)
                    first = True
                buf = state["momentum_buffer"]._data
            _in_chunks(sgd, p._data, g, buf, lr=group["lr"], momentum=momentum, dampening=group["dampening"],
                       weight_decay=group["weight_decay"], nesterov=group["nesterov"], first=first)
            p._bump_version()


def sgd(param, grad, buf, *, lr, momentum, dampening, weight_decay, nesterov, first=False):
    """One SGD step on arrays, in place on `param` and the momentum buffer `buf` (None
    without momentum; `first`: its first step, where it is set to the gradient); torch's
    _single_tensor_sgd, kernel for kernel:

        g = grad + wd * param;  buf = g (first step) or momentum * buf + (1 - dampening) * g
        param -= lr * (g + momentum * buf if nesterov else buf)
    """
    if weight_decay != 0:
        grad = K.add_(grad.copy(), param, weight_decay)
    if buf is not None:
        if first:
            buf[...] = grad
        else:
            buf *= buf.dtype.type(momentum)
            K.add_(buf, grad, 1 - dampening)
        grad = K.add_(grad.copy(), buf, momentum) if nesterov else buf
    K.add_(param, grad, -lr)
