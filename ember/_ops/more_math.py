"""Elementwise math torch has beyond the basics: inverse hyperbolics, erfc/erfinv, the
modified Bessel functions I0/I1, logit, xlogy, copysign, nextafter, ldexp, frexp, gcd/lcm,
heaviside, float_power, fmax/fmin, signbit, isposinf/isneginf, bit shifts, positive.

Ops are Op classes named like torch's backward nodes; gradients follow torch's
derivatives.yaml. In-place forms and aliases come from aliases.py.
"""
import math

import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op, _wrap
from . import _special
from ._return_types import return_type
from .elementwise import (_Binary, _Predicate, _operator, _TYPE_WORDS, _binary, _make_unary, _need_tensor, _out, _prep,
                          _apply_binary, binary_dtype, cast, where)

__all__ = ["acosh", "asinh", "atanh", "erfc", "erfinv", "i0", "logit", "xlogy", "copysign", "nextafter",
           "ldexp", "frexp", "gcd", "lcm", "heaviside", "float_power", "fmax", "fmin", "signbit",
           "isposinf", "isneginf", "bitwise_left_shift", "bitwise_right_shift", "positive", "igamma", "igammac"]

_SQRT_PI = math.sqrt(math.pi)

# -- unary ---------------------------------------------------------------------------------------------
acosh, AcoshBackward0 = _make_unary("acosh", "AcoshBackward0", "arccosh",
                                    lambda g, x, y: g * (x * x - 1).rsqrt(), "x", True)
asinh, AsinhBackward0 = _make_unary("asinh", "AsinhBackward0", "arcsinh",
                                    lambda g, x, y: g * (x * x + 1).rsqrt(), "x", True)
atanh, AtanhBackward0 = _make_unary("atanh", "AtanhBackward0", "arctanh",
                                    lambda g, x, y: g / (1 - x * x), "x", True)
erfc, ErfcBackward0 = _make_unary("erfc", "ErfcBackward0", _special.erfc,
                                  lambda g, x, y: g * (-2 / _SQRT_PI) * (-(x * x)).exp(), "x", True)
erfinv, ErfinvBackward0 = _make_unary("erfinv", "ErfinvBackward0", _special.erfinv,
                                      lambda g, x, y: g * (0.5 * _SQRT_PI) * (y * y).exp(), "y", True)


i0, I0Backward0 = _make_unary("i0", "I0Backward0", _special.i0, lambda g, x, y: g * special_i1(x), "x", True)
# torch.special's scaled and first-order Bessel I (exported by ember.special)
special_i0e, SpecialI0EBackward0 = _make_unary(
    "i0e", "SpecialI0EBackward0", _special.i0e, lambda g, x, y: g * (special_i1e(x) - x.sign() * y), "xy", True)
def _not_tiny(x):
    """torch's i1/i1e backward: |x| > eps (NaN is not), else the gradient at 0, 1/2."""
    eps = D.finfo(x._dtype).eps
    big = x.abs() > eps
    return big, where(big, x, eps)


def _i1_grad(g, x, y):
    big, safe = _not_tiny(x)
    return g * where(big, i0(safe) - y * safe.reciprocal(), 0.5)


def _i1e_grad(g, x, y):
    big, safe = _not_tiny(x)
    return g * where(big, special_i0e(safe) - y * (safe.sgn() + safe.reciprocal()), 0.5)


special_i1, SpecialI1Backward0 = _make_unary(  # I1' = I0 - I1/x, 1/2 at 0
    "i1", "SpecialI1Backward0", _special.i1, _i1_grad, "xy", True)
special_i1e, SpecialI1EBackward0 = _make_unary(
    "i1e", "SpecialI1EBackward0", _special.i1e, _i1e_grad, "xy", True)


def signbit(input, *, out=None):
    _need_tensor("signbit", 1, "input", input)
    return _out(_Predicate.apply(input, fn=lambda x: xp_of(x).signbit(x) if x.dtype.kind != "b"
                                 else xp_of(x).zeros(x.shape, dtype=bool)), out)


