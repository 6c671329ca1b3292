"""RMSprop (Hinton), optionally centered and with momentum."""
from .._device import xp_of
from . import _kernels as K
from .optimizer import Optimizer, _bump_step, _check, _grads, _in_chunks, _step_tensor, _zeros_like

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        for p, g in _grads(group, group["maximize"]):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
                if group["momentum"] > 0:
                    state["momentum_buffer"] = _zeros_like(p)
                if group["centered"]:
                    state["grad_avg"] = _zeros_like(p)
            _bump_step(state)
            _in_chunks(rmsprop, p._data, g, state["square_avg"]._data,
                       state["grad_avg"]._data if group["centered"] else None,
                       state["momentum_buffer"]._data if group["momentum"] > 0 else None,
                       lr=group["lr"], alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
                       momentum=group["momentum"])
            p._bump_version()


def rmsprop(param, grad, square_avg, grad_avg, buf, *, lr, alpha, eps, weight_decay, momentum):
    """One RMSprop step on arrays, in place; torch's _single_tensor_rmsprop, kernel for kernel:

        v = alpha v + (1 - alpha) g^2;  centered: a = lerp(a, g, 1 - alpha), avg = sqrt(v - a^2) + eps
        else avg = sqrt(v) + eps;  param -= lr * g / avg   (or buf = momentum buf + g / avg; param -= lr buf)
    """
    xp = xp_of(param)
    if weight_decay != 0:
        grad = K.add_(grad.copy(), param, weight_decay)
    square_avg *= square_avg.dtype.type(alpha)
    K.addcmul_(square_avg, grad, grad, 1 - alpha)
    if grad_avg is not None:
        K.lerp_(grad_avg, grad, 1 - alpha)
        avg = xp.sqrt(K.addcmul_(square_avg.copy(), grad_avg, grad_avg, -1))
    else:
        avg = xp.sqrt(square_avg)
    avg += avg.dtype.type(eps)
    if buf is not None:
        buf *= buf.dtype.type(momentum)
        K.addcdiv_(buf, grad, avg)
        K.add_(param, buf, -lr)
    else:
        K.addcdiv_(param, grad, avg, -lr)
