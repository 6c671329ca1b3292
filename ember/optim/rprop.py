"""Rprop: resilient backpropagation, per-coordinate step sizes adapted by gradient signs."""
from .._device import xp_of
from .optimizer import Optimizer, _bump_step, _check, _grads, _step_tensor, _zeros_like

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["prev"] = _zeros_like(p)
                state["step_size"] = _zeros_like(p, group["lr"])
            _bump_step(state)
            rprop(p._data, g, state["prev"]._data, state["step_size"]._data, etaminus=etaminus, etaplus=etaplus,
                  step_size_min=step_size_min, step_size_max=step_size_max)
            p._bump_version()


def rprop(param, grad, prev, step_size, *, etaminus, etaplus, step_size_min, step_size_max):
    """One Rprop step on arrays, in place (torch's _single_tensor_rprop; its multi-tensor rule
    computes the same values):

        s = sign(g prev) -> etaplus (> 0), etaminus (< 0), 1 (0);  step = clamp(step * s, min, max)
        g = 0 where the sign flipped;  param -= sign(g) step;  prev = g
    """
    xp = xp_of(param)
    dt = param.dtype.type
    sign = xp.sign(grad * prev)
    factor = xp.where(sign > 0, dt(etaplus), xp.where(sign < 0, dt(etaminus), dt(1)))
    step_size *= factor
    xp.clip(step_size, dt(step_size_min), dt(step_size_max), out=step_size)
    grad = xp.where(factor == dt(etaminus), dt(0), grad)
    param -= xp.sign(grad) * step_size
    prev[...] = grad