def isposinf(input, *, out=None):
    _need_tensor("isposinf", 1, "input", input)
    return _out(_Predicate.apply(input, fn=lambda x: x == np.inf if x.dtype.kind not in "biu"
                                 else xp_of(x).zeros(x.shape, dtype=bool)), out)


def isneginf(input, *, out=None):
    _need_tensor("isneginf", 1, "input", input)
    return _out(_Predicate.apply(input, fn=lambda x: x == -np.inf if x.dtype.kind not in "biu"
                                 else xp_of(x).zeros(x.shape, dtype=bool)), out)


def positive(input):
    _need_tensor("positive", 1, "input", input)
    if input._dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class LogitBackward0(Op):
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given; the gradient is
    NaN outside [0, 1] without eps, 0 outside [eps, 1 - eps] with it."""

    save_inputs = True

    def forward(self, x, eps):
        if x.dtype.kind in "biu":
            x = x.astype(D.np_dtype(D._default[0]))
        self.eps = eps
        xp = xp_of(x)
        if eps is not None:
            x = xp.clip(x, x.dtype.type(eps), x.dtype.type(1 - eps))
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.log(x / (1 - x)).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        d = g / (x * (1 - x))
        if self.eps is None:
            return where((x < 0) | (x > 1), math.nan, d)
        return where((x < self.eps) | (x > 1 - self.eps), 0.0, d)


def logit(input, eps=None, *, out=None):
    _need_tensor("logit", 1, "input", input)
    return _out(LogitBackward0.apply(input, eps=eps), out)


# -- binary ---------------------------------------------------------------------------------------------
class _FloatBinary(_Binary):
    """A binary op computed in a floating dtype (integer operands go to the default float)."""

    def forward(self, a, b, dtype):
        if not dtype.is_floating_point:
            dtype = D._default[0]
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        a, b = cast(a, npdt), cast(b, npdt)
        xp = xp_of(a) if hasattr(a, "dtype") else xp_of(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.asarray(self.fn(xp, a, b)).astype(npdt, copy=False)


class XlogyBackward0(_FloatBinary):
    """x log(y), 0 where x == 0 (unless y is NaN)."""

    save_inputs = True
    fn = staticmethod(lambda xp, a, b: xp.where((a == 0) & (b == b), 0, a * xp.log(b)))

    def backward(self, g):
        a, b = self.saved_tensors
        ga = gb = None
        if self.needs_grad(0):
            ga = where((a == 0) & (b <= 0), 0.0, xlogy(g, b))
        if self.needs_grad(1):
            gb = g * a / b
        return ga, gb


def xlogy(input, other, *, out=None):
    return _out(_binary(XlogyBackward0, input, other), out)


class CopysignBackward0(_FloatBinary):
    """|a| with b's sign: d/da = result / a (0 at a == 0); b gets no gradient."""

    save_inputs = True
    save_output = True
    fn = staticmethod(lambda xp, a, b: xp.copysign(a, b))

    def backward(self, g):
        a, _, y = self.saved_tensors
        return where(a == 0, 0.0, g * y / where(a == 0, 1.0, a)), g * 0


class CopysignBackward1(CopysignBackward0):
    pass


def copysign(input, other, *, out=None):
    cls = CopysignBackward0 if isinstance(other, Tensor) else CopysignBackward1
    return _out(_binary(cls, input, other), out)


