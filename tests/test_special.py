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
