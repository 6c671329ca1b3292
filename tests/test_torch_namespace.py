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


def test_set_num_threads_limits_blas_and_get_answers_truthfully():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import numpy as np

    before = ember.get_num_threads()
    try:
        for n in (1, 2):
            ember.set_num_threads(n)
            assert ember.get_num_threads() == n
            blas = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
            assert blas and all(c == n for c in blas), blas
            a = np.ones((64, 64))
            assert (a @ a == 64).all()
    finally:
        ember.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_set_num_threads_rejects_what_torch_rejects(bad):
    with pytest.raises(RuntimeError) as t:
        torch.set_num_threads(bad)
    with pytest.raises(RuntimeError) as e:
        ember.set_num_threads(bad)
    assert str(e.value) == str(t.value)