def _tensor_binary(name, op_cls):
    """name(input, other, *, out=None) for a binary op whose operands must both be tensors."""

    def fn(input, other, *, out=None):
        _need_tensor(name, 1, "input", input)
        _need_tensor(name, 2, "other", other)
        return _out(_binary(op_cls, input, other), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


class NextafterBackward0(_Binary):
    def forward(self, a, b, dtype):
        if not dtype.is_floating_point:
            raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{_TYPE_WORDS[dtype.name]}'")
        return _Binary.forward(self, a, b, dtype)

    fn = staticmethod(lambda a, b: xp_of(a).nextafter(a, b))

    def backward(self, g):
        return g, g * 0  # as torch: the step is ignored


nextafter = _tensor_binary("nextafter", NextafterBackward0)


def ldexp(input, other, *, out=None):
    """input * 2**other (a composition, so both get torch's gradients)."""
    _need_tensor("ldexp", 1, "input", input)
    _need_tensor("ldexp", 2, "other", other)
    dt = binary_dtype(input, other)
    if not dt.is_floating_point:
        dt = D._default[0]
    from .elementwise import pow as _pow

    return _out(input.to(dt) * _pow(2.0, other.to(dt)), out)


frexp_result = return_type("frexp", ("mantissa", "exponent"))


class FrexpBackward0(Op):
    """x = m * 2^e: the mantissa's gradient is grad / 2^e (the exponent has none, as torch's)."""

    n_diff_outputs = 1

    def forward(self, x):
        m, e = xp_of(x).frexp(x)
        self.scale = xp_of(x).ldexp(xp_of(x).ones((), x.dtype), -e)  # exactly 2^-e, in x's dtype
        return m, e.astype(np.int32, copy=False)

    def backward(self, g, *_):
        return g * _wrap(self.scale)


def frexp(input, *, out=None):
    _need_tensor("frexp", 1, "input", input)
    if not input._dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    result = frexp_result(*FrexpBackward0.apply(input))
    if out is not None:
        _out(result[0], out[0])
        _out(result[1], out[1])
        return frexp_result(*out)
    return result


class _IntOnly(Op):
    """gcd, lcm and the bit shifts: integer kernels with no gradient."""

    differentiable = False

    def forward(self, a, b, dtype, fn, kernel):
        if dtype.is_floating_point or dtype is D.bool_:
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[dtype.name]}'")
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        return fn(xp_of(a) if hasattr(a, "dtype") else xp_of(b), cast(a, npdt), cast(b, npdt))


def _int_binary(fn, kernel, name=None):
    def op(input, other, *, out=None):
        a, b = _prep(input, other, name or kernel[:-4])
        return _out(_apply_binary(_IntOnly, a, b, binary_dtype(a, b), fn=fn, kernel=kernel), out)

    return op


def _shift_left(xp, a, b):
    bits = 8 * np.dtype(getattr(a, "dtype", getattr(b, "dtype", np.int64))).itemsize
    a, b = xp.asarray(a), xp.asarray(b)
    big = (b >= bits) | (b < 0)  # C++ leaves these undefined; torch gives 0
    return xp.where(big, 0, xp.left_shift(a, xp.where(big, 0, b).astype(a.dtype))).astype(a.dtype)


def _shift_right(xp, a, b):
    bits = 8 * np.dtype(getattr(a, "dtype", getattr(b, "dtype", np.int64))).itemsize
    a, b = xp.asarray(a), xp.asarray(b)
    big = (b >= bits) | (b < 0)  # torch: the sign fill (-1 for negatives, else 0)
    shifted = xp.right_shift(a, xp.where(big, 0, b).astype(a.dtype))
    return xp.where(big, xp.where(a < 0, -1, 0), shifted).astype(a.dtype)


gcd = _int_binary(lambda xp, a, b: xp.gcd(a, b), "gcd_cpu")
lcm = _int_binary(lambda xp, a, b: xp.lcm(a, b), "lcm_cpu")
bitwise_left_shift = _int_binary(_shift_left, "lshift_cpu", "bitwise_left_shift")
bitwise_right_shift = _int_binary(_shift_right, "rshift_cpu", "bitwise_right_shift")
gcd.__name__, lcm.__name__ = "gcd", "lcm"
bitwise_left_shift.__name__, bitwise_right_shift.__name__ = "bitwise_left_shift", "bitwise_right_shift"


