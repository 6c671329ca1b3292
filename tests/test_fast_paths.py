"""The fast paths of random sampling, optimizers, DataLoader and losses give torch's results.

Each fast path (vectorized randperm, chunked samplers and optimizer updates, the
TensorDataset gather, the direct dropout mask, the fused MSE node) is exercised
at the sizes that select it, and compared with torch (bitwise for random draws)
or with ember's general path.
"""
import numpy as np
import pytest
import torch

import ember

TOL = dict(rtol=1e-4, atol=1e-5)


def bits(t):
    a = t.detach().numpy()
    return a.view(np.int32 if a.dtype == np.float32 else np.int64)


# -- random -------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 20, 399, 400, 401, 1797, 5000])
def test_randperm_matches_torch_on_both_sides_of_the_vectorized_path(n):
    ember.manual_seed(n)
    torch.manual_seed(n)
    assert ember.randperm(n).tolist() == torch.randperm(n).tolist()
    g, tg = ember.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    a, b = ember.randperm(n, generator=g, dtype=ember.int32), torch.randperm(n, generator=tg, dtype=torch.int32)
    assert a.tolist() == b.tolist() and a.dtype == ember.int32
    assert ember.rand(3).tolist() == torch.rand(3).tolist()  # the stream goes on in step


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32 + 5, 67280421310721, -3])
def test_generator_states_match_torch(seed):
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    assert np.array_equal(ember.Generator().get_state().numpy(), torch.Generator().get_state().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 15, 16, 17, 33, 1024 * 16 + 3, 65536 * 2 + 7])
def test_samplers_match_torch_across_chunks(n, dtype):
    e_dt, t_dt = getattr(ember, dtype), getattr(torch, dtype)
    ember.manual_seed(n)
    torch.manual_seed(n)
    assert np.array_equal(bits(ember.randn(n, dtype=e_dt)), bits(torch.randn(n, dtype=t_dt)))
    assert np.array_equal(bits(ember.rand(n, dtype=e_dt)), bits(torch.rand(n, dtype=t_dt)))
    assert np.array_equal(bits(ember.empty(n, dtype=e_dt).uniform_(-0.3, 2.5)),
                          bits(torch.empty(n, dtype=t_dt).uniform_(-0.3, 2.5)))
    assert np.array_equal(bits(ember.empty(n, dtype=e_dt).normal_(1.5, 0.25)),
                          bits(torch.empty(n, dtype=t_dt).normal_(1.5, 0.25)))
    assert np.array_equal(ember.empty(n, dtype=e_dt).bernoulli_(0.3).numpy(),
                          torch.empty(n, dtype=t_dt).bernoulli_(0.3).numpy())
    assert ember.randint(-4, 9, (n,)).tolist() == torch.randint(-4, 9, (n,)).tolist()


def test_small_normal_draws_and_cached_half_match_torch():
    ember.manual_seed(3)
    torch.manual_seed(3)
    for n in (1, 2, 3, 5, 15, 31, 40):  # odd counts leave a cached value for the next call
        assert np.array_equal(ember.randn(n, dtype=ember.float64).numpy(),
                              torch.randn(n, dtype=torch.float64).numpy())
        assert np.array_equal(bits(ember.randn(n)), bits(torch.randn(n)))


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 1 / 3, 1.0])
@pytest.mark.parametrize("transpose", [False, True])
def test_dropout_mask_and_gradient_match_torch(p, transpose):
    a = np.random.default_rng(0).standard_normal((40, 70)).astype(np.float32)
    ember.manual_seed(11)
    torch.manual_seed(11)
    xe, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ye = ember.nn.functional.dropout(xe.t() if transpose else xe, p)
    yt = torch.nn.functional.dropout(xt.t() if transpose else xt, p)
    assert np.array_equal(ye.detach().numpy(), yt.detach().numpy())
    ye.sum().backward()
    yt.sum().backward()
    assert np.array_equal(xe.grad.numpy(), xt.grad.numpy())


# -- DataLoader ----------------------------------------------------------------------------
class _PlainTensorDataset(ember.utils.data.TensorDataset):
    """A subclass: the loader must fetch its samples one by one (its __getitem__ may differ)."""


