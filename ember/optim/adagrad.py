"""Adagrad (Duchi et al.): per-coordinate steps shrinking with the sum of squared gradients."""
from .._device import xp_of
from . import _kernels as K
from .optimizer import Optimizer, _bump_step, _check, _grads, _in_chunks, _step_tensor, _zeros_like

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= initial_accumulator_value,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch creates Adagrad's state up front, not on the first step.
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = _zeros_like(p, group["initial_accumulator_value"])

    def _update_group(self, group):
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            _in_chunks(adagrad, p._data, g, state["sum"]._data, step=_bump_step(state), lr=group["lr"],
                       lr_decay=group["lr_decay"], eps=group["eps"], weight_decay=group["weight_decay"])
            p._bump_version()


def adagrad(param, grad, state_sum, step, *, lr, lr_decay, eps, weight_decay):
    """One Adagrad step on arrays, in place (torch's _single_tensor_adagrad, kernel for kernel):
    s += g^2; param -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)."""
    if weight_decay != 0:
        grad = K.add_(grad.copy(), param, weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)
    K.addcmul_(state_sum, grad, grad)
    std = xp_of(param).sqrt(state_sum)
    std += std.dtype.type(eps)
    K.addcdiv_(param, grad, std, -clr)
