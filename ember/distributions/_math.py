"""Elementwise functions the distributions need that ember's core does not provide yet.

erfinv is an op (forward on arrays, gradient beside it); the others are compositions of ember ops,
so they get gradients from the ops they are made of. When the core gains torch.erfinv, torch.xlogy,
torch.logit or torch.atanh, these should go and the callers use the core's.
"""
import math

import numpy as np

import ember
from ember._device import xp_of
from ember._ops._base import Op
from ember._ops._special import erf as _erf_array

_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _polynomial(coefs, w):
    p = coefs[0]
    for c in coefs[1:]:
        p = c + p * w
    return p


class ErfinvBackward0(Op):
    """erfinv(y): Giles' approximation (2010) refined by Newton steps on erf in float64."""

    save_output = True

    def forward(self, y):
        xp = xp_of(y)
        dtype = y.dtype
        y64 = y.astype(np.float64)
        with np.errstate(all="ignore"):
            w = -xp.log((1.0 - y64) * (1.0 + y64))
            central = _polynomial(_GILES_CENTRAL, w - 2.5)
            tail = _polynomial(_GILES_TAIL, xp.sqrt(w) - 3.0)
            x = xp.where(w < 5.0, central, tail) * y64
            inside = xp.abs(y64) < 1
            for _ in range(3):  # each Newton step doubles the correct digits
                step = (_erf_array(xp, xp.where(inside, x, 0.0)) - y64) * (math.sqrt(math.pi) / 2) * xp.exp(x * x)
                x = xp.where(inside & xp.isfinite(step), x - step, x)
            x = xp.where(xp.abs(y64) == 1, xp.sign(y64) * xp.inf, x)
            x = xp.where((xp.abs(y64) > 1) | xp.isnan(y64), xp.nan, x)
        return x.astype(dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * (math.sqrt(math.pi) / 2) * ember.exp(x * x)


def erfinv(y):
    return ErfinvBackward0.apply(y)


def xlogy(x, y):
    """x * log(y), 0 where x == 0 (even where log(y) is infinite)."""
    return ember.where(x == 0, ember.zeros_like(y * x), x * ember.log(y))


def logit(p):
    return ember.log(p) - ember.log1p(-p)


def atanh(y):
    return 0.5 * (ember.log1p(y) - ember.log1p(-y))


def solve_triangular_lower(L, b):
    """L^-1 b for lower-triangular L: a general solve on tril(L), which gives the same values and,
    through tril, gradients on the lower triangle only (as torch.linalg.solve_triangular)."""
    return ember.linalg.solve(L.tril(), b)


def cholesky_inverse(L):
    """(L L^T)^-1 from its Cholesky factor L."""
    return cholesky_solve(ember.eye(L.shape[-1], dtype=L.dtype, device=L.device), L)


def cauchy_like(shape, dtype, device):
    """Standard Cauchy draws as torch's cauchy_() makes them: tan(pi * (u - 1/2)) for a double
    uniform u per element, rounded to dtype."""
    u = ember.empty(shape, dtype=ember.float64, device=device).uniform_()
    return ember.tan(math.pi * (u - 0.5)).to(dtype)


def cholesky_solve(b, L):
    """(L L^T)^-1 b from the lower Cholesky factor L: two triangular solves."""
    return ember.linalg.solve(L.mT, solve_triangular_lower(L, b))
