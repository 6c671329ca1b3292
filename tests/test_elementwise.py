"""Elementwise ops against torch: values, dtypes, shapes, gradients, errors; gradcheck."""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import check, make_arrays, same_error

FLOATS = ["float32", "float64"]

# name: (low, high) of the inputs, chosen inside the domain and away from kinks.
UNARY = {
    "neg": (-2, 2), "abs": (0.1, 2), "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.1, 3),
    "log2": (0.1, 3), "log10": (0.1, 3), "log1p": (-0.9, 3), "sqrt": (0.1, 3), "rsqrt": (0.1, 3),
    "square": (-2, 2), "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2), "asin": (-0.9, 0.9),
    "acos": (-0.9, 0.9), "atan": (-3, 3), "sinh": (-2, 2), "cosh": (-2, 2), "tanh": (-2, 2),
    "sigmoid": (-5, 5), "relu": (-2, 2), "erf": (-3, 3), "sign": (-2, 2), "floor": (-3, 3), "ceil": (-3, 3),
    "round": (-3, 3), "trunc": (-3, 3), "frac": (-3, 3), "reciprocal": (0.2, 3),
}
SHAPES = [(3, 4), (), (0, 3), (2, 1, 3)]


def arrays(shapes, dtype, low=-2, high=2, seed=0):
    return make_arrays(shapes, dtype, low=low, high=high, seed=seed)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_function(name, shape, dtype):
    lo, hi = UNARY[name]
    check(lambda m, x: getattr(m, name)(x), None, dtype, arrays=arrays([shape], dtype, lo, hi))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_method_inplace_and_noncontiguous(name):
    lo, hi = UNARY[name]
    a = arrays([(4, 3)], "float64", lo, hi)
    check(lambda m, x: getattr(x.t(), name)(), None, "float64", arrays=a)
    check(lambda m, x: getattr(m, name)(x.t()), None, "float32", arrays=arrays([(4, 3)], "float32", lo, hi))
    check(lambda m, x: getattr(x * 1, name + "_")(), None, "float64", arrays=a)


def test_unary_inplace_on_leaf_is_refused():
    same_error(lambda m: m.ones(2, requires_grad=True).exp_())
    same_error(lambda m: m.ones(2, dtype=m.int64).exp_())  # Float result into a Long tensor


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_integer_and_bool_inputs(name, dtype):
    """Ints and bools: promoted to the default float, kept, or refused with torch's error."""
    x = arrays([(5,)], dtype)[0]
    try:
        getattr(torch, name)(torch.tensor(x))
    except Exception:  # noqa: BLE001
        same_error(lambda m: getattr(m, name)(m.tensor(x)))
        return
    check(lambda m, t: getattr(m, name)(t), None, dtype, arrays=[x])


def test_unary_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, 80.0, -80.0], dtype="float32")
    for name in ("exp", "log", "sqrt", "sigmoid", "tanh", "erf", "abs", "sign", "relu", "floor", "frac", "round"):
        check(lambda m, t: getattr(m, name)(t), None, "float32", arrays=[x], grad=False)


def test_kink_gradients_follow_torch():
    """relu'(0) = 0, abs'(0) = 0, sqrt'(0) = inf, sign'(x) = 0."""
    x = np.array([0.0, 1.0, -1.0])
    for fn in (lambda m, t: m.relu(t), lambda m, t: m.abs(t), lambda m, t: m.sqrt(t.abs()),
               lambda m, t: m.sign(t), lambda m, t: t ** 0.5, lambda m, t: m.pow(t, 0), lambda m, t: t.clamp(0, 1)):
        check(fn, None, "float64", arrays=[x])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_gradient_is_selected_not_multiplied(dtype):
    """torch's threshold_backward picks g where the result is > 0 (or NaN) and 0 elsewhere:
    a NaN or inf upstream gradient does not leak where relu is flat."""
    def fn(m, x):
        y = x.relu()
        g = m.tensor([np.nan, np.inf, np.nan, 3.0, 5.0], dtype=x.dtype)
        return m.autograd.grad(y, x, g)[0]

    check(fn, None, dtype, arrays=[np.array([-1.0, 0.0, 0.0, 2.0, np.nan], dtype=dtype)])
    check(lambda m, x: m.nn.functional.relu(x * 1, inplace=True), None, dtype,
          arrays=[np.array([-1.0, 0.0, 2.0], dtype=dtype)])


