"""torch's other names for math functions (absolute, arccos, fix, multiply...) and the
in-place `_` forms, at torch level (`torch.sin_(x)`) and as Tensor methods, all made
here from the out-of-place functions by one mechanism.

An in-place form computes the out-of-place op on self (on a clone of it when a graph
is recorded, since the op may have saved self for its backward: torch's
`original_self`) and commits the result into self (`_inplace.commit`: leaf and dtype
checks, version counter, CopySlices history for views). This module is imported last
among the op families, so every function it names exists.
"""
import sys

from .. import _dtype as D
from .._tensor import Tensor
from . import elementwise as _ew
from ._base import Op
from .elementwise import _inplace_saving_self

# alias: the function it is another name for (torch level, Tensor method and `_` form)
ALIASES = {
    "absolute": "abs", "arccos": "acos", "arccosh": "acosh", "arcsin": "asin", "arcsinh": "asinh",
    "arctan": "atan", "arctanh": "atanh", "arctan2": "atan2", "negative": "neg", "fix": "trunc",
    "multiply": "mul", "divide": "div", "subtract": "sub", "clip": "clamp", "greater": "gt",
    "greater_equal": "ge", "less": "lt", "less_equal": "le", "not_equal": "ne",
}

# functions whose Tensor method gets an in-place `name_` form (where it has none yet)
INPLACE_METHODS = (
    "acosh", "asinh", "atanh", "erfc", "erfinv", "i0", "logit", "xlogy", "copysign", "nextafter", "ldexp",
    "gcd", "lcm", "heaviside", "sgn", "bitwise_left_shift", "bitwise_right_shift", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "float_power", "clamp_min", "clamp_max", "igamma", "igammac",
    "addmm", "addbmm", "addmv", "addr", "baddbmm",
)

# torch-level in-place functions (those torch has): torch.<name>_(input, ...) is input.<name>_(...)
INPLACE_FUNCTIONS = (
    "abs", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "asin", "asinh", "atan",
    "atanh", "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos", "cosh", "deg2rad", "erf", "erfc", "exp2",
    "exp", "expm1", "fix", "floor", "frac", "gcd", "i0", "lcm", "ldexp", "log10", "log1p", "log2", "log", "logit",
    "nan_to_num", "neg", "negative", "rad2deg", "reciprocal", "relu", "round", "rsqrt", "sigmoid", "sin", "sinc",
    "sinh", "sqrt", "square", "tan", "tanh", "trunc", "xlogy", "zero", "fill", "addmv",
)

# in-place forms torch records but cannot differentiate (backward raises)
NO_DERIVATIVE = ("acosh", "asinh", "atanh")

__all__ = []


def inplace(fn, name):
    """self.<name>_(...): fn(self, ...) committed into self (the one in-place mechanism)."""
    if name in NO_DERIVATIVE:
        node = type(name.capitalize() + "Backward1", (_NoDerivative,), {"what": name})
        fn = _then(fn, node.apply)
    method = _inplace_saving_self(fn)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place version of `{name}`."
    return method


class _NoDerivative(Op):
    """Identity whose backward raises torch's error for an in-place op without a derivative."""

    what = ""

    def forward(self, x):
        return x

    def backward(self, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {self.what}' is not implemented.")


def _then(fn, post):
    def composed(*args, **kwargs):
        return post(fn(*args, **kwargs))

    return composed


def _float_power_(self, exponent):
    # torch computes in float64 and refuses to round the result into another dtype
    if self._dtype is not D.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_ew._TYPE_WORDS[self._dtype.name]} but the "
                           "operation's result requires dtype Double")
    return inplace(Tensor.float_power, "float_power")(self, exponent)


def _torch_level(method):
    def fn(input, *args, **kwargs):
        return method(input, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = method.__name__
    return fn


def _install():
    ops = sys.modules[__package__]  # being initialized: holds the functions of the families before this one
    for alias, target in ALIASES.items():
        if not hasattr(ops, alias):
            globals()[alias] = getattr(ops, target)
            __all__.append(alias)
        if not hasattr(Tensor, alias):
            setattr(Tensor, alias, getattr(Tensor, target))
    for name in INPLACE_METHODS:
        if name + "_" not in Tensor.__dict__:
            setattr(Tensor, name + "_", inplace(getattr(Tensor, name), name))
    Tensor.float_power_ = _float_power_
    for alias, target in ALIASES.items():  # after the in-place methods exist
        if target + "_" in Tensor.__dict__ and alias + "_" not in Tensor.__dict__:
            setattr(Tensor, alias + "_", getattr(Tensor, target + "_"))
    for name in INPLACE_FUNCTIONS:
        if not hasattr(ops, name + "_"):  # (another family may define it, e.g. zero_ and fill_)
            globals()[name + "_"] = _torch_level(getattr(Tensor, name + "_"))
            __all__.append(name + "_")


_install()
