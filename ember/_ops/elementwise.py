"""Elementwise ops: arithmetic, unary math, comparisons and logic.

Binary ops promote with torch's rules (`_dtype.result_type`), cast array
operands to the result dtype inside forward, and leave Python scalars as they
are (NumPy 2 treats them as weak, as torch treats wrapped numbers). Gradients
come back in the broadcast shape and computation dtype; `Op._apply` reduces
them to each input's shape and dtype.

Hot path: `x + y`, `x * y`, `x - y`, `x / y` and comparisons skip promotion and
casts when the result is in x's own dtype (`_in_own_dtype`); forward then gets
dtype=None. In-place ops whose gradient needs the old self work on a clone of
it, as torch keeps `original_self`.
"""
import math
import operator

import numpy as np

from .. import _dtype as D
from .._alloc import allocation_error
from .._device import xp_of
from .._tensor import Tensor
from ..autograd import grad_mode
from ._base import Op, _wrap
from . import _special
from ._opmath import half_in_float32
from ._inplace import _TYPE_WORDS, _dtype_str, check_inplace, commit, fill_inplace, inplace_method
from .selection import where

_state = grad_mode.state
_new = object.__new__
_float_t = float
_int_t = int
_bool_t = bool


# -- operand handling -----------------------------------------------------------------
def _scalar_or_tensor(x, op=None):
    """Tensors and Python scalars pass; NumPy arrays/scalars are converted. Anything else
    (a list, a string, None) is refused as torch's argument parser refuses it; `op` (a name
    or the op class) names the function in the message."""
    t = type(x)
    if t is Tensor or t is _float_t or t is _int_t or t is _bool_t or isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _wrap(x)  # a 0-d array is a 0-d tensor, as torch.as_tensor makes it
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (int, float)):  # subclasses of int and float
        return float(x) if isinstance(x, float) else int(x)
    if isinstance(x, complex):
        return complex(x)
    raise _operand_error(op, x)


class BadOperand(TypeError):
    """An operand torch's argument parser refuses. The Python operators (`x + [1]`) answer
    NotImplemented for it instead, so that Python raises its own TypeError, as for torch."""


# torch binary functions that also have a Number overload: their parser reports the whole call.
_OVERLOADED = frozenset({"true_divide", "floor_divide", "pow", "fmod", "remainder", "copysign", "xlogy", "eq", "ne",
                         "lt", "le", "gt", "ge", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                         "bitwise_right_shift", "float_power", "rsub"})


def _operand_error(op, x):
    if not isinstance(op, str):  # an op class: AddBackward0 -> add, LogicalAndBackward0 -> logical_and
        import re

        op = re.sub(r"(?<!^)(?=[A-Z])", "_", re.sub(r"Backward\d*$", "", getattr(op, "__name__", ""))).lower()
    if op in _OVERLOADED:
        return BadOperand(f"{op}() received an invalid combination of arguments - got (Tensor, {type(x).__name__}), "
                          f"but expected one of: ...")
    return BadOperand(f"{op}(): argument 'other' (position 2) must be Tensor, not {type(x).__name__}")


def _operator(fn):
    """A Python operator on Tensors from fn: NotImplemented for operands torch refuses."""

    def op(self, other):
        try:
            return fn(self, other)
        except BadOperand:
            return NotImplemented

    op.__name__ = getattr(fn, "__name__", "op")
    return op


def binary_dtype(a, b):
    """Result dtype of a binary op on a Tensor and a Tensor-or-scalar (fast paths first)."""
    if isinstance(b, Tensor):
        if isinstance(a, Tensor) and a._dtype is b._dtype:
            return a._dtype
        return D.result_type(a, b)
    if isinstance(a, Tensor):
        da = a._dtype
        tb = type(b)
        if tb is _float_t:
            return da if da._differentiable else D._default[0]
        if tb is _int_t:
            return da if da is not D.bool_ else D.int64
        if tb is _bool_t:
            return da
    return D.result_type(a, b)


def cast(x, npdt):
    """An array operand in the computation dtype; scalars stay scalars."""
    if type(x) is np.ndarray or hasattr(x, "dtype") and not isinstance(x, np.generic):
        return x if x.dtype == npdt else x.astype(npdt)
    if npdt is D.bfloat16.np and x is not None:
        return npdt(x)  # ml_dtypes treats Python scalars as float32, not as weak scalars
    return x


def _prep(a, b, op=None):
    a = _scalar_or_tensor(a, op)
    b = _scalar_or_tensor(b, op)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        from .._creation import tensor

        a = tensor(a)
    _check_devices(a, b)
    return a, b


def _check_devices(a, b):
    """Tensors on two devices are refused, except a 0-d CPU one (Op.apply moves it, as torch reads it)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and type(a._data) is not type(b._data):
        if not (a.is_cpu and not a._data.ndim or b.is_cpu and not b._data.ndim):
            first, second = (a, b) if not a.is_cpu else (b, a)
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{first.device} and {second.device}!")


def _broadcast_check(a, b):
    """Turn NumPy's broadcast ValueError into torch's RuntimeError."""
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    if sa == sb or not sa or not sb:
        return
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {max(len(sa), len(sb)) - i}")


class _Binary(Op):
    """Binary elementwise op; `fn(xp, a, b)` computes on arrays of the result dtype."""

    numbers_are_tensors = True
    # torch's kernel name, for the ops it builds no uint16/32/64 kernel for (None: it has one)
    limited_kernel = None

    @half_in_float32
    def forward(self, a, b, dtype):
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        return self.fn(cast(a, npdt), cast(b, npdt))


def _binary(op_cls, a, b, **params):
    a, b = _prep(a, b, op_cls)
    return _apply_binary(op_cls, a, b, binary_dtype(a, b), **params)


def _apply_binary(op_cls, a, b, dt, **params):
    """op_cls.apply with torch's errors for shapes that do not broadcast, and Python ints
    outside an integer dtype's range wrapped into it as torch casts them (uint8 - 3)."""
    if dt._limited:
        _refuse_limited(op_cls, dt, params)
    try:
        return op_cls.apply(a, b, dtype=dt, **params)
    except ValueError:
        _broadcast_check(a, b)
        raise
    except OverflowError:
        if dt.is_floating_point:
            raise
        return op_cls.apply(_wrap_int(a, dt), _wrap_int(b, dt), dtype=dt, **params)


def _refuse_limited(op_cls, dt, params):
    """torch's refusal of uint16/32/64 by the binary ops it builds no kernel of theirs for: the class's
    `limited_kernel`, remainder/fmod's `kernel`, or the kernel an int-only op (gcd, shifts) is given."""
    kernel = op_cls.kernel if issubclass(op_cls, _IntDivision) else params.get("kernel") or \
        getattr(op_cls, "limited_kernel", None)
    if op_cls is DivBackward0 and params.get("rounding_mode"):
        kernel = f"div_{params['rounding_mode']}_cpu"
    if kernel is not None:
        D.refuse_limited(dt, kernel)


def _wrap_int(x, dt):
    if type(x) is _int_t:
        return np.array(x, dtype=np.int64).astype(dt.np)[()]
    return x