@pytest.mark.parametrize("fn", [
    lambda m: m.ones(2) & m.ones(2), lambda m: m.ones(2) | m.ones(2, dtype=m.int64), lambda m: m.ones(2) ^ 1,
    lambda m: m.ones(2, dtype=m.int64) & 1.5, lambda m: m.bitwise_and(m.ones(2), m.ones(2)),
    lambda m: m.ones(2).__iand__(m.ones(2)),
])
def test_bitwise_on_floats_not_implemented(fn):
    """torch raises NotImplementedError (a RuntimeError subclass) for bitwise kernels on floats."""
    msg, tmsg = same_error(fn)
    assert msg == tmsg


def test_sigmoid_extremes_do_not_overflow():
    x = np.array([-1000.0, 1000.0, 0.0], dtype="float32")
    check(lambda m, t: m.sigmoid(t), None, "float32", arrays=[x])


def test_unary_out_and_type_errors():
    check(lambda m, x: m.exp(x, out=m.empty(0)), None, "float32", arrays=arrays([(2, 3)], "float32"), grad=False)
    same_error(lambda m: m.exp(1.0))


# -- binary ops -------------------------------------------------------------------------------
BINARY = {
    "add": (lambda m, a, b: m.add(a, b), (-2, 2)),
    "add_alpha": (lambda m, a, b: m.add(a, b, alpha=2), (-2, 2)),
    "sub": (lambda m, a, b: m.sub(a, b), (-2, 2)),
    "sub_alpha": (lambda m, a, b: m.sub(a, b, alpha=3), (-2, 2)),
    "mul": (lambda m, a, b: m.mul(a, b), (-2, 2)),
    "div": (lambda m, a, b: m.div(a, b), (0.5, 2)),
    "true_divide": (lambda m, a, b: m.true_divide(a, b), (0.5, 2)),
    "div_floor": (lambda m, a, b: m.div(a, b, rounding_mode="floor"), (-2, 2)),
    "div_trunc": (lambda m, a, b: m.div(a, b, rounding_mode="trunc"), (-2, 2)),
    "floor_divide": (lambda m, a, b: m.floor_divide(a, b), (-2, 2)),
    "remainder": (lambda m, a, b: m.remainder(a, b), (-2, 2)),
    "fmod": (lambda m, a, b: m.fmod(a, b), (-2, 2)),
    "pow": (lambda m, a, b: m.pow(a, b), (0.5, 2)),
    "atan2": (lambda m, a, b: m.atan2(a, b), (-2, 2)),
    "maximum": (lambda m, a, b: m.maximum(a, b), (-2, 2)),
    "minimum": (lambda m, a, b: m.minimum(a, b), (-2, 2)),
    "max_pair": (lambda m, a, b: m.max(a, b), (-2, 2)),
    "min_pair": (lambda m, a, b: m.min(a, b), (-2, 2)),
    "lerp_tensor": (lambda m, a, b: m.lerp(a, b, b.sigmoid()), (-2, 2)),
    "lerp_scalar": (lambda m, a, b: m.lerp(a, b, 0.3), (-2, 2)),
    "lerp_large": (lambda m, a, b: m.lerp(a, b, 0.8), (-2, 2)),
    "clamp_tensors": (lambda m, a, b: m.clamp(a, b, b + 1), (-2, 2)),
    "clamp_min_tensor": (lambda m, a, b: m.clamp(a, min=b), (-2, 2)),
    "clamp_max_tensor": (lambda m, a, b: m.clamp(a, max=b), (-2, 2)),
    "where": (lambda m, a, b: m.where(a > b, a, b), (-2, 2)),
    "eq": (lambda m, a, b: m.eq(a, b), (-2, 2)),
    "ne": (lambda m, a, b: a != b, (-2, 2)),
    "lt": (lambda m, a, b: m.lt(a, b), (-2, 2)),
    "le": (lambda m, a, b: a <= b, (-2, 2)),
    "gt": (lambda m, a, b: m.gt(a, b), (-2, 2)),
    "ge": (lambda m, a, b: a >= b, (-2, 2)),
    "logical_and": (lambda m, a, b: m.logical_and(a, b), (-2, 2)),
    "logical_or": (lambda m, a, b: m.logical_or(a, b), (-2, 2)),
    "logical_xor": (lambda m, a, b: m.logical_xor(a, b), (-2, 2)),
}
BROADCASTS = [[(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 3), (4, 1)], [(), (3,)], [(3,), ()], [(0, 3), (3,)]]
# ops that are not lerp (lerp's weight tensor must broadcast to the result without changing it)
_SAME_SHAPE_ONLY = {"lerp_tensor"}
_NO_TORCH_GRAD = {"floor_divide"}  # torch: "derivative for aten::floor_divide is not implemented"


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, shapes, dtype):
    fn, (lo, hi) = BINARY[name]
    if name in _SAME_SHAPE_ONLY and shapes[0] != shapes[1] and shapes[1] != ():
        shapes = [shapes[0], shapes[0]]
    check(fn, None, dtype, arrays=arrays(shapes, dtype, lo, hi), grad=name not in _NO_TORCH_GRAD)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_noncontiguous(name):
    fn, (lo, hi) = BINARY[name]
    check(lambda m, a, b: fn(m, a.t(), b[:, ::2]), None, "float64", arrays=arrays([(4, 3), (3, 8)], "float64", lo, hi),
          grad=name not in _NO_TORCH_GRAD)


