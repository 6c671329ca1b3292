"""RAdam: Adam with the variance of the adaptive learning rate rectified."""
import numpy as np

from .._device import xp_of
from . import _kernels as K
from .optimizer import _check_adam_family, Optimizer, _bump_step, _grads, _use_foreach, _step_tensor, _zeros_like

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check_adam_family(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        beta1, beta2 = group["betas"]
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            radam(p._data, g, state["exp_avg"]._data, state["exp_avg_sq"]._data, _bump_step(state), lr=group["lr"],
                  beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
                  decoupled_weight_decay=group["decoupled_weight_decay"], foreach=_use_foreach(group, p))
            p._bump_version()


def radam(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
          foreach=False):
    """One RAdam step on arrays, in place (torch's _single_tensor_radam, kernel for kernel):

        m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2
        rho_inf = 2 / (1 - b2) - 1;  rho_t = rho_inf - 2 t b2^t / (1 - b2^t)
        rho_t > 5: param -= lr m / (1 - b1^t) * sqrt(1 - b2^t) / (sqrt(v) + eps) * r_t,
                   r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        else:      param -= lr m / (1 - b1^t)
    foreach: torch's _multi_tensor_radam, param += m * (1 / ((sqrt(v) + eps) / s2) + s1) with the
    rectified and unrectified step sizes s2, s1 of which one is 0.
    """
    dt = param.dtype.type
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= dt(1 - lr * weight_decay)
        else:
            grad = K.add_(grad.copy(), param, weight_decay)
    K.lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= dt(beta2)
    K.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if foreach:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5 \
            if rho_t > 5 else 0
        unrect_step_size = (lr * (0 if rect > 0 else 1.0) / bias_correction1) * -1
        rect_step_size = (bias_correction2 ** 0.5) * (lr * rect / bias_correction1) * -1
        buf = exp_avg_sq ** 0.5
        buf += dt(eps)
        with np.errstate(divide="ignore"):  # (NumPy's warning; a GPU raises none)  # unrectified: buf / -0.0 = -inf, whose reciprocal is -0.0
            buf /= dt(rect_step_size)
            buf = dt(1) / buf
        buf += dt(unrect_step_size)
        K.addcmul_(param, exp_avg, buf)
        return
    update = exp_avg / dt(bias_correction1)
    update *= dt(lr)
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        sq = exp_avg_sq ** 0.5
        sq += dt(eps)
        update *= K.rdiv(bias_correction2 ** 0.5, sq)
        update *= dt(rect)
    param -= update
