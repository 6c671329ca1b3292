"""Module-level names of the torch namespace that scripts use directly (constants, importable modules)."""
import math

import pytest
import torch

import ember


@pytest.mark.parametrize("name", ["inf", "nan", "pi", "e", "newaxis"])
def test_constants_are_torchs(name):
    t, e = getattr(torch, name), getattr(ember, name)
    assert type(e) is type(t)
    if isinstance(t, float) and math.isnan(t):
        assert math.isnan(e)
    else:
        assert e == t


def test_constants_in_expressions():
    x = ember.tensor([1.0, float("inf"), -float("inf"), float("nan")])
    tx = torch.tensor([1.0, float("inf"), -float("inf"), float("nan")])
    assert (x == ember.inf).tolist() == (tx == torch.inf).tolist()
    assert x[ember.newaxis].shape == tuple(tx[torch.newaxis].shape)
    assert ember.full((2,), -ember.inf).tolist() == torch.full((2,), -torch.inf).tolist()