INT_OPS = ["add", "sub", "mul", "div", "div_floor", "div_trunc", "floor_divide", "remainder", "fmod", "maximum",
           "minimum", "eq", "lt", "ge", "logical_and", "where", "atan2", "max_pair", "clamp_tensors"]


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", INT_OPS)
def test_binary_integer_and_bool(name, dtype):
    fn = BINARY[name][0]
    a, b = arrays([(3, 4), (4,)], dtype, seed=3)
    if name in ("div", "div_floor", "div_trunc", "floor_divide", "remainder", "fmod") and dtype != "bool":
        b = np.where(b == 0, 1, b).astype(dtype)
    try:
        fn(torch, torch.tensor(a), torch.tensor(b))
    except Exception:  # noqa: BLE001
        same_error(lambda m: fn(m, m.tensor(a), m.tensor(b)))
        return
    check(fn, None, dtype, arrays=[a, b])


@pytest.mark.parametrize("dtype", ["float32", "int64", "int32", "bool", "uint8"])
@pytest.mark.parametrize("scalar", [2, 2.5, True, -3], ids=repr)
def test_tensor_op_python_scalar(dtype, scalar):
    x = arrays([(3,)], dtype, seed=1)[0]
    ops = [lambda m, t: t + scalar, lambda m, t: scalar + t, lambda m, t: t * scalar, lambda m, t: scalar * t,
           lambda m, t: t == scalar, lambda m, t: t < scalar, lambda m, t: m.maximum(t, m.tensor(scalar)),
           lambda m, t: t / scalar, lambda m, t: scalar / (t.abs() + 1), lambda m, t: t - scalar,
           lambda m, t: scalar - t, lambda m, t: t % 2, lambda m, t: m.fmod(t, 2),
           lambda m, t: t ** 2, lambda m, t: 2 ** t]
    no_derivative = [lambda m, t: t // 2, lambda m, t: m.remainder(7, t * 2 + 3)]  # none in torch either
    for op in ops + no_derivative:
        try:
            op(torch, torch.tensor(x))
        except Exception:  # noqa: BLE001
            same_error(lambda m: op(m, m.tensor(x)))
            continue
        check(op, None, dtype, arrays=[x], grad=op not in no_derivative)


def test_division_and_remainder_errors():
    same_error(lambda m: m.tensor([1, 2]) // m.tensor([1, 0]))
    same_error(lambda m: m.remainder(m.tensor([1, 2]), 0))
    same_error(lambda m: m.fmod(m.tensor([1, 2]), m.tensor(0)))
    same_error(lambda m: m.remainder(m.tensor([True]), m.tensor([True])))
    same_error(lambda m: m.div(m.ones(2), 2, rounding_mode="round"))
    same_error(lambda m: m.tensor([True]) - m.tensor([True]))
    same_error(lambda m: -m.tensor([True]))
    same_error(lambda m: m.ones(2, 3) + m.ones(3, 2))
    same_error(lambda m: m.ones(2, dtype=m.int64) ** -1)
    same_error(lambda m: m.fmod(5, m.ones(2)))


def test_float_division_by_zero_follows_ieee():
    a, b = np.array([1.0, -1.0, 0.0, 5.0]), np.array([0.0, 0.0, 0.0, -0.0])
    for fn in (lambda m, x, y: x / y, lambda m, x, y: x // y, lambda m, x, y: m.remainder(x, y),
               lambda m, x, y: m.fmod(x, y), lambda m, x, y: m.div(x, y, rounding_mode="trunc")):
        check(fn, None, "float64", arrays=[a, b], grad=False)


def test_floor_divide_is_pythons():
    a = np.array([1.0, -7.0, 7.0, 0.3]), np.array([0.1, 2.0, -2.0, 0.1])
    check(lambda m, x, y: x // y, None, "float64", arrays=list(a), grad=False)


def test_pow_variants():
    x = arrays([(3, 4)], "float64", 0.5, 2)[0]
    for fn in (lambda m, t: t ** 2, lambda m, t: t ** 0.5, lambda m, t: t ** -1.5, lambda m, t: t ** 0,
               lambda m, t: 2 ** t, lambda m, t: 0 ** t, lambda m, t: m.pow(t, 3), lambda m, t: t.pow(t),
               lambda m, t: (t - 1) ** 3, lambda m, t: 0.0 ** (t - 1)):
        check(fn, None, "float64", arrays=[x])
    zero_base = [np.array([0.0, 0.0, 1.0]), np.array([2.0, 0.0, -1.0])]
    check(lambda m, a, b: a ** b, None, "float64", arrays=zero_base)


# -- clamp, maximum/minimum ties, lerp, round --------------------------------------------------------
def test_clamp_numbers_and_boundaries():
    x = np.array([-2.0, 0.0, 0.5, 1.0, 3.0, np.nan])
    for fn in (lambda m, t: m.clamp(t, 0, 1), lambda m, t: m.clamp(t, min=0.5), lambda m, t: m.clamp(t, max=1),
               lambda m, t: m.clip(t, 0, 1), lambda m, t: t.clamp(1, 0), lambda m, t: t.clip(min=-1),
               lambda m, t: (t * 1).clamp_(0, 1), lambda m, t: (t * 1).clip_(max=0.5)):
        check(fn, None, "float64", arrays=[x])


def test_clamp_tensor_bounds_ties():
    x = np.array([0.0, 1.0, 2.0, 3.0, 5.0])
    lo = np.array([0.0, 1.0, 3.0, 3.0, 0.0])
    hi = np.array([1.0, 1.0, 2.0, 3.0, 4.0])
    check(lambda m, a, b, c: m.clamp(a, b, c), None, "float64", arrays=[x, lo, hi])
    check(lambda m, a, b: m.clamp(a, min=b), None, "float64", arrays=[x, lo])
    check(lambda m, a, c: m.clamp(a, max=c), None, "float64", arrays=[x, hi])


def test_clamp_dtypes_and_errors():
    i = np.array([-3, 0, 4])
    check(lambda m, t: m.clamp(t, min=0.5), None, "int64", arrays=[i])
    check(lambda m, t: m.clamp(t, 0, 2), None, "int64", arrays=[i])
    check(lambda m, t: m.clamp(t, min=0), None, "bool", arrays=[np.array([True, False])])
    same_error(lambda m: m.clamp(m.ones(2)))
    same_error(lambda m: m.clamp(m.ones(2), min=m.zeros(2), max=1.0))
    same_error(lambda m: m.ones(2, dtype=m.int64).clamp_(min=0.5))


def test_maximum_minimum_ties_split_gradient():
    a = np.array([1.0, 2.0, 3.0, np.nan])
    b = np.array([1.0, 3.0, 2.0, 1.0])
    for fn in (lambda m, x, y: m.maximum(x, y), lambda m, x, y: m.minimum(x, y), lambda m, x, y: x.maximum(y)):
        check(fn, None, "float64", arrays=[a, b])
    same_error(lambda m: m.maximum(m.ones(2), 1.0))


def test_lerp_weights_and_errors():
    a, b, w = arrays([(3, 4), (3, 4), (4,)], "float64")
    check(lambda m, x, y, z: m.lerp(x, y, z), None, "float64", arrays=[a, b, w])
    check(lambda m, x, y: x.lerp(y, 1.0), None, "float64", arrays=[a, b])
    check(lambda m, x, y: (x * 1).lerp_(y, 0.25), None, "float64", arrays=[a, b])
    same_error(lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5))
    same_error(lambda m: m.lerp(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64), 0.5))


def test_round_decimals():
    x = np.array([1.25, 2.5, -0.55, 1234.5678, 0.5, -1.5, 3.14159])
    for d in (0, 1, 2, -1, -2):
        check(lambda m, t: m.round(t, decimals=d), None, "float64", arrays=[x])
        check(lambda m, t: t.round(decimals=d), None, "float32", arrays=[x.astype("float32")])
    check(lambda m, t: m.round(t), None, "int64", arrays=[np.array([3, -2])])
    same_error(lambda m: m.round(m.tensor([3, -2]), decimals=1))


def test_atan2_promotes_and_requires_tensor():
    check(lambda m, a, b: m.atan2(a, b), None, "int64", arrays=[np.array([1, -1, 0]), np.array([1, 2, -3])])
    same_error(lambda m: m.atan2(m.ones(2), 1.0))


# -- operators and in-place ----------------------------------------------------------------------
def test_operators_and_inplace_methods():
    a, b = arrays([(3, 4), (4,)], "float64", 0.5, 2)
    ops = [lambda m, x, y: -x + y * 2 - x / y, lambda m, x, y: x % y,
           lambda m, x, y: abs(x - 1), lambda m, x, y: +x, lambda m, x, y: 1 / x, lambda m, x, y: 2 - x,
           lambda m, x, y: (x * 1).add_(y), lambda m, x, y: (x * 1).sub_(y, alpha=2), lambda m, x, y: (x * 1).mul_(y),
           lambda m, x, y: (x * 1).div_(y), lambda m, x, y: (x * 1).pow_(2), lambda m, x, y: (x * 1).remainder_(y),
           lambda m, x, y: (x * 1).fmod_(y), lambda m, x, y: (x * 1).atan2_(y),
           lambda m, x, y: x.remainder(y), lambda m, x, y: x.true_divide(y), lambda m, x, y: x.div(y, rounding_mode="trunc")]
    for op in ops:
        check(op, None, "float64", arrays=[a, b])
    check(lambda m, x, y: 3 % y, None, "float64", arrays=[a, b], grad=False)  # no derivative in torch
    check(lambda m, x, y: (x * 1).lt_(y), None, "float64", arrays=[a, b], grad=False)
    x = ember.tensor(a, requires_grad=True)
    (x * 1).eq_(1.0).sum().backward()  # the overwritten value carries no gradient
    assert not x.grad.any()


def test_inplace_fast_path_without_grad():
    for dtype in ("float32", "int64"):
        a, b = arrays([(3, 4), (4,)], dtype, seed=2)

        def fn(m, x, y):
            x = x * 1
            x += y
            x *= 2
            x -= 1
            return x
        check(fn, None, dtype, arrays=[a, b], grad=False)
    same_error(lambda m: m.ones(2, dtype=m.int64).div_(2))
    same_error(lambda m: m.ones(2, dtype=m.int64).__iadd__(1.5))
    same_error(lambda m: m.ones(2).add_(m.ones(3)))
    same_error(lambda m: m.ones(2, dtype=m.bool).sub_(m.ones(2, dtype=m.bool)))


def test_predicates_and_logic():
    x = np.array([0.0, 1.5, np.inf, -np.inf, np.nan])
    for fn in (lambda m, t: m.isnan(t), lambda m, t: m.isinf(t), lambda m, t: m.isfinite(t),
               lambda m, t: m.logical_not(t), lambda m, t: ~(t > 0), lambda m, t: (t > 0) & (t < 2),
               lambda m, t: (t > 0) | (t < 2), lambda m, t: (t > 0) ^ (t < 2), lambda m, t: t.isnan()):
        check(fn, None, "float32", arrays=[x.astype("float32")])
    for dtype in ("int64", "bool"):
        check(lambda m, t: m.isfinite(t), None, dtype, arrays=arrays([(4,)], dtype))


def test_comparison_with_none_and_other_types():
    assert (ember.ones(2) == None) is False  # noqa: E711
    assert (ember.ones(2) != None) is True  # noqa: E711


# -- gradcheck -----------------------------------------------------------------------------------
def _leaf(shape, low=-2.0, high=2.0, seed=0):
    a = make_arrays([shape], "float64", low=low, high=high, seed=seed)[0]
    return ember.tensor(a, dtype=ember.float64, requires_grad=True)


GRADCHECK_UNARY = sorted(n for n in UNARY if n not in ("sign", "floor", "ceil", "round", "trunc"))


@pytest.mark.parametrize("name", GRADCHECK_UNARY)
def test_gradcheck_unary(name):
    lo, hi = UNARY[name]
    x = _leaf((2, 3), lo, hi)
    fn = getattr(ember, name)
    assert ember.autograd.gradcheck(fn, (x,))


GRADGRAD_UNARY = ["exp", "log", "sqrt", "sin", "tanh", "sigmoid", "erf", "rsqrt", "asin", "atan", "reciprocal", "abs"]


@pytest.mark.parametrize("name", GRADGRAD_UNARY)
def test_gradgradcheck_unary(name):
    lo, hi = UNARY[name]
    assert ember.autograd.gradgradcheck(getattr(ember, name), (_leaf((2, 3), lo, hi),))


GRADCHECK_BINARY = ["add_alpha", "sub_alpha", "mul", "div", "pow", "atan2", "maximum", "minimum", "lerp_scalar",
                    "lerp_large", "remainder", "fmod", "clamp_tensors", "where"]


@pytest.mark.parametrize("name", GRADCHECK_BINARY)
def test_gradcheck_binary(name):
    fn, (lo, hi) = BINARY[name]
    a, b = _leaf((3, 4), lo, hi, seed=0), _leaf((4,), lo, hi, seed=5)
    if name in ("remainder", "fmod"):  # keep away from the jumps of a mod b
        a, b = _leaf((3, 4), 0.1, 0.9, seed=0), _leaf((4,), 1.5, 2.0, seed=5)
    if name in ("maximum", "minimum", "clamp_tensors", "where"):  # keep away from ties
        a, b = _leaf((3, 4), -2, -1, seed=0), _leaf((4,), 1, 2, seed=5)
    assert ember.autograd.gradcheck(lambda x, y: fn(ember, x, y), (a, b))


@pytest.mark.parametrize("name", ["mul", "div", "pow", "atan2", "lerp_scalar", "maximum", "sub_alpha"])
def test_gradgradcheck_binary(name):
    fn, (lo, hi) = BINARY[name]
    a, b = _leaf((3, 4), lo, hi, seed=0), _leaf((4,), lo, hi, seed=5)
    if name == "maximum":
        a, b = _leaf((3, 4), -2, -1, seed=0), _leaf((4,), 1, 2, seed=5)
    assert ember.autograd.gradgradcheck(lambda x, y: fn(ember, x, y), (a, b))


def test_gradcheck_lerp_tensor_weight_and_clamp_numbers():
    a, b, w = _leaf((3, 4)), _leaf((3, 4), seed=1), _leaf((4,), 0.1, 0.9, seed=2)
    assert ember.autograd.gradcheck(ember.lerp, (a, b, w))
    assert ember.autograd.gradgradcheck(ember.lerp, (a, b, w))
    x = ember.tensor([-1.7, -0.3, 0.4, 1.8], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.clamp(t, -1, 1), (x,))
    assert ember.autograd.gradcheck(lambda t: 2.0 ** t + t ** 3, (x,))


def test_gradcheck_catches_a_wrong_gradient():
    """The checks above can fail: a deliberately wrong gradient is reported."""
    x = _leaf((3,))

    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(Exception):
        ember.autograd.gradcheck(Bad.apply, (x,))


def test_math_names_exist():
    names = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow", "atan2",
             "clamp", "clip", "maximum", "minimum", "lerp", "round", "where"] + list(UNARY)
    for n in names:
        assert callable(getattr(ember, n)), n
    for n in ["clamp", "clamp_", "clip", "clip_", "lerp", "lerp_", "round", "round_", "remainder_", "fmod_",
              "atan2_", "maximum", "minimum", "where"] + [u + "_" for u in UNARY]:
        assert callable(getattr(ember.Tensor, n)), n
    assert math.isclose(ember.tensor(2.0).exp().item(), math.exp(2.0), rel_tol=1e-6)


