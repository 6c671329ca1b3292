"""sort, argsort, topk, kthvalue, unique against torch (values, tie order, gradients)."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, make_arrays, same_error

TIES = np.array([3, 1, 2, 1, 3, 1, 0, 2, 2, 3])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sort(dtype):
    check(lambda m, x: tuple(m.sort(x)), [(4, 5)], dtype=dtype)
    check(lambda m, x: tuple(m.sort(x, dim=0, descending=True)), [(4, 5)], dtype=dtype)
    check(lambda m, x: tuple(x.sort(stable=True, dim=1)), [(2, 3, 4)], dtype=dtype)
    check(lambda m, x: tuple(m.sort(x)), [()], dtype=dtype)
    check(lambda m, x: tuple(m.sort(x)), [(0, 3)], dtype=dtype)
    check(lambda m, x: tuple(m.sort(x.t(), descending=True)), [(4, 5)], dtype=dtype)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float32"])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_ties_match_torch(dtype, descending):
    a = TIES.astype(dtype)
    check(lambda m, x: tuple(m.sort(x, descending=descending)), [a.shape], dtype=dtype, arrays=[a], grad=False)
    check(lambda m, x: m.argsort(x, descending=descending), [a.shape], dtype=dtype, arrays=[a], grad=False)
    check(lambda m, x: tuple(m.sort(x, descending=descending, stable=True)), [a.shape], dtype=dtype, arrays=[a],
          grad=False)


def test_sort_nan():
    a = np.array([np.nan, 1.0, -1.0, np.nan, np.inf, -np.inf])
    for desc in (False, True):
        check(lambda m, x: tuple(m.sort(x, descending=desc)), [a.shape], arrays=[a], grad=False)
    check(lambda m, x: tuple(m.topk(x, 3)), [a.shape], arrays=[a], grad=False)


def test_sort_values_node_name():
    x = ember.ones(3, requires_grad=True)
    assert type(ember.sort(x).values.grad_fn).__name__ == "SortBackward0"
    assert ember.sort(x).indices.dtype is ember.int64
    assert not ember.sort(x).indices.requires_grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_topk(dtype):
    check(lambda m, x: tuple(m.topk(x, 2)), [(4, 5)], dtype=dtype)
    check(lambda m, x: tuple(m.topk(x, 3, dim=0, largest=False)), [(4, 5)], dtype=dtype)
    check(lambda m, x: tuple(x.topk(0)), [(4, 5)], dtype=dtype)
    check(lambda m, x: tuple(x.topk(1)), [()], dtype=dtype)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_topk_ties(largest, k):
    for arr in (TIES, np.array([1, 1, 1, 1, 1, 0]), np.array([3, 1, 2, 1, 3, 1])):
        check(lambda m, x: tuple(m.topk(x, k, largest=largest)), [arr.shape], dtype="int64", arrays=[arr])


def test_kthvalue():
    check(lambda m, x: tuple(m.kthvalue(x, 2)), [(4, 5)])
    check(lambda m, x: tuple(m.kthvalue(x, 1, dim=0, keepdim=True)), [(4, 5)], dtype="float64")
    check(lambda m, x: tuple(x.kthvalue(1)), [()])


def test_msort():
    check(lambda m, x: m.msort(x), [(4, 3)])


def test_unique():
    a = np.array([3, 1, 2, 1, 3, 1])
    check(lambda m, x: m.unique(x), [a.shape], dtype="int64", arrays=[a])
    check(lambda m, x: m.unique(x, return_inverse=True, return_counts=True), [a.shape], dtype="int64", arrays=[a])
    check(lambda m, x: x.unique(return_counts=True), [a.shape], dtype="int64", arrays=[a])
    b = np.array([[1, 2], [1, 2], [0, 1]])
    check(lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True), [b.shape], dtype="int64",
          arrays=[b])
    check(lambda m, x: m.unique(x, return_inverse=True), [b.shape], dtype="int64", arrays=[b])
    c = np.array([1., 1, 2, 2, 3, 1, 1, 2])
    check(lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True), [c.shape], arrays=[c],
          grad=False)
    check(lambda m, x: m.unique_consecutive(x, dim=0, return_counts=True), [b.shape], dtype="int64", arrays=[b])
    x = ember.tensor([1., 2., 1.], requires_grad=True)
    u = ember.unique(x)
    assert u.requires_grad and type(u.grad_fn).__name__ == "Unique2Backward0"
    with pytest.raises(NotImplementedError):
        u.sum().backward()


@pytest.mark.parametrize("fn", [
    lambda m: m.topk(m.ones(3), 4),
    lambda m: m.topk(m.ones(3), -1),
    lambda m: m.kthvalue(m.ones(3), 4),
    lambda m: m.sort(m.ones(3), dim=1),
    lambda m: m.argsort(m.ones(3), dim=2),
])
def test_errors(fn):
    e, t = same_error(fn)
    assert e.split(" ")[:2] == t.split(" ")[:2]


GRADCHECK_CASES = [
    (lambda x: ember.sort(x, dim=0).values, [(4, 3)]),
    (lambda x: ember.sort(x, descending=True).values, [(3, 4)]),
    (lambda x: ember.topk(x, 2).values, [(3, 5)]),
    (lambda x: ember.kthvalue(x, 2, dim=0).values, [(3, 5)]),
    (lambda x: ember.msort(x), [(4,)]),
]


@pytest.mark.parametrize("fn,shapes", GRADCHECK_CASES)
def test_gradcheck(fn, shapes):
    from ember.autograd import gradcheck, gradgradcheck

    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in make_arrays(shapes, "float64")]
    assert gradcheck(fn, xs)
    assert gradgradcheck(fn, xs)


def test_topk_tie_order_random():
    """Small-int and NaN rows of many lengths: torch's nth_element/partial_sort order."""
    rng = np.random.default_rng(1)
    for _ in range(300):
        n = int(rng.integers(1, 200))
        k = int(rng.integers(0, n + 1))
        a = rng.integers(0, int(rng.integers(1, 5)), size=(2, n)).astype(np.float64)
        if rng.random() < 0.3:
            a[rng.random((2, n)) < 0.2] = np.nan
        largest, srt = bool(rng.random() < 0.5), bool(rng.random() < 0.7)
        t = torch.topk(torch.tensor(a), k, largest=largest, sorted=srt)
        e = ember.topk(ember.tensor(a), k, largest=largest, sorted=srt)
        assert e.indices.tolist() == t.indices.tolist(), (n, k, largest, srt)
        np.testing.assert_array_equal(e.values.numpy(), t.values.numpy())
