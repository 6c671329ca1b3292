"""Elementwise math beyond the basics (ember/_ops/more_math.py) and every alias and in-place
form (ember/_ops/aliases.py) against torch: values, dtypes, gradients, errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error as _same_class
from ember._ops import aliases


def same_error(fn):
    e, t = _same_class(fn)
    assert e[:25] == t[:25], (e, t)
    return e, t


FLOATS = ["float32", "float64"]


def _gradcheck(fn, *arrays):
    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    assert ember.autograd.gradcheck(fn, xs)


# -- more_math: values, dtypes, gradients -------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_values_and_grads(dtype):
    a = np.array([-0.9, -0.5, -0.1, 0.0, 0.2, 0.6, 0.95], dtype=dtype)
    big = np.array([1.2, 1.5, 3.0, 10.0], dtype=dtype)
    check(lambda m, x: m.asinh(x * 5), None, dtype, arrays=[a])
    check(lambda m, x: m.atanh(x), None, dtype, arrays=[a])
    check(lambda m, x: m.acosh(x), None, dtype, arrays=[big])
    check(lambda m, x: m.erfc(x * 4), None, dtype, arrays=[a])
    check(lambda m, x: m.erfinv(x), None, dtype, arrays=[a])
    check(lambda m, x: m.i0(x * 12), None, dtype, arrays=[a])
    check(lambda m, x: m.logit(x.abs()), None, dtype, arrays=[a])
    check(lambda m, x: m.logit(x, eps=0.15), None, dtype, arrays=[a])
    check(lambda m, x: m.sgn(x), None, dtype, arrays=[a], grad=False)  # torch's gradient is a ZeroTensor
    check(lambda m, x: x.positive() * 2, None, dtype, arrays=[a])


def test_unary_edges_and_dtypes():
    edge = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 2.0, -2.0, 1e-30])
    for fn in ("asinh", "atanh", "acosh", "erfc", "erfinv", "i0", "logit", "sgn", "signbit", "isposinf", "isneginf"):
        check(lambda m, x: getattr(m, fn)(x), None, "float64", grad=False, arrays=[edge])
        check(lambda m, x: getattr(m, fn)(x), [(6,)], "int64", grad=False)
    check(lambda m, x: m.signbit(x), [(6,)], "bool", grad=False)
    same_error(lambda m: m.positive(m.tensor([True])))


def test_erf_erfc_float32_sweep():
    """erf/erfc in float32 (the fast path): within 2 ulp of torch on a dense sweep."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-6, 6, 200000), 10 ** rng.uniform(-40, 1, 20000), [0, np.inf, -np.inf]])
    x = np.concatenate([x, -x, [np.nan]]).astype(np.float32)
    for name in ("erf", "erfc"):
        e = getattr(ember, name)(ember.tensor(x)).numpy().astype(np.float64)
        t = getattr(torch, name)(torch.tensor(x)).numpy().astype(np.float64)
        assert np.array_equal(np.isnan(e), np.isnan(t))
        ok = ~np.isnan(t)
        ulp = np.spacing(np.abs(t[ok]).astype(np.float32)).astype(np.float64)
        assert (np.abs(e[ok] - t[ok]) <= 2 * ulp).all(), name
    # GELU uses the same erf (torch's CPU GELU uses A&S 7.1.26, good to ~1.5e-7 absolute)
    xf = x[np.isfinite(x)][:5000]
    np.testing.assert_allclose(ember.nn.functional.gelu(ember.tensor(xf)).numpy(),
                               torch.nn.functional.gelu(torch.tensor(xf)).numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_values_and_grads(dtype):
    a = np.array([[0.0, 1.5, -2.0, 3.0], [0.5, -0.0, 2.0, -1.0]], dtype=dtype)
    b = np.array([0.0, 2.0, 0.5, -3.0], dtype=dtype)
    pos = np.abs(b) + 0.5
    check(lambda m, x, y: m.xlogy(x, y), None, dtype, arrays=[a, pos])
    check(lambda m, x, y: m.xlogy(x, y), None, dtype, arrays=[a, b], grad=False)
    check(lambda m, x, y: m.copysign(x, y), None, dtype, arrays=[a, b])
    check(lambda m, x: m.copysign(x, -1), None, dtype, arrays=[a])
    check(lambda m, x, y: m.fmax(x, y), None, dtype, arrays=[a, b])
    check(lambda m, x, y: m.fmin(x, y), None, dtype, arrays=[a, b])
    check(lambda m, x, y: m.ldexp(x, y), None, dtype, arrays=[a, b])
    check(lambda m, x, y: m.float_power(x.abs(), y), None, dtype, arrays=[a, b])
    check(lambda m, x: m.float_power(x, 2), None, dtype, arrays=[a])
    check(lambda m, x, y: m.nextafter(x, y), None, dtype, arrays=[a, b], grad=False)
    check(lambda m, x, y: m.heaviside(x, y), None, dtype, arrays=[a, b], grad=False)


def test_binary_nan_and_dtypes():
    n = np.array([np.nan, 1.0, np.nan, 0.0])
    m_ = np.array([2.0, np.nan, np.nan, 0.0])
    for fn in ("fmax", "fmin", "xlogy", "copysign", "nextafter"):
        check(lambda m, x, y: getattr(m, fn)(x, y), None, "float64", arrays=[n, m_], grad=False)
    check(lambda m, x, y: m.xlogy(x, y), [(4,), (4,)], "int64", grad=False)
    check(lambda m, x, y: m.copysign(x, y), [(4,), (4,)], "int64", grad=False)
    check(lambda m, x, y: m.fmax(x, y), [(4,), (4,)], "int64", grad=False)
    check(lambda m, x, y: m.ldexp(x, y), [(4,), (4,)], "int64", grad=False)
    check(lambda m, x, y: m.float_power(x, y), [(4,), (4,)], "int64", grad=False)
    for m in (torch, ember):
        assert m.xlogy(2, m.tensor([1, 2])).dtype == m.float32


def test_frexp():
    x = np.array([1.5, 0.0, -3.0, np.inf, 1e-40, 1024.0, np.nan], dtype=np.float32)
    check(lambda m, x: tuple(m.frexp(x)), None, "float32", arrays=[x], grad=False)
    check(lambda m, x: tuple(x.frexp()), None, "float64", arrays=[x.astype(np.float64)], grad=False)
    same_error(lambda m: m.frexp(m.tensor([1])))


def test_integer_ops():
    a = np.array([12, -8, 0, 7, 1, -5], dtype=np.int64)
    b = np.array([18, 12, 0, 0, 70, 2], dtype=np.int64)
    for fn in ("gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift"):
        check(lambda m, x, y: getattr(m, fn)(x, y), None, "int64", arrays=[a, b], grad=False)
        same_error(lambda m: getattr(m, fn)(m.tensor([True]), m.tensor([True])))
    check(lambda m, x, y: (x << y, x >> y, x << 2, 1 << y, x >> 1), None, "int64", arrays=[a, b % 8], grad=False)
    check(lambda m, x: (x << 7, x >> 3), None, "uint8", arrays=[np.array([1, 2, 255], np.uint8)], grad=False)
    check(lambda m, x: x.gcd(m.tensor(4, dtype=m.int32)), None, "int32", arrays=[a.astype(np.int32)], grad=False)
    same_error(lambda m: m.gcd(m.tensor([1.0]), m.tensor([2.0])))
    same_error(lambda m: m.tensor([1.0]) << 1)
    same_error(lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1])))
    same_error(lambda m: m.nextafter(m.tensor([1]), m.tensor([2])))


