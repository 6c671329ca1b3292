"""Every nn layer against torch: same weights (copied through state_dict), same
inputs; outputs, input gradients and parameter gradients must match, in train
and eval mode; repr and state_dict keys must be torch's."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, to_numpy


def to_ember(sd):
    return {k: ember.tensor(v.detach().numpy()) for k, v in sd.items()}


def run_both(tm, em, arrays, dtype="float64", grad=True, int_arrays=(), forward=None, seed=1):
    """Forward both modules on the same inputs; backprop a random upstream; compare."""
    forward = forward or (lambda m, mod, *xs: mod(*xs))
    tdt, edt = getattr(torch, dtype), getattr(ember, dtype)
    tx = [torch.tensor(a, dtype=tdt, requires_grad=grad) for a in arrays]
    ex = [ember.tensor(a, dtype=edt, requires_grad=grad) for a in arrays]
    tx += [torch.tensor(a) for a in int_arrays]
    ex += [ember.tensor(a) for a in int_arrays]
    t_out = forward(torch, tm, *tx)
    e_out = forward(ember, em, *ex)
    assert_same(e_out, t_out, what="forward")
    if not grad:
        return e_out, t_out
    t_outs = [o for o in (t_out if isinstance(t_out, (tuple, list)) else [t_out]) if isinstance(o, torch.Tensor)]
    e_outs = [o for o in (e_out if isinstance(e_out, (tuple, list)) else [e_out]) if isinstance(o, ember.Tensor)]
    rng = np.random.default_rng(seed)
    ups = [rng.uniform(-1, 1, size=tuple(o.shape)) for o in t_outs]
    sum(((o * torch.tensor(u, dtype=o.dtype)).sum() for o, u in zip(t_outs, ups) if o.requires_grad)).backward()
    sum(((o * ember.tensor(u, dtype=o.dtype)).sum() for o, u in zip(e_outs, ups) if o.requires_grad)).backward()
    tol = dict(rtol=1e-6, atol=1e-8) if dtype == "float64" else dict(rtol=1e-3, atol=1e-4)
    for i, (a, b) in enumerate(zip(ex[:len(arrays)], tx[:len(arrays)])):
        assert_same(a.grad, b.grad, tol, f"input grad {i}")
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        if tp[name].grad is None:
            assert p.grad is None, name
        else:
            assert_same(p.grad, tp[name].grad, tol, f"grad of {name}")
    return e_out, t_out


def pair(make, dtype="float64"):
    """The same layer in torch and ember, ember's weights copied from torch's."""
    torch.manual_seed(0)
    tm = make(torch)
    em = make(ember)
    if dtype == "float64":
        tm, em = tm.double(), em.double()
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    em.load_state_dict(to_ember(tm.state_dict()))
    return tm, em


def compare(make, shapes, dtype="float64", modes=("train", "eval"), int_arrays=(), forward=None, grad=True,
            low=-2, high=2):
    rng = np.random.default_rng(0)
    for mode in modes:
        tm, em = pair(make, dtype)
        getattr(tm, mode)()
        getattr(em, mode)()
        arrays = [rng.uniform(low, high, size=s) for s in shapes]
        run_both(tm, em, arrays, dtype, grad, int_arrays, forward)
        # buffers (running statistics) move the same way
        for (n, b), (tn, tb) in zip(em.named_buffers(), tm.named_buffers()):
            assert n == tn
            np.testing.assert_allclose(to_numpy(b), to_numpy(tb), rtol=1e-6, atol=1e-8, err_msg=n)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear(dtype):
    compare(lambda m: m.nn.Linear(4, 3), [(5, 4)], dtype)
    compare(lambda m: m.nn.Linear(4, 3, bias=False), [(2, 5, 4)], dtype)
    compare(lambda m: m.nn.Linear(4, 3), [(4,)], dtype)


def test_linear_default_init_bounds():
    ember.manual_seed(0)
    lin = ember.nn.Linear(16, 200)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.2
    assert np.abs(b).max() <= 0.25 and b.std() > 0.1
    assert lin.weight.dtype is ember.float32 and lin.weight.requires_grad


def test_bilinear():
    compare(lambda m: m.nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)])


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(padding="same", dilation=2),
                                    dict(groups=2, bias=False), dict(padding=1, padding_mode="reflect"),
                                    dict(padding=2, padding_mode="circular"), dict(padding="valid")])
def test_conv2d(kwargs):
    compare(lambda m: m.nn.Conv2d(4, 6, 3, **kwargs), [(2, 4, 7, 8)])


def test_conv2d_float32_and_rect_kernel():
    compare(lambda m: m.nn.Conv2d(3, 2, (2, 3), stride=(2, 1), padding=(1, 0)), [(2, 3, 6, 5)], "float32")
    compare(lambda m: m.nn.Conv2d(3, 2, 3), [(3, 6, 5)], "float64")  # unbatched


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=2), dict(padding="same"), dict(groups=3)])
def test_conv1d(kwargs):
    compare(lambda m: m.nn.Conv1d(3, 6, 4, **kwargs), [(2, 3, 11)])


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1, output_padding=1), dict(groups=2, dilation=2),
                                    dict(bias=False, stride=3)])
def test_conv_transpose2d(kwargs):
    compare(lambda m: m.nn.ConvTranspose2d(4, 6, 3, **kwargs), [(2, 4, 5, 4)])


def test_conv_transpose2d_output_size():
    compare(lambda m: m.nn.ConvTranspose2d(2, 3, 3, stride=2), [(1, 2, 4, 4)],
            forward=lambda m, mod, x: mod(x, output_size=[10, 10]))


@pytest.mark.parametrize("make", [
    lambda m: m.nn.MaxPool2d(2), lambda m: m.nn.MaxPool2d(3, 2, 1), lambda m: m.nn.MaxPool2d(3, 2, ceil_mode=True),
    lambda m: m.nn.MaxPool2d((2, 3), dilation=2), lambda m: m.nn.AvgPool2d(2),
    lambda m: m.nn.AvgPool2d(3, 2, 1), lambda m: m.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda m: m.nn.AvgPool2d(3, 2, 1, divisor_override=2), lambda m: m.nn.AdaptiveAvgPool2d((3, 2)),
    lambda m: m.nn.AdaptiveAvgPool2d(1), lambda m: m.nn.AdaptiveAvgPool2d((None, 3))])
def test_pool2d(make):
    compare(make, [(2, 3, 9, 7)])


def test_pool1d():
    compare(lambda m: m.nn.MaxPool1d(3, 2, 1), [(2, 3, 10)])
    compare(lambda m: m.nn.AvgPool1d(3, 2, 1), [(2, 3, 10)])
    compare(lambda m: m.nn.AdaptiveAvgPool1d(4), [(2, 3, 10)])
    compare(lambda m: m.nn.MaxPool2d(2), [(3, 6, 6)])  # unbatched


def test_maxpool_return_indices():
    compare(lambda m: m.nn.MaxPool2d(3, 2, 1, return_indices=True), [(2, 3, 8, 7)],
            forward=lambda m, mod, x: mod(x)[0] * 1 + mod(x)[1].to(x.dtype) * 0)
    x = np.random.default_rng(0).normal(size=(2, 3, 8, 7))
    ti = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)[1]
    ei = ember.nn.functional.max_pool2d(ember.tensor(x), 3, 2, 1, return_indices=True)[1]
    assert_same(ei, ti)


@pytest.mark.parametrize("kwargs", [dict(), dict(momentum=None), dict(affine=False),
                                    dict(track_running_stats=False), dict(momentum=0.3, eps=1e-3)])
def test_batchnorm(kwargs):
    compare(lambda m: m.nn.BatchNorm1d(4, **kwargs), [(6, 4)])
    compare(lambda m: m.nn.BatchNorm1d(4, **kwargs), [(6, 4, 3)])
    compare(lambda m: m.nn.BatchNorm2d(3, **kwargs), [(4, 3, 5, 2)])


def test_batchnorm_running_stats_over_steps():
    tm, em = pair(lambda m: m.nn.BatchNorm2d(3))
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.normal(2, 3, size=(4, 3, 2, 2))
        tm(torch.tensor(x))
        em(ember.tensor(x))
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, dict(rtol=1e-6, atol=1e-8), k)
    assert em.num_batches_tracked.item() == 3 and em.num_batches_tracked.dtype is ember.int64


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        ember.nn.BatchNorm2d(3)(ember.ones(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        ember.nn.BatchNorm1d(3)(ember.ones(1, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layernorm_groupnorm(dtype):
    compare(lambda m: m.nn.LayerNorm(4), [(2, 3, 4)], dtype)
    compare(lambda m: m.nn.LayerNorm((3, 4), elementwise_affine=False), [(2, 3, 4)], dtype)
    compare(lambda m: m.nn.LayerNorm(4, bias=False), [(5, 4)], dtype)
    compare(lambda m: m.nn.GroupNorm(2, 4), [(3, 4, 5)], dtype)
    compare(lambda m: m.nn.GroupNorm(3, 6, affine=False), [(2, 6, 2, 2)], dtype)


def test_embedding():
    idx = np.array([[0, 2, 4], [4, 1, 0]])
    compare(lambda m: m.nn.Embedding(5, 3), [], int_arrays=[idx])
    compare(lambda m: m.nn.Embedding(5, 3, padding_idx=4), [], int_arrays=[idx])
    compare(lambda m: m.nn.Embedding(5, 3, padding_idx=-1), [], int_arrays=[idx])
    ember.manual_seed(0)
    emb = ember.nn.Embedding(10, 4, padding_idx=2)
    assert (emb.weight.detach().numpy()[2] == 0).all()
    emb(ember.tensor([2, 2, 3])).sum().backward()
    assert (emb.weight.grad.numpy()[2] == 0).all() and (emb.weight.grad.numpy()[3] == 1).all()


def test_embedding_max_norm_and_errors():
    tm, em = pair(lambda m: m.nn.Embedding(6, 3, max_norm=1.0))
    idx = np.array([1, 3, 3])
    run_both(tm, em, [], int_arrays=[idx])
    assert_same(em.weight.detach(), tm.weight.detach(), dict(rtol=1e-6, atol=1e-8))
    with pytest.raises(IndexError, match="index out of range in self"):
        em(ember.tensor([6]))
    pre = ember.nn.Embedding.from_pretrained(ember.ones(3, 2))
    assert not pre.weight.requires_grad and repr(pre) == "Embedding(3, 2)"


def test_dropout_p0_and_eval_are_identity():
    compare(lambda m: m.nn.Dropout(0.0), [(4, 5)])
    compare(lambda m: m.nn.Dropout(0.7), [(4, 5)], modes=("eval",))
    compare(lambda m: m.nn.Dropout2d(0.5), [(2, 3, 4, 4)], modes=("eval",))


def test_dropout_scaling_and_statistics():
    ember.manual_seed(0)
    x = ember.ones(200, 500, requires_grad=True)
    drop = ember.nn.Dropout(0.3)
    y = drop(x)
    vals = np.unique(y.detach().numpy())
    np.testing.assert_allclose(sorted(vals), [0.0, 1 / 0.7], rtol=1e-6)
    kept = (y.detach().numpy() != 0).mean()
    assert abs(kept - 0.7) < 0.01
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    z = ember.nn.Dropout2d(0.5)(ember.ones(50, 40, 3, 3))
    per_channel = z.numpy().reshape(50, 40, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        ember.nn.Dropout(1.5)
    assert (ember.nn.functional.dropout(ember.ones(3), 1.0).numpy() == 0).all()


ACTIVATIONS = [
    lambda m: m.nn.ReLU(), lambda m: m.nn.ReLU6(), lambda m: m.nn.LeakyReLU(0.2), lambda m: m.nn.PReLU(),
    lambda m: m.nn.PReLU(4), lambda m: m.nn.ELU(alpha=0.5), lambda m: m.nn.SELU(), lambda m: m.nn.CELU(0.7),
    lambda m: m.nn.GELU(), lambda m: m.nn.GELU("tanh"), lambda m: m.nn.SiLU(), lambda m: m.nn.Mish(),
    lambda m: m.nn.Sigmoid(), lambda m: m.nn.Tanh(), lambda m: m.nn.Softplus(), lambda m: m.nn.Softplus(2, 1),
    lambda m: m.nn.Softmax(dim=1), lambda m: m.nn.LogSoftmax(dim=-1), lambda m: m.nn.Softmin(1),
    lambda m: m.nn.Hardtanh(-0.5, 1.5), lambda m: m.nn.LogSigmoid(), lambda m: m.nn.Softsign(),
    lambda m: m.nn.Tanhshrink(), lambda m: m.nn.Hardsigmoid(), lambda m: m.nn.Hardswish(),
    lambda m: m.nn.Threshold(0.1, 20), lambda m: m.nn.GLU(1), lambda m: m.nn.ReLU(inplace=True),
    lambda m: m.nn.Identity(), lambda m: m.nn.Flatten(), lambda m: m.nn.Unflatten(1, (2, 2)),
]


@pytest.mark.parametrize("make", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations(make, dtype):
    compare(make, [(5, 4, 3)], dtype, modes=("train",),
            forward=lambda m, mod, x: mod(x * 1))  # *1: inplace modules must not touch a leaf


def test_transformer_style_stack_repr_and_forward():
    def make(m):
        return m.nn.Sequential(m.nn.Conv2d(1, 4, 3, padding=1), m.nn.BatchNorm2d(4), m.nn.ReLU(), m.nn.MaxPool2d(2),
                               m.nn.Flatten(), m.nn.Dropout(0.0), m.nn.Linear(16, 3), m.nn.LogSoftmax(dim=1))
    compare(make, [(2, 1, 4, 4)])


LOSSES = [
    (lambda m: m.nn.MSELoss(), "reg"), (lambda m: m.nn.L1Loss(reduction="sum"), "reg"),
    (lambda m: m.nn.SmoothL1Loss(beta=0.5), "reg"), (lambda m: m.nn.HuberLoss(reduction="none", delta=0.3), "reg"),
    (lambda m: m.nn.BCELoss(), "prob"), (lambda m: m.nn.BCELoss(weight=m.tensor([1.0, 2, 3, 4])), "prob"),
    (lambda m: m.nn.BCEWithLogitsLoss(pos_weight=m.tensor([1.0, 2, 3, 4])), "logit"),
    (lambda m: m.nn.CrossEntropyLoss(), "class"), (lambda m: m.nn.CrossEntropyLoss(label_smoothing=0.1), "class"),
    (lambda m: m.nn.CrossEntropyLoss(weight=m.tensor([1.0, 0.5, 2, 1]), ignore_index=1), "class"),
    (lambda m: m.nn.NLLLoss(reduction="none"), "logp"), (lambda m: m.nn.KLDivLoss(reduction="batchmean"), "logp2"),
    (lambda m: m.nn.CosineEmbeddingLoss(margin=0.1), "pair"), (lambda m: m.nn.MarginRankingLoss(0.2), "rank"),
]


@pytest.mark.parametrize("make, kind", LOSSES)
def test_loss_modules(make, kind):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-2, 2, (3, 4)), rng.uniform(-2, 2, (3, 4))
    targets = {"class": ([a], [np.array([0, 1, 3])]), "logp": ([a], [np.array([0, 1, 3])])}
    if kind in targets:
        arrays, ints = targets[kind]
        fwd = (lambda m, mod, x, t: mod(x.log_softmax(1), t)) if kind == "logp" else None
        tm, em = pair(make)
        run_both(tm, em, arrays, int_arrays=ints, forward=fwd)
        return
    fwd = {"reg": lambda m, mod, x, y: mod(x, y), "prob": lambda m, mod, x, y: mod(x.sigmoid(), y.sigmoid()),
           "logit": lambda m, mod, x, y: mod(x, y.sigmoid()),
           "logp2": lambda m, mod, x, y: mod(x.log_softmax(1), y.softmax(1)),
           "pair": lambda m, mod, x, y: mod(x, y, m.tensor([1, -1, 1])),
           "rank": lambda m, mod, x, y: mod(x[:, 0], y[:, 0], m.tensor([1.0, -1, 1], dtype=x.dtype))}[kind]
    tm, em = pair(make)
    run_both(tm, em, [a, b], forward=fwd)


def test_loss_repr_and_weight_buffer():
    tm, em = pair(lambda m: m.nn.CrossEntropyLoss(weight=m.ones(3)))
    assert repr(em) == "CrossEntropyLoss()" and list(em.state_dict()) == ["weight"]
    with pytest.warns(UserWarning, match="Using a target size"):
        ember.nn.MSELoss()(ember.ones(20640, 1), ember.ones(20640))
