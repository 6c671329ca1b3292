"""ember/_ops/sampling.py: poisson and binomial draw torch's values for the same seed."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, same_error


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_poisson_matches_torch(dtype):
    rates = np.concatenate([[0.0, 0.5, 3.0, 9.99, 10.0, 25.0, 1e4], np.random.default_rng(0).uniform(0, 40, 60)])
    out = []
    for m in (torch, ember):
        m.manual_seed(7)
        r = m.tensor(rates[:66].reshape(6, 11), dtype=getattr(m, dtype))
        out.append((m.poisson(r), m.rand(3)))  # and the generator advanced as torch's
    assert_same(out[1], out[0])
    g_t, g_e = torch.Generator().manual_seed(3), ember.Generator().manual_seed(3)
    assert_same(ember.poisson(ember.full((5,), 4.0), generator=g_e), torch.poisson(torch.full((5,), 4.0), generator=g_t))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binomial_matches_torch(dtype):
    rng = np.random.default_rng(1)
    count = np.concatenate([[0, 5, 10, 20, 100, 1000, 50, 7, 3], rng.integers(0, 200, 40)]).astype(dtype)
    prob = np.concatenate([[0.3, 0.5, 0.05, 0.9, 0.3, 0.7, 1.0, 0.0, 0.99], rng.uniform(0, 1, 40)]).astype(dtype)
    out = []
    for m in (torch, ember):
        m.manual_seed(11)
        out.append((m.binomial(m.tensor(count), m.tensor(prob)), m.rand(2)))
    assert_same(out[1], out[0])


def test_distribution_and_grads():
    ember.manual_seed(0)
    s = ember.poisson(ember.full((4000,), 3.5))
    assert abs(float(s.mean()) - 3.5) < 0.15 and abs(float(s.var()) - 3.5) < 0.4
    b = ember.binomial(ember.full((4000,), 40.0), ember.full((4000,), 0.25))
    assert abs(float(b.mean()) - 10.0) < 0.3 and abs(float(b.var()) - 7.5) < 0.8
    for m in (torch, ember):
        r = m.full((3,), 2.0, requires_grad=True)
        m.poisson(r).sum().backward()
        assert r.grad.tolist() == [0.0, 0.0, 0.0]
    same_error(lambda m: m.poisson(m.tensor([-1.0])))
    same_error(lambda m: m.poisson(m.tensor([1])))
    same_error(lambda m: m.binomial(m.tensor([1]), m.tensor([0.5])))
    same_error(lambda m: m.binomial(m.tensor([2.0]), m.tensor([1])))
    same_error(lambda m: m.binomial(m.tensor([2.0]), m.tensor([0.5], dtype=m.float64)))
    same_error(lambda m: m.binomial(m.tensor([2.0], requires_grad=True), m.tensor([0.5])).sum().backward())