def test_isclose_allclose_equal():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1.0, 0.0])
    b = np.array([1.0 + 1e-6, np.nan, np.inf, np.inf, 1.1, 1e-9])
    for fn in (lambda m, x, y: m.isclose(x, y), lambda m, x, y: x.isclose(y, equal_nan=True),
               lambda m, x, y: m.isclose(x, y, rtol=0.2, atol=0), lambda m, x, y: m.isclose(x[:1], y)):
        check(fn, None, "float64", arrays=[a, b], grad=False)
    check(lambda m, x, y: m.isclose(x, y), None, "int64", arrays=[np.array([1, 2]), np.array([1, 3])])
    for fn in (lambda m: m.allclose(m.ones(2), m.ones(2) + 1e-9), lambda m: m.allclose(m.ones(2), m.zeros(2)),
               lambda m: m.equal(m.ones(2), m.ones(2)), lambda m: m.equal(m.ones(2), m.ones(1, 2)),
               lambda m: m.equal(m.tensor([1]), m.tensor([1.0])), lambda m: m.equal(m.tensor([np.nan]), m.tensor([np.nan])),
               lambda m: m.ones(3).allclose(m.ones(3, 1))):
        assert fn(ember) is fn(torch)
    same_error(lambda m: m.isclose(m.ones(2), m.ones(2, dtype=m.float64)))
    same_error(lambda m: m.isclose(m.ones(2), m.ones(2), rtol=-1))
    same_error(lambda m: m.isclose(m.ones(2), 1.0))


