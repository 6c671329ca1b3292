"""trace, diagonals, triangles, cross and counting ops against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, make_arrays, same_error


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trace_diag_diagonal(dtype):
    check(lambda m, x: m.trace(x), [(3, 4)], dtype=dtype)
    check(lambda m, x: x.trace(), [(0, 0)], dtype=dtype)
    for k in (-2, -1, 0, 1, 3, 7):
        check(lambda m, x: m.diag(x, k), [(3, 4)], dtype=dtype)
        check(lambda m, x: m.diag(x, k), [(3,)], dtype=dtype)
        check(lambda m, x: m.diagonal(x, k), [(3, 4)], dtype=dtype)
    check(lambda m, x: x.diagonal(1, 0, 2), [(2, 3, 4)], dtype=dtype)
    check(lambda m, x: m.diagonal(x, -1, dim1=-1, dim2=0), [(2, 3, 4)], dtype=dtype)
    check(lambda m, x: m.diag_embed(x), [(2, 3)], dtype=dtype)
    check(lambda m, x: m.diag_embed(x, 1, 0, 2), [(2, 3)], dtype=dtype)
    check(lambda m, x: m.diag_embed(x, -2, dim1=-1, dim2=0), [(2, 3)], dtype=dtype)
    check(lambda m, x: m.diag(x.t()), [(4, 3)], dtype=dtype)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_inputs(dtype):
    check(lambda m, x: m.trace(x), [(3, 3)], dtype=dtype)
    check(lambda m, x: m.diag(x), [(3,)], dtype=dtype)
    check(lambda m, x: m.tril(x, -1), [(3, 4)], dtype=dtype)
    check(lambda m, x: m.triu(x), [(3, 4)], dtype="bool")


def test_diagonal_is_a_writable_view():
    x = ember.zeros(3, 3)
    d = x.diagonal()
    d.add_(1)
    assert x.tolist() == np.eye(3).tolist()
    assert d._base is x
    assert type(ember.diag(ember.ones(3, 3, requires_grad=True)).grad_fn).__name__ == "DiagonalBackward0_copy"
    assert type(ember.diagonal(ember.ones(3, 3, requires_grad=True)).grad_fn).__name__ == "DiagonalBackward0"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tril_triu(dtype):
    for k in (-5, -1, 0, 2, 6):
        check(lambda m, x: m.tril(x, k), [(3, 4)], dtype=dtype)
        check(lambda m, x: x.triu(diagonal=k), [(2, 3, 4)], dtype=dtype)
    check(lambda m, x: m.tril(x.transpose(0, 1)), [(4, 3)], dtype=dtype)
    for name in ("tril_", "triu_"):
        a, t = ember.ones(3, 3), torch.ones(3, 3)
        getattr(a, name)(1)
        getattr(t, name)(1)
        assert a.tolist() == t.tolist()


def test_cross():
    check(lambda m, a, b: m.linalg.cross(a, b), [(4, 3), (4, 3)], dtype="float64")
    check(lambda m, a, b: m.linalg.cross(a, b), [(4, 3), (1, 3)])
    check(lambda m, a, b: m.cross(a, b, dim=0), [(3, 2), (3, 2)])
    check(lambda m, a, b: a.cross(b, 1), [(2, 3), (2, 3)])


@pytest.mark.parametrize("fn", [
    lambda m: m.trace(m.ones(3)),
    lambda m: m.diag(m.ones(2, 2, 2)),
    lambda m: m.tril(m.ones(3)),
    lambda m: m.triu(m.ones(())),
    lambda m: m.histc(m.arange(3)),
    lambda m: m.bincount(m.tensor([-1, 2])),
    lambda m: m.bincount(m.ones(3)),
    lambda m: m.bincount(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.diagonal(m.ones(2, 3), 0, 0, 0),
    lambda m: m.diagonal(m.ones(2, 3), 0, 0, 2),
    lambda m: m.histc(m.ones(3), bins=0),
    lambda m: m.histc(m.ones(3), min=2, max=1),
    lambda m: m.histogram(m.arange(3)),
    lambda m: m.trace(m.ones(2, 2, dtype=m.bool)),
    lambda m: m.linalg.cross(m.ones(2, 2), m.ones(2, 2)),
    lambda m: m.cross(m.ones(2, 3), m.ones(2, 4), dim=1),
    lambda m: m.diag_embed(m.ones(2, 3), dim1=0, dim2=0),
])
def test_errors(fn):
    e, t = same_error(fn)
    assert e.split(".")[0] == t.split(".")[0]


def test_histc():
    check(lambda m, x: m.histc(x, bins=4, min=0, max=3), [(3,)], grad=False, arrays=[np.array([1., 2, 1, 3, -1, 4])])
    check(lambda m, x: m.histc(x), [(100,)], grad=False)
    check(lambda m, x: m.histc(x, bins=7), [(5, 5)], dtype="float64", grad=False)
    check(lambda m, x: x.histc(bins=4), [(3,)], grad=False, arrays=[np.array([1., 1, 1])])
    check(lambda m, x: m.histc(x, bins=4, min=1, max=3), [(5,)], grad=False, arrays=[np.arange(5.)])
    check(lambda m, x: m.histc(x, bins=3), [(0,)], grad=False)


def test_histogram():
    check(lambda m, x: tuple(m.histogram(x, bins=4, range=(0., 3.))), [(3,)], grad=False,
          arrays=[np.array([1., 2, 1])])
    check(lambda m, x: tuple(m.histogram(x, 5)), [(50,)], grad=False, dtype="float64")
    check(lambda m, x: tuple(m.histogram(x, bins=4)), [(3,)], grad=False, arrays=[np.array([1., 1, 1])])
    check(lambda m, x, w: tuple(m.histogram(x, bins=m.tensor([-2., 0, 0.5, 2]), weight=w, density=True)),
          [(20,), (20,)], grad=False)
    check(lambda m, x, w: tuple(x.histogram(6, weight=w)), [(20,), (20,)], grad=False)
    h = ember.histogram(ember.tensor([1., 2, 1]), bins=2)
    assert h.hist.tolist() == [2.0, 1.0] and h.bin_edges.tolist() == [1.0, 1.5, 2.0]


def test_bincount():
    x = np.array([1, 2, 1, 5, 0])
    check(lambda m, x: m.bincount(x), [(5,)], dtype="int64", arrays=[x])
    check(lambda m, x: m.bincount(x, minlength=9), [(5,)], dtype="int64", arrays=[x])
    check(lambda m, x: x.bincount(), [(0,)], dtype="int64", arrays=[np.zeros(0, dtype=np.int64)])
    for w in (np.array([1., 2, 3, 4, 5], dtype=np.float32), np.arange(5.), np.arange(5)):
        e = ember.bincount(ember.tensor(x), weights=ember.tensor(w))
        t = torch.bincount(torch.tensor(x), weights=torch.tensor(w))
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(e.numpy(), t.numpy())


GRADCHECK_CASES = [
    (lambda x: ember.trace(x), [(3, 4)]), (lambda x: ember.diag(x, 1), [(3, 4)]), (lambda x: ember.diag(x, -1), [(3,)]),
    (lambda x: x.diagonal(0, 0, 2), [(2, 3, 2)]), (lambda x: ember.diag_embed(x, 1), [(2, 3)]),
    (lambda x: ember.tril(x, -1), [(3, 3)]), (lambda x: ember.triu(x, 1), [(2, 3, 3)]),
    (lambda a, b: ember.linalg.cross(a, b), [(2, 3), (2, 3)]),
]


@pytest.mark.parametrize("fn,shapes", GRADCHECK_CASES)
def test_gradcheck(fn, shapes):
    from ember.autograd import gradcheck, gradgradcheck

    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in make_arrays(shapes, "float64")]
    assert gradcheck(fn, xs)
    assert gradgradcheck(fn, xs)
