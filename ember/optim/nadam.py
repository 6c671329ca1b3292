"""NAdam: Adam with Nesterov momentum and torch's momentum-decay schedule."""
import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from . import _kernels as K
from .optimizer import (_check_adam_family, Optimizer, _bump_step, _check, _grads, _use_foreach, _step_tensor,
                        _zeros_like)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_family(lr, eps, betas, weight_decay)
        _check(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        beta1, beta2 = group["betas"]
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["mu_product"] = Tensor._make(np.ones((), np.float32))  # float32, as torch keeps it
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            nadam(p._data, g, state["exp_avg"]._data, state["exp_avg_sq"]._data, state["mu_product"]._data,
                  _bump_step(state), lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                  weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                  decoupled_weight_decay=group["decoupled_weight_decay"], foreach=_use_foreach(group, p))
            p._bump_version()


def nadam(param, grad, exp_avg, exp_avg_sq, mu_product, step, *, lr, beta1, beta2, eps, weight_decay,
          momentum_decay, decoupled_weight_decay, foreach=False):
    """One NAdam step on arrays, in place (torch's _single_tensor_nadam, kernel for kernel):

        mu_t = b1 (1 - 0.5 * 0.96^(t psi));  m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2
        denom = sqrt(v / (1 - b2^t)) + eps
        param -= lr (1 - mu_t) / (1 - prod mu) * g / denom + lr mu_{t+1} / (1 - prod mu * mu_{t+1}) * m / denom
    foreach: torch's _multi_tensor_nadam, whose denom is sqrt(v) / sqrt(1 - b2^t) + eps.
    """
    bias_correction2 = 1 - beta2 ** step
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= param.dtype.type(1 - lr * weight_decay)
        else:
            grad = K.add_(grad.copy(), param, weight_decay)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu_product.dtype.type(mu)
    prod = float(mu_product)
    K.lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= exp_avg_sq.dtype.type(beta2)
    K.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
    if foreach:
        denom = xp_of(param).sqrt(exp_avg_sq)
        denom /= denom.dtype.type(bias_correction2 ** 0.5)
    else:
        denom = xp_of(param).sqrt(exp_avg_sq / exp_avg_sq.dtype.type(bias_correction2))
    denom += denom.dtype.type(eps)
    K.addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - prod))
    K.addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - prod * mu_next))
