"""Smoke tests of the core path: promotion, a small graph, backward."""
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
