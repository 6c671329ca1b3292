"""F.embedding_bag and nn.EmbeddingBag against torch (values and weight gradients)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

W = np.random.default_rng(0).uniform(-2, 2, (10, 3))
IDX1 = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 2])
OFFS = np.array([0, 3, 3, 7])
IDX2 = np.array([[1, 2, 4, 2], [4, 3, 2, 9], [0, 0, 2, 7]])


def _run(m, w, dtype, idx, offsets=None, psw=None, **kw):
    x = m.tensor(idx)
    o = m.tensor(offsets) if offsets is not None else None
    p = m.tensor(psw, dtype=getattr(m, dtype)) if psw is not None else None
    return m.nn.functional.embedding_bag(x, w, o, per_sample_weights=p, **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_bag(dtype, mode, padding_idx):
    kw = dict(mode=mode, padding_idx=padding_idx)
    check(lambda m, w: _run(m, w, dtype, IDX1, OFFS, **kw), None, dtype, arrays=[W.astype(dtype)])
    check(lambda m, w: _run(m, w, dtype, IDX1, np.append(OFFS, IDX1.size), include_last_offset=True, **kw), None, dtype,
          arrays=[W.astype(dtype)])
    check(lambda m, w: _run(m, w, dtype, IDX2, **kw), None, dtype, arrays=[W.astype(dtype)])
    check(lambda m, w: _run(m, w, dtype, np.zeros(0, dtype=np.int64), np.array([0, 0]), **kw), None, dtype,
          arrays=[W.astype(dtype)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_per_sample_weights_and_max_norm(dtype):
    psw = np.linspace(-1, 2, 12)
    check(lambda m, w: _run(m, w, dtype, IDX1, OFFS, psw=psw[:10], mode="sum"), None, dtype, arrays=[W.astype(dtype)])
    check(lambda m, w: _run(m, w, dtype, IDX2, psw=psw[:12].reshape(3, 4), mode="sum"), None, dtype,
          arrays=[W.astype(dtype)])
    ew, tw = ember.tensor(W.astype(dtype)), torch.tensor(W.astype(dtype))
    assert_same(_run(ember, ew, dtype, IDX2, max_norm=1.0), _run(torch, tw, dtype, IDX2, max_norm=1.0))
    assert_same(ew, tw)  # the rows used were renormalised in place


def test_errors():
    w = lambda m: m.ones(5, 2)  # noqa: E731
    same_error(lambda m: m.nn.functional.embedding_bag(m.tensor([1, 2]), w(m)))
    same_error(lambda m: m.nn.functional.embedding_bag(m.tensor([[1, 2]]), w(m), m.tensor([0])))
    same_error(lambda m: m.nn.functional.embedding_bag(m.tensor([1, 2]), w(m), m.tensor([0]), mode="min"))
    same_error(lambda m: m.nn.functional.embedding_bag(m.tensor([1, 2]), w(m), m.tensor([0]),
                                                       per_sample_weights=m.ones(2)))


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", padding_idx=2, max_norm=1.0), dict(mode="sum")])
def test_module(kw):
    e, t = ember.nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == ["weight"]
    if "padding_idx" in kw:
        assert (e.weight[2] == 0).all()
    e.weight.data.copy_(ember.tensor(W.astype("float32")))
    t.weight.data.copy_(torch.tensor(W.astype("float32")))
    ye, yt = e(ember.tensor(IDX1), ember.tensor(OFFS)), t(torch.tensor(IDX1), torch.tensor(OFFS))
    assert_same(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    assert_same(e.weight.grad, t.weight.grad)


def test_gradcheck():
    w = ember.tensor(W, requires_grad=True)
    for mode in ("sum", "mean", "max"):
        assert ember.autograd.gradcheck(
            lambda w: ember.nn.functional.embedding_bag(ember.tensor(IDX1), w, ember.tensor(OFFS), mode=mode), [w])
