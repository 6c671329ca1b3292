"""Elementwise functions the distributions need that ember's core does not provide yet.

erfinv is an op (forward on arrays, gradient beside it); the others are compositions of ember ops,
so they get gradients from the ops they are made of. When the core gains torch.erfinv, torch.xlogy,
torch.logit or torch.atanh, these should go and the callers use the core's.
"""
import math

import numpy as np

import ember
from ember._device import xp_of
from ember._ops._base import Op, _wrap
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


class XlogyBackward0(Op):
    """x * log(y), 0 where x == 0 (even where log(y) is infinite; NaN where y is)."""

    save_inputs = True

    def forward(self, x, y):
        xp = xp_of(x) if hasattr(x, "dtype") else xp_of(y)
        with np.errstate(all="ignore"):
            out = x * xp.log(y)
            return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(out), out)

    def backward(self, g):
        x, y = self.saved_tensors
        # torch's formulas: d/dx = log(y) except where x == 0 and y <= 0; d/dy = x / y
        gx = xlogy(g, y).masked_fill((x == 0) & (y <= 0), 0.0) if self.needs_grad(0) else None
        gy = g * x / y if self.needs_grad(1) else None
        return gx, gy


def xlogy(x, y):
    dtype = ember.result_type(x, y)
    if not dtype.is_floating_point:
        dtype = ember.get_default_dtype()
    x, y = ember.broadcast_tensors(*(ember.as_tensor(v).to(dtype) for v in (x, y)))
    return XlogyBackward0.apply(x, y)


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
