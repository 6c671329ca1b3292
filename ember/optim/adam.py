"""Adam (and, with decoupled weight decay, AdamW)."""
from .._device import xp_of
from . import _kernels as K
from .optimizer import _check_adam_family, Optimizer, _bump_step, _grads, _in_chunks, _step_tensor, _zeros_like

__all__ = ["Adam", "adam"]


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_adam_family(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group):
        beta1, beta2 = group["betas"]
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = _zeros_like(p)
            _in_chunks(adam, p._data, g, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                       state["max_exp_avg_sq"]._data if group["amsgrad"] else None, step=_bump_step(state),
                       lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                       weight_decay=group["weight_decay"], decoupled_weight_decay=group["decoupled_weight_decay"])
            p._bump_version()


def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, step, lr, beta1, beta2, eps, weight_decay,
         decoupled_weight_decay):
    """One Adam step on arrays, in place; torch's _single_tensor_adam, kernel for kernel:

        m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2   (v_max = max(v_max, v) with amsgrad)
        param -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    Weight decay adds wd * param to g, or (decoupled, AdamW) scales param by 1 - lr * wd first.
    """
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= param.dtype.type(1 - lr * weight_decay)
        else:
            grad = K.add_(grad.copy(), param, weight_decay)
    xp = xp_of(param)
    K.lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= exp_avg_sq.dtype.type(beta2)
    K.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    step_size = lr / (1 - beta1 ** step)
    if max_exp_avg_sq is not None:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    else:
        v = exp_avg_sq
    denom = xp.sqrt(v)
    denom /= denom.dtype.type(bias_correction2_sqrt)
    denom += denom.dtype.type(eps)
    K.addcdiv_(param, exp_avg, denom, -step_size)