def test_not_implemented_derivatives():
    def heaviside(m):
        x = m.tensor([1.5, -2.0], dtype=m.float64, requires_grad=True)
        m.heaviside(x, m.tensor([0.5], dtype=m.float64)).sum().backward()

    same_error(heaviside)
    for name in ("acosh", "asinh", "atanh", "arccosh"):
        def inplace(m):
            y = m.tensor([1.5, 2.0], dtype=m.float64, requires_grad=True).clone()
            getattr(y, name + "_")()
            y.sum().backward()

        same_error(inplace)
    check(lambda m, x, y: m.nextafter(x, y), [(3,), (3,)], "float64")  # the step is ignored


def test_gradcheck_new_ops():
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0.2, 0.8, 5), rng.uniform(0.5, 2.0, 5)
    for fn in (ember.asinh, ember.atanh, ember.erfc, ember.erfinv, ember.i0, ember.logit,
               lambda x: ember.acosh(x + 1), lambda x: ember.logit(x, 0.3)):
        _gradcheck(fn, a)
    for fn in (ember.xlogy, ember.copysign, ember.fmax, ember.fmin, ember.ldexp, ember.float_power):
        _gradcheck(fn, a, b - 1.2)  if fn not in (ember.xlogy, ember.float_power) else _gradcheck(fn, a, b)


