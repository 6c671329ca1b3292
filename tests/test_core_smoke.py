"""Smoke tests of the core path: promotion, a small graph, backward."""
import pytest

import ember
from oracle import check


def test_mul_add_sum_against_torch():
    check(lambda m, x, y: (x * y + 2).sum(), [(3, 4), (4,)])


def test_promotion_float32_default():
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert (ember.tensor([1, 2]) / 2).dtype is ember.float32
    assert (ember.tensor([1, 2]) + 1.5).dtype is ember.float32
    assert (ember.tensor([1., 2.]) + ember.tensor(1., dtype=ember.float64)).dtype is ember.float32
    assert (ember.tensor([1, 2]) + ember.tensor(1.5, dtype=ember.float64)).dtype is ember.float64


def test_python_types_as_dtypes_like_torch():
    import torch

    for make in (lambda m, d: m.ones(3, dtype=d), lambda m, d: m.tensor([1, 2], dtype=d),
                 lambda m, d: m.arange(3, dtype=d), lambda m, d: m.zeros(2, 2, dtype=d),
                 lambda m, d: m.ones(2).to(d), lambda m, d: m.full((2,), 1, dtype=d)):
        for py in (float, int, bool):
            try:
                want = str(make(torch, py).dtype).split(".")[1]
            except Exception as e:  # noqa: BLE001 - then ember must refuse it the same way
                with pytest.raises(type(e)):
                    make(ember, py)
                continue
            assert str(make(ember, py).dtype).split(".")[1] == want