@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches_match_torch_and_the_per_sample_path(drop_last):
    rng = np.random.default_rng(0)
    x, y, w = rng.standard_normal((103, 3, 2)), rng.integers(0, 5, 103), rng.standard_normal(103)

    def batches(m, ds_cls):
        ds = ds_cls(m.tensor(x, dtype=m.float32), m.tensor(y), m.tensor(w))
        loader = m.utils.data.DataLoader(ds, batch_size=16, shuffle=True, drop_last=drop_last,
                                         generator=m.Generator().manual_seed(5))
        return [[(t.numpy(), str(t.dtype).split(".")[1], tuple(t.shape)) for t in b] for b in loader]

    fast = batches(ember, ember.utils.data.TensorDataset)
    slow = batches(ember, _PlainTensorDataset)
    ref = batches(torch, torch.utils.data.TensorDataset)
    assert len(fast) == len(slow) == len(ref) == (6 if drop_last else 7)
    for f, s, r in zip(fast, slow, ref):
        for (fa, fd, fs), (sa, sd, ss), (ra, rd, rs) in zip(f, s, r):
            assert fd == sd == rd and fs == ss == rs
            assert np.array_equal(fa, ra) and np.array_equal(sa, ra)


def test_tensor_dataset_requiring_grad_keeps_torch_graph():
    x = ember.ones(10, 2, requires_grad=True)
    (xb,) = next(iter(ember.utils.data.DataLoader(ember.utils.data.TensorDataset(x), batch_size=4)))
    assert xb.grad_fn is not None and xb.grad_fn.name() == "StackBackward0"


# -- optimizers on parameters large enough to be updated in chunks ---------------------------
OPTIMIZERS = [
    lambda m, ps: m.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda m, ps: m.optim.SGD(ps, lr=0.1, momentum=0.5, dampening=0.2),
    lambda m, ps: m.optim.Adam(ps, lr=1e-2, amsgrad=True, weight_decay=0.1),
    lambda m, ps: m.optim.AdamW(ps, lr=1e-2),
    lambda m, ps: m.optim.RMSprop(ps, lr=1e-2, centered=True, momentum=0.9),
    lambda m, ps: m.optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    lambda m, ps: m.optim.Adamax(ps, lr=1e-2),
    lambda m, ps: m.optim.Adadelta(ps, lr=1.0),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_chunked_updates_match_torch(make):
    rng = np.random.default_rng(0)
    chunk = ember.optim.optimizer._CHUNK
    shapes = [(3, chunk), (2 * chunk + 7,), (3,)]  # two chunked parameters (one with a ragged end), one small
    init = [rng.uniform(-1, 1, s).astype(np.float32) for s in shapes]
    ep = [ember.tensor(a.copy(), requires_grad=True) for a in init]
    tp = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    eo, to = make(ember, ep), make(torch, tp)
    for _ in range(4):
        for e, t in zip(ep, tp):
            g = np.sin(3 * e.detach().numpy()) + 0.5
            e.grad, t.grad = ember.tensor(g), torch.tensor(g)
        eo.step()
        to.step()
        for e, t in zip(ep, tp):
            np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), **TOL)


def test_sgd_without_momentum_keeps_no_state_as_torch():
    p = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.ones(3)
    opt.step()
    assert len(opt.state) == 0 and opt.state_dict()["state"] == {}


# -- losses ----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mse_loss_is_torch_node_with_torch_gradients(reduction, dtype):
    rng = np.random.default_rng(1)
    x, t, g = (rng.standard_normal((37, 3)) for _ in range(3))
    out = []
    for m in (ember, torch):
        xs = m.tensor(x, dtype=getattr(m, dtype), requires_grad=True)
        ts = m.tensor(t, dtype=getattr(m, dtype), requires_grad=True)
        loss = m.nn.functional.mse_loss(xs, ts, reduction=reduction)
        upstream = m.tensor(g, dtype=getattr(m, dtype)) if reduction == "none" else m.tensor(0.37, dtype=getattr(m, dtype))
        loss.backward(upstream)
        out.append((loss.grad_fn.name(), loss.detach().numpy(), xs.grad.numpy(), ts.grad.numpy()))
    (ne, le, gxe, gte), (nt, lt, gxt, gtt) = out
    assert ne == nt == "MseLossBackward0"
    np.testing.assert_allclose(le, lt, rtol=1e-6)
    assert np.array_equal(gxe, gxt) and np.array_equal(gte, gtt)


def test_mse_loss_broadcasting_or_mixed_dtypes_take_the_general_path():
    x = ember.ones(4, 1, requires_grad=True)
    with pytest.warns(UserWarning, match="Using a target size"):
        loss = ember.nn.functional.mse_loss(x, ember.zeros(4))
    assert loss.grad_fn.name() == "MeanBackward0" and loss.item() == 1.0
    y = ember.ones(3, dtype=ember.float64, requires_grad=True)
    assert ember.nn.functional.mse_loss(y, ember.zeros(3)).dtype == ember.float64