# -- aliases and in-place forms -------------------------------------------------------------------------------
def test_aliases_are_the_same_functions():
    for alias, target in aliases.ALIASES.items():
        assert getattr(ember, alias) is getattr(ember, target) or alias == "clip", alias
        x = np.array([0.3, -0.4, 0.9])
        check(lambda m, x: getattr(x, alias)(x * 0.5 + 0.2) if target in ("mul", "div", "sub", "atan2", "gt", "ge", "lt",
                                                                          "le", "ne")
              else getattr(x, alias)(0.1, 0.5) if target == "clamp" else getattr(x, alias)(),
              None, "float64", arrays=[x + (1.5 if target == "acosh" else 0)], grad=target not in ("gt", "ge", "lt", "le", "ne"))


def Tensor(m):
    return m.Tensor


UNARY_INPLACE = ["abs", "absolute", "acos", "arccos", "asin", "arcsin", "atan", "arctan", "ceil", "cos", "cosh", "deg2rad", "erf", "erfc", "erfinv",
                 "exp", "exp2", "expm1", "fix", "floor", "frac", "i0", "log", "log10", "log1p", "log2", "logit",
                 "neg", "negative", "rad2deg", "reciprocal", "relu", "round", "rsqrt", "sigmoid", "sin", "sinc",
                 "sinh", "sqrt", "square", "tan", "tanh", "trunc", "lgamma", "digamma", "nan_to_num"]


