"""ASGD: averaged stochastic gradient descent (Polyak and Juditsky)."""
import numpy as np

from .._tensor import Tensor
from . import _kernels as K
from .optimizer import Optimizer, _bump_step, _check, _grads, _step_tensor, _use_foreach, _zeros_like

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                # eta and mu: float32 0-d tensors on the parameter's device, as torch keeps them
                state["eta"] = Tensor._make(np.asarray(group["lr"], np.float32)).to(p.device)
                state["mu"] = Tensor._make(np.ones((), np.float32)).to(p.device)
                state["ax"] = _zeros_like(p)
            asgd(p._data, g, state["ax"]._data, state["eta"]._data, state["mu"]._data, _bump_step(state),
                 lr=group["lr"], lambd=group["lambd"], alpha=group["alpha"], t0=group["t0"],
                 weight_decay=group["weight_decay"], foreach=_use_foreach(group, p))
            p._bump_version()


def asgd(param, grad, ax, eta, mu, step, *, lr, lambd, alpha, t0, weight_decay, foreach=False):
    """One ASGD step on arrays, in place (torch's _single_tensor_asgd, kernel for kernel):

        param = param (1 - lambd eta) - eta g;  ax = param (mu = 1) or ax + (param - ax) mu
        eta = lr / (1 + lambd lr t)^alpha;  mu = 1 / max(1, t - t0)
    foreach: torch's _multi_tensor_asgd, param -= eta (g + lambd param), ax += (param - ax) mu,
    eta in float32 arithmetic.
    """
    if weight_decay != 0:
        grad = K.add_(grad.copy(), param, weight_decay)
    if foreach:
        grad = K.add_(grad.copy(), param, lambd)
        K.addcmul_(param, grad, eta.astype(param.dtype), -1)
        K.addcmul_(ax, param - ax, mu.astype(param.dtype))
    else:
        eta_value = float(eta)
        param *= param.dtype.type(1 - lambd * eta_value)
        K.add_(param, grad, -eta_value)
        if float(mu) != 1:
            d = param - ax
            d *= mu.astype(param.dtype)
            ax += d
        else:
            ax[...] = param
    if foreach:  # torch computes eta from the float32 step tensor there: float32 pow, then lr * (1 / x)
        f32 = np.float32
        base = f32(step) * f32(lambd * lr) + f32(1)
        # torch's float32 pow is correctly rounded (NumPy's float32 power is not always): through double
        eta[...] = float(K.rdiv(lr, np.asarray(np.float64(base) ** float(f32(alpha)), f32)))
    else:
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
    mu[...] = 1 / max(1, step - t0)
