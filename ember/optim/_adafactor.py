"""Adafactor (Shazeer and Stern): second moments factored into row and column means."""
from .._device import xp_of
from .._dtype import finfo
from .._tensor import Tensor
from . import _kernels as K
from .optimizer import Optimizer, _bump_step, _grads, _step_tensor, _zeros_like

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group):
        eps1, eps2 = group["eps"]
        for p, g in _grads(group, group["maximize"]):
            if p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                if g.ndim > 1:
                    state["row_var"] = Tensor._make(xp_of(g).zeros(g.shape[:-1] + (1,), g.dtype), p._dtype)
                    state["col_var"] = Tensor._make(xp_of(g).zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype),
                                                    p._dtype)
                else:
                    state["variance"] = _zeros_like(p)
            if eps1 is None:  # torch fixes it from the group's first parameter with a gradient
                eps1 = finfo(p.dtype).eps
            arr = (lambda k: state[k]._data if k in state else None)
            adafactor(p._data, g, arr("row_var"), arr("col_var"), arr("variance"), _bump_step(state),
                      lr=group["lr"], beta2_decay=group["beta2_decay"], eps1=eps1, eps2=eps2, d=group["d"],
                      weight_decay=group["weight_decay"])
            p._bump_version()


def _norm(a, **dims):
    """torch.norm of an array through ember's reduction (the one ember's Tensor.norm uses)."""
    return Tensor._make(a).norm(**dims)._data


def adafactor(param, grad, row_var, col_var, variance, step, *, lr, beta2_decay, eps1, eps2, d, weight_decay):
    """One Adafactor step on arrays, in place (torch's _single_tensor_adafactor):

        beta2_t = 1 - t^beta2_decay;  rho = min(lr, 1 / sqrt(t));  alpha = max(eps2, RMS(param)) rho
        matrices: R = lerp(R, mean_j g^2, 1 - beta2_t), C = lerp(C, mean_i g^2, ...), V = R C / mean(R)
        vectors:  V = lerp(V, g^2, 1 - beta2_t)
        u = g / sqrt(max(V, eps1^2));  param -= alpha / max(1, RMS(u) / d) u
    """
    xp = xp_of(param)
    one_minus_beta2_t = step ** beta2_decay
    rho_t = min(lr, 1 / (step ** 0.5))
    alpha = max(eps2, float(_norm(param)) / (param.size ** 0.5)) * rho_t
    if weight_decay != 0:
        param *= param.dtype.type(1 - lr * weight_decay)
    dt = param.dtype.type
    if grad.ndim > 1:
        row_mean = _norm(grad, dim=-1, keepdim=True) ** 2 / dt(grad.shape[-1])
        K.lerp_(row_var, row_mean, one_minus_beta2_t)
        col_mean = _norm(grad, dim=-2, keepdim=True) ** 2 / dt(grad.shape[-2])
        K.lerp_(col_var, col_mean, one_minus_beta2_t)
        var_estimate = xp.matmul(row_var, col_var)
        var_estimate /= xp.maximum(Tensor._make(row_var).mean(dim=-2, keepdim=True)._data, dt(eps1))
    else:
        K.lerp_(variance, grad * grad, one_minus_beta2_t)
        var_estimate = variance.copy()
    update = dt(1) / xp.sqrt(xp.maximum(var_estimate, dt(eps1 * eps1)))
    update *= grad
    denom = max(1.0, float(_norm(update)) / ((update.size ** 0.5) * d))
    K.add_(param, update, -alpha / denom)