# -- arithmetic -----------------------------------------------------------------------------
class AddBackward0(_Binary):
    saved_names = ("alpha=alpha:1",)

    def forward(self, a, b, dtype, alpha=1):
        if dtype is None:  # the operator fast path: two arrays of one dtype
            return a + b
        D.refuse_limited(dtype, "add_stub")
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        a, b = cast(a, npdt), cast(b, npdt)
        if alpha != 1:
            self.alpha = alpha
            b = _scaled_by_alpha(b, alpha, dtype)
        return a + b

    def backward(self, g):
        alpha = getattr(self, "alpha", 1)
        return g, (g if alpha == 1 else g * alpha)


def _scaled_by_alpha(b, alpha, dtype):
    """b * alpha for add/sub, with torch's rules: no float alpha for integer tensors, bool alpha for bools."""
    if isinstance(alpha, float) and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return b & bool(alpha) if dtype is D.bool_ else b * alpha


def _is_bool(x):
    return type(x) is bool or getattr(x, "dtype", None) == np.bool_


class SubBackward0(_Binary):
    saved_names = ("alpha=alpha:1",)

    def forward(self, a, b, dtype, alpha=1):
        if dtype is None:
            return a - b
        if dtype is D.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        if _is_bool(a) or _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        D.refuse_limited(dtype, "add_stub")
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        a, b = cast(a, npdt), cast(b, npdt)
        if alpha != 1:
            self.alpha = alpha
            b = _scaled_by_alpha(b, alpha, dtype)
        return a - b

    def backward(self, g):
        if not self.needs_grad(1):
            return g, None
        alpha = getattr(self, "alpha", 1)
        return g, (-g if alpha == 1 else g * -alpha)


class RsubBackward1(SubBackward0):
    """scalar - tensor: inputs arrive as (tensor, scalar)."""

    def forward(self, a, b, dtype, alpha=1):
        return SubBackward0.forward(self, b, a, dtype, alpha)

    def backward(self, g):
        alpha = getattr(self, "alpha", 1)
        return (-g if alpha == 1 else g * -alpha), g


class MulBackward0(_Binary):
    saved_names = ("other", "self")  # saved as (other, self): see _link
    fn = staticmethod(lambda a, b: a * b)

    def _link(self, inputs, result=None):
        # As torch: each operand is saved only when the other needs a gradient, so
        # only what backward reads is kept alive (and version-checked).
        _Binary._link(self, inputs, result)
        (a_fn, _), (b_fn, _) = self.next_functions
        a, b = inputs
        self._save((b if a_fn is not None else None, a if b_fn is not None else None))

    @half_in_float32
    def forward(self, a, b, dtype):
        if dtype is None:
            return a * b  # bool * bool is logical and, as in torch
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        if dtype is D.bool_:
            return cast(a, npdt) & cast(b, npdt)
        return cast(a, npdt) * cast(b, npdt)

    def backward(self, g):
        b, a = self.saved_tensors  # None where that operand's gradient is not needed
        return (None if b is None else g * b), (None if a is None else g * a)


class DivBackward0(_Binary):
    save_inputs = True
    saved_names = ("self?other", "other")
    rounding_mode = None

    @half_in_float32
    def forward(self, a, b, dtype, rounding_mode=None):
        if dtype is None:  # floats of one dtype
            return a / b
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        a, b = cast(a, npdt), cast(b, npdt)
        self.rounding_mode = rounding_mode
        if rounding_mode is None:
            return a / b
        if dtype is D.bool_:
            raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
        xp = xp_of(a, b)
        if dtype.is_floating_point:
            # floor_divide is Python's // (exact where floor(a / b) rounds wrongly, e.g. 1 // 0.1).
            return xp.floor_divide(a, b) if rounding_mode == "floor" else xp.trunc(a / b)
        _check_int_division(b)
        if rounding_mode == "floor":
            return a // b
        q = xp.abs(a) // xp.abs(b)
        return xp.where((a < 0) ^ (b < 0), -q, q).astype(npdt, copy=False)

    def backward(self, g):
        if self.rounding_mode is not None:
            return g * 0, g * 0  # piecewise constant
        a, b = self.saved_tensors
        # torch's d/db is -g * ((a / b) / b): b * b would underflow for a denormal b
        return (g / b if self.needs_grad(0) else None), (-g * (a / b / b) if self.needs_grad(1) else None)


def _check_int_division(b):
    if (b == 0).any() if hasattr(b, "ndim") else b == 0:  # NumPy or CuPy array, or a scalar
        raise RuntimeError("ZeroDivisionError")


def _div_dtype(a, b, rounding_mode):
    dt = binary_dtype(a, b)
    if rounding_mode is None and not dt._differentiable:
        return D._default[0]
    if rounding_mode is not None and dt.is_complex:
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for '{_TYPE_WORDS[dt.name]}'")
    return dt


class PowBackward0(Op):
    """tensor ** scalar"""

    save_inputs = True

    saved_names = ("self", "exponent")

    def forward(self, x, e, dtype):
        D.refuse_limited(dtype, "pow")
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        x = cast(x, npdt)
        if dtype is D.bool_:  # bool ** bool
            return x.copy() if e else xp_of(x).ones_like(x)
        if e == 2:
            return x * x
        if dtype.category <= D._INT and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if dtype.is_floating_point:
            # torch's special cases for common exponents: exact products instead of
            # pow() per element (5x faster than NumPy's generic float power).
            xp = xp_of(x)
            if e == 3:
                return x * x * x
            if e == 0.5:
                return xp.sqrt(x)
            if e == -0.5:
                return 1 / xp.sqrt(x)
            if e == -1:
                return 1 / x
            if e == -2:
                return 1 / (x * x)
        return x ** cast(e, npdt)

    def backward(self, g):
        x, e = self.saved_tensors
        if e == 0:
            return g * 0, None
        if e == 2:
            return g * (x * 2), None
        return g * (e * x.pow(e - 1)), None


def _int_power(a, b, npdt):
    """Integer a ** b with a tensor of exponents as torch computes it: a negative exponent gives
    1 for a base of 1, +-1 for -1 and 0 otherwise (a Python-number exponent is refused instead,
    in PowBackward0); NumPy raises for any negative one."""
    if not (b < 0).any():
        return a ** b
    xp = xp_of(a) if hasattr(a, "dtype") else xp_of(b)
    neg = b < 0
    special = xp.where(a == 1, 1, xp.where(a == -1, xp.where(b % 2 == 0, 1, -1), 0)).astype(npdt)
    return xp.where(neg, special, a ** xp.where(neg, 0, b))


class PowBackward1(_Binary):
    limited_kernel = "pow"

    """tensor ** tensor"""

    save_inputs = True
    save_output = True

    saved_names = ("self", "exponent", "result")

    def forward(self, a, b, dtype):
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        if dtype is D.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        a, b = cast(a, npdt), cast(b, npdt)
        if dtype.category <= D._INT:
            return _int_power(a, b, npdt)
        return a ** b

    def backward(self, g):
        a, b, y = self.saved_tensors
        ga = where(b == 0, 0.0, g * b * a.pow(b - 1))
        gb = where((a == 0) & (b.real >= 0), 0.0, g * y * log(a))
        return ga, gb


