"""Functions the distributions need that ember's core does not provide yet: triangular and
Cholesky solves (compositions of linalg ops), torch.special.gammainc (an op) and torch's
cauchy_() draws. When the core gains torch.linalg.solve_triangular, torch.cholesky_solve,
torch.cholesky_inverse, torch.special.gammainc or Tensor.cauchy_, these should go and the callers
use the core's.
"""
import math

import numpy as np

import ember
from ember._device import xp_of
from ember._ops._base import Op, _wrap


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


def _gammainc_array(a, x):
    """P(a, x), the regularised lower incomplete gamma function: its power series below x = a + 1,
    1 - the continued fraction of Q(a, x) above (Numerical Recipes' gser/gcf, vectorised)."""
    xp = xp_of(x)
    dtype = x.dtype
    a, x = (v.astype(np.float64) for v in xp.broadcast_arrays(a, x))
    with np.errstate(all="ignore"):
        log_prefactor = -x + a * xp.log(x) - ember.lgamma(_wrap(a))._data
        # series: sum_n x^n / (a (a + 1) ... (a + n))
        term = 1.0 / a
        total = term.copy()
        ap = a.copy()
        for _ in range(500):
            ap = ap + 1
            term = term * x / ap
            total = total + term
            if xp.all(xp.abs(term) < xp.abs(total) * 1e-17):
                break
        series = total * xp.exp(log_prefactor)
        # continued fraction (modified Lentz) for Q(a, x)
        tiny = 1e-300
        b = x + 1.0 - a
        c = xp.full_like(x, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        for i in range(1, 500):
            an = -i * (i - a)
            b = b + 2.0
            d = an * d + b
            d = xp.where(xp.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = xp.where(xp.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            delta = d * c
            h = h * delta
            if xp.all(xp.abs(delta - 1.0) < 1e-16):
                break
        fraction = 1.0 - xp.exp(log_prefactor) * h
        out = xp.where(x < a + 1.0, series, fraction)
        out = xp.where(x == 0, 0.0, out)
        out = xp.where((a <= 0) | (x < 0), xp.nan, out)
        out = xp.where(xp.isinf(x) & (x > 0), 1.0, out)
    return out.astype(dtype)


class IgammaBackward0(Op):
    """torch.special.gammainc(a, x); differentiable in x only, as torch's."""

    save_inputs = True

    def forward(self, a, x):
        return _gammainc_array(a, x)

    def backward(self, g):
        a, x = self.saved_tensors
        if self.needs_grad(0):
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        return None, g * ember.exp(-x + (a - 1) * ember.log(x) - ember.lgamma(a))


def gammainc(a, x):
    a, x = ember.broadcast_tensors(a, x)
    return IgammaBackward0.apply(a, x)
