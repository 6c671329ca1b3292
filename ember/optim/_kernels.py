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

from .._device import xp_of
from .._random import fma64


def _scalar(x, v):
    """The Python scalar v as torch sees it in an op on x: rounded to x's dtype."""
    return x.dtype.type(v)


def fma_into(out, a, b, c):
    """out = a * b + c rounded once, in out's dtype (a, b, c: arrays of out's dtype or scalars
    already rounded to it). float32: the float64 product of two floats is exact, so one
    float64 multiply-add rounded to float32 is the fused result (one float64 temporary)."""
    if out.dtype == np.float32:
        xp = xp_of(out)
        t = xp.asarray(xp.multiply(a, b, dtype=xp.float64))  # an array also for 0-d operands
        xp.add(t, c, out=t)
        out[...] = t
    elif out.dtype == np.float64:
        out[...] = fma64(a, b, c)
    else:
        out[...] = a * b + c
    return out


def add_(x, y, alpha=1):
    """x.add_(y, alpha=alpha)."""
    if alpha == 1:
        x += y
        return x
    return fma_into(x, y, _scalar(x, alpha), x)


def addcmul_(x, t1, t2, value=1):
    """x.addcmul_(t1, t2, value=value)."""
    return fma_into(x, t1 if value == 1 else t1 * _scalar(x, value), t2, x)


def addcdiv_(x, t1, t2, value=1):
    """x.addcdiv_(t1, t2, value=value)."""
    q = t1 * _scalar(x, value)
    q /= t2
    x += q
    return x


def lerp_(x, end, weight):
    """x.lerp_(end, weight) for a scalar weight."""
    w = _scalar(x, weight)
    if abs(w) < 0.5:
        return fma_into(x, end - x, w, x)
    return fma_into(x, x - end, x.dtype.type(1) - w, end)


def rdiv(scalar, t):
    """scalar / t as torch computes it for a tensor t: t.reciprocal() * scalar."""
    r = t.dtype.type(1) / t
    r *= _scalar(t, scalar)
    return r
