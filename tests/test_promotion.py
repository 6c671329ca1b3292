"""Type promotion against torch: promote_types, result_type and the dtype of binary ops over
every pair of dtypes, with Python scalars and zero-dim tensors, and under set_default_dtype."""
import itertools

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
PAIRS = list(itertools.product(DTYPES, DTYPES))
SCALARS = [True, 2, -3, 2.5]


def _name(d):
    return str(d).split(".")[-1]


def _tensors(dtype, shape=(2,)):
    a = np.ones(shape, dtype="float32")
    return torch.tensor(a).to(getattr(torch, dtype)), ember.tensor(a).to(getattr(ember, dtype))


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types(a, b):
    t = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert _name(ember.promote_types(getattr(ember, a), getattr(ember, b))) == _name(t)


@pytest.mark.parametrize("a,b", PAIRS)
def test_can_cast(a, b):
    assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b))


@pytest.mark.parametrize("shape_b", [(2,), ()], ids=["dims", "zero-dim"])
@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_of_tensors(a, b, shape_b):
    ta, ea = _tensors(a)
    tb, eb = _tensors(b, shape_b)
    assert _name(ember.result_type(ea, eb)) == _name(torch.result_type(ta, tb))
    assert _name(ember.result_type(eb, ea)) == _name(torch.result_type(tb, ta))


@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("a", DTYPES)
def test_result_type_with_python_scalar(a, scalar):
    ta, ea = _tensors(a)
    assert _name(ember.result_type(ea, scalar)) == _name(torch.result_type(ta, scalar))
    t0, e0 = _tensors(a, ())
    assert _name(ember.result_type(e0, scalar)) == _name(torch.result_type(t0, scalar))


def _same_outcome(fn):
    """fn(m) gives a tensor of the same dtype in ember and torch, or both raise."""
    try:
        t = fn(torch)
    except Exception:  # noqa: BLE001
        with pytest.raises(Exception):
            fn(ember)
        return
    e = fn(ember)
    assert _name(e.dtype) == _name(t.dtype), f"ember {e.dtype} vs torch {t.dtype}"


OPS = {
    "add": lambda m, x, y: x + y, "sub": lambda m, x, y: x - y, "mul": lambda m, x, y: x * y,
    "div": lambda m, x, y: x / y, "floor_divide": lambda m, x, y: x // y, "remainder": lambda m, x, y: x % y,
    "pow": lambda m, x, y: x ** y, "eq": lambda m, x, y: x == y, "lt": lambda m, x, y: x < y,
    "maximum": lambda m, x, y: m.maximum(x, y), "atan2": lambda m, x, y: m.atan2(x, y),
    "where": lambda m, x, y: m.where(m.ones(2, dtype=m.bool), x, y), "and": lambda m, x, y: x & y,
}


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("shape_b", [(2,), ()], ids=["dims", "zero-dim"])
@pytest.mark.parametrize("a,b", PAIRS)
def test_binary_op_dtype_tensor_tensor(a, b, shape_b, op):
    fn = OPS[op]
    ta, ea = _tensors(a)
    tb, eb = _tensors(b, shape_b)
    _same_outcome(lambda m: fn(m, ta, tb) if m is torch else fn(m, ea, eb))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "eq", "lt", "and"])
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("a", DTYPES)
def test_binary_op_dtype_tensor_scalar(a, scalar, op):
    fn = OPS[op]
    ta, ea = _tensors(a)
    _same_outcome(lambda m: fn(m, ta, scalar) if m is torch else fn(m, ea, scalar))
    _same_outcome(lambda m: fn(m, scalar, ta) if m is torch else fn(m, scalar, ea))


@pytest.mark.parametrize("a", DTYPES)
def test_values_after_promotion(a):
    """The computation happens in the promoted dtype (int8 + 300 wraps as torch does, etc.)."""
    x = np.array([1, 2, 3], dtype="float32")
    t, e = torch.tensor(x).to(getattr(torch, a)), ember.tensor(x).to(getattr(ember, a))
    for fn in (lambda v: v + 2.5, lambda v: v * 3, lambda v: v / 2, lambda v: v + True, lambda v: 2 ** v.abs()
               if v.dtype not in (torch.bool, ember.bool) else v):
        tr, er = fn(t), fn(e)
        assert _name(er.dtype) == _name(tr.dtype)
        np.testing.assert_allclose(er.double().numpy(), tr.double().numpy(), rtol=1e-2)


def test_default_dtype_float64():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        checks = [
            lambda m: m.tensor(1.5), lambda m: m.tensor([1, 2]) + 0.5, lambda m: m.tensor([1, 2]) / 2,
            lambda m: m.tensor([1, 2]).exp(), lambda m: m.ones(2), lambda m: m.tensor([True]) * 1.5,
            lambda m: m.ones(2, dtype=m.float32) + 1.5, lambda m: m.ones(2, dtype=m.float16) * 2.0,
            lambda m: m.tensor([1, 2]).sqrt(), lambda m: m.atan2(m.tensor([1]), m.tensor([2])),
            lambda m: m.tensor([1, 2]).sum(), lambda m: m.tensor(3) * 2.5, lambda m: m.arange(3) / 3,
            lambda m: m.where(m.tensor([True]), 1.0, 0), lambda m: m.tensor([1, 2]).logsumexp(0),
        ]
        for fn in checks:
            t, e = fn(torch), fn(ember)
            assert _name(e.dtype) == _name(t.dtype), (e.dtype, t.dtype)
        assert _name(ember.result_type(ember.tensor([1]), 1.0)) == "float64"
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)
    assert ember.tensor(1.5).dtype is ember.float32


def test_set_default_dtype_refuses_non_float():
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
