"""ember/_ops/extra_math.py against torch: values, dtypes, shapes, gradients (and gradcheck in float64)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

FLOATS = ["float32", "float64"]


def _gradcheck(fn, *shapes, low=-2.0, high=2.0):
    rng = np.random.default_rng(3)
    xs = [ember.tensor(rng.uniform(low, high, size=s), dtype=ember.float64, requires_grad=True) for s in shapes]
    assert ember.autograd.gradcheck(fn, xs)


@pytest.mark.parametrize("dtype", FLOATS)
def test_addcmul_addcdiv(dtype):
    check(lambda m, a, b, c: m.addcmul(a, b, c), [(3, 4), (4,), (3, 1)], dtype)
    check(lambda m, a, b, c: m.addcmul(a, b, c, value=-0.5), [(3, 4), (4,), (3, 1)], dtype)
    check(lambda m, a, b, c: m.addcdiv(a, b, c, value=2), [(2, 3), (2, 3), (3,)], dtype)
    check(lambda m, a, b, c: a.addcmul(b, c, value=3), [(), (5,), ()], dtype)
    check(lambda m, a, b, c: (a * 1).addcdiv_(b, c, value=0.25), [(2, 3), (2, 3), (2, 3)], dtype)
    check(lambda m, a, b, c: (a * 1).addcmul_(b.t(), c), [(2, 3), (3, 2), (2, 3)], dtype)


def test_addcmul_addcdiv_ints_and_errors():
    check(lambda m, a, b, c: m.addcmul(a, b, c, value=2), [(3,), (3,), (3,)], "int64")
    same_error(lambda m: m.addcdiv(m.tensor([1]), m.tensor([2]), m.tensor([3])))
    _gradcheck(lambda a, b, c: ember.addcdiv(a, b, c, value=0.7), (3,), (3,), (3,), low=0.5)
    _gradcheck(lambda a, b, c: ember.addcmul(a, b, c, value=-2), (2, 3), (3,), (2, 1))


@pytest.mark.parametrize("dtype", FLOATS)
def test_nan_to_num(dtype):
    a = np.array([[np.nan, np.inf, -np.inf, 1.5], [0.0, -2.0, np.nan, np.inf]], dtype=dtype)
    check(lambda m, x: m.nan_to_num(x), None, dtype, arrays=[a])
    check(lambda m, x: m.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0), None, dtype, arrays=[a])
    check(lambda m, x: x.nan_to_num(posinf=9.0), None, dtype, arrays=[a])
    check(lambda m, x: (x * 1).nan_to_num_(nan=-1.0), None, dtype, arrays=[a])
    check(lambda m, x: m.nan_to_num(x), [(2, 3)], "int64")
    check(lambda m, x: m.nan_to_num(x), [()], dtype)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2", "hypot"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_math(name, dtype):
    check(lambda m, a, b: getattr(m, name)(a, b), [(3, 4), (4,)], dtype)
    check(lambda m, a, b: getattr(m, name)(a, b), [(), (2, 0)], dtype)
    check(lambda m, a, b: getattr(a.t(), name)(b), [(3, 2), (3,)], dtype)
    a = np.array([-np.inf, -np.inf, np.inf, 1e30, -1e30], dtype=dtype)
    b = np.array([-np.inf, 1.0, 2.0, 1e30, 5.0], dtype=dtype)
    check(lambda m, x, y: getattr(m, name)(x, y), None, dtype, arrays=[a, b], grad=False)
    same_error(lambda m: getattr(m, name)(m.tensor([1]), m.tensor([2])))
    _gradcheck(getattr(ember, name), (2, 3), (3,))


def test_hypot_inplace():
    check(lambda m, a, b: (a * 1).hypot_(b), [(2, 3), (3,)], "float32")


@pytest.mark.parametrize("dtype", FLOATS)
def test_sinc_deg_rad(dtype):
    a = np.array([0.0, 0.5, -1.0, 1e-9, 3.25, -7.5], dtype=dtype)
    check(lambda m, x: m.sinc(x), None, dtype, arrays=[a])
    check(lambda m, x: m.sinc(x.reshape(2, 3).t()), None, dtype, arrays=[a])
    check(lambda m, x: (x * 1).sinc_(), None, dtype, arrays=[a])
    check(lambda m, x: m.deg2rad(x), [(3, 2)], dtype)
    check(lambda m, x: x.rad2deg(), [()], dtype)
    check(lambda m, x: (x * 1).deg2rad_(), [(4,)], dtype)
    for fn in ("sinc", "deg2rad", "rad2deg"):
        check(lambda m, x: getattr(m, fn)(x), [(5,)], "int64")
    _gradcheck(ember.sinc, (6,))
    _gradcheck(ember.deg2rad, (2, 2))


@pytest.mark.parametrize("dtype", FLOATS)
def test_clamp_min_max(dtype):
    check(lambda m, x: m.clamp_min(x, 0.5), [(3, 4)], dtype)
    check(lambda m, x, lo: m.clamp_max(x, lo), [(3, 4), (4,)], dtype)
    check(lambda m, x: x.clamp_min(-1), [()], dtype)
    check(lambda m, x: (x * 1).clamp_max_(0.0), [(5,)], dtype)
    check(lambda m, x: m.clamp_min(x, 2), [(5,)], "int64")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_searchsorted_bucketize(dtype):
    seq1 = np.array([1, 3, 5, 7, 9]).astype(dtype)
    seq2 = np.sort(np.random.default_rng(0).integers(-5, 5, (2, 3, 6)), axis=-1).astype(dtype)
    vals = np.random.default_rng(1).integers(-6, 10, (2, 3, 4)).astype(dtype)
    for right in (False, True):
        for out_int32 in (False, True):
            check(lambda m, s, v: m.searchsorted(s, v, right=right, out_int32=out_int32), None, dtype,
                  arrays=[seq1, vals], grad=False)
            check(lambda m, s, v: m.searchsorted(s, v, right=right), None, dtype, arrays=[seq2, vals], grad=False)
            check(lambda m, v, s: m.bucketize(v, s, right=right, out_int32=out_int32), None, dtype,
                  arrays=[vals, seq1], grad=False)
    check(lambda m, s, v: m.searchsorted(s, v, side="right"), None, dtype, arrays=[seq1, vals], grad=False)
    t, e = torch.tensor(seq1), ember.tensor(seq1)
    assert_same(ember.searchsorted(e, 3), torch.searchsorted(t, 3))
    assert_same(ember.bucketize(4, e), torch.bucketize(4, t))
    sorter = np.array([4, 0, 2, 1, 3])
    unsorted = seq1[np.argsort(sorter)]
    assert_same(ember.searchsorted(ember.tensor(unsorted), ember.tensor(vals[0, 0]), sorter=ember.tensor(sorter)),
                torch.searchsorted(torch.tensor(unsorted), torch.tensor(vals[0, 0]), sorter=torch.tensor(sorter)))
    same_error(lambda m: m.searchsorted(m.tensor(seq2), m.tensor(vals[:1])))
    same_error(lambda m: m.bucketize(m.tensor(vals), m.tensor(seq2)))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
def test_cdist(dtype, p):
    check(lambda m, a, b: m.cdist(a, b, p=p), [(4, 3), (5, 3)], dtype)
    check(lambda m, a, b: m.cdist(a, b, p=p), [(2, 4, 3), (1, 5, 3)], dtype)


def test_cdist_grad_and_errors():
    _gradcheck(lambda a, b: ember.cdist(a, b), (3, 2), (4, 2))
    _gradcheck(lambda a, b: ember.cdist(a, b, p=1.0), (3, 2), (4, 2))
    same_error(lambda m: m.cdist(m.ones(3, 2), m.ones(3, 4)))
    same_error(lambda m: m.cdist(m.ones(3), m.ones(3, 3)))


@pytest.mark.parametrize("dtype", FLOATS + ["int64", "bool"])
def test_diff(dtype):
    grad = dtype in FLOATS
    check(lambda m, x: m.diff(x), [(3, 5)], dtype, grad=grad)
    check(lambda m, x: m.diff(x, n=2, dim=0), [(4, 3)], dtype, grad=grad)
    check(lambda m, x: x.t().diff(dim=1), [(4, 3)], dtype, grad=grad)
    check(lambda m, x, a, b: m.diff(x, dim=1, prepend=a, append=b), [(2, 3), (2, 1), (2, 2)], dtype, grad=grad)
    check(lambda m, x: m.diff(x, n=7), [(4,)], dtype, grad=grad)
    check(lambda m, x: m.diff(x), [(0,)], dtype, grad=grad)
    same_error(lambda m: m.diff(m.tensor(1.0)))


def test_diff_gradcheck():
    _gradcheck(lambda x, a: ember.diff(x, n=2, dim=0, append=a), (4, 3), (1, 3))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dtype", FLOATS + ["int64", "bool"])
def test_cummax_cummin(name, dtype):
    grad = dtype in FLOATS
    check(lambda m, x: tuple(getattr(m, name)(x, 1)), [(3, 5)], dtype, grad=grad)
    check(lambda m, x: tuple(getattr(x.t(), name)(dim=-1)), [(3, 4)], dtype, grad=grad)
    check(lambda m, x: tuple(getattr(m, name)(x, 0)), [()], dtype, grad=grad)
    check(lambda m, x: tuple(getattr(m, name)(x, 0)), [(0, 2)], dtype, grad=grad)
    ties = np.array([[1, 3, 3, 2, 5, 5, 0], [2, 2, 2, 1, 1, 4, 4]]).astype(dtype)
    check(lambda m, x: tuple(getattr(m, name)(x, 1)), None, dtype, arrays=[ties], grad=grad)
    r = getattr(ember, name)(ember.tensor(ties), 1)
    assert type(r).__name__ == name and r.values is r[0]
    same_error(lambda m: getattr(m, name)(m.ones(2, 2), 2))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_nan_and_grad(name):
    a = np.array([1.0, 3.0, np.nan, 2.0, np.nan, 5.0])
    check(lambda m, x: tuple(getattr(m, name)(x, 0)), None, "float64", arrays=[a])
    rng = np.random.default_rng(5)
    x = ember.tensor(rng.permutation(12).reshape(3, 4) / 3.0, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: getattr(ember, name)(t, 1).values, [x])


@pytest.mark.parametrize("dtype", FLOATS)
def test_cosine_similarity(dtype):
    check(lambda m, a, b: m.cosine_similarity(a, b), [(3, 4), (3, 4)], dtype)
    check(lambda m, a, b: m.cosine_similarity(a, b, dim=-1, eps=1e-3), [(2, 1, 5), (3, 5)], dtype)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_types(dtype):
    a = np.array([np.nan, np.inf, -np.inf, 1.0, 0.0, 2.5, -0.75])
    for fn in ("nan_to_num", "sinc", "deg2rad"):
        check(lambda m, x: getattr(m, fn)(x), None, dtype, arrays=[a], grad=False)
    check(lambda m, x, y: m.logaddexp(x, y), [(5,), (5,)], dtype, grad=False)
    check(lambda m, x, y: m.hypot(x, y), [(5,), (5,)], dtype, grad=False)


@pytest.mark.parametrize("fn,n", [(ember.logaddexp, 2), (ember.logaddexp2, 2), (ember.hypot, 2), (ember.sinc, 1),
                                  (ember.nan_to_num, 1), (lambda a, b, c: ember.addcdiv(a, b, c, value=0.3), 3)])
def test_gradgradcheck(fn, n):
    rng = np.random.default_rng(4)
    xs = [ember.tensor(rng.uniform(0.5, 2, size=(3,)), requires_grad=True) for _ in range(n)]
    assert ember.autograd.gradgradcheck(fn, xs)