def test_cross_entropy_with_ignored_and_bad_targets_matches_torch():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((6, 4))
    for target in ([0, 3, -100, 1, -100, 2], [0, 1, 2, 3, 0, 1]):
        res = []
        for m in (ember, torch):
            x = m.tensor(logits, dtype=m.float32, requires_grad=True)
            loss = m.nn.functional.cross_entropy(x, m.tensor(target))
            loss.backward()
            res.append((loss.item(), x.grad.numpy()))
        assert res[0][0] == pytest.approx(res[1][0], rel=1e-6)
        np.testing.assert_allclose(res[0][1], res[1][1], **TOL)
    for m in (ember, torch):
        with pytest.raises(IndexError, match="Target 7 is out of bounds"):
            m.nn.functional.cross_entropy(m.tensor(logits, dtype=m.float32), m.tensor([0, 7, 1, 2, 3, 0]))


# -- the core's no-graph and operator fast paths ------------------------------------------------
def _both(fn):
    return fn(ember), fn(torch)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "rsub", "pow"])
@pytest.mark.parametrize("mode", ["no_grad", "no_input_requires_grad", "recording"])
def test_operators_on_each_side_of_the_no_graph_path_match_torch(op, mode):
    # The operators compute straight on the arrays when no graph is recorded, and
    # record the node through Op._record otherwise: results, flags, nodes and
    # gradients must be torch's in every case.
    def run(m):
        rng = np.random.default_rng(0)
        a = m.tensor(rng.uniform(1, 2, (3, 4)), dtype=m.float32, requires_grad=mode != "no_input_requires_grad")
        b = m.tensor(rng.uniform(1, 2, (4,)), dtype=m.float32)
        f = {"add": lambda: a + b, "sub": lambda: a - 1.5, "mul": lambda: 2 * a, "div": lambda: a / b,
             "rsub": lambda: 1 - a, "pow": lambda: a ** 3}[op]
        if mode == "no_grad":
            with m.no_grad():
                y = f()
        else:
            y = f()
        name = type(y.grad_fn).__name__ if y.grad_fn is not None else None
        grad = None
        if y.requires_grad:
            y.backward(m.ones_like(y))
            grad = a.grad.numpy().copy()
        return y.detach().numpy().copy(), y.dtype, y.requires_grad, name, grad

    (ye, de, re, ne, ge), (yt, dt, rt, nt, gt) = _both(run)
    np.testing.assert_allclose(ye, yt, rtol=1e-6)
    assert str(de).split(".")[1] == str(dt).split(".")[1] and re == rt and ne == nt
    if gt is not None:
        np.testing.assert_allclose(ge, gt, rtol=1e-6)


def test_in_place_fast_path_keeps_torch_rules():
    # x -= y with no graph recorded updates the array directly; the version counter,
    # views, broadcast (read-only) targets and the leaf rule behave as in torch.
    for m in (ember, torch):
        w = m.ones(4, requires_grad=True)
        v = w[1:3]
        before = w._version
        with m.no_grad():
            v -= 0.5 * m.ones(2)
        assert w.tolist() == [1.0, 0.5, 0.5, 1.0] and w._version == before + 1
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            w -= 1.0
        e = m.zeros(1).expand(3)
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            e += m.ones(3)
        i = m.tensor([1, 2])
        i += 1  # integers take the general path
        assert i.tolist() == [2, 3]


def test_no_graph_backward_shortcuts_match_create_graph_results():
    # Backward formulas use array shortcuts (transposed products, expanded and summed
    # gradients) only without create_graph; with it they build the graph. Both must
    # give torch's gradients, and the second order must flow.
    def run(m, create_graph):
        rng = np.random.default_rng(1)
        A = m.tensor(rng.standard_normal((5, 3)), requires_grad=True)
        v = m.tensor(rng.standard_normal(3), requires_grad=True)
        s = m.tensor(rng.standard_normal(()), requires_grad=True)
        y = ((A @ v) * s + (v @ A.mT)).sum() + (A * s).mean()
        grads = m.autograd.grad(y, (A, v, s), create_graph=create_graph)
        out = [g.detach().numpy().copy() for g in grads]
        if create_graph:
            out += [g.detach().numpy().copy() for g in m.autograd.grad(grads[2], (A, v))]
        return out

    for create_graph in (False, True):
        for ge, gt in zip(run(ember, create_graph), run(torch, create_graph)):
            np.testing.assert_allclose(ge, gt, rtol=1e-12)
