"""Half-precision ops computed as torch computes them on the CPU: float16/bfloat16 inputs are
converted to float32 (torch's "opmath" type), the op runs there, and each result is rounded
once to the half type. Reductions then accumulate in float32 (a float16 mean of 70,000 ones
is 1, not inf/NaN) and composite ops (softmax, GELU, norms...) round once instead of after
every step, so their values agree with torch's bit for bit."""
import functools

import numpy as np

from .. import _dtype as D


def half_in_float32(forward):
    """Decorate an Op's forward (arrays in, an array or a tuple of arrays out; a `dtype` parameter,
    the computation dtype of binary ops, is float32 in place of a half type). A number operand stays
    a number: computed with float32 arrays it is not rounded to half first (x * 0.3 is
    round(float(x) * 0.3f), as torch computes it)."""

    @functools.wraps(forward)
    def run(self, *args, **params):
        dtype = params.get("dtype")
        if isinstance(dtype, D.dtype):  # the op's computation dtype, given: it alone decides
            half = D.np_dtype(dtype) if dtype.is_floating_point and dtype.itemsize == 2 else None
            if half is not None:
                params["dtype"] = D.float32
        else:
            half = next((a.dtype for a in args if hasattr(a, "astype") and D.is_half(a.dtype)), None)
        if half is None:
            return forward(self, *args, **params)
        out = forward(self, *(D.opmath(a) if hasattr(a, "astype") else a for a in args), **params)
        if type(out) is tuple:
            return tuple(_round(o, half) for o in out)
        return _round(out, half)

    return run


def _round(out, half):
    return out.astype(half) if hasattr(out, "astype") and out.dtype == np.float32 else out


def composite_in_float32(fn):
    """Decorate a function composed of tensor ops (addcmul, mish, rms_norm...): when its floating tensor
    arguments are all of one half type, it runs on float32 copies (differentiably) and the result is
    rounded once, as torch's fused kernel computes it."""
    from .._tensor import Tensor

    @functools.wraps(fn)
    def run(*args, **kwargs):
        floats = {a._dtype for a in args if isinstance(a, Tensor) and a._dtype.is_floating_point}
        half = floats.pop() if len(floats) == 1 else None
        if half is None or half.itemsize != 2:
            return fn(*args, **kwargs)
        out = fn(*(a.float() if isinstance(a, Tensor) and a._dtype is half else a for a in args), **kwargs)
        return out.to(half) if out._dtype is D.float32 else out

    return run
