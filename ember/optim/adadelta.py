"""Adadelta (Zeiler): steps scaled by the ratio of running RMS of updates and of gradients."""
from .._device import xp_of
from . import _kernels as K
from .optimizer import Optimizer, _bump_step, _check, _grads, _in_chunks, _step_tensor, _zeros_like

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            _bump_step(state)
            _in_chunks(adadelta, p._data, g, state["square_avg"]._data, state["acc_delta"]._data, lr=group["lr"],
                       rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"])
            p._bump_version()


def adadelta(param, grad, square_avg, acc_delta, *, lr, rho, eps, weight_decay):
    """One Adadelta step on arrays, in place; torch's _single_tensor_adadelta, kernel for kernel:

        v = rho v + (1 - rho) g^2;  d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho u + (1 - rho) d^2;  param -= lr d
    """
    xp = xp_of(param)
    if weight_decay != 0:
        grad = K.add_(grad.copy(), param, weight_decay)
    square_avg *= square_avg.dtype.type(rho)
    K.addcmul_(square_avg, grad, grad, 1 - rho)
    std = xp.sqrt(square_avg + square_avg.dtype.type(eps))
    delta = xp.sqrt(acc_delta + acc_delta.dtype.type(eps))
    delta /= std
    delta *= grad
    acc_delta *= acc_delta.dtype.type(rho)
    K.addcmul_(acc_delta, delta, delta, 1 - rho)
    K.add_(param, delta, -lr)
