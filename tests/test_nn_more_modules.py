"""The nn modules added for issue 7 (lazy modules, Buffer, Fold/Unfold, shuffles, 3-d, lp,
unpool and fractional pools, margin/triplet/CTC losses, AdaptiveLogSoftmaxWithLoss,
LinearCrossEntropyLoss, distances, RReLU, shrinks, LRN, SyncBatchNorm, DataParallel...)
against torch: reprs, state_dict keys, outputs, gradients of inputs and parameters."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, same_error

rng = np.random.default_rng(0)


def arr(*shape):
    return rng.standard_normal(shape).astype("float32")


def _build(m, name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(m.nn, name)(*args, **kwargs)


def _copy_state(e, t):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})


def run(name, args=(), kwargs=None, inputs=(), train=True, tol=None):
    """Build the module in both libraries with torch's parameters, run it on the same inputs
    (arrays: float ones require grad; ints are passed as they are) and compare everything."""
    kwargs = kwargs or {}
    torch.manual_seed(0)
    t = _build(torch, name, args, kwargs)
    e = _build(ember, name, args, kwargs)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    _copy_state(e, t)
    e.train(train)
    t.train(train)
    ti = [torch.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a for a in inputs]
    ei = [ember.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a for a in inputs]
    to, eo = t(*ti), e(*ei)
    assert_same(eo, to, tol)
    outs = [o for o in (to if isinstance(to, tuple) else (to,)) if isinstance(o, torch.Tensor) and o.requires_grad]
    eouts = [o for o in (eo if isinstance(eo, tuple) else (eo,)) if isinstance(o, ember.Tensor) and o.requires_grad]
    if outs:
        ups = [rng.uniform(-1, 1, tuple(o.shape)).astype("float32") for o in outs]
        sum((o * torch.tensor(u)).sum() for o, u in zip(outs, ups)).backward()
        sum((o * ember.tensor(u)).sum() for o, u in zip(eouts, ups)).backward()
        for a, b in zip(ei, ti):
            if isinstance(b, torch.Tensor) and b.grad is not None:
                assert_same(a.grad, b.grad, dict(rtol=1e-3, atol=1e-4), "input grad")
        for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
            if q.grad is not None:
                assert_same(p.grad, q.grad, dict(rtol=1e-3, atol=1e-4), f"grad of {n}")
    return e, t


IDX = np.array([0, 2, 1, 3, 1])


@pytest.mark.parametrize("name, args, kwargs, inputs", [
    ("Fold", ((5, 6), 2), {}, [arr(2, 12, 20)]),
    ("Unfold", ((2, 3),), dict(dilation=(1, 2), padding=1, stride=(2, 1)), [arr(2, 3, 7, 6)]),
    ("PixelShuffle", (2,), {}, [arr(2, 8, 3, 4)]),
    ("PixelUnshuffle", (2,), {}, [arr(2, 2, 4, 6)]),
    ("ChannelShuffle", (3,), {}, [arr(2, 6, 4, 2)]),
    ("AvgPool3d", (2,), dict(stride=1, padding=1, count_include_pad=False), [arr(2, 3, 4, 4, 4)]),
    ("AdaptiveAvgPool3d", ((2, 3, None),), {}, [arr(2, 3, 5, 4, 4)]),
    ("AdaptiveMaxPool3d", ((2, 3, 2),), dict(return_indices=True), [arr(2, 3, 5, 7, 4)]),
    ("LPPool1d", (2, 3), dict(stride=2), [arr(2, 3, 9)]),
    ("LPPool2d", (1.5, 2), {}, [np.abs(arr(2, 3, 6, 6))]),
    ("LPPool3d", (2, 2), {}, [arr(2, 3, 4, 4, 4)]),
    ("FractionalMaxPool2d", (2,), dict(output_size=(4, 3), _random_samples=torch.rand(2, 3, 2)),
     [arr(2, 3, 9, 7)]),
    ("FractionalMaxPool3d", (2,), dict(output_ratio=0.5, _random_samples=torch.rand(2, 3, 3)),
     [arr(2, 3, 8, 7, 8)]),
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2, padding=1, output_padding=1), [arr(2, 2, 3, 3, 3)]),
    ("RReLU", (0.1, 0.3), {}, [arr(4, 5)]),
    ("Hardshrink", (), {}, [arr(4, 5)]),
    ("Softshrink", (0.3,), {}, [arr(4, 5)]),
    ("Softmax2d", (), {}, [arr(2, 3, 4, 5)]),
    ("CosineSimilarity", (), {}, [arr(4, 5), arr(4, 5)]),
    ("PairwiseDistance", (1.0,), dict(keepdim=True), [arr(4, 5), arr(4, 5)]),
    ("LocalResponseNorm", (3,), {}, [arr(2, 5, 4, 4)]),
    ("CrossMapLRN2d", (3,), dict(alpha=0.1, beta=0.75, k=2), [arr(2, 6, 3, 3)]),
    ("FeatureAlphaDropout", (0.3,), {}, [arr(2, 3, 4)]),
    ("SyncBatchNorm", (3,), {}, [arr(4, 3, 5)]),
    ("MultiMarginLoss", (), dict(p=2, margin=0.5), [arr(5, 4), torch.tensor(IDX)]),
    ("MultiLabelMarginLoss", (), dict(reduction="sum"), [arr(2, 4), torch.tensor([[3, 0, -1, 1], [1, 2, 3, 0]])]),
    ("MultiLabelSoftMarginLoss", (), {}, [arr(5, 4), rng.random((5, 4)).astype("float32")]),
    ("TripletMarginLoss", (), dict(margin=0.5, swap=True), [arr(5, 4), arr(5, 4), arr(5, 4)]),
    ("TripletMarginWithDistanceLoss", (), dict(margin=0.5, reduction="none"), [arr(5, 4), arr(5, 4), arr(5, 4)]),
    ("NLLLoss2d", (), {}, [arr(2, 3, 4, 4), torch.tensor(rng.integers(0, 3, (2, 4, 4)))]),
])
def test_module_against_torch(name, args, kwargs, inputs):
    # modules given torch tensors in their arguments get ember ones on the ember side
    def convert(v):
        return ember.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v
    torch.manual_seed(0)
    t = _build(torch, name, args, kwargs)
    e = _build(ember, name, args, {k: convert(v) for k, v in kwargs.items()})
    assert repr(e) == repr(t)
    ints = {i: v for i, v in enumerate(inputs) if isinstance(v, torch.Tensor)}
    run_inputs = [v.numpy() if isinstance(v, torch.Tensor) else v for v in inputs]
    _run_with(e, t, run_inputs, ints, train=name != "RReLU")


def _run_with(e, t, inputs, ints, train=True):
    assert list(e.state_dict()) == list(t.state_dict())
    _copy_state(e, t)
    e.train(train)
    t.train(train)
    if "FeatureAlphaDropout" in type(t).__name__:
        torch.manual_seed(5)
        ember.manual_seed(5)
    ti = [torch.tensor(a, requires_grad=i not in ints) for i, a in enumerate(inputs)]
    ei = [ember.tensor(a, requires_grad=i not in ints) for i, a in enumerate(inputs)]
    to, eo = t(*ti), e(*ei)
    assert_same(eo, to)
    outs = [o for o in (to if isinstance(to, tuple) else (to,)) if o.requires_grad]
    eouts = [o for o in (eo if isinstance(eo, tuple) else (eo,)) if o.requires_grad]
    ups = [rng.uniform(-1, 1, tuple(o.shape)).astype("float32") for o in outs]
    sum((o * torch.tensor(u)).sum() for o, u in zip(outs, ups)).backward()
    sum((o * ember.tensor(u)).sum() for o, u in zip(eouts, ups)).backward()
    for a, b in zip(ei, ti):
        if b.grad is not None:
            assert_same(a.grad, b.grad, dict(rtol=1e-3, atol=1e-4), "input grad")
    for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(p.grad, q.grad, dict(rtol=1e-3, atol=1e-4), f"grad of {n}")


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_modules(nd):
    x = arr(*(2, 3, 8, 6, 4)[:2 + nd])
    outs = []
    for m, t in ((torch, torch.tensor(x, requires_grad=True)), (ember, ember.tensor(x, requires_grad=True))):
        pool = getattr(m.nn, f"MaxPool{nd}d")(2, return_indices=True)
        unpool = getattr(m.nn, f"MaxUnpool{nd}d")(2)
        out = unpool(*pool(t))
        out.sum().backward()
        outs.append((repr(unpool), out, t.grad))
    assert outs[1][0] == outs[0][0]
    assert_same(outs[1][1], outs[0][1])
    assert_same(outs[1][2], outs[0][2])


def test_ctc_loss_module():
    lp = arr(12, 3, 5)
    targets, in_lens, tg_lens = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 4, 1]]), [12, 10, 9], [3, 2, 4]
    res = []
    for m in (torch, ember):
        x = m.tensor(lp, requires_grad=True)
        loss = m.nn.CTCLoss(blank=0, reduction="sum")(x.log_softmax(2), m.tensor(targets), in_lens, tg_lens)
        loss.backward()
        res.append((repr(m.nn.CTCLoss()), loss, x.grad))
    assert res[1][0] == res[0][0]
    assert_same(res[1][1], res[0][1])
    assert_same(res[1][2], res[0][2], dict(rtol=1e-4, atol=1e-5))


def test_adaptive_log_softmax_with_loss():
    torch.manual_seed(0)
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True)
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    _copy_state(e, t)
    x, target = arr(6, 8), np.array([0, 4, 9, 2, 7, 5])
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, eo = t(tx, torch.tensor(target)), e(ex, ember.tensor(target))
    assert_same(eo.output, to.output)
    assert_same(eo.loss, to.loss)
    to.loss.backward()
    eo.loss.backward()
    assert_same(ex.grad, tx.grad, dict(rtol=1e-4, atol=1e-5))
    for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(p.grad, q.grad, dict(rtol=1e-4, atol=1e-5), n)
    assert_same(e.log_prob(ember.tensor(x)), t.log_prob(torch.tensor(x)))
    assert_same(e.predict(ember.tensor(x)), t.predict(torch.tensor(x)))
    same_error(lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3]))


def test_linear_cross_entropy_loss():
    torch.manual_seed(0)
    t = torch.nn.LinearCrossEntropyLoss(6, 4, out_features=(2,), bias=True, label_smoothing=0.1)
    e = ember.nn.LinearCrossEntropyLoss(6, 4, out_features=(2,), bias=True, label_smoothing=0.1)
    _run_with(e, t, [arr(5, 6), rng.integers(0, 4, (5, 2))], {1: None})
    assert repr(ember.nn.LinearCrossEntropyOptions(batch_chunk_size=3)) == repr(
        torch.nn.LinearCrossEntropyOptions(batch_chunk_size=3))
    same_error(lambda m: m.nn.LinearCrossEntropyOptions(acc_policy="fast"))


# -- lazy modules -------------------------------------------------------------------------------------------
LAZY = [("LazyLinear", (4,), (2, 3)), ("LazyConv1d", (4, 3), (2, 3, 8)), ("LazyConv2d", (4, 3), (2, 3, 8, 8)),
        ("LazyConv3d", (4, 2), (2, 3, 5, 5, 5)), ("LazyConvTranspose1d", (4, 3), (2, 3, 8)),
        ("LazyConvTranspose2d", (4, 3), (2, 3, 5, 5)), ("LazyConvTranspose3d", (4, 2), (2, 3, 4, 4, 4)),
        ("LazyBatchNorm1d", (), (4, 3)), ("LazyBatchNorm2d", (), (2, 3, 4, 4)),
        ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
        ("LazyInstanceNorm1d", (), (2, 3, 5)), ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
        ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2))]


@pytest.mark.parametrize("name, args, shape", LAZY)
def test_lazy_module_materialises_like_torch(name, args, shape):
    e, t = getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(e) == repr(t)
    es, ts = e.state_dict(), t.state_dict()
    assert list(es) == list(ts)
    assert [repr(v) for v in es.values()] == [repr(v) for v in ts.values()]
    assert e.has_uninitialized_params()
    x = arr(*shape)
    e(ember.tensor(x))
    t(torch.tensor(x))
    assert type(e).__name__ == type(t).__name__ and repr(e) == repr(t)
    assert {k: tuple(v.shape) for k, v in e.state_dict().items()} == {k: tuple(v.shape) for k, v in
                                                                       t.state_dict().items()}
    assert type(e.weight if hasattr(e, "weight") and e.weight is not None else e.running_mean).__name__ in (
        "Parameter", "Tensor")
    # initialised like the eager layer: the same values as torch from the same seed
    torch.manual_seed(1)
    ember.manual_seed(1)
    e, t = getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert_same(e(ember.tensor(x)), t(torch.tensor(x)))


def test_lazy_load_state_dict_and_optimizer():
    src = torch.nn.Linear(3, 4)
    t, e = torch.nn.LazyLinear(4), ember.nn.LazyLinear(4)
    t.load_state_dict(src.state_dict())
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})
    assert type(e).__name__ == type(t).__name__ == "LazyLinear"
    assert tuple(e.weight.shape) == (4, 3)
    x = arr(2, 3)
    assert_same(e(ember.tensor(x)), t(torch.tensor(x)))
    assert type(e).__name__ == "Linear"
    # an optimizer made before the dry run holds the same parameter objects afterwards
    lazy = ember.nn.LazyLinear(2)
    opt = ember.optim.SGD(lazy.parameters(), lr=0.5)
    params = list(lazy.parameters())
    lazy(ember.ones(1, 3)).sum().backward()
    before = lazy.weight.detach().clone()
    opt.step()
    assert params[0] is lazy.weight
    assert_same(lazy.weight.detach(), torch.tensor(before.numpy()) - 0.5 * torch.ones(2, 3))


def test_uninitialized_parameter_errors():
    same_error(lambda m: m.nn.UninitializedParameter().shape)
    for m in (torch, ember):
        assert repr(m.nn.UninitializedParameter()) == "<UninitializedParameter>"
        assert repr(m.nn.UninitializedBuffer()) == "<UninitializedBuffer>"
        assert isinstance(m.nn.UninitializedParameter(), m.nn.Parameter)


# -- Buffer, DataParallel, SyncBatchNorm, Container ------------------------------------------------------------
def test_buffer_registers_on_assignment():
    for m in (torch, ember):
        mod = m.nn.Module()
        mod.a = m.nn.Buffer(m.ones(2))
        mod.b = m.nn.Buffer(m.zeros(3), persistent=False)
        mod.c = m.ones(1)
        assert [n for n, _ in mod.named_buffers()] == ["a", "b"]
        assert list(mod.state_dict()) == ["a"]
        assert isinstance(mod.a, m.nn.Buffer) and not isinstance(m.ones(1), m.nn.Buffer)


def test_data_parallel_is_transparent():
    torch.manual_seed(0)
    t = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    e = ember.nn.DataParallel(ember.nn.Linear(3, 2))
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict()) == ["module.weight", "module.bias"]
    _run_with(e, t, [arr(4, 3)], {})


def test_sync_batchnorm_convert():
    for m in (torch, ember):
        net = m.nn.Sequential(m.nn.Conv2d(3, 4, 1), m.nn.BatchNorm2d(4), m.nn.Sequential(m.nn.BatchNorm1d(4)))
        bn = net[1]
        conv = m.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        assert [type(x).__name__ for x in conv.modules()] == ["Sequential", "Conv2d", "SyncBatchNorm", "Sequential",
                                                             "SyncBatchNorm"]
        assert conv[1].weight is bn.weight and conv[1].running_mean is bn.running_mean
    same_error(lambda m: m.nn.SyncBatchNorm(3)(m.zeros(3)))


def test_container_warns():
    with pytest.warns(FutureWarning, match="nn.Container"):
        c = ember.nn.Container(a=ember.nn.ReLU())
    assert list(dict(c.named_children())) == ["a"]


@pytest.mark.parametrize("fn", [
    lambda m: m.nn.TripletMarginLoss(margin=0),
    lambda m: m.nn.MultiMarginLoss(p=3),
    lambda m: m.nn.FractionalMaxPool2d(2),
    lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda m: m.nn.Softmax2d()(m.zeros(3)),
    lambda m: m.nn.CrossMapLRN2d(3)(m.zeros(2, 3, 4)),
    lambda m: m.nn.LazyConv2d(4, 3)(m.zeros(3)),
])
def test_module_errors_like_torch(fn):
    mine, theirs = same_error(fn)
    assert mine.split(":")[0][:40] == theirs.split(":")[0][:40]


def test_uninitialized_parameter_refuses_ops_and_moves_like_torch():
    same_error(lambda m: m.nn.LazyLinear(3).weight + 1)
    same_error(lambda m: m.nn.functional.linear(m.ones(2, 2), m.nn.LazyLinear(3).weight))
    for m in (torch, ember):
        bn = m.nn.LazyBatchNorm1d().to(m.float64)
        assert type(bn.running_mean).__name__ == "UninitializedBuffer" and bn.weight.dtype == m.float64
        bn(m.ones(4, 3, dtype=m.float64))
        assert type(bn).__name__ == "BatchNorm1d" and bn.running_mean.dtype == m.float64
        assert tuple(m.nn.UninitializedParameter().size()) == (0,)


def test_lazy_state_dicts_load_as_torch():
    for m in (torch, ember):
        lazy = m.nn.LazyLinear(4)
        lazy.load_state_dict(m.nn.LazyLinear(4).state_dict())  # uninitialized into uninitialized
        assert lazy.has_uninitialized_params()
    same_error(lambda m: m.nn.Linear(3, 4).load_state_dict(m.nn.LazyLinear(4).state_dict()))
