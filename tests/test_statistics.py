"""ember/_ops/statistics.py against torch: values, dtypes, shapes, gradients, errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

FLOATS = ["float32", "float64"]
NAN = float("nan")


def _gradcheck(fn, *shapes, low=-2.0, high=2.0, seed=3):
    rng = np.random.default_rng(seed)
    xs = [ember.tensor(rng.uniform(low, high, size=s), dtype=ember.float64, requires_grad=True) for s in shapes]
    assert ember.autograd.gradcheck(fn, xs)


def _with_nans(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, size=shape).astype(dtype)
    a[rng.random(shape) < 0.3] = np.nan
    return a


@pytest.mark.parametrize("dtype", FLOATS)
def test_nansum_nanmean(dtype):
    a = _with_nans((4, 5), dtype)
    for fn in ("nansum", "nanmean"):
        check(lambda m, x: getattr(m, fn)(x), None, dtype, arrays=[a])
        check(lambda m, x: getattr(m, fn)(x, 1), None, dtype, arrays=[a])
        check(lambda m, x: getattr(x, fn)((0, 1), keepdim=True), None, dtype, arrays=[a])
        check(lambda m, x: getattr(m, fn)(x, -1, dtype=m.float64), None, dtype, arrays=[a])
    check(lambda m, x: m.nansum(x, 0), [(3, 4)], "int32")
    check(lambda m, x: m.nansum(x), [(3,)], "bool")
    same_error(lambda m: m.nanmean(m.tensor([1, 2])))


@pytest.mark.parametrize("dtype", FLOATS)
def test_nanmedian(dtype):
    a = _with_nans((5, 7), dtype)
    check(lambda m, x: m.nanmedian(x), None, dtype, arrays=[a])
    check(lambda m, x: m.nanmedian(x, 1), None, dtype, arrays=[a])
    check(lambda m, x: x.nanmedian(0, keepdim=True), None, dtype, arrays=[a])
    check(lambda m, x: m.nanmedian(x, 0), [()], dtype)
    check(lambda m, x: m.nanmedian(x, -1), [(3, 6)], "int64")
    check(lambda m, x: m.nanmedian(x), None, dtype, arrays=[np.full((3,), np.nan, dtype)])
    a[2] = np.nan  # an all-NaN row: its index is std::nth_element's choice in torch, so values only
    assert_same(ember.nanmedian(ember.tensor(a), 1).values, torch.nanmedian(torch.tensor(a), 1).values)
    assert_same(ember.nanmedian(ember.zeros(0)), torch.nanmedian(torch.zeros(0)))
    same_error(lambda m: m.nanmedian(m.zeros(2, 0), 1))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile(dtype, interpolation):
    kw = dict(interpolation=interpolation)
    check(lambda m, x: m.quantile(x, 0.3, **kw), [(4, 5)], dtype)
    check(lambda m, x: m.quantile(x, 0.5, dim=1, **kw), [(4, 6)], dtype)
    check(lambda m, x: x.quantile(0.75, 0, keepdim=True, **kw), [(4, 6)], dtype)
    q = np.array([0.0, 0.1, 0.5, 0.9, 1.0], dtype=dtype)
    check(lambda m, x, qq: m.quantile(x, qq, dim=-1, **kw), None, dtype, arrays=[np.random.default_rng(1).uniform(
        -2, 2, (3, 7)).astype(dtype), q], requires=[True, False])
    check(lambda m, x, qq: m.quantile(x, qq, dim=0, keepdim=True, **kw), None, dtype, arrays=[
        np.random.default_rng(2).uniform(-2, 2, (6, 2)).astype(dtype), q], requires=[True, False])
    check(lambda m, x, qq: m.quantile(x, qq, **kw), None, dtype, arrays=[
        np.random.default_rng(2).uniform(-2, 2, (6, 2)).astype(dtype), q], requires=[True, False])
    a = _with_nans((4, 6), dtype, seed=5)
    a[1] = np.nan
    check(lambda m, x: m.nanquantile(x, 0.4, dim=1, **kw), None, dtype, arrays=[a])
    check(lambda m, x: x.nanquantile(0.6, **kw), None, dtype, arrays=[a])
    a[2, 1:] = 1.0  # ties: which copy gets the gradient is the sort's choice, so values only
    check(lambda m, x: m.quantile(x, 0.4, dim=1, **kw), None, dtype, arrays=[a], grad=False)
    check(lambda m, x: m.nanquantile(x, 0.4, dim=1, **kw), None, dtype, arrays=[a], grad=False)


def test_quantile_errors_and_gradcheck():
    same_error(lambda m: m.quantile(m.tensor([1, 2]), 0.5))
    same_error(lambda m: m.quantile(m.tensor([1.0, 2.0]), 1.5))
    same_error(lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([0.5], dtype=m.float64)))
    same_error(lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([[0.5]])))
    same_error(lambda m: m.quantile(m.tensor([1.0, 2.0]), 0.5, interpolation="cubic"))
    same_error(lambda m: m.quantile(m.tensor([]), 0.5))
    _gradcheck(lambda x: ember.quantile(x, 0.3, dim=1), (3, 5))
    _gradcheck(lambda x: ember.nanquantile(x, ember.tensor([0.2, 0.8], dtype=ember.float64), interpolation="midpoint"),
               (7,))


def test_mode():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, size=(5, 9)).astype("float32")
    check(lambda m, x: m.mode(x), None, "float32", arrays=[a])
    check(lambda m, x: m.mode(x, 0), None, "float32", arrays=[a])
    check(lambda m, x: x.mode(1, keepdim=True), None, "float64", arrays=[a.astype("float64")])
    check(lambda m, x: m.mode(x, -1), None, "int64", arrays=[rng.integers(-3, 3, size=(4, 3, 8))])
    check(lambda m, x: m.mode(x), [()], "float32")
    same_error(lambda m: m.mode(m.zeros(2, 0)))


@pytest.mark.parametrize("dtype", FLOATS + ["int64"])
def test_aminmax(dtype):
    a = np.array([[1, 3, 3, 1], [2, 2, 0, 5]], dtype=dtype)
    check(lambda m, x: m.aminmax(x), None, dtype, arrays=[a])
    check(lambda m, x: m.aminmax(x, dim=1), None, dtype, arrays=[a])
    check(lambda m, x: x.aminmax(dim=0, keepdim=True), None, dtype, arrays=[a])
    check(lambda m, x: m.aminmax(x, keepdim=True), None, dtype, arrays=[a])
    check(lambda m, x: m.aminmax(x, dim=0), [()], dtype)
    check(lambda m, x: m.aminmax(x, dim=1)[1], None, dtype, arrays=[a])  # one output on the graph
    same_error(lambda m: m.aminmax(m.zeros(0)))
    same_error(lambda m: m.aminmax(m.zeros(3, 0), dim=1))


@pytest.mark.parametrize("dtype", FLOATS)
def test_logcumsumexp(dtype):
    check(lambda m, x: m.logcumsumexp(x, 1), [(3, 5)], dtype)
    check(lambda m, x: x.logcumsumexp(0), [(4, 2)], dtype)
    check(lambda m, x: m.logcumsumexp(x, 0), [()], dtype)
    big = np.array([-np.inf, 1e3, -np.inf, 1.0, np.inf], dtype=dtype)
    check(lambda m, x: m.logcumsumexp(x, 0), None, dtype, arrays=[big], grad=False)
    same_error(lambda m: m.logcumsumexp(m.tensor([1, 2]), 0))
    _gradcheck(lambda x: ember.logcumsumexp(x, -1), (2, 4))


@pytest.mark.parametrize("dtype", FLOATS)
def test_cov_corrcoef(dtype):
    check(lambda m, x: m.cov(x), [(3, 6)], dtype)
    check(lambda m, x: m.cov(x), [(6,)], dtype)
    check(lambda m, x: x.cov(correction=0), [(2, 5)], dtype)
    rng = np.random.default_rng(4)
    fw = torch.tensor(rng.integers(0, 4, size=5))
    aw = rng.uniform(0.1, 1, size=5)
    check(lambda m, x: m.cov(x, fweights=m.tensor(fw.numpy())), [(3, 5)], dtype)
    check(lambda m, x, w: m.cov(x, fweights=m.tensor(fw.numpy()), aweights=w), None, dtype,
          arrays=[rng.uniform(-1, 1, (3, 5)).astype(dtype), aw.astype(dtype)])
    check(lambda m, x: m.corrcoef(x), [(4, 7)], dtype)
    check(lambda m, x: x.corrcoef(), [(7,)], dtype)
    check(lambda m, x: m.cov(x), [(3, 4)], "int64")
    check(lambda m, x: m.corrcoef(x), [(3, 4)], "int64")
    same_error(lambda m: m.cov(m.zeros(2, 2, 2)))
    same_error(lambda m: m.cov(m.zeros(2, 3), fweights=m.tensor([1.0, 2.0, 3.0])))
    same_error(lambda m: m.cov(m.zeros(2, 3), aweights=m.tensor([1, 2, 3])))
    same_error(lambda m: m.cov(m.zeros(2, 3), fweights=m.tensor([1, -2, 3])))
    same_error(lambda m: m.cov(m.zeros(2, 3), aweights=m.tensor([1.0, 2.0])))
    _gradcheck(lambda x: ember.cov(x, aweights=ember.tensor([0.2, 1.0, 0.5, 0.7], dtype=ember.float64)), (2, 4))
    _gradcheck(ember.corrcoef, (3, 5))


def test_cov_dof_warning():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        r = ember.cov(ember.tensor([[1.0, 2.0]]), correction=2)
    with pytest.warns(UserWarning):
        t = torch.cov(torch.tensor([[1.0, 2.0]]), correction=2)
    assert_same(r, t)


@pytest.mark.parametrize("dtype", FLOATS)
def test_trapezoid(dtype):
    check(lambda m, y: m.trapezoid(y), [(3, 5)], dtype)
    check(lambda m, y: m.trapezoid(y, dx=0.5, dim=0), [(3, 5)], dtype)
    check(lambda m, y: m.trapz(y, dx=2.0), [(4,)], dtype)
    check(lambda m, y, x: m.trapezoid(y, x), [(3, 5), (5,)], dtype)
    check(lambda m, y, x: m.trapezoid(y, x, dim=0), [(4, 2), (4, 2)], dtype)
    check(lambda m, y, x: m.trapz(y, x), [(2, 3), (3,)], dtype)
    check(lambda m, y: m.cumulative_trapezoid(y), [(3, 5)], dtype)
    check(lambda m, y: m.cumulative_trapezoid(y, dx=3.0, dim=0), [(3, 5)], dtype)
    check(lambda m, y, x: m.cumulative_trapezoid(y, x), [(3, 5), (5,)], dtype)
    check(lambda m, y: m.trapezoid(y), [(2, 0)], dtype)
    check(lambda m, y: m.trapezoid(y), [(4,)], "int64")
    check(lambda m, y: m.cumulative_trapezoid(y), [(4,)], "int64")
    _gradcheck(lambda y, x: ember.trapezoid(y, x), (2, 4), (4,))
    _gradcheck(lambda y, x: ember.cumulative_trapezoid(y, x, dim=0), (3, 2), (3, 2))


@pytest.mark.parametrize("dtype", FLOATS)
def test_gradient(dtype):
    check(lambda m, x: m.gradient(x), [(4, 5)], dtype)
    check(lambda m, x: m.gradient(x, spacing=2.0, dim=1), [(4, 5)], dtype)
    check(lambda m, x: m.gradient(x, spacing=[0.5, 3.0], edge_order=2), [(4, 5)], dtype)
    check(lambda m, x: m.gradient(x, dim=[0, -1], edge_order=2), [(3, 4, 5)], dtype)
    coords = [np.array([0.0, 1.0, 3.0, 3.5], dtype), np.array([-1.0, 0.0, 2.0], dtype)]
    for order in (1, 2):
        check(lambda m, x: m.gradient(x, spacing=[m.tensor(c) for c in coords], edge_order=order), [(4, 3)], dtype)
    check(lambda m, x: m.gradient(x), [(5,)], "int64")
    same_error(lambda m: m.gradient(m.zeros(2, 3), edge_order=2))
    same_error(lambda m: m.gradient(m.zeros(4, 3), edge_order=3))
    _gradcheck(lambda x: ember.gradient(x, edge_order=2), (4, 3))


def test_histogramdd():
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (50, 2)).astype("float32")
    w = rng.uniform(0, 1, 50).astype("float32")
    for kw in (dict(bins=4), dict(bins=[3, 5]), dict(bins=[2, 3], range=[-1.0, 1.0, 0.0, 0.5]),
               dict(bins=3, density=True)):
        r = ember.histogramdd(ember.tensor(a), **kw)
        t = torch.histogramdd(torch.tensor(a), **kw)
        assert_same(r.hist, t.hist)
        assert_same(r.bin_edges, t.bin_edges)
        assert type(r.bin_edges) is tuple
    r = ember.histogramdd(ember.tensor(a), bins=[ember.tensor([-1.0, 0.0, 1.0]), ember.tensor([-1.0, 0.5, 1.0])],
                          weight=ember.tensor(w))
    t = torch.histogramdd(torch.tensor(a), bins=[torch.tensor([-1.0, 0.0, 1.0]), torch.tensor([-1.0, 0.5, 1.0])],
                          weight=torch.tensor(w))
    assert_same(r.hist, t.hist)
    same_error(lambda m: m.histogramdd(m.tensor(a), bins=[2, 2, 2]))