@pytest.mark.parametrize("name", UNARY_INPLACE)
def test_unary_inplace_grad(name):
    """y = x.clone(); y.op_(); backward: values, x.grad, version and grad_fn-bearing view updates as torch."""
    base = np.array([0.3, 0.55, 0.8, 0.1]) + (1.5 if "cosh" in name else 0)
    res = {}
    for m in (torch, ember):
        x = m.tensor(base, requires_grad=True)
        y = x.clone()
        out = getattr(y, name + "_")()
        assert out is y
        z = x * 1.0
        getattr(m, name + "_", getattr(Tensor(m), name + "_"))(z[1:3])  # torch level if torch has it; a view
        (y * m.tensor([1.0, 2.0, 3.0, 4.0], dtype=m.float64)).sum().backward(retain_graph=True)
        g1 = x.grad.numpy().copy()
        x.grad = None
        (z * z).sum().backward()
        res[m] = (y.detach().numpy(), g1, z.detach().numpy(), x.grad.numpy(), y._version)
    for a, b in zip(res[ember], res[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True)


BINARY_INPLACE = [("xlogy", 0.7), ("copysign", -1.0), ("ldexp", None), ("float_power", 2.0), ("clamp_min", 0.5),
                  ("clamp_max", 0.5), ("multiply", 3.0), ("divide", 2.0), ("subtract", 1.0), ("clip", 0.4),
                  ("heaviside", None), ("nextafter", None)]


@pytest.mark.parametrize("name,arg", BINARY_INPLACE)
def test_binary_inplace(name, arg):
    base = np.array([0.3, 0.55, 0.8, 0.1])
    res = {}
    for m in (torch, ember):
        other = m.tensor([2.0, -1.0, 0.0, 3.0], dtype=m.float64) if arg is None else arg
        grad = name not in ("heaviside", "nextafter")
        x = m.tensor(base, requires_grad=grad)
        y = x.clone()
        assert getattr(y, name + "_")(other) is y
        if grad:
            y.sum().backward()
        res[m] = (y.detach().numpy(), x.grad.numpy() if grad else 0, y._version)
    for a, b in zip(res[ember], res[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-7)


def test_integer_and_comparison_inplace():
    for name, other in (("gcd", 4), ("lcm", 4), ("bitwise_and", 6), ("bitwise_or", 6), ("bitwise_xor", 6),
                        ("bitwise_left_shift", 2), ("bitwise_right_shift", 1)):
        for fn in (lambda m, x: getattr(x.clone(), name + "_")(m.tensor(other)),
                   lambda m, x: getattr(m, name + "_", getattr(m.Tensor, name + "_"))(x.clone(), m.tensor(other))):
            check(fn, [(5,)], "int64", grad=False)
    check(lambda m, x: x.clone().bitwise_not_(), [(5,)], "int64", grad=False)

    def ishift(m, x):
        y = x.clone()
        y <<= 2
        y >>= 1
        return y

    check(ishift, [(5,)], "int64", grad=False)
    check(lambda m, x: x.clone().sgn_(), [(5,)], "float32", grad=False)
    for name in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
        check(lambda m, x: getattr(x.clone(), name + "_")(0.5), [(5,)], "float32", grad=False)


def test_inplace_errors():
    same_error(lambda m: m.tensor([1.0], requires_grad=True).sin_())
    same_error(lambda m: m.tensor([1, 2]).sin_())
    e, t = same_error(lambda m: m.tensor([1.0, 2.0]).float_power_(2))
    assert e == t
    same_error(lambda m: m.sin_(m.tensor([1.0], requires_grad=True)))
    same_error(lambda m: m.tensor([1.0, 2.0]).gcd_(m.tensor([1.0])))
    for m in (torch, ember):
        x = m.tensor([0.5, 1.0])
        assert m.exp_(x) is x and m.zero_(x) is x and m.fill_(x, 2.0) is x


def test_out_argument():
    for name, args in (("erfc", ([0.5, 1.0],)), ("xlogy", ([0.5, 1.0], [2.0, 3.0])), ("i0", ([0.5, 1.0],)),
                       ("copysign", ([0.5, 1.0], [-2.0, 3.0])), ("logit", ([0.2, 0.7],)), ("fmax", ([0.5, 1.0], [2.0, 0.0])),
                       ("lgamma", ([0.5, 1.0],)), ("arccos", ([0.5, 0.1],)), ("multiply", ([0.5, 1.0], [2.0, 3.0]))):
        outs = []
        for m in (torch, ember):
            out = m.empty(2)
            r = getattr(m, name)(*[m.tensor(a) for a in args], out=out)
            assert r is out
            outs.append(out.numpy())
        np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)


def test_igamma_igammac():
    rng = np.random.default_rng(5)
    a = np.concatenate([10 ** rng.uniform(-3, 3.5, 3000), rng.uniform(0, 30, 1000), [0, 0, 1, np.inf, np.inf, 2, -1, np.nan]])
    x = np.concatenate([a[:3000] * 10 ** rng.uniform(-1, 1, 3000), rng.uniform(0, 30, 1000), [0, 1, 0, 1, np.inf, np.inf, 1, 1]])
    for name in ("igamma", "igammac"):
        e = getattr(ember, name)(ember.tensor(a), ember.tensor(x)).numpy()
        t = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
        assert np.array_equal(np.isnan(e), np.isnan(t))
        ok = ~np.isnan(t)
        np.testing.assert_allclose(e[ok], t[ok], rtol=2e-11, atol=1e-300)  # lgamma(a ~ 3000) ~ 2e4 limits both
        check(lambda m, p, q: getattr(m, name)(p.abs() + 0.5, q.abs()), [(3, 4), (4,)], "float32",
              requires=[False, True])
        check(lambda m, p, q: getattr(m.special, "gammainc" if name == "igamma" else "gammaincc")(p.abs() + 0.5, q.abs()),
              [(5,), (5,)], "float64", requires=[False, True])
        check(lambda m, p, q: getattr(p.abs().clone(), name + "_")(q.abs()), [(5,), (5,)], "float64", grad=False)
        same_error(lambda m: getattr(m, name)(m.tensor([1]), m.tensor([2])))

        def grad_input(m):
            p = m.tensor([1.5], dtype=m.float64, requires_grad=True)
            getattr(m, name)(p, m.tensor([2.0], dtype=m.float64)).sum().backward()

        same_error(grad_input)
    _gradcheck(lambda q: ember.igamma(ember.tensor([0.7, 3.0, 25.0], dtype=ember.float64), q), np.array([0.4, 2.0, 26.0]))


def test_ldexp_dtypes():
    for dt in ("float16", "bfloat16", "float32", "float64", "int64"):
        check(lambda m, x, e: m.ldexp(x.to(getattr(m, dt)), e), None, "int64", grad=False,
              arrays=[np.array([1, -3, 5]), np.array([2, -1, 0])])
