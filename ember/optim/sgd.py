"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from .._tensor import Tensor
from .optimizer import Optimizer, _check, _grads

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        return self._run_step(closure, self._update_group)

    def _update_group(self, group):
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            buf = state.get("momentum_buffer")
            buf = sgd(p._data, g, None if buf is None else buf._data, lr=group["lr"], momentum=group["momentum"],
                      dampening=group["dampening"], weight_decay=group["weight_decay"], nesterov=group["nesterov"])
            if group["momentum"] != 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = Tensor._make(buf, p._dtype)
            p._bump_version()


def sgd(param, grad, buf, *, lr, momentum, dampening, weight_decay, nesterov):
    """One SGD step on arrays, in place on `param` (and `buf`); returns the momentum buffer.

        g = grad + wd * param;  buf = g (first step) or momentum * buf + (1 - dampening) * g
        param -= lr * (g + momentum * buf if nesterov else buf)
    """
    if weight_decay != 0:
        grad = grad + weight_decay * param
    if momentum != 0:
        if buf is None:
            buf = grad.copy()
        else:
            buf *= momentum
            buf += (1 - dampening) * grad
        grad = grad + momentum * buf if nesterov else buf
    param -= lr * grad
    return buf
