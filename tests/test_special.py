"""Special functions (gamma family, torch.special) against torch: dense sweeps of values
including poles, infinities, NaN and huge arguments; dtypes; gradients and gradcheck."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error as _same_class


def same_error(fn):
    """torch and ember raise the same exception class with the same leading words."""
    e, t = _same_class(fn)
    assert e[:30] == t[:30], (e, t)

RNG = np.random.default_rng(0)
SWEEP = np.concatenate([
    RNG.uniform(-50, 50, 3000), RNG.uniform(-5, 5, 3000), -(10 ** RNG.uniform(-30, 3, 500)),
    10 ** RNG.uniform(-30, 300, 500), RNG.uniform(0, 1e-3, 200), np.arange(-40, 40, 0.5),
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -1e-310, 1e-45, 3e305, -3e305]])


def _values(x):
    return x.detach().numpy().astype(np.float64)


def assert_matches_torch(e_fn, t_fn, x, dtype, truth_fn=None):
    """float64: within 4 ulp (or 1e-14 of max(1, |value|)) of torch, same inf/NaN positions.
    float32: torch's float32 kernels lose up to tens of ulp to cancellation; ours compute in
    float64 and round once, so ember must be at least as close to the float64 truth as torch,
    up to 2 ulp, with the same inf/NaN positions as torch. truth_fn(float32 tensor) gives the
    float64 truth where it is not t_fn in float64."""
    x = x.astype(dtype)
    e = e_fn(ember.tensor(x))
    t = t_fn(torch.tensor(x))
    assert str(e.dtype) == str(t.dtype).replace("torch", "ember")
    e, t = _values(e), _values(t)
    assert np.array_equal(np.isnan(e), np.isnan(t)), x[np.isnan(e) != np.isnan(t)][:5]
    inf = np.isinf(t)
    assert np.array_equal(e[inf], t[inf]), x[inf][e[inf] != t[inf]][:5]
    fin = np.isfinite(t)
    assert np.isfinite(e[fin]).all(), x[fin][~np.isfinite(e[fin])][:5]
    e, t, xf = e[fin], t[fin], x[fin]
    if dtype == np.float64:
        ok = np.abs(e - t) <= np.maximum(4 * np.spacing(np.abs(t)), 1e-14 * np.maximum(1, np.abs(t)))
    else:
        truth = _values(truth_fn(torch.tensor(xf)) if truth_fn else t_fn(torch.tensor(xf, dtype=torch.float64)))
        ulp = np.spacing(np.abs(truth).astype(np.float32)).astype(np.float64)
        ok = np.abs(e - truth) <= np.abs(t - truth) + 2 * ulp
    assert ok.all(), list(zip(xf[~ok][:5], e[~ok][:5], t[~ok][:5]))


GAMMA = {
    "lgamma": (ember.lgamma, torch.lgamma),
    "digamma": (ember.digamma, torch.digamma),
    **{f"polygamma{n}": (lambda x, n=n: ember.polygamma(n, x), lambda x, n=n: torch.polygamma(n, x))
       for n in range(1, 5)},
    # mvlgamma's arguments x - j/2 are rounded in x's dtype (poles included) before lgamma
    "mvlgamma": (lambda x: ember.mvlgamma(x, 3), lambda x: torch.mvlgamma(x, 3),
                 lambda x: sum((x - j / 2).double().lgamma() for j in range(3)) + 1.5 * np.log(np.pi)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(GAMMA))
def test_gamma_values(name, dtype):
    x = SWEEP
    if name.startswith("polygamma"):
        x = x[np.abs(x) < 1e4]  # Cephes' zeta sums -q terms for negative q: torch takes as long
    with np.errstate(over="ignore"):
        e_fn, t_fn, *truth = GAMMA[name]
        assert_matches_torch(e_fn, t_fn, x, dtype, *truth)


def test_gamma_dtypes():
    for m_dt in ("int64", "bool", "float16", "bfloat16"):
        check(lambda m, x: m.lgamma(x), [(7,)], m_dt, grad=False, seed=1)
        check(lambda m, x: m.digamma(x + 3), [(7,)], m_dt if m_dt != "bool" else "int64", grad=False)
        check(lambda m, x: m.polygamma(2, x + 3), [(7,)], m_dt if m_dt != "bool" else "int64", grad=False)
    check(lambda m, x: m.mvlgamma(x + 6, 2), [(7,)], "int64", grad=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_gradients(dtype):
    arrays = [np.array([-2.5, -0.3, 0.1, 0.7, 1.0, 2.0, 3.3, 15.0, 120.0], dtype=dtype)]
    check(lambda m, x: m.lgamma(x), None, dtype, arrays=arrays)
    check(lambda m, x: m.digamma(x), None, dtype, arrays=arrays)
    for n in range(4):
        check(lambda m, x: m.polygamma(n, x), None, dtype, arrays=arrays)
        check(lambda m, x: x.polygamma(n), None, dtype, arrays=arrays)
    check(lambda m, x: m.mvlgamma(x.abs() + 2, 4), None, dtype, arrays=arrays)
    check(lambda m, x: x.mvlgamma(1), None, dtype, arrays=arrays)


def test_gamma_second_order_and_gradcheck():
    for name, fn in (("lgamma", lambda x: x.lgamma()), ("digamma", lambda x: x.digamma()),
                     ("polygamma", lambda x: x.polygamma(2)), ("mvlgamma", lambda x: (x + 3).mvlgamma(3))):
        x = ember.tensor([0.3, 1.7, 4.2, -1.5], dtype=ember.float64, requires_grad=True)
        assert ember.autograd.gradcheck(fn, (x,)), name
        assert ember.autograd.gradgradcheck(fn, (x,)), name
    xt = torch.tensor([0.3, 1.7, 4.2], dtype=torch.float64, requires_grad=True)
    xe = ember.tensor([0.3, 1.7, 4.2], dtype=ember.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(xt.lgamma().sum(), xt, create_graph=True)
    (ge,) = ember.autograd.grad(xe.lgamma().sum(), xe, create_graph=True)
    gt.sum().backward()
    ge.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("op", ["lgamma_()", "digamma_()", "polygamma_(1)", "polygamma_(3)", "mvlgamma_(2)"])
def test_gamma_inplace(op):
    a = np.array([1.5, 2.5, 3.25, 7.0])
    results = []
    for m in (torch, ember):
        x = m.tensor(a, requires_grad=True)
        y = x.clone()
        out = eval(f"y.{op}")
        assert out is y
        (y * m.tensor([1.0, 2.0, 3.0, 4.0], dtype=m.float64)).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy(), y._version))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-14)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-13)
    assert results[1][2] == results[0][2]
    same_error(lambda m: m.tensor([1, 2]).lgamma_())  # float result into an int64 tensor
    same_error(lambda m: m.tensor([1.0], requires_grad=True).digamma_())  # leaf


def test_polygamma_large_order():
    for n in (30, 171, 200):
        for dt in ("float32", "float64"):
            check(lambda m, x: m.polygamma(n, x), None, dt, grad=False,
                  arrays=[np.array([0.5, 1.0, 3.0, 300.0, -1.5])],
                  tol=dict(rtol=1e-8, atol=0) if dt == "float64" else dict(rtol=2e-5, atol=1e-37))  # torch's n! in float32


def test_gamma_errors_and_out():
    same_error(lambda m: m.polygamma(-1, m.tensor([1.0])))
    same_error(lambda m: m.mvlgamma(m.tensor([3.0]), 0))
    same_error(lambda m: m.lgamma([1.0]))
    for m in (torch, ember):
        out = m.empty(3)
        r = m.lgamma(m.tensor([0.5, 1.5, 2.5]), out=out)
        assert r is out
    np.testing.assert_allclose(ember.polygamma(2, ember.tensor([0.5]), out=ember.empty(1)).numpy(),
                               torch.polygamma(2, torch.tensor([0.5])).numpy(), rtol=1e-6)


# -- torch.special -------------------------------------------------------------------------------------------
SPECIAL_SWEEP = np.concatenate([RNG.uniform(-30, 30, 3000), RNG.uniform(-3, 3, 3000), 10 ** RNG.uniform(-30, 3, 500),
                                -(10 ** RNG.uniform(-30, 3, 300)),
                                [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, 5.0, 8.0, -2.09, 2.09]])
UNARY_SPECIAL = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
                 "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
                 "scaled_modified_bessel_k1", "spherical_bessel_j0", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri",
                 "log_ndtr", "erfcx", "entr", "erf", "erfc", "erfinv", "expit", "exp2", "expm1", "log1p", "gammaln",
                 "psi", "digamma", "sinc", "round", "logit"]


def _close(e, t, rtol, atol):
    assert np.array_equal(np.isnan(e), np.isnan(t))
    inf = np.isinf(t)
    assert np.array_equal(e[inf], t[inf])
    fin = np.isfinite(t)
    bad = ~(np.abs(e[fin] - t[fin]) <= atol + rtol * np.abs(t[fin]))
    assert not bad.any(), list(zip(e[fin][bad][:5], t[fin][bad][:5]))


@pytest.mark.parametrize("name", UNARY_SPECIAL)
def test_special_unary(name):
    """float64: against torch to ~1e-13 relative (absolute 1e-14 near the oscillating functions' roots).
    float32, functions computed in float32 as torch computes them (Bessel, Airy, I0/I1, ndtr, logit):
    against torch's float32 to a few ulp of max(|value|, 1), with the same inf/NaN (overflows included).
    float32, the others (computed in float64 and rounded; torch's float32 kernels lose more to
    cancellation): against torch's float64 values rounded to float32."""
    x = SPECIAL_SWEEP / 30 if name in ("ndtri", "erfinv") else SPECIAL_SWEEP / 40 + 0.5 if name == "logit" else SPECIAL_SWEEP
    e_fn, t_fn = getattr(ember.special, name), getattr(torch.special, name)
    e = e_fn(ember.tensor(x))
    t = t_fn(torch.tensor(x))
    assert str(e.dtype) == "ember.float64" and not e.requires_grad
    _close(_values(e), _values(t), 2e-13 if name != "erfinv" else 1e-9, 1e-14)
    x32 = x.astype(np.float32)
    e = _values(e_fn(ember.tensor(x32)))
    if name in FLOAT32_AS_TORCH:
        return _close(e, _values(t_fn(torch.tensor(x32))), 2e-6, 2e-6)
    if name in ("expit", "gammaln", "psi", "digamma"):
        keep = np.abs(x32) < 80  # torch's float32 flushes tiny tails to 0
        x32, e = x32[keep], e[keep]
    t = _values(t_fn(torch.tensor(x32.astype(np.float64))))
    _close(e, t.astype(np.float32).astype(np.float64), 3e-7 if name not in ("psi", "digamma", "gammaln") else 1e-6,
           1e-37 if name not in ("sinc", "psi", "digamma", "gammaln") else 2e-7)


FLOAT32_AS_TORCH = set(UNARY_SPECIAL[:12]) | {"i0", "i0e", "i1", "i1e", "ndtr", "logit"}


def test_special_dtypes_and_no_grad():
    for name in ("bessel_j0", "airy_ai", "modified_bessel_k1", "spherical_bessel_j0", "i1e", "ndtri", "entr"):
        check(lambda m, x: getattr(m.special, name)(x), [(6,)], "int64", grad=False)
    for name in ("bessel_j0", "airy_ai", "modified_bessel_k0", "scaled_modified_bessel_k1", "bessel_y1"):
        assert not getattr(ember.special, name)(ember.tensor([0.5, 1.5], requires_grad=True)).requires_grad
    assert not ember.special.chebyshev_polynomial_t(ember.tensor([0.5], requires_grad=True), 3).requires_grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_gradients(dtype):
    a = np.array([-1.5, -0.4, 0.1, 0.7, 2.5, 6.0], dtype=dtype)
    for name in ("i0e", "i1", "i1e", "ndtr", "log_ndtr", "erfcx", "expit", "gammaln", "psi", "erfc"):
        check(lambda m, x: getattr(m.special, name)(x), None, dtype, arrays=[a])
    check(lambda m, x: m.special.ndtri(x.abs() / 7), None, dtype, arrays=[a])
    check(lambda m, x: m.special.entr(x.abs()), None, dtype, arrays=[a])
    check(lambda m, x, y: m.special.xlog1py(x, y.abs()), None, dtype, arrays=[a, a[::-1].copy()])
    check(lambda m, x, y: m.special.xlogy(x, y.abs()), None, dtype, arrays=[a, a[::-1].copy()])
    check(lambda m, q: m.special.zeta(m.tensor(3.0, dtype=q.dtype), q.abs() + 0.5), None, dtype, arrays=[a])
    check(lambda m, x: m.special.multigammaln(x.abs() + 2, 3), None, dtype, arrays=[a])
    check(lambda m, x: m.special.polygamma(2, x.abs() + 0.1), None, dtype, arrays=[a])
    check(lambda m, x: (m.special.softmax(x, 0), m.special.log_softmax(x, 0), m.special.logsumexp(x, 0)),
          None, dtype, arrays=[a])
    for name in ("i0e", "i1", "i1e", "log_ndtr", "erfcx", "ndtr"):
        x = ember.tensor([-1.5, 0.3, 2.0, 9.0], dtype=ember.float64, requires_grad=True)
        assert ember.autograd.gradcheck(getattr(ember.special, name), (x,)), name
    same_error(lambda m: m.special.zeta(m.tensor([2.0], requires_grad=True), m.tensor([1.5])).sum().backward())
    p = ember.tensor([0.05, 0.3, 0.6, 0.97], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(ember.special.ndtri, (p,))
    assert ember.autograd.gradcheck(ember.special.entr, (p,))
    assert ember.autograd.gradcheck(lambda q: ember.special.zeta(ember.tensor(2.5, dtype=ember.float64), q), (p,))
    y = ember.tensor([0.5, -0.3, 2.0, 0.1], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(ember.special.xlog1py, (p, y))


def test_special_zeta_xlog1py_values():
    x = np.concatenate([RNG.uniform(0.5, 20, 400), [1.0, 0.5, 2.0, np.inf, np.nan]])
    q = np.concatenate([RNG.uniform(-10, 10, 400), [1.0, 2.0, -3.0, 1.0, 1.0]])
    for xx, qq in ((x, q), (np.round(x), q), (x, np.round(q))):
        e = _values(ember.special.zeta(ember.tensor(xx), ember.tensor(qq)))
        t = _values(torch.special.zeta(torch.tensor(xx), torch.tensor(qq)))
        _close(e, t, 1e-12, 1e-300)
    check(lambda m, x: (m.special.zeta(x, 2.0), m.special.zeta(3, x.abs() + 1)), [(5,)], "float64", grad=False)
    check(lambda m, x, y: m.special.xlog1py(x, y), None, "float64", grad=False,
          arrays=[np.array([0.0, 1.0, 0.0, 2.0, 3.0]), np.array([-1.0, -1.0, np.nan, 0.5, -2.0])])


POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
               "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
               "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials(name):
    # (NaN x is left out: torch returns an uninitialized value for some of these)
    x = np.concatenate([RNG.uniform(-1.5, 1.5, 1500), RNG.uniform(-5, 5, 300), [0, 1, -1, 0.5, np.inf, -np.inf]])
    n = RNG.integers(-2, 30, x.size).astype(np.float64)
    n[:3] = [np.nan, np.inf, 600]
    e_fn, t_fn = getattr(ember.special, name), getattr(torch.special, name)
    e = _values(e_fn(ember.tensor(x), ember.tensor(n)))
    t = _values(t_fn(torch.tensor(x), torch.tensor(n)))
    _close(e, t, 1e-11, 1e-11)
    # float32 recurrences run in float32 as torch's (so they overflow where torch's do, n = 200 below)
    x32, n32 = np.concatenate([x, [1.3, -1.2, 0.9]]).astype(np.float32), np.concatenate([n, [200, 200, 200]]).astype(np.float32)
    e32 = _values(e_fn(ember.tensor(x32), ember.tensor(n32)))
    t32 = _values(t_fn(torch.tensor(x32), torch.tensor(n32)))
    tol = 5e-4 if name.startswith("hermite") else 2e-5  # cancellation; torch contracts to FMA
    _close(e32, t32, tol, tol)
    check(lambda m, x: (e_fn if m is ember else t_fn)(x, 3), [(4,)], "int64", grad=False)
    check(lambda m, x: (e_fn if m is ember else t_fn)(0.5, x), [(4,)], "int64", grad=False)


def test_special_namespace_complete():
    names = [n for n in dir(torch.special) if not n.startswith("_") and callable(getattr(torch.special, n))]
    missing = [n for n in names if not hasattr(ember.special, n) and n not in ("Tensor",)]
    assert not missing, missing


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_special_half_types(dtype):
    """Half types: computed in float32/float64 and rounded where torch has a kernel, torch's
    NotImplementedError where it has none."""
    x = np.linspace(-3, 3, 25)
    for name in ("i0e", "i1", "i1e", "ndtr", "entr", "erfc", "expit", "gammaln", "psi"):
        check(lambda m, t: getattr(m.special, name)(t), None, dtype, grad=False, arrays=[x])
    for name in UNARY_SPECIAL[:12] + ["ndtri", "log_ndtr", "erfcx"]:
        same_error(lambda m: getattr(m.special, name)(m.tensor([0.5], dtype=getattr(m, dtype))))
    same_error(lambda m: m.special.zeta(m.tensor([2.0], dtype=getattr(m, dtype)), m.tensor([1.0], dtype=getattr(m, dtype))))
    for name in POLYNOMIALS:
        same_error(lambda m: getattr(m.special, name)(m.tensor([0.5], dtype=getattr(m, dtype)), 2))
