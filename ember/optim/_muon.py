"""Muon: momentum orthogonalised by a Newton-Schulz iteration, for 2-D parameters."""
import math

import numpy as np

from .._device import xp_of
from .. import _dtype as D
from .._tensor import Tensor
from . import _kernels as K
from .optimizer import Optimizer, _zeros_like

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(a):
    """float32 array a rounded to bfloat16 values (kept as float32)."""
    return Tensor._make(a).to(D.bfloat16).to(D.float32)._data


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """torch's quintic Newton-Schulz iteration in bfloat16, on G^T when G has more rows than columns:

        X = G / max(|G|, eps);  ns_steps times: A = X X^T;  B = b A + c A A;  X = a X + B X

    torch's CPU bfloat16 kernels compute each op in float32 and round its result to bfloat16
    once (addmm's beta * C + alpha * A @ B included); so does this, on float32 arrays holding
    bfloat16 values. Returns a bfloat16 tensor."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    f32 = np.float32
    a, b, c = (f32(v) for v in ns_coefficients)
    x = _bf16(grad.detach().to(D.float32)._data)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(xp_of(x).sqrt((x * x).sum(dtype=f32)))
    x = _bf16(x / xp_of(x).maximum(norm, _bf16(xp_of(x).asarray(eps, f32))))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(c * (gram @ gram) + b * gram)
        x = _bf16(gram_update @ x + a * x)
    if tall:
        x = x.T
    return Tensor._make(xp_of(x).ascontiguousarray(x)).to(D.bfloat16)


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """Muon's learning-rate scaling for the matrix shape (A, B)."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        adjusted_ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        adjusted_ratio = 0.2 * math.sqrt(max(A, B))
    else:
        adjusted_ratio = 1.0
    return lr * adjusted_ratio


class Muon(Optimizer):
    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _update_group(self, group):
        lr, momentum = group["lr"], group["momentum"]
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.is_complex():
                raise RuntimeError("Muon does not support complex parameters")
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = _zeros_like(p)
            grad = p.grad._data
            if grad.ndim != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            buf = state["momentum_buffer"]._data
            K.lerp_(buf, grad, 1 - momentum)
            update = K.lerp_(grad.copy(), buf, momentum) if group["nesterov"] else buf
            update = _zeropower_via_newtonschulz(Tensor._make(update, p._dtype), group["ns_coefficients"],
                                                 group["ns_steps"], group["eps"])
            adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
            param = p._data
            param *= param.dtype.type(1 - lr * group["weight_decay"])
            K.add_(param, update.to(p.dtype)._data, -adjusted_lr)
            p._bump_version()