class PowBackward2(Op):
    """scalar ** tensor: inputs arrive as (tensor exponent, scalar base)."""

    save_inputs = True
    save_output = True

    def forward(self, e, base, dtype):
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        if dtype is D.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        self.base = base
        base = xp_of(e).asarray(_wrap_int(base, dtype) if dtype.category == D._INT else base, dtype=npdt)
        return _int_power(base, cast(e, npdt), npdt) if dtype.category <= D._INT else base ** cast(e, npdt)

    def backward(self, g):
        e, _, y = self.saved_tensors
        if self.base == 0:
            # d/de 0**e: 0 where e >= 0, else y * log(0) = -inf, as torch computes it.
            return g * where(e >= 0, 0.0, y * -math.inf), None
        return g * y * math.log(self.base), None


def _in_own_dtype(self, other):
    """Whether `self op other` computes in self's dtype with no cast: other is a tensor of
    self's dtype on self's device, or a Python number with a float self (NumPy keeps self's
    dtype for it). Not for a number with a half self: torch computes that in float32 with the
    number unrounded (x * 0.3 is round(float(x) * 0.3f)), NumPy would round 0.3 to half first."""
    if isinstance(other, Tensor):
        return other._dtype is self._dtype and type(other._data) is type(self._data)
    t = type(other)
    return (t is _float_t or t is _int_t) and self._dtype.is_floating_point and self._dtype.itemsize != 2


def _fast(op_cls, kernel, allowed=None, full=None):
    """`x op y` without promotion or casts (forward gets dtype=None) when `_in_own_dtype`;
    else the full path. `kernel` is what forward computes for dtype=None (the operator on
    the two arrays): when no graph is recorded (no_grad, every backward formula, or no
    input requiring grad) it runs directly, with no node, ~3x cheaper. `allowed(dtype)`
    narrows the fast path (no bool subtraction, float division only); `full(x, y)` is
    the full path (by default the common-dtype binary op)."""

    def op(self, other):
        # uint16/32/64 (`_limited`) take the full path, where torch's refusals are.
        if _in_own_dtype(self, other) and not self._dtype._limited and (allowed is None or allowed(self._dtype)):
            try:
                tensor = type(other) is not _float_t and type(other) is not _int_t
                result = _wrap(kernel(self._data, other._data if tensor else other))
                if _state.enabled and (self._requires_grad or tensor and other._requires_grad):
                    # What op_cls.apply(self, other, dtype=None) does, without its generic argument handling.
                    return _new(op_cls)._record((self, other), result)
                return result
            except ValueError:
                _broadcast_check(self, other)
                raise
            except MemoryError as e:
                raise allocation_error(e) from None
            except TypeError:  # a NumPy and a CuPy array: the full path has torch's device rules
                pass
        try:
            return _binary(op_cls, self, other) if full is None else full(self, other)
        except BadOperand:
            return NotImplemented  # Tensor.__add__: Python raises its TypeError (add() raises its own)

    return op


_add = _fast(AddBackward0, operator.add)
_sub = _fast(SubBackward0, operator.sub, lambda d: d is not D.bool_)
_mul = _fast(MulBackward0, operator.mul)
_truediv = _fast(DivBackward0, operator.truediv, lambda d: d.is_floating_point, full=lambda a, b: _div(a, b))
_rsub = _fast(RsubBackward1, lambda a, b: b - a, lambda d: d is not D.bool_, full=lambda a, b: rsub(a, b))


def add(input, other, *, alpha=1, out=None):
    if alpha == 1 and out is None and isinstance(input, Tensor):
        result = _add(input, other)
        if result is not NotImplemented:
            return result
    return _out(_binary(AddBackward0, input, other, alpha=alpha), out)


def sub(input, other, *, alpha=1, out=None):
    if alpha == 1 and out is None and isinstance(input, Tensor):
        result = _sub(input, other)
        if result is not NotImplemented:
            return result
    return _out(_binary(SubBackward0, input, other, alpha=alpha), out)