class _Heaviside(Op):
    """0 where x < 0, 1 where x > 0, values where x == 0; torch has no derivative for it."""

    def forward(self, x, values):
        xp = xp_of(x)
        return xp.where(x == 0, values, (x > 0)).astype(x.dtype, copy=False)

    def backward(self, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def heaviside(input, values, *, out=None):
    _need_tensor("heaviside", 1, "input", input)
    _need_tensor("heaviside", 2, "values", values)
    if input._dtype is not values._dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _out(_Heaviside.apply(input, values), out)


def float_power(input, exponent, *, out=None):
    """pow in float64 (the result is always double)."""
    from .elementwise import pow as _pow

    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power() received an invalid combination of arguments")
    base = input.to(D.float64) if isinstance(input, Tensor) else float(input)
    exp = exponent.to(D.float64) if isinstance(exponent, Tensor) else float(exponent)
    if out is not None and out._dtype is not D.float64:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype} but the operation's result "
                           "requires dtype torch.float64")
    return _out(_pow(base, exp), out)


class FmaxBackward0(_Binary):
    """max ignoring NaN: the gradient goes to whichever operand was taken."""

    save_inputs = True
    fn = staticmethod(lambda a, b: xp_of(a).fmax(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        take_a = (a >= b) | b.isnan()
        return where(take_a, g, 0.0), where(take_a, 0.0, g)


class FminBackward0(_Binary):
    save_inputs = True
    fn = staticmethod(lambda a, b: xp_of(a).fmin(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        take_a = (a <= b) | b.isnan()
        return where(take_a, g, 0.0), where(take_a, 0.0, g)


fmax = _tensor_binary("fmax", FmaxBackward0)


fmin = _tensor_binary("fmin", FminBackward0)


# -- igamma, igammac -----------------------------------------------------------------------------------------
class IgammaBackward0(_Binary):
    """The regularized lower incomplete gamma P(a, x); torch differentiates it in x only:
    dP/dx = x^(a-1) e^-x / Gamma(a) (and dQ/dx = -dP/dx)."""

    save_inputs = True
    upper = False

    def forward(self, a, x, dtype):
        if not dtype.is_floating_point:
            raise NotImplementedError(f"\"{type(self).kernel}\" not implemented for '{_TYPE_WORDS[dtype.name]}'")
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        from . import _igamma  # its 25 x 25 table loads on first use, not with `import ember`

        xp = xp_of(a) if hasattr(a, "dtype") else xp_of(x)
        return xp.asarray(_igamma.incomplete_gamma(xp, a, x, self.upper)).astype(npdt)

    kernel = "igamma_cpu"

    def backward(self, g):
        a, x = self.saved_tensors
        name = "igammac" if self.upper else "igamma"
        if self.needs_grad(0):
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        d = g * ((a - 1) * x.log() - x - a.lgamma()).exp()
        return None, -d if self.upper else d


class IgammacBackward0(IgammaBackward0):
    upper = True
    kernel = "igammac_cpu"


igamma = _tensor_binary("igamma", IgammaBackward0)


igammac = _tensor_binary("igammac", IgammacBackward0)


# -- Tensor methods and operators ---------------------------------------------------------------------------
for _fn in (acosh, asinh, atanh, erfc, erfinv, i0, logit, xlogy, copysign, nextafter, ldexp, frexp, gcd, lcm,
            heaviside, float_power, fmax, fmin, signbit, isposinf, isneginf, bitwise_left_shift,
            bitwise_right_shift, positive, igamma, igammac):
    setattr(Tensor, _fn.__name__, _fn)


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    return method


Tensor.__lshift__ = _operator(bitwise_left_shift)
Tensor.__rshift__ = _operator(bitwise_right_shift)
Tensor.__rlshift__ = _operator(_reflected(bitwise_left_shift))
Tensor.__rrshift__ = _operator(_reflected(bitwise_right_shift))
Tensor.__pos__ = positive
Tensor.__ilshift__ = lambda self, other: self.bitwise_left_shift_(other)  # the `_` forms come from aliases.py
Tensor.__irshift__ = lambda self, other: self.bitwise_right_shift_(other)