def test_where_variants():
    a, b = arrays([(3, 4), (4,)], "float64")
    for fn in (lambda m, x, y: m.where(x > 0, x, 0.0), lambda m, x, y: m.where(y > 0, 1.5, x),
               lambda m, x, y: m.where(x > y, x, y), lambda m, x, y: x.where(x > 0, y),
               lambda m, x, y: m.where(x > 0, (x * 3).long(), 2.5), lambda m, x, y: m.where(x > 0, 1, 0),
               lambda m, x, y: m.where(x > 0, True, False), lambda m, x, y: m.where(x[0] > 0, y, x.float())):
        check(fn, None, "float64", arrays=[a, b])
    check(lambda m, x: m.where(x > 0, x, x.t()), None, "float32", arrays=arrays([(3, 3)], "float32"))
    check(lambda m, x: m.where(x > 0, x, 0.0), None, "float32", arrays=arrays([(0, 3)], "float32"))
    same_error(lambda m: m.where(m.ones(2), m.ones(2), m.zeros(2)))
    same_error(lambda m: m.where(m.ones(2) > 0, m.ones(3), m.zeros(2)))
    with pytest.warns(UserWarning, match="uint8 condition"):
        r = ember.where(ember.tensor([1, 0], dtype=ember.uint8), ember.ones(2), ember.zeros(2))
    assert r.tolist() == [1.0, 0.0]


def test_where_does_not_save_its_operands():
    """Changing an operand in place after where() does not break backward (torch saves only cond)."""
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    z = ember.where(x > 0, y, 0.0)
    y.add_(1)
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_half_precision(name, dtype):
    lo, hi = UNARY[name]
    check(lambda m, x: getattr(m, name)(x), None, dtype, arrays=arrays([(3, 4)], dtype, lo, hi))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_half_precision(name, dtype):
    fn, (lo, hi) = BINARY[name]
    check(fn, None, dtype, arrays=arrays([(3, 4), (4,)], dtype, lo, hi), grad=name not in _NO_TORCH_GRAD)


def test_inplace_alpha_fast_path():
    a, b = arrays([(3, 4), (4,)], "float32", seed=6)
    for dtype in ("float32", "float64", "bfloat16"):
        def fn(m, x, y):
            with m.no_grad():
                x = x * 1
                x.add_(y, alpha=-0.1).sub_(y, alpha=2).add_(0.5, alpha=3).mul_(0.9)
            return x
        check(fn, None, dtype, arrays=[a.astype("float64"), b.astype("float64")], grad=False)
    same_error(lambda m: m.ones(2).add_(m.ones(2), alpha=True, beta=2))
