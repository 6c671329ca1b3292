"""Adamax: Adam with the infinity norm in place of the second moment."""
from .._device import xp_of
from . import _kernels as K
from .optimizer import _check_adam_family, Optimizer, _bump_step, _grads, _in_chunks, _step_tensor, _zeros_like

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_adam_family(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        beta1, beta2 = group["betas"]
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            _in_chunks(adamax, p._data, g, state["exp_avg"]._data, state["exp_inf"]._data, step=_bump_step(state),
                       lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"])
            p._bump_version()


def adamax(param, grad, exp_avg, exp_inf, step, *, lr, beta1, beta2, eps, weight_decay):
    """One Adamax step on arrays, in place; torch's _single_tensor_adamax, kernel for kernel:

        m = lerp(m, g, 1 - b1);  u = max(b2 u, |g| + eps);  param -= lr / (1 - b1^t) * m / u
    """
    xp = xp_of(param)
    if weight_decay != 0:
        grad = K.add_(grad.copy(), param, weight_decay)
    K.lerp_(exp_avg, grad, 1 - beta1)
    exp_inf *= exp_inf.dtype.type(beta2)
    norm = xp.abs(grad)
    norm += norm.dtype.type(eps)
    xp.maximum(exp_inf, norm, out=exp_inf)
    K.addcdiv_(param, exp_avg, exp_inf, -(lr / (1 - beta1 ** step)))
