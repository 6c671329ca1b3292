"""torch's in-place CPU arithmetic kernels on arrays, rounded as torch rounds them.

The optimizers are written as torch's `_single_tensor_*` functions, call for call, on
these primitives, so float32 and float64 parameters follow torch's bit for bit. What
differs from the naive NumPy expression (measured against torch 2.13 on x86-64, both
its vectorised and its scalar loops):

    x.add_(y, alpha=a)         fma(y, a, x)            (one rounding, not two)
    x.addcmul_(s, t, value=v)  fma(v * s, t, x)        ((v * s) rounded first)
    x.addcdiv_(s, t, value=v)  x + (v * s) / t         (three roundings, no fma)
    x.lerp_(y, w)              fma(w, y - x, x) for |w| < 0.5, else fma(x - y, 1 - w, y)
    scalar / tensor            tensor.reciprocal() * scalar   (Tensor.__rtruediv__)

Python scalars are first rounded to the tensor's dtype (torch's opmath type for
float32 and float64). Every function writes into its first argument.
"""
import numpy as np

from .._random import fma32, fma64


def _scalar(x, v):
    """The Python scalar v as torch sees it in an op on x: rounded to x's dtype."""
    return x.dtype.type(v)


def fma(a, b, c):
    """a * b + c rounded once, in a's dtype (b and c: arrays or scalars)."""
    if a.dtype == np.float32:
        return fma32(a, b, c)
    if a.dtype == np.float64:
        return fma64(a, b, c)
    return a * b + c


def add_(x, y, alpha=1):
    """x.add_(y, alpha=alpha)."""
    if alpha == 1:
        x += y
    else:
        x[...] = fma(y, _scalar(x, alpha), x)
    return x


def addcmul_(x, t1, t2, value=1):
    """x.addcmul_(t1, t2, value=value)."""
    x[...] = fma(t1 if value == 1 else _scalar(x, value) * t1, t2, x)
    return x


def addcdiv_(x, t1, t2, value=1):
    """x.addcdiv_(t1, t2, value=value)."""
    x += (t1 if value == 1 else _scalar(x, value) * t1) / t2
    return x


def lerp_(x, end, weight):
    """x.lerp_(end, weight) for a scalar weight."""
    w = _scalar(x, weight)
    if abs(w) < 0.5:
        x[...] = fma(end - x, w, x)
    else:
        x[...] = fma(x - end, x.dtype.type(1) - w, end)
    return x


def rdiv(scalar, t):
    """scalar / t as torch computes it for a tensor t: t.reciprocal() * scalar."""
    r = t.dtype.type(1) / t
    r *= _scalar(t, scalar)
    return r
