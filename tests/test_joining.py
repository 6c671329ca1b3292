"""cat/concat/concatenate, stack, hstack, vstack, dstack, column_stack, atleast_*d: against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, make_arrays, same_error

FLOATS = ["float32", "float64"]

CASES = {
    "cat0": (lambda m, a, b: m.cat([a, b]), [(2, 3), (4, 3)]),
    "cat1": (lambda m, a, b: m.cat((a, b), dim=1), [(2, 3), (2, 1)]),
    "cat_neg": (lambda m, a, b, c: m.cat([a, b, c], -1), [(2, 3), (2, 0), (2, 2)]),
    "concat": (lambda m, a, b: m.concat([a, b], 0), [(1,), (3,)]),
    "concatenate": (lambda m, a, b: m.concatenate([a, b], axis=0) if m is torch else m.concatenate([a, b], 0),
                    [(1, 2), (1, 2)]),
    "cat_one": (lambda m, a: m.cat([a]), [(2, 3)]),
    "cat_skip_empty": (lambda m, a, b: m.cat([a, b, a]), [(2, 3), (0,)]),
    "cat_all_empty": (lambda m, a, b: m.cat([a, b]), [(0,), (0,)]),
    "cat_zero_rows": (lambda m, a, b: m.cat([a, b]), [(0, 3), (2, 3)]),
    "cat_noncontig": (lambda m, a, b: m.cat([a.t(), b], 1), [(3, 2), (2, 4)]),
    "stack": (lambda m, a, b: m.stack([a, b]), [(2, 3), (2, 3)]),
    "stack_last": (lambda m, a, b: m.stack((a, b), dim=-1), [(2, 3), (2, 3)]),
    "stack_mid": (lambda m, a, b, c: m.stack([a, b, c], 1), [(2, 3), (2, 3), (2, 3)]),
    "stack_0d": (lambda m, a, b: m.stack([a, b]), [(), ()]),
    "stack_empty": (lambda m, a, b: m.stack([a, b], 1), [(0, 2), (0, 2)]),
    "hstack": (lambda m, a, b: m.hstack([a, b]), [(2, 3), (2, 1)]),
    "hstack_1d": (lambda m, a, b: m.hstack([a, b]), [(), (3,)]),
    "vstack": (lambda m, a, b: m.vstack([a, b]), [(3,), (2, 3)]),
    "row_stack": (lambda m, a, b: m.row_stack([a, b]), [(3,), (3,)]),
    "dstack": (lambda m, a, b: m.dstack([a, b]), [(3,), (3,)]),
    "dstack_2d": (lambda m, a, b: m.dstack([a, b]), [(2, 3), (2, 3, 2)]),
    "column_stack": (lambda m, a, b, c: m.column_stack([a, b, c]), [(3,), (3, 2), (3,)]),
    "atleast_1d": (lambda m, a: m.atleast_1d(a), [()]),
    "atleast_2d": (lambda m, a, b: m.atleast_2d(a, b), [(3,), (2, 2)]),
    "atleast_3d": (lambda m, a, b, c: m.atleast_3d([a, b, c]), [(), (3,), (2, 3)]),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name, dtype):
    fn, shapes = CASES[name]
    check(fn, shapes, dtype=dtype)


@pytest.mark.parametrize("name", ["cat0", "stack", "hstack", "vstack", "cat_skip_empty"])
@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8"])
def test_integer_inputs(name, dtype):
    fn, shapes = CASES[name]
    check(fn, shapes, dtype=dtype)


@pytest.mark.parametrize("da,db", [("int32", "float64"), ("int64", "bool"), ("float32", "float64"),
                                   ("uint8", "int8"), ("bool", "float32"), ("float32", "int64")])
def test_dtype_promotion(da, db):
    a, b = make_arrays([(2, 3)], da)[0], make_arrays([(1, 3)], db)[0]
    for fn in (lambda m, x, y: m.cat([x, y]), lambda m, x, y: m.stack([x, x.to(y.dtype)]),
               lambda m, x, y: m.cat([x, m.tensor([], dtype=y.dtype)])):
        e = fn(ember, ember.tensor(a, dtype=getattr(ember, da)), ember.tensor(b, dtype=getattr(ember, db)))
        t = fn(torch, torch.tensor(a, dtype=getattr(torch, da)), torch.tensor(b, dtype=getattr(torch, db)))
        assert_same(e, t)


def test_mixed_dtype_grads():
    def fn(m, a, b):
        return m.cat([a, b.double()], 1) * 2

    check(fn, [(2, 3), (2, 2)], dtype="float32")


def test_empty_input_gets_empty_grad():
    for m in (torch, ember):
        a = m.ones(3, requires_grad=True)
        e = m.zeros(0, requires_grad=True)
        m.cat([a, e]).sum().backward()
        assert tuple(e.grad.shape) == (0,) and a.grad.tolist() == [1.0, 1.0, 1.0]


def test_cat_grad_fn_names():
    a = ember.ones(2, requires_grad=True)
    assert type(ember.cat([a, a]).grad_fn).__name__ == "CatBackward0"
    assert type(ember.stack([a, a]).grad_fn).__name__ == "StackBackward0"


def test_cat_result_is_a_copy():
    a = ember.zeros(2)
    c = ember.cat([a])
    c.fill_(1)
    assert a.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("fn", [
    lambda m: m.cat([]),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 4)]),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(3)]),
    lambda m: m.cat([m.zeros(()), m.zeros(())]),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 3)], 2),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(0, 4)]),
    lambda m: m.cat(m.zeros(2, 3)),
    lambda m: m.stack([]),
    lambda m: m.stack([m.zeros(3), m.zeros(4)]),
    lambda m: m.stack([m.zeros(3), m.zeros(3)], 2),
    lambda m: m.hstack([m.zeros(2, 3), m.zeros(3)]),
    lambda m: m.vstack([m.zeros(3), m.zeros(4)]),
])
def test_errors(fn):
    msg, tmsg = same_error(fn)
    assert msg == tmsg


def test_gradcheck():
    a, b = (ember.tensor(x, requires_grad=True) for x in make_arrays([(2, 3), (2, 2)], "float64"))
    assert ember.autograd.gradcheck(lambda x, y: ember.cat([x, y], 1), (a, b))
    assert ember.autograd.gradgradcheck(lambda x, y: ember.cat([x * x, y], 1), (a, b))
    c = ember.tensor(np.ones((2, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, y: ember.stack([x, y * 2], 1), (a, c))
    assert ember.autograd.gradgradcheck(lambda x, y: ember.stack([x * y, y]), (a, c))