def rsub(input, other, alpha=1):
    a, b = _prep(input, other, "rsub")
    if isinstance(a, Tensor):
        return _apply_binary(RsubBackward1, a, b, binary_dtype(a, b), alpha=alpha)
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    if out is None and isinstance(input, Tensor):
        result = _mul(input, other)
        if result is not NotImplemented:
            return result
    return _out(_binary(MulBackward0, input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode not in (None, "floor", "trunc"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
    if rounding_mode is None and out is None and isinstance(input, Tensor):
        result = _truediv(input, other)
        if result is not NotImplemented:
            return result
    return _out(_div(input, other, rounding_mode), out)


def _div(input, other, rounding_mode=None):
    a, b = _prep(input, other, "floor_divide" if rounding_mode == "floor" else "div")
    dt = _div_dtype(a, b, rounding_mode)
    return _apply_binary(DivBackward0, a, b, dt, rounding_mode=rounding_mode)


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


def pow(input, exponent, *, out=None):
    t = type(exponent)
    if out is None and (t is _float_t or t is _int_t) and type(input) is Tensor and _in_own_dtype(input, exponent):
        # float tensor ** Python number (x ** 2 in every loss): the tensor's dtype, no promotion to work out
        return PowBackward0.apply(input, exponent, dtype=input._dtype)
    a, b = _prep(input, exponent, "pow")
    if not isinstance(a, Tensor):  # scalar ** tensor
        dt = binary_dtype(b, a)
        return _out(PowBackward2.apply(b, a, dtype=dt), out)
    if isinstance(b, Tensor):
        return _out(_apply_binary(PowBackward1, a, b, binary_dtype(a, b)), out)
    return _out(PowBackward0.apply(a, b, dtype=binary_dtype(a, b)), out)


def _out(result, out):
    """Support the `out=` argument: copy into `out` (resized as torch would)."""
    if out is None:
        return result
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, dtype=out._data.dtype) if out.is_cpu else \
            xp_of(out._data).empty(result._data.shape, dtype=out._data.dtype)
    return commit(out, result)


# -- remainder, fmod, atan2, maximum, minimum -----------------------------------------------------
def _need_tensor(fn_name, position, arg_name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn_name}(): argument '{arg_name}' (position {position}) must be Tensor, "
                        f"not {type(x).__name__}")


class _IntDivision(_Binary):
    """remainder and fmod: integer division by zero raises as torch does; bool has no kernel."""

    kernel = None

    def forward(self, a, b, dtype):
        if dtype is D.bool_:
            raise NotImplementedError(f"\"{self.kernel}\" not implemented for 'Bool'")
        if dtype.is_complex:
            raise NotImplementedError(f"\"{self.kernel}\" not implemented for '{_TYPE_WORDS[dtype.name]}'")
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        a, b = cast(a, npdt), cast(b, npdt)
        if not dtype.is_floating_point:
            _check_int_division(b)
        return self.fn(a, b)


class RemainderBackward0(_IntDivision):
    """a - floor(a / b) * b (the sign of the divisor, Python's %): d/db = -floor(a / b)."""

    save_inputs = True
    kernel = "remainder_cpu"
    fn = staticmethod(lambda a, b: a % b)

    def backward(self, g):
        a, b = self.saved_tensors
        return g, -g * div(a, b, rounding_mode="floor")


class FmodBackward0(_IntDivision):
    """a - trunc(a / b) * b (the sign of the dividend, C's fmod): d/db = -trunc(a / b)."""

    save_inputs = True
    kernel = "fmod_cpu"
    fn = staticmethod(lambda a, b: xp_of(a).fmod(a, b) if hasattr(a, "dtype") else xp_of(b).fmod(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        return g, -g * div(a, b, rounding_mode="trunc")


class RemainderBackward1(RemainderBackward0):
    pass


class FmodBackward1(FmodBackward0):
    pass


def remainder(input, other, *, out=None):
    """Python's modulo: the result has the sign of `other`."""
    cls = RemainderBackward1 if isinstance(other, Tensor) else RemainderBackward0
    return _out(_binary(cls, input, other), out)


def fmod(input, other, *, out=None):
    """C's fmod: the result has the sign of `input`."""
    _need_tensor("fmod", 1, "input", input)
    cls = FmodBackward1 if isinstance(other, Tensor) else FmodBackward0
    return _out(_binary(cls, input, other), out)


class Atan2Backward0(_Binary):
    """atan2(a, b): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)."""

    save_inputs = True

    def forward(self, a, b, dtype):
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        return xp_of(a).arctan2(cast(a, npdt), cast(b, npdt))

    def backward(self, g):
        a, b = self.saved_tensors
        d = a * a + b * b
        r = where(d == 0, 0.0, g / d)  # torch's gradient is 0 where a^2 + b^2 is 0 (or underflows)
        return r * b, -r * a


def atan2(input, other, *, out=None):
    _need_tensor("atan2", 1, "input", input)
    _need_tensor("atan2", 2, "other", other)
    _check_devices(input, other)
    dt = binary_dtype(input, other)
    if dt.is_complex:
        raise NotImplementedError(f"\"atan2_cpu\" not implemented for '{_TYPE_WORDS[dt.name]}'")
    if not dt.is_floating_point:
        dt = D._default[0]
    return _out(_apply_binary(Atan2Backward0, input, other, dt), out)


class MaximumBackward0(_Binary):
    limited_kernel = "maximum_cpu"

    """Ties split the gradient half and half, as torch does; NaN passes it to both."""

    save_inputs = True
    fn = staticmethod(lambda a, b: xp_of(a).maximum(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        half = where(a == b, g / 2, g)
        return where(a < b, 0.0, half), where(a > b, 0.0, half)


class MinimumBackward0(_Binary):
    limited_kernel = "minimum_cpu"

    save_inputs = True
    fn = staticmethod(lambda a, b: xp_of(a).minimum(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        half = where(a == b, g / 2, g)
        return where(a > b, 0.0, half), where(a < b, 0.0, half)


def _no_complex_tensors(name, *tensors):
    if any(t._dtype.is_complex for t in tensors):
        raise RuntimeError(f"{name} not implemented for complex tensors.")


def maximum(input, other, *, out=None):
    _need_tensor("maximum", 1, "input", input)
    _need_tensor("maximum", 2, "other", other)
    _no_complex_tensors("maximum", input, other)
    return _out(_binary(MaximumBackward0, input, other), out)


def minimum(input, other, *, out=None):
    _need_tensor("minimum", 1, "input", input)
    _need_tensor("minimum", 2, "other", other)
    _no_complex_tensors("minimum", input, other)
    return _out(_binary(MinimumBackward0, input, other), out)


# -- clamp ------------------------------------------------------------------------------------
def _clamp_array(x, lo, hi):
    xp = xp_of(x)
    if lo is not None:
        x = xp.maximum(x, lo)
    if hi is not None:
        x = xp.minimum(x, hi)
    return x


class ClampBackward1(Op):
    """clamp with number bounds: the gradient passes where min <= x <= max (ties included)."""

    save_inputs = True

    def forward(self, x, dtype, lo, hi):
        self.lo, self.hi = lo, hi
        npdt = D.np_dtype(dtype)
        if npdt is D.bfloat16.np:
            lo, hi = cast(lo, npdt), cast(hi, npdt)
        return _clamp_array(cast(x, npdt), lo, hi)

    def backward(self, g):
        x, = self.saved_tensors
        if self.lo is None:
            return where(x <= self.hi, g, 0.0)
        if self.hi is None:
            return where(x >= self.lo, g, 0.0)
        return where((x >= self.lo) & (x <= self.hi), g, 0.0)


class ClampBackward0(Op):
    """clamp with tensor bounds (torch's clamp_backward_min_max): x gets the gradient where
    min <= x <= max; min where x < min < max; max where x > max or max < min."""

    save_inputs = True

    def forward(self, x, lo, hi, dtype):
        npdt = D.np_dtype(dtype)
        return _clamp_array(cast(x, npdt), None if lo is None else cast(lo, npdt), None if hi is None else cast(hi, npdt))

    def backward(self, g):
        x, lo, hi = self.saved_tensors
        if hi is None:
            return where(x >= lo, g, 0.0), where(x < lo, g, 0.0), None
        if lo is None:
            return where(x <= hi, g, 0.0), None, where(x > hi, g, 0.0)
        return (where((x >= lo) & (x <= hi), g, 0.0), where((x < lo) & (lo < hi), g, 0.0),
                where((x > hi) | (hi < lo), g, 0.0))


def clamp(input, min=None, max=None, *, out=None):
    """Bound input to [min, max]; where min > max the result is max, as in torch."""
    _need_tensor("clamp", 1, "input", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if input._dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    if input._dtype._limited:  # torch's kernel names: by bound kind, tensor bounds through maximum
        tensors = isinstance(min, Tensor) or isinstance(max, Tensor)
        D.refuse_limited(input._dtype, "maximum_cpu" if tensors else "clamp_scalar_cpu" if min is not None and
                         max is not None else "clamp_min_scalar_cpu" if min is not None else "clamp_max_scalar_cpu")
    lo, hi = _scalar_or_tensor(min) if min is not None else None, _scalar_or_tensor(max) if max is not None else None
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        if lo is not None and not isinstance(lo, Tensor) or hi is not None and not isinstance(hi, Tensor):
            raise TypeError("clamp() received an invalid combination of arguments - got (Tensor, "
                            f"min={type(min).__name__}, max={type(max).__name__}), but expected one of: "
                            "(Tensor input, Tensor min = None, Tensor max = None) or "
                            "(Tensor input, Number min = None, Number max = None)")
        dt = D.result_type(*[t for t in (input, lo, hi) if t is not None])
        try:
            return _out(ClampBackward0.apply(input, lo, hi, dtype=dt), out)
        except ValueError:
            _broadcast_check(input, lo if lo is not None else hi)
            raise
    if input._dtype.is_floating_point and type(lo) in _NUMBERS and type(hi) in _NUMBERS:
        dt = input._dtype  # the common case, without the general promotion
    else:
        dt = D.result_type(*[t for t in (input, lo, hi) if t is not None])
    return _out(ClampBackward1.apply(input, dtype=dt, lo=lo, hi=hi), out)


_NUMBERS = (float, int, type(None))


clip = clamp
arctan2 = atan2


# -- lerp -------------------------------------------------------------------------------------
def _lerp_array(a, b, w):
    """torch's two-sided formula: exact at both ends (w = 0 gives a, w = 1 gives b)."""
    xp = xp_of(a)
    d = b - a
    return xp.where(xp.abs(w) < 0.5, a + w * d, b - d * (1 - w)).astype(a.dtype, copy=False)


class LerpBackward0(Op):
    """lerp with a number weight: d/da = 1 - w, d/db = w."""

    @half_in_float32
    def forward(self, a, b, weight):
        self.weight = weight
        return _lerp_array(a, b, weight)

    def backward(self, g):
        w = self.weight
        return g * (1 - w), g * w


class LerpBackward1(Op):
    """lerp with a tensor weight: also d/dw = b - a."""

    save_inputs = True

    @half_in_float32
    def forward(self, a, b, w):
        return _lerp_array(a, b, w)

    def backward(self, g):
        a, b, w = self.saved_tensors
        return g * (1 - w), g * w, g * (b - a)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    _need_tensor("lerp", 1, "input", input)
    _need_tensor("lerp", 2, "end", end)
    weight = _scalar_or_tensor(weight)
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._dtype is not input._dtype:
            raise RuntimeError(f"expected dtype {_dtype_str(input._dtype)} for `{name}` but got dtype "
                               f"{_dtype_str(t._dtype)}")
    tensor_weight = isinstance(weight, Tensor)
    if not input._dtype._differentiable:
        kernel = "lerp_kernel_tensor" if tensor_weight else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[input._dtype.name]}'")
    try:
        if tensor_weight:
            return _out(LerpBackward1.apply(input, end, weight), out)
        return _out(LerpBackward0.apply(input, end, weight=weight), out)
    except ValueError:
        _broadcast_check(input, end)
        _broadcast_check(input, weight)
        raise


# -- unary ops ---------------------------------------------------------------------------
class _Unary(Op):
    """Unary op from a table row: forward on the array, gradient from (g, x, result)."""

    ufunc = None
    to_float = True  # integer and bool inputs compute in the default float dtype
    rejects = None  # (kinds, exception) for dtypes torch has no kernel for

    @half_in_float32
    def forward(self, x):
        kind = x.dtype.kind
        if self.rejects is not None and kind in self.rejects[0]:
            exc = self.rejects[1](x.dtype)
            if exc is not None:  # None: accepted after all (uint8 among the unsigned)
                raise exc
        if self.to_float and kind in "biu":
            x = x.astype(D.np_dtype(D._default[0]))
        xp = np if type(x) is np.ndarray else xp_of(x)
        return self.compute(xp, x)

    def compute(self, xp, x):
        return getattr(xp, self.ufunc)(x)

    def backward(self, g):
        saved = self.saved_tensors
        x = saved[0] if self.save_inputs else None
        y = saved[-1] if self.save_output else None
        return self.grad(g, x, y)



def _no_kernel(kernel):
    """torch's NotImplementedError for a dtype a CPU kernel does not cover."""
    return lambda npdt: NotImplementedError(
        f"\"{kernel}\" not implemented for '{_TYPE_WORDS[D.from_numpy_dtype(npdt).name]}'")


def _refuse(exc_type, message):
    return lambda npdt: exc_type(message)


def _wide_unsigned(kernel, other):
    """torch builds no `kernel` for uint16/32/64 (uint8 has one); `other` refuses the rest."""
    return lambda npdt: (None if npdt.itemsize == 1 else _no_kernel(kernel)(npdt)) if npdt.kind == "u" \
        else other(npdt)


def _bool_or_complex(for_bool, for_complex):
    """Different refusals for bool and complex inputs (floor: no bool kernel; complex unsupported)."""
    return lambda npdt: (for_complex if npdt.kind == "c" else for_bool)(npdt)


def _no_complex(name):
    return _refuse(NotImplementedError, f"{name} is not supported for complex inputs")


def _sigmoid_into(xp, x, out):
    """torch's formula, 1 / (1 + exp(-x)), written into `out` in four passes: float32 below -88.7 gives
    exp's inf and so 0, as torch's kernel does (not the subnormal e / (1 + e) would give)."""
    xp.negative(x, out=out)
    with np.errstate(over="ignore"):
        xp.exp(out, out=out)
    out += 1
    return xp.reciprocal(out, out=out)


def _sigmoid_array(xp, x):
    """sigmoid into a fresh buffer; half types compute in float32 and round once."""
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    dt, shape = x.dtype, x.shape
    x = x.reshape(-1) if not shape else x  # NumPy makes scalars of 0-d results, which out= cannot take
    out = xp.empty(x.shape, dtype=np.float32 if dt.itemsize == 2 else dt)
    return _sigmoid_into(xp, x, out).astype(dt, copy=False).reshape(shape)


def _relu_grad(g, x, y):
    """torch's threshold_backward: 0 where y <= 0, g elsewhere (a NaN result passes g). Without a
    graph to record it is g times the kept mask (one multiply, ~13x cheaper than where); only when
    that product is not finite (an inf or NaN in g, which the mask must not turn into NaN) does it
    take where."""
    if _state.enabled or g._data.dtype.kind != "f" or g._data.dtype != y._data.dtype or not y._data.ndim:
        return where(y <= 0, 0.0, g)
    xp = xp_of(y._data)
    keep = xp.less_equal(y._data, 0)
    xp.logical_not(keep, out=keep)
    out = xp.multiply(g._data, keep)
    if not xp.isfinite(out.sum()):
        return where(y <= 0, 0.0, g)
    return _wrap(out)


def _erf_array(xp, x):
    """erf without SciPy: W. J. Cody's rational approximations (float64-accurate)."""
    return _special.erf(xp, x)


def _is_float(x):
    # ml_dtypes' bfloat16 has kind "V", not "f": everything that is not bool/int is a float here.
    return x.dtype.kind not in "biu"


def _int_identity(ufunc):
    """floor/ceil/trunc/round leave integers as they are (a copy, as torch returns)."""

    def compute(xp, x):
        return getattr(xp, ufunc)(x) if _is_float(x) else x.copy()

    return compute


def _sign_array(xp, x):
    if x.dtype.kind == "b":
        return x.copy()
    if _is_float(x):
        return xp.where(x != x, 0, xp.sign(x)).astype(x.dtype, copy=False)  # torch's sign(nan) is 0
    return xp.sign(x)


def _square_array(xp, x):
    # torch.square is pow(x, 2): bools become int64.
    return xp.square(x.astype(np.int64) if x.dtype.kind == "b" else x)


_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
             "use the `~` or `logical_not()` operator instead.")

_UNARY = {
    # name: (node name, ufunc or compute(xp, x), gradient(g, x, result), saves, to_float)
    "neg": ("NegBackward0", "negative", lambda g, x, y: -g, "", False),
    "exp": ("ExpBackward0", "exp", lambda g, x, y: g * y, "y", True),
    "exp2": ("Exp2Backward0", "exp2", lambda g, x, y: g * y * math.log(2.0), "y", True),
    "expm1": ("Expm1Backward0", "expm1", lambda g, x, y: g * (y + 1), "y", True),
    "log": ("LogBackward0", "log", lambda g, x, y: g / x, "x", True),
    "log2": ("Log2Backward0", "log2", lambda g, x, y: g / (x * math.log(2.0)), "x", True),
    "log10": ("Log10Backward0", "log10", lambda g, x, y: g / (x * math.log(10.0)), "x", True),
    "log1p": ("Log1PBackward0", "log1p", lambda g, x, y: g / (x + 1), "x", True),
    "sqrt": ("SqrtBackward0", "sqrt", lambda g, x, y: g / (2 * y), "y", True),
    "rsqrt": ("RsqrtBackward0", lambda xp, x: 1 / xp.sqrt(x), lambda g, x, y: -0.5 * g * y * y * y, "y", True),
    "sin": ("SinBackward0", "sin", lambda g, x, y: g * x.cos(), "x", True),
    "cos": ("CosBackward0", "cos", lambda g, x, y: -g * x.sin(), "x", True),
    "tan": ("TanBackward0", "tan", lambda g, x, y: g * (1 + y * y), "y", True),
    "asin": ("AsinBackward0", "arcsin", lambda g, x, y: g * (1 - x * x).rsqrt(), "x", True),
    "acos": ("AcosBackward0", "arccos", lambda g, x, y: -g * (1 - x * x).rsqrt(), "x", True),
    "atan": ("AtanBackward0", "arctan", lambda g, x, y: g / (1 + x * x), "x", True),
    "sinh": ("SinhBackward0", "sinh", lambda g, x, y: g * x.cosh(), "x", True),
    "cosh": ("CoshBackward0", "cosh", lambda g, x, y: g * x.sinh(), "x", True),
    "tanh": ("TanhBackward0", "tanh", lambda g, x, y: g * (1 - y * y), "y", True),
    "sigmoid": ("SigmoidBackward0", _sigmoid_array, lambda g, x, y: g * y * (1 - y), "y", True),
    "erf": ("ErfBackward0", _erf_array, lambda g, x, y: g * (2 / math.sqrt(math.pi)) * (-(x * x)).exp(), "x", True),
    "reciprocal": ("ReciprocalBackward0", lambda xp, x: 1 / x, lambda g, x, y: -g * y * y, "y", True),
    # torch's abs'(0) = sign(0) = 0 and relu'(0) = 0.
    "abs": ("AbsBackward0", "abs", lambda g, x, y: g * x.sgn(), "x", False),  # complex: g z / |z|
    "square": ("PowBackward0", _square_array, lambda g, x, y: g * (2 * x), "x", False),
    "relu": ("ReluBackward0", lambda xp, x: xp.maximum(x, 0).astype(x.dtype, copy=False), _relu_grad, "y",
             False),
    "sign": ("SignBackward0", _sign_array, lambda g, x, y: g * 0, "", False),
    "floor": ("FloorBackward0", _int_identity("floor"), lambda g, x, y: g * 0, "", False),
    "ceil": ("CeilBackward0", _int_identity("ceil"), lambda g, x, y: g * 0, "", False),
    "trunc": ("TruncBackward0", _int_identity("trunc"), lambda g, x, y: g * 0, "", False),
    "frac": ("FracBackward0", lambda xp, x: x - xp.trunc(x), lambda g, x, y: g, "", False),
}

# dtypes torch refuses: kinds of the input array -> the exception it raises.
_REJECTS = {
    "neg": ("bu", _wide_unsigned("neg_cpu", _refuse(RuntimeError, _NEG_BOOL))),
    "abs": ("bu", _wide_unsigned("abs_cpu", _no_kernel("abs_cpu"))),
    "relu": ("bc", _bool_or_complex(_refuse(RuntimeError, "Boolean inputs not supported for relu"),
                                    _refuse(NotImplementedError, "clamp is not supported for complex types"))),
    "floor": ("bc", _bool_or_complex(_no_kernel("floor_vml_cpu"), _no_complex("floor"))),
    "ceil": ("bc", _bool_or_complex(_no_kernel("ceil_vml_cpu"), _no_complex("ceil"))),
    "trunc": ("bc", _bool_or_complex(_no_kernel("trunc_vml_cpu"), _no_complex("trunc"))),
    "frac": ("biuc", _no_kernel("frac_cpu")),
    "sign": ("cu", _wide_unsigned("sign_cpu", _refuse(
        NotImplementedError, "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                             "torch.sgn instead."))),
    "erf": ("c", _no_kernel("erf_vml_cpu")),
    "erfinv": ("c", _no_kernel("erfinv_vml_cpu")),
    "square": ("u", _wide_unsigned("pow", None)),
}
# Ops whose real formula is not the complex one (the conj rule in Op.holomorphic does not apply).
_NOT_HOLOMORPHIC = {"abs"}


def _make_unary(name, node_name, compute, grad, saves, to_float):
    attrs = {"grad": staticmethod(grad), "to_float": to_float, "rejects": _REJECTS.get(name),
             "save_inputs": "x" in saves, "save_output": "y" in saves,
             "saved_names": ("self",) * ("x" in saves) + ("result",) * ("y" in saves),
             "holomorphic": name not in _NOT_HOLOMORPHIC}
    if isinstance(compute, str):
        attrs["ufunc"] = compute
    else:
        attrs["compute"] = staticmethod(compute)
    cls = type(node_name, (_Unary,), attrs)

    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return _out(cls.apply(input), out)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name}; gradient node {node_name}."
    return fn, cls


UNARY_FUNCTIONS = {}
for _name, _row in _UNARY.items():
    UNARY_FUNCTIONS[_name], _cls = _make_unary(_name, *_row)
    globals()[_cls.__name__ + "_" + _name] = _cls
globals().update(UNARY_FUNCTIONS)


# -- round --------------------------------------------------------------------------------------
class RoundBackward0(Op):
    """Round half to even, as torch (and NumPy's rint) do; integers are returned as they are."""

    def forward(self, x):
        if x.dtype.kind == "b":
            raise NotImplementedError("\"round_vml_cpu\" not implemented for 'Bool'")
        return xp_of(x).rint(x) if _is_float(x) else x.copy()

    def backward(self, g):
        return g * 0


class RoundBackward1(Op):
    """round(x, decimals=d): rint(x * 10^d) / 10^d, or rint(x / 10^-d) * 10^-d for d < 0,
    with the power of ten in x's dtype, as torch computes it."""

    def forward(self, x, decimals):
        if not _is_float(x):
            raise NotImplementedError(f"\"round_cpu\" not implemented for '{_TYPE_WORDS[D.from_numpy_dtype(x.dtype).name]}'")
        xp = xp_of(x)
        p = x.dtype.type(10.0 ** -decimals if decimals < 0 else 10.0 ** decimals)
        return xp.rint(x * p) / p if decimals >= 0 else xp.rint(x / p) * p

    def backward(self, g):
        return g * 0


def round(input, *, decimals=0, out=None):
    _need_tensor("round", 1, "input", input)
    if decimals == 0:
        return _out(RoundBackward0.apply(input), out)
    return _out(RoundBackward1.apply(input, decimals=decimals), out)


# -- comparisons and logic (not differentiable) --------------------------------------------------
class _Compare(Op):
    differentiable = False

    def forward(self, a, b, dtype, fn):
        if dtype is None:  # operands already in one dtype
            return fn(a, b)
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        return fn(cast(a, npdt), cast(b, npdt))


def _compare(fn, ordering=None, name=None):
    """`ordering`: the kernel name of an order comparison, which torch refuses on complex numbers."""

    def compare(input, other, *, out=None):
        if out is None and isinstance(input, Tensor) and _in_own_dtype(input, other) and not input._dtype._unordered:
            try:
                return _Compare.apply(input, other, dtype=None, fn=fn)
            except ValueError:
                _broadcast_check(input, other)
                raise
        a, b = _prep(input, other, name or ordering)
        dt = binary_dtype(a, b)
        if ordering is not None and dt._unordered:
            raise NotImplementedError(f"\"{ordering}_cpu\" not implemented for '{_TYPE_WORDS[dt.name]}'")
        if type(b) is _int_t and dt.category == D._INT:  # NumPy compares exactly; torch casts first
            b = _wrap_int(b, dt)
        return _out(_apply_binary(_Compare, a, b, dt, fn=fn), out)

    return compare


eq = _compare(lambda a, b: a == b, name="eq")
ne = _compare(lambda a, b: a != b, name="ne")
lt = _compare(lambda a, b: a < b, "lt")
le = _compare(lambda a, b: a <= b, "le")
gt = _compare(lambda a, b: a > b, "gt")
ge = _compare(lambda a, b: a >= b, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _isclose_arrays(a, b, rtol, atol, equal_nan):
    """|a - b| <= atol + rtol |b|, with equal infinities close and NaNs close if equal_nan."""
    xp = xp_of(a)
    close = a == b
    if a.dtype.kind == "b":
        return close
    if not _is_float(a):
        a, b = a.astype(np.float64), b.astype(np.float64)
    if equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    diff = xp.abs(a - b)
    return close | (xp.isfinite(diff) & (diff <= atol + rtol * xp.abs(b)))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _need_tensor("isclose", 1, "input", input)
    _need_tensor("isclose", 2, "other", other)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{_TYPE_WORDS[input._dtype.name]} did not match {_TYPE_WORDS[other._dtype.name]}")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v}")
    fn = lambda a, b: _isclose_arrays(a, b, rtol, atol, equal_nan)  # noqa: E731
    return _apply_binary(_Compare, input, other, input._dtype, fn=fn)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """bool: every element of isclose(input, other) holds."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    """bool: same shape and equal elements (NaN is never equal)."""
    _need_tensor("equal", 1, "input", input)
    _need_tensor("equal", 2, "other", other)
    return input._data.shape == other._data.shape and bool(eq(input, other).all())


def _logical(fn, name):
    def logical(input, other, *, out=None):
        a, b = _prep(input, other, name)
        return _out(_apply_binary(_Compare, a, b, D.bool_, fn=fn), out)

    return logical


logical_and = _logical(lambda a, b: a & b, "logical_and")
logical_or = _logical(lambda a, b: a | b, "logical_or")
logical_xor = _logical(lambda a, b: a ^ b, "logical_xor")


class _Predicate(Op):
    differentiable = False

    def forward(self, x, fn):
        return fn(x)


def logical_not(input, *, out=None):
    return _out(_Predicate.apply(input, fn=lambda x: ~x.astype(bool)), out)


def isnan(input):
    return _Predicate.apply(input, fn=lambda x: x != x)


def isinf(input):
    return _Predicate.apply(input, fn=lambda x: xp_of(x).isinf(x))


def isfinite(input):
    return _Predicate.apply(input, fn=lambda x: xp_of(x).isfinite(x))


def _bitwise(fn, name):
    def bitwise(input, other, *, out=None):
        a, b = _prep(input, other, name)
        dt = binary_dtype(a, b)
        if dt._differentiable:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_TYPE_WORDS[dt.name]}'")
        return _out(_apply_binary(_Compare, a, b, dt, fn=fn), out)

    return bitwise


bitwise_and = _bitwise(lambda a, b: a & b, "bitwise_and")
bitwise_or = _bitwise(lambda a, b: a | b, "bitwise_or")
bitwise_xor = _bitwise(lambda a, b: a ^ b, "bitwise_xor")


def bitwise_not(input):
    if input._dtype._differentiable:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{_TYPE_WORDS[input._dtype.name]}'")
    D.refuse_limited(input._dtype, "bitwise_not_cpu")
    return _Predicate.apply(input, fn=lambda x: ~x)


def _invert(self):
    """~x: logical for bools, bitwise for integers; torch's operator refuses floats itself."""
    if self._dtype is D.bool_:
        return logical_not(self)
    if self._dtype._differentiable:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


# -- Tensor methods and operators --------------------------------------------------------------
def _method_binary(fn):
    def method(self, other, *args, **kwargs):
        return fn(self, other, *args, **kwargs)

    method.__name__ = fn.__name__
    return method


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    return method


def _inplace_binary(fn, ufunc_name=None, saves_self=True):
    """x.op_(other): a NumPy `out=` fast path when nothing is recorded, else compute and commit."""

    def method(self, other, *args, **kwargs):
        other = _scalar_or_tensor(other)
        tensor = isinstance(other, Tensor)
        recording = _state.enabled and (self._requires_grad or (tensor and other._requires_grad)
                                        or (self._base is not None and self._base._requires_grad))
        # Only floats: integer division and bool subtraction take the slow path and its errors.
        # add_/sub_ may scale `other` by alpha (optimizers: p.add_(g, alpha=-lr)).
        if (ufunc_name is not None and not recording and not args and self._data.size
                and self._dtype.is_floating_point
                and (not kwargs or ufunc_name in ("add", "subtract") and kwargs.keys() == {"alpha"})):
            b = other._data if tensor else other
            shape = self._data.shape
            if not kwargs and _in_own_dtype(self, other) and (not tensor or b.shape == shape):
                # The common case (optimizer steps, `W.data -= lr * W.grad`): nothing to promote,
                # broadcast or scale; only a read-only (expanded) self is refused.
                check_inplace(self)
            else:
                dt = binary_dtype(self, other)
                b_shape = getattr(b, "shape", ())
                if b_shape and b_shape != shape:
                    try:
                        shape = np.broadcast_shapes(shape, b_shape)
                    except ValueError:
                        shape = None  # the slow path raises torch's error
                check_inplace(self, dt, shape)
                if shape is None or dt is not self._dtype or isinstance(b, np.ndarray) and b.dtype != self._data.dtype:
                    b = None
                elif kwargs and kwargs["alpha"] != 1:
                    b = b * kwargs["alpha"]
            if b is not None:
                try:
                    getattr(xp_of(self._data), ufunc_name)(self._data, b, out=self._data)
                except TypeError:  # a NumPy and a CuPy array: the slow path has torch's device rules
                    pass
                else:
                    self._bump_version()
                    return self
        return commit(self, fn(_original(self, saves_self and recording), other, *args, **kwargs))

    method.__name__ = fn.__name__ + "_"
    return method


def _original(self, saved):
    """The input to an in-place op whose gradient needs self's old value: a clone (torch's
    `original_self`), since commit is about to overwrite self."""
    return self.clone() if saved and self._requires_grad else self


def _inplace_saving_self(fn):
    """x.op_(...) for ops that save x for backward (clamp_, lerp_, round_...)."""

    def method(self, *args, **kwargs):
        return commit(self, fn(_original(self, _state.enabled), *args, **kwargs))

    method.__name__ = fn.__name__ + "_"
    return method


for _name, _fn, _ufunc in (("add", add, "add"), ("sub", sub, "subtract"), ("mul", mul, "multiply"),
                           ("div", div, "divide"), ("true_divide", true_divide, "divide"),
                           ("floor_divide", floor_divide, None), ("pow", pow, None)):
    setattr(Tensor, _name, _method_binary(_fn))
    setattr(Tensor, _name + "_", _inplace_binary(_fn, _ufunc, saves_self=_name not in ("add", "sub")))
Tensor.subtract = Tensor.sub
Tensor.multiply = Tensor.mul
Tensor.divide = Tensor.div
Tensor.subtract_ = Tensor.sub_
Tensor.multiply_ = Tensor.mul_
Tensor.divide_ = Tensor.div_


for _name, _fn in UNARY_FUNCTIONS.items():
    setattr(Tensor, _name, _fn)
    setattr(Tensor, _name + "_", _inplace_saving_self(_fn) if _UNARY[_name][3] == "x" else inplace_method(_fn))
Tensor.negative = Tensor.neg
Tensor.absolute = Tensor.abs
Tensor.arcsin, Tensor.arccos, Tensor.arctan = Tensor.asin, Tensor.acos, Tensor.atan

for _name, _fn in (("eq", eq), ("ne", ne), ("lt", lt), ("le", le), ("gt", gt), ("ge", ge),
                   ("greater", gt), ("greater_equal", ge), ("less", lt), ("less_equal", le), ("not_equal", ne),
                   ("logical_and", logical_and), ("logical_or", logical_or), ("logical_xor", logical_xor),
                   ("bitwise_and", bitwise_and), ("bitwise_or", bitwise_or), ("bitwise_xor", bitwise_xor)):
    setattr(Tensor, _name, _method_binary(_fn))
Tensor.logical_not = logical_not
Tensor.bitwise_not = bitwise_not
Tensor.isnan = isnan
Tensor.isinf = isinf
Tensor.isfinite = isfinite
Tensor.isclose = isclose
Tensor.allclose = allclose
Tensor.equal = equal


def _compare_inplace(fn):
    """x.eq_(y) and the like: x takes a non-differentiable value, so its gradient becomes 0."""

    def method(self, *args):
        result = fn(self, *args)
        check_inplace(self, None, result._data.shape)
        return fill_inplace(self, result._data)

    method.__name__ = fn.__name__ + "_"
    return method


for _name in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "logical_not"):
    setattr(Tensor, _name + "_", _compare_inplace(getattr(Tensor, _name)))

for _name, _fn in (("remainder", remainder), ("fmod", fmod), ("atan2", atan2), ("arctan2", atan2), ("lerp", lerp)):
    setattr(Tensor, _name, _method_binary(_fn))
    setattr(Tensor, _name + "_", _inplace_binary(_fn))
Tensor.maximum = _method_binary(maximum)
Tensor.minimum = _method_binary(minimum)
Tensor.clamp = Tensor.clip = clamp
Tensor.clamp_ = Tensor.clip_ = _inplace_saving_self(clamp)
Tensor.round = round
Tensor.round_ = inplace_method(round)


def _eq_op(fn):
    def method(self, other):
        if other is None or not isinstance(other, (Tensor, int, float, bool, complex, np.ndarray, np.generic)):
            return NotImplemented if fn is not eq else False
        return fn(self, other)

    return method




Tensor.__add__ = Tensor.__radd__ = _add
Tensor.__iadd__ = Tensor.add_
Tensor.__sub__ = _sub
Tensor.__rsub__ = _rsub
Tensor.__isub__ = Tensor.sub_
Tensor.__mul__ = Tensor.__rmul__ = _mul
Tensor.__imul__ = Tensor.mul_
Tensor.__truediv__ = _truediv
_rdiv_other = _operator(_reflected(div))


def _rtruediv(self, other):
    # torch's Tensor.__rdiv__ is self.reciprocal() * other (two roundings, a MulBackward0 node)
    if type(other) is _float_t or type(other) is _int_t:
        return self.reciprocal() * other
    return _rdiv_other(self, other)


Tensor.__rtruediv__ = Tensor.__rdiv__ = _rtruediv  # (__rdiv__: torch keeps the Python 2 name)
Tensor.__itruediv__ = Tensor.div_
Tensor.__floordiv__ = _operator(lambda self, other: floor_divide(self, other))
Tensor.__rfloordiv__ = _operator(_reflected(floor_divide))
Tensor.__ifloordiv__ = Tensor.floor_divide_
def _pow_operator(self, exponent):
    """x ** e: pow's fast path inline (x ** 2 in every loss), NotImplemented for operands torch refuses."""
    t = type(exponent)
    if (t is _float_t or t is _int_t) and _in_own_dtype(self, exponent):
        return PowBackward0.apply(self, exponent, dtype=self._dtype)
    try:
        return pow(self, exponent)
    except BadOperand:
        return NotImplemented


Tensor.__pow__ = _pow_operator
Tensor.__rpow__ = _operator(_reflected(pow))
Tensor.__ipow__ = Tensor.pow_
Tensor.__mod__ = _operator(lambda self, other: remainder(self, other))
Tensor.__rmod__ = _operator(_reflected(remainder))
Tensor.__imod__ = Tensor.remainder_
Tensor.__neg__ = lambda self: neg(self)  # noqa: F821 - defined by the unary table
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = lambda self: abs(self)  # noqa: F821
Tensor.__eq__ = _eq_op(eq)
Tensor.__ne__ = _eq_op(ne)
Tensor.__lt__ = _eq_op(lt)
Tensor.__le__ = _eq_op(le)
Tensor.__gt__ = _eq_op(gt)
Tensor.__ge__ = _eq_op(ge)
Tensor.__hash__ = lambda self: id(self)


def _logic_or_bitwise(bool_fn, int_fn):
    def op(self, other):
        other = _scalar_or_tensor(other)
        if self._dtype is D.bool_ and (isinstance(other, bool) or isinstance(other, Tensor) and other._dtype is D.bool_):
            return bool_fn(self, other)
        return int_fn(self, other)

    return op


Tensor.__and__ = Tensor.__rand__ = _operator(_logic_or_bitwise(logical_and, bitwise_and))
Tensor.__or__ = Tensor.__ror__ = _operator(_logic_or_bitwise(logical_or, bitwise_or))
Tensor.__xor__ = Tensor.__rxor__ = _operator(_logic_or_bitwise(logical_xor, bitwise_xor))
Tensor.__invert__ = _invert


def _iand(self, other):
    return commit(self, self & other)


Tensor.__iand__ = _iand
Tensor.__ior__ = lambda self, other: commit(self, self | other)
Tensor.__ixor__ = lambda self, other: commit(self, self ^ other)

__all__ = ["add", "sub", "rsub", "mul", "div", "true_divide", "floor_divide", "pow", "eq", "ne", "lt",
           "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "logical_and",
           "logical_or", "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "bitwise_and", "bitwise_or",
           "bitwise_xor", "bitwise_not", "binary_dtype", "cast", "remainder", "fmod", "atan2", "arctan2",
           "maximum", "minimum", "clamp", "clip", "lerp", "round", "isclose", "allclose", "equal"] + list(UNARY_FUNCTIONS)
