"""The fused nn ops (layer_norm, batch_norm, group_norm, softmax, log_softmax, nll_loss, cross_entropy,
binary_cross_entropy[_with_logits], mse_loss): values and gradients against torch (float32 and the half
types, which compute in float32 and round once), gradcheck and gradgradcheck in float64 (the backward
of each fused node is itself differentiable), torch's node names, and batch_norm's running statistics."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import check

R = np.random.default_rng(0)


def F(m):
    return m.nn.functional


def _labels(m, high, *shape, ignore=None):
    t = R.integers(0, high, size=shape)
    if ignore is not None:
        t.flat[::3] = ignore
    return m.tensor(t.copy())


def _running(m, c, dtype):
    return m.tensor(np.linspace(-0.5, 0.5, c), dtype=dtype), m.tensor(np.linspace(0.5, 1.5, c), dtype=dtype)


# name: (fn(m, *float inputs), shapes); a shape given as a list is a constant input (class weights, which
# torch does not differentiate); integer targets are built inside from a fixed seed
CASES = {
    "layer_norm affine": (lambda m, x, w, b: F(m).layer_norm(x, (5,), w, b), [(3, 4, 5), (5,), (5,)]),
    "layer_norm 2 dims": (lambda m, x, w: F(m).layer_norm(x, (4, 5), w), [(3, 4, 5), (4, 5)]),
    "layer_norm plain": (lambda m, x: F(m).layer_norm(x, (5,), eps=1e-3), [(4, 5)]),
    "batch_norm train": (lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, True), [(4, 3, 5), (3,), (3,)]),
    "batch_norm train 2-D": (lambda m, x, b: F(m).batch_norm(x, None, None, None, b, True), [(6, 3), (3,)]),
    "batch_norm eval": (lambda m, x, w, b: F(m).batch_norm(x, *_running(m, 3, x.dtype), w, b, False),
                        [(4, 3, 2, 2), (3,), (3,)]),
    "group_norm": (lambda m, x, w, b: F(m).group_norm(x, 2, w, b), [(2, 4, 3, 2), (4,), (4,)]),
    "group_norm plain": (lambda m, x: F(m).group_norm(x, 3), [(2, 6, 4)]),
    "softmax": (lambda m, x: m.softmax(x, 1), [(3, 4, 5)]),
    "log_softmax": (lambda m, x: m.log_softmax(x, -1), [(3, 5)]),
    "nll_loss": (lambda m, x: F(m).nll_loss(x, _labels(m, 5, 4)), [(4, 5)]),
    "nll_loss weight ignore sum": (
        lambda m, x, w: F(m).nll_loss(x, _labels(m, 5, 6, ignore=2), w, ignore_index=2, reduction="sum"),
        [(6, 5), [5]]),
    "nll_loss 4-D none": (lambda m, x: F(m).nll_loss(x, _labels(m, 3, 2, 4, 2), reduction="none"), [(2, 3, 4, 2)]),
    "nll_loss 3-D": (lambda m, x: F(m).nll_loss(x, _labels(m, 3, 2, 4)), [(2, 3, 4)]),
    "nll_loss 1-D": (lambda m, x: F(m).nll_loss(x, m.tensor(1)), [(4,)]),
    "cross_entropy": (lambda m, x: F(m).cross_entropy(x, _labels(m, 5, 4)), [(4, 5)]),
    "cross_entropy weight ignore mean": (
        lambda m, x, w: F(m).cross_entropy(x, _labels(m, 5, 6, ignore=-100), w.abs()), [(6, 5), [5]]),
    "cross_entropy smoothing none": (
        lambda m, x: F(m).cross_entropy(x, _labels(m, 5, 6, ignore=1), ignore_index=1, reduction="none",
                                        label_smoothing=0.2), [(6, 5)]),
    "cross_entropy smoothing weight mean": (
        lambda m, x, w: F(m).cross_entropy(x, _labels(m, 5, 6), w.abs(), label_smoothing=0.1),
        [(6, 5), [5]]),
    "cross_entropy probabilities": (lambda m, x, t: F(m).cross_entropy(x, t.softmax(1)), [(4, 5), (4, 5)]),
    "cross_entropy probabilities smoothing sum": (
        lambda m, x, t: F(m).cross_entropy(x, t.softmax(1), reduction="sum", label_smoothing=0.3), [(4, 5), (4, 5)]),
    "cross_entropy 4-D": (lambda m, x: F(m).cross_entropy(x, _labels(m, 3, 2, 2, 2)), [(2, 3, 2, 2)]),
    "bce_with_logits": (lambda m, x, t: F(m).binary_cross_entropy_with_logits(x, t.sigmoid()), [(4, 5), (4, 5)]),
    "bce_with_logits weights none": (
        lambda m, x, t, w, pw: F(m).binary_cross_entropy_with_logits(x, t.sigmoid(), w, reduction="none",
                                                                       pos_weight=pw.abs()),
        [(4, 5), (4, 5), [5], [5]]),
    "bce sum": (lambda m, x, t: F(m).binary_cross_entropy(x.sigmoid(), t.sigmoid(), reduction="sum"),
                [(4, 5), (4, 5)]),
    "mse_loss": (lambda m, x, t: F(m).mse_loss(x, t), [(4, 5), (4, 5)]),
    "huber_loss": (lambda m, x, t: F(m).huber_loss(x, t, delta=0.5), [(4, 5), (4, 5)]),
    "huber_loss weight sum": (lambda m, x, t, w: F(m).huber_loss(x, t, "sum", 0.7, w), [(4, 5), (4, 5), [4, 5]]),
    "smooth_l1_loss none": (lambda m, x, t: F(m).smooth_l1_loss(x, t, reduction="none", beta=0.5), [(4, 5), (4, 5)]),
    "smooth_l1_loss beta 0": (lambda m, x, t: F(m).smooth_l1_loss(x, t, beta=0.0), [(4, 5), (4, 5)]),
    "soft_margin_loss": (lambda m, x, t: F(m).soft_margin_loss(x, t.sign()), [(4, 5), [4, 5]]),
    "gelu": (lambda m, x: F(m).gelu(x * 3), [(4, 5, 6)]),
    "gelu tanh": (lambda m, x: F(m).gelu(x * 3, approximate="tanh"), [(4, 5)]),
}


def _seeded(fn):
    """Run fn with the integer targets drawn afresh from one seed (the same for torch and ember)."""
    def run(m, *xs):
        global R
        R = np.random.default_rng(7)
        return fn(m, *xs)
    return run


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name):
    fn, shapes = CASES[name]
    check(_seeded(fn), [tuple(s) for s in shapes], "float32", requires=_requires(shapes))


def _requires(shapes):
    return [isinstance(s, tuple) for s in shapes]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["layer_norm affine", "batch_norm train", "batch_norm eval", "group_norm", "gelu"])
def test_half_types_compute_in_float32(name, dtype):
    fn, shapes = CASES[name]
    check(_seeded(fn), shapes, dtype)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_and_gradgradcheck(name):
    fn, shapes = CASES[name]
    run = _seeded(fn)
    rng = np.random.default_rng(3)
    xs = tuple(ember.tensor(rng.uniform(-1, 1, s), dtype=ember.float64, requires_grad=r)
               for s, r in zip(shapes, _requires(shapes)))
    assert gradcheck(lambda *a: run(ember, *a), xs)
    assert gradgradcheck(lambda *a: run(ember, *a), xs)


NODES = {
    "layer_norm affine": "NativeLayerNormBackward0", "batch_norm train": "NativeBatchNormBackward0",
    "batch_norm eval": "NativeBatchNormBackward0", "group_norm": "NativeGroupNormBackward0",
    "softmax": "SoftmaxBackward0", "log_softmax": "LogSoftmaxBackward0", "nll_loss": "NllLossBackward0",
    "nll_loss 4-D none": "NllLoss2DBackward0", "cross_entropy": "NllLossBackward0",
    "bce_with_logits": "BinaryCrossEntropyWithLogitsBackward0", "bce sum": "BinaryCrossEntropyBackward0",
    "mse_loss": "MseLossBackward0", "huber_loss": "HuberLossBackward0", "smooth_l1_loss none": "SmoothL1LossBackward0",
    "soft_margin_loss": "SoftMarginLossBackward0", "gelu": "GeluBackward0",
}


@pytest.mark.parametrize("name", sorted(NODES))
def test_one_node_named_as_torch(name):
    fn, shapes = CASES[name]
    outs = []
    for m in (torch, ember):
        xs = [m.tensor(R.uniform(-1, 1, s), requires_grad=r) for s, r in zip(shapes, _requires(shapes))]
        outs.append(_seeded(fn)(m, *xs).grad_fn)
    assert type(outs[0]).__name__ == NODES[name]
    assert type(outs[1]).__name__ == NODES[name] and outs[1].name() == outs[0].name()


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_running_statistics_as_torch(momentum):
    x = R.uniform(-1, 1, (5, 3, 4)).astype(np.float32)
    stats = []
    for m in (torch, ember):
        bn = m.nn.BatchNorm1d(3, momentum=momentum)
        for _ in range(3):
            bn(m.tensor(x * 2 + 1))
        bn.eval()
        out = bn(m.tensor(x))
        stats.append([bn.running_mean.numpy(), bn.running_var.numpy(), int(bn.num_batches_tracked),
                      out.detach().numpy()])
    for a, b in zip(*stats):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_gelu_backward_twice_and_on_a_retained_graph_match_torch():
    """The array fast path of exact GELU's backward reuses the forward's Phi(x): a second backward over
    a retained graph must give the same gradient (nothing consumed in place)."""
    xn = R.standard_normal((3, 7)).astype(np.float32) * 4
    grads = []
    for m in (torch, ember):
        x = m.tensor(xn, requires_grad=True)
        y = m.nn.functional.gelu(x)
        y.backward(m.ones_like(y), retain_graph=True)
        first = x.grad.clone()
        y.backward(m.ones_like(y))
        grads.append((np.asarray(first.tolist()), np.asarray(x.grad.tolist())))
    # cdf + x * pdf cancels where x < -2: compare against the size of the terms (~1), not of the sum
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(grads[1][1], grads[0][1], rtol=2e-6, atol=1e-6)
