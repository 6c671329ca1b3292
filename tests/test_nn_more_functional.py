"""torch.nn.functional additions (pools, fold, shuffles, shrinks, margin/triplet/ctc losses,
grid_sample, affine_grid, in-place activation forms) and the torch-level functional forms,
compared with torch: values, dtypes, shapes, gradients, errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

EF, TF = ember.nn.functional, torch.nn.functional


def F(m):
    return m.nn.functional


def T(m, a):
    return m.tensor(a)


rng = np.random.default_rng(0)
X4 = (2, 3, 7, 6)


@pytest.mark.parametrize("fn, shapes", [
    (lambda m, x: F(m).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [X4]),
    (lambda m, x: F(m).unfold(x, 2), [(3, 5, 4)]),
    (lambda m, c: F(m).fold(c, (5, 6), (2, 2)), [(2, 12, 20)]),
    (lambda m, c: F(m).fold(c, (5, 6), 3, padding=1, stride=2, dilation=1), [(18, 9)]),
    (lambda m, x: F(m).pixel_shuffle(x, 2), [(2, 8, 3, 4)]),
    (lambda m, x: F(m).pixel_unshuffle(x, 2), [(2, 2, 4, 6)]),
    (lambda m, x: F(m).channel_shuffle(x, 3), [(2, 6, 4)]),
    (lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3, None), return_indices=True), [(2, 3, 5, 7, 4)]),
    (lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3, 1)), [(2, 3, 5, 4, 4)]),
    (lambda m, x: F(m).avg_pool3d(x, 2, 1, 1, count_include_pad=False), [(2, 3, 4, 4, 4)]),
    (lambda m, x: F(m).lp_pool1d(x, 3, 2), [(2, 3, 8)]),
    (lambda m, x: F(m).lp_pool2d(x, 2, 3, 2), [X4]),
    (lambda m, x: F(m).lp_pool3d(x, 2, 2), [(2, 3, 4, 4, 4)]),
    (lambda m, x, w, b: F(m).conv_tbc(x, w, b, 1), [(5, 2, 3), (3, 3, 4), (4,)]),
    (lambda m, x, w: F(m).conv_transpose3d(x, w, stride=2, padding=1), [(1, 2, 3, 3, 3), (2, 3, 2, 2, 2)]),
    (lambda m, x: F(m).hardshrink(x, 0.7), [X4]),
    (lambda m, x: F(m).softshrink(x, 0.7), [X4]),
    (lambda m, x: F(m).rrelu(x), [X4]),
    (lambda m, x: F(m).local_response_norm(x, 3), [X4]),
    (lambda m, x: F(m).local_response_norm(x, 2), [(3, 5, 4)]),
    (lambda m, x: F(m).local_response_norm(x, 4), [(2, 5, 3, 2, 2)]),
    (lambda m, x: F(m).multilabel_soft_margin_loss(x, x.detach().sigmoid()), [(5, 4)]),
    (lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, swap=True, reduction="none"), [(5, 4)] * 3),
    (lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, margin=0.5, p=1), [(5, 4)] * 3),
    (lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda u, v: (u - v).abs().sum(-1), swap=True), [(5, 4)] * 3),
    (lambda m, x: F(m).pdist(x), [(5, 4)]),
    (lambda m, x: F(m).pdist(x, 1), [(5, 4)]),
    (lambda m, x: F(m).pdist(x, 3.5), [(5, 4)]),
    (lambda m, t: F(m).affine_grid(t, (2, 3, 4, 5), align_corners=False), [(2, 2, 3)]),
    (lambda m, t: F(m).affine_grid(t, (2, 3, 4, 5), align_corners=True), [(2, 2, 3)]),
    (lambda m, t: F(m).affine_grid(t, (2, 3, 4, 5, 3), align_corners=False), [(2, 3, 4)]),
], ids=lambda v: "" if callable(v) else str(v))
def test_against_torch(fn, shapes):
    check(fn, shapes)


@pytest.mark.parametrize("name, args", [("elu_", ()), ("celu_", (0.5,)), ("selu_", ()), ("leaky_relu_", (0.2,)),
                                        ("hardtanh_", (-0.5, 0.5)), ("threshold_", (0.1, 5.0)), ("rrelu_", ())])
def test_inplace_activations(name, args):
    def fn(m, x):
        y = x * 1
        out = getattr(F(m), name)(y, *args)
        assert out is y
        return y
    check(fn, [X4])


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_2d(mode, padding, align):
    x = rng.standard_normal((2, 3, 5, 6)).astype("float32")
    g = (rng.random((2, 4, 7, 2)) * 2.6 - 1.3).astype("float32")
    check(lambda m, x, g: F(m).grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=align), None,
          arrays=[x, g])


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sample_3d(mode, padding):
    x = rng.standard_normal((2, 2, 3, 4, 5)).astype("float32")
    g = (rng.random((2, 3, 2, 4, 3)) * 2.6 - 1.3).astype("float32")
    check(lambda m, x, g: F(m).grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=False), None,
          arrays=[x, g])


def test_grid_sample_defaults_warn_and_constants():
    x, g = ember.zeros(1, 1, 2, 2), ember.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        EF.grid_sample(x, g)
    assert EF.GRID_SAMPLE_INTERPOLATION_MODES == TF.GRID_SAMPLE_INTERPOLATION_MODES
    assert EF.GRID_SAMPLE_PADDING_MODES == TF.GRID_SAMPLE_PADDING_MODES


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool(nd):
    shape = {1: (2, 3, 8), 2: (2, 3, 7, 6), 3: (2, 3, 4, 4, 4)}[nd]

    def fn(m, x):
        out, idx = getattr(F(m), f"max_pool{nd}d")(x, 2, return_indices=True)
        size = (7, 6) if nd == 2 else None
        return getattr(F(m), f"max_unpool{nd}d")(out, idx, 2, output_size=size)
    check(fn, [shape])


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool(nd):
    x = rng.standard_normal((2, 3, 9, 7, 8)[:2 + nd]).astype("float32")
    s = rng.random((2, 3, nd)).astype("float32")
    kernel = 2 if nd == 2 else (2, 3, 2)

    def fn(m, x, s):
        return getattr(F(m), f"fractional_max_pool{nd}d")(x, kernel, output_ratio=(0.5,) * nd, return_indices=True,
                                                          _random_samples=s)
    check(fn, None, arrays=[x, s], requires=[True, False])


def test_fractional_max_pool_draws_like_torch():
    x = rng.standard_normal((2, 3, 9, 7)).astype("float32")
    torch.manual_seed(3)
    ember.manual_seed(3)
    assert_same(EF.fractional_max_pool2d(T(ember, x), 3, output_ratio=(0.5, 0.5)),
                TF.fractional_max_pool2d(T(torch, x), 3, output_ratio=(0.5, 0.5)))


def test_random_forms_draw_like_torch():
    x = rng.standard_normal(X4).astype("float32")
    for fn in (lambda m, x: F(m).rrelu(x, training=True),
               lambda m, x: F(m).feature_alpha_dropout(x, 0.3, training=True),
               lambda m, x: m.feature_dropout(x, 0.3, True)):
        torch.manual_seed(3)
        ember.manual_seed(3)
        assert_same(fn(ember, T(ember, x)), fn(torch, T(torch, x)), dict(rtol=1e-6, atol=1e-6))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_losses(reduction):
    t = np.array([0, 2, 1, 3, 1])
    tt = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0], [-1, 1, 1, 1], [2, 2, -1, 0]])
    w = rng.random(4).astype("float32")
    x = rng.standard_normal((5, 4)).astype("float32")
    check(lambda m, x: F(m).multi_margin_loss(x, T(m, t), reduction=reduction), None, arrays=[x])
    check(lambda m, x, w: F(m).multi_margin_loss(x, T(m, t), p=2, margin=0.7, weight=w, reduction=reduction), None,
          arrays=[x, w], requires=[True, False])
    check(lambda m, x: F(m).multilabel_margin_loss(x, T(m, tt), reduction=reduction), None, arrays=[x])
    check(lambda m, x: F(m).multi_margin_loss(x[0], T(m, 2), reduction=reduction), None, arrays=[x])
    check(lambda m, x: F(m).multilabel_margin_loss(x[0], T(m, tt[0]), reduction=reduction), None, arrays=[x])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss(reduction):
    lp = rng.standard_normal((12, 3, 5)).astype("float32")
    tg = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 4, 1]])
    check(lambda m, x: F(m).ctc_loss(x.log_softmax(2), T(m, tg), [12, 10, 9], [3, 2, 4], reduction=reduction), None,
          arrays=[lp])
    check(lambda m, x: F(m).ctc_loss(x.log_softmax(2), T(m, [1, 2, 2, 3, 1, 4, 4, 4, 1]), T(m, [12, 10, 9]),
                                     T(m, [3, 2, 4]), blank=0, reduction=reduction), None, arrays=[lp])


def test_ctc_loss_zero_infinity_and_unbatched():
    lp = rng.standard_normal((12, 3, 5)).astype("float32")
    tg = np.array([[1, 1, 1, 1], [1, 1, 1, 1], [1, 2, 2, 0]])
    check(lambda m, x: F(m).ctc_loss(x, T(m, tg), [3, 12, 2], [4, 2, 3], reduction="none", zero_infinity=True), None,
          arrays=[lp])
    check(lambda m, x: F(m).ctc_loss(x[:, 0].log_softmax(1), T(m, [1, 2]), (12,), (2,)), None, arrays=[lp])


@pytest.mark.parametrize("fn", [
    lambda m: F(m).unfold(m.zeros(3, 4, 4, 4, 4), 2),
    lambda m: F(m).unfold(m.zeros(2, 3, 4, 4), 5),
    lambda m: F(m).fold(m.zeros(2, 13, 9), (4, 4), 2),
    lambda m: F(m).fold(m.zeros(2, 12, 8), (4, 4), 2),
    lambda m: F(m).pixel_shuffle(m.zeros(3, 4), 2),
    lambda m: F(m).pixel_shuffle(m.zeros(1, 3, 4, 4), 2),
    lambda m: F(m).pixel_unshuffle(m.zeros(1, 3, 5, 4), 2),
    lambda m: F(m).channel_shuffle(m.zeros(1, 3, 5, 4), 2),
    lambda m: F(m).softshrink(m.zeros(3), -1),
    lambda m: F(m).hardshrink(m.arange(3), 1),
    lambda m: F(m).multi_margin_loss(m.zeros(3, 4), m.tensor([0, 1, 2]), p=3),
    lambda m: F(m).multi_margin_loss(m.zeros(3, 4), m.tensor([0, 1, 5])),
    lambda m: F(m).multi_margin_loss(m.zeros(3, 4), m.tensor([0, 1])),
    lambda m: F(m).multilabel_margin_loss(m.zeros(3, 4), m.tensor([[0, 1, 5, 2]] * 3)),
    lambda m: F(m).multilabel_margin_loss(m.zeros(3, 4), m.tensor([[0, 1, 2]] * 3)),
    lambda m: F(m).triplet_margin_loss(m.zeros(3, 4), m.zeros(3, 4), m.zeros(4)),
    lambda m: F(m).max_unpool2d(m.zeros(1, 1, 2, 2), m.tensor([[[[0, 1], [2, 100]]]]), 2),
    lambda m: F(m).pdist(m.zeros(3, 4, 5)),
    lambda m: F(m).pdist(m.zeros(3, 4), -1),
    lambda m: F(m).local_response_norm(m.zeros(3), 2),
    lambda m: F(m).rrelu(m.zeros(3), 0.5, 0.1),
    lambda m: F(m).grid_sample(m.zeros(1, 1, 2, 2), m.zeros(1, 1, 1, 2), mode="area"),
    lambda m: F(m).affine_grid(m.zeros(2, 3, 3), (2, 3, 4, 5), align_corners=False),
    lambda m: F(m).ctc_loss(m.zeros(5, 2, 4), m.tensor([[1, 2], [1, 1]]), [5, 4], [2, 3]),
    lambda m: F(m).ctc_loss(m.zeros(5, 2, 4), m.tensor([[1, 2], [1, 1]]), [6, 4], [2, 2]),
    lambda m: F(m).fractional_max_pool2d(m.zeros(1, 1, 4, 4), 2),
])
def test_errors_like_torch(fn):
    mine, theirs = same_error(fn)
    assert mine.split(":")[0][:40] == theirs.split(":")[0][:40]


# -- torch-level forms ---------------------------------------------------------------------------------------
X = rng.standard_normal((2, 3, 8, 8)).astype("float32")
W = rng.standard_normal((4, 3, 3, 3)).astype("float32")


@pytest.mark.parametrize("fn", [
    lambda m, x, w: m.conv2d(x, w, None, 1, 1),
    lambda m, x, w: m.convolution(x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1),
    lambda m, x, w: m.convolution(x, w.transpose(0, 1), None, [2, 2], [1, 1], [1, 1], True, [1, 1], 1),
    lambda m, x, w: m.batch_norm(x, w[0, :, 0, 0], None, None, None, True, 0.1, 1e-5, False),
    lambda m, x, w: m.layer_norm(x, [8]),
    lambda m, x, w: m.group_norm(x, 3),
    lambda m, x, w: m.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
    lambda m, x, w: m.rms_norm(x, [8], None, 1e-6),
    lambda m, x, w: m.dropout(x, 0.3, False),
    lambda m, x, w: m.embedding(w.reshape(4, -1), m.tensor([[0, 3], [1, 1]])),
    lambda m, x, w: m.max_pool1d(x[0], 2),
    lambda m, x, w: m.avg_pool1d(x[0], 3, 2),
    lambda m, x, w: m.adaptive_max_pool1d(x[0], 3),
    lambda m, x, w: m.adaptive_avg_pool1d(x[0], 3),
    lambda m, x, w: m.kl_div(x, x.detach().abs(), 1),
    lambda m, x, w: m.binary_cross_entropy_with_logits(x, x.detach().abs() / 4, None, None, 2),
    lambda m, x, w: m.cosine_embedding_loss(x[0, 0], x[0, 1], m.tensor([1., -1, 1, 1, -1, 1, 1, 1]), 0.1, 0),
    lambda m, x, w: m.hinge_embedding_loss(x[0, 0], m.tensor([1., -1, 1, 1, -1, 1, 1, 1]), 1.0, 2),
    lambda m, x, w: m.poisson_nll_loss(x, x.detach().abs(), True, False, 1e-8, 1),
    lambda m, x, w: m.constant_pad_nd(x, [1, 2], 0.5),
    lambda m, x, w: m.grid_sampler(x, x[:, :2].permute(0, 2, 3, 1).clamp(-1, 1), 0, 0, False),
    lambda m, x, w: m.affine_grid_generator(x[:, 0, :2, :3], [2, 3, 4, 5], False),
    lambda m, x, w: m.hardshrink(x),
    lambda m, x, w: m.selu(x),
    lambda m, x, w: m.celu(x, 0.5),
    lambda m, x, w: m.threshold(x, 0.1, 2.0),
    lambda m, x, w: m.prelu(x, w[0, :, 0, 0]),
    lambda m, x, w: m.pdist(x[0, 0]),
    lambda m, x, w: m.pairwise_distance(x[0, 0], x[0, 1]),
    lambda m, x, w: m.triplet_margin_loss(x[0], x[1], x[1].flip(0)),
    lambda m, x, w: m.pixel_shuffle(x[:, :1].repeat(1, 4, 1, 1), 2),
    lambda m, x, w: m.channel_shuffle(x, 3),
    lambda m, x, w: m.conv_tbc(x[0], x[1], x[1, 0, 0], 1),
    lambda m, x, w: m.bilinear(x[0, 0], x[0, 1], x[1], None),
])
def test_torch_level_forms(fn):
    check(fn, None, arrays=[X, W])


def test_torch_level_inplace_forms():
    for name, args in [("selu_", ()), ("celu_", (0.5,)), ("threshold_", (0.1, 2.0)), ("rrelu_", ())]:
        check(lambda m, x: getattr(m, name)(x * 1, *args), None, arrays=[X])


def test_functional_api_keeps_nn_lazy():
    import subprocess
    import sys

    code = "import sys, ember; ember.conv2d; assert 'ember.nn' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name, args", [("elu", ()), ("selu", ()), ("celu", (0.5,)), ("leaky_relu", (0.2,)),
                                        ("hardtanh", ()), ("relu6", ()), ("silu", ()), ("mish", ()),
                                        ("hardsigmoid", ()), ("hardswish", ()), ("threshold", (0.1, 2.0))])
def test_inplace_flag_writes_into_input(name, args):
    def fn(m, x):
        y = x * 1
        out = getattr(F(m), name)(y, *args, inplace=True)
        assert out is y
        return y
    check(fn, [X4])


@pytest.mark.parametrize("name, args", [("ELU", ()), ("SELU", ()), ("CELU", (0.5,)), ("LeakyReLU", (0.2,)),
                                        ("Hardtanh", ()), ("ReLU6", ()), ("SiLU", ()), ("Mish", ()),
                                        ("Hardsigmoid", ()), ("Hardswish", ()), ("Threshold", (0.1, 2.0))])
def test_inplace_modules(name, args):
    def fn(m, x):
        y = x * 1
        out = getattr(m.nn, name)(*args, inplace=True)(y)
        assert out is y
        return y
    check(fn, [X4])


@pytest.mark.parametrize("mode, kwargs, batch_first", [
    ("LSTM", dict(num_layers=2, bidirectional=True), True), ("GRU", dict(bias=False), False),
    ("LSTM", dict(proj_size=2), False), ("GRU", dict(num_layers=2), True)])
def test_torch_lstm_gru_flat_forms(mode, kwargs, batch_first):
    torch.manual_seed(0)
    module = getattr(torch.nn, mode)(3, 4, **kwargs)
    params = [p.detach().numpy() for p in module._flat_weights]
    layers = module.num_layers * (2 if module.bidirectional else 1)
    x = rng.standard_normal((2, 5, 3) if batch_first else (5, 2, 3)).astype("float32")
    h0 = rng.standard_normal((layers, 2, module.proj_size or 4)).astype("float32")
    c0 = rng.standard_normal((layers, 2, 4)).astype("float32")

    def fn(m, x, *ps):
        if mode == "LSTM":
            return m.lstm(x, [T(m, h0), T(m, c0)], list(ps), module.bias, module.num_layers, 0.0, False,
                          module.bidirectional, batch_first)
        return m.gru(x, T(m, h0), list(ps), module.bias, module.num_layers, 0.0, False, module.bidirectional,
                     batch_first)
    check(fn, None, arrays=[x] + params)


def test_torch_lstm_packed_form():
    torch.manual_seed(0)
    module = torch.nn.LSTM(3, 4)
    params = [p.detach().numpy() for p in module._flat_weights]
    data = rng.standard_normal((6, 3)).astype("float32")
    h0 = np.zeros((1, 3, 4), "float32")

    def fn(m, data, *ps):
        return m.lstm(data, m.tensor([3, 2, 1]), [T(m, h0), T(m, h0)], list(ps), True, 1, 0.0, False, False)
    check(fn, None, arrays=[data] + params)


@pytest.mark.parametrize("requires_grad", [True, False])
@pytest.mark.parametrize("offsets, mode, psw, last, pad", [
    ([0, 4, 4, 6], 0, None, False, None), ([0, 4, 4, 6], 0, True, False, None), ([0, 4, 4, 6], 0, None, False, 2),
    ([0, 4, 4, 6], 1, None, False, None), ([0, 4, 4, 6], 1, None, False, 2), ([0, 4, 4, 6], 2, None, False, 2),
    ([0, 4, 4, 6], 2, None, False, None), ([0, 4, 8], 0, None, True, None), ([0, 4, 8], 2, None, True, None),
    ([0, 4, 8], 1, None, True, None)])
def test_torch_embedding_bag_outputs(requires_grad, offsets, mode, psw, last, pad):
    w = rng.standard_normal((10, 2)).astype("float32")
    weights = rng.random(8).astype("float32")
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 9])

    def fn(m, w):
        return m.embedding_bag(w, T(m, idx), T(m, offsets), False, mode, False,
                               None if psw is None else T(m, weights), last, pad)
    check(fn, None, arrays=[w], requires=[requires_grad])


def test_tensor_methods():
    check(lambda m, x: x.hardshrink(0.3), [X4])
    check(lambda m, x, w: x.prelu(w), [X4, (3,)])


@pytest.mark.parametrize("fn, shape", [
    (lambda m, x: F(m).unfold(x, 2, padding=1, stride=2), (1, 2, 4, 5)),
    (lambda m, x: F(m).fold(x, (4, 5), 2, padding=1, stride=2), (1, 8, 9)),
    (lambda m, x: F(m).grid_sample(x, x[:, :2].permute(0, 2, 3, 1).tanh(), align_corners=False), (1, 2, 3, 3)),
])
def test_second_derivatives(fn, shape):
    x = rng.standard_normal(shape)
    grads = []
    for m in (torch, ember):
        t = m.tensor(x, requires_grad=True)
        (g,) = m.autograd.grad((fn(m, t) ** 2).sum(), t, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), t)
        grads.append((g, gg))
    assert_same(grads[1][0], grads[0][0], dict(rtol=1e-7, atol=1e-9))
    assert_same(grads[1][1], grads[0][1], dict(rtol=1e-6, atol=1e-8))


@pytest.mark.parametrize("a, b, offs", [((2, 8, 16), (2, 16, 8), None), ((12, 16), (2, 16, 8), [4, 12]),
                                        ((8, 24), (24, 8), [8, 24]), ((2, 8, 16), (16, 24), [8, 24])])
def test_grouped_mm(a, b, offs):
    def fn(m, x, y):
        return F(m).grouped_mm(x, y, offs=None if offs is None else m.tensor(offs, dtype=m.int32))
    check(fn, [a, b])


@pytest.mark.parametrize("fn", [
    lambda m: F(m).grouped_mm(m.zeros(2, 8, 16), m.zeros(2, 16, 8), offs=m.tensor([1, 2], dtype=m.int32)),
    lambda m: F(m).grouped_mm(m.zeros(12, 16), m.zeros(2, 16, 8), offs=m.tensor([4, 12])),
    lambda m: F(m).grouped_mm(m.zeros(2, 8, 16, dtype=m.float64), m.zeros(2, 16, 8, dtype=m.float64)),
    lambda m: F(m).grouped_mm(m.zeros(2, 8, 16), m.zeros(2, 16, 8), out_dtype=m.bfloat16),
    lambda m: F(m).grouped_mm(m.zeros(2, 8, 16), m.zeros(3, 16, 8)),
    lambda m: F(m).grouped_mm(m.zeros(2, 8, 6), m.zeros(2, 6, 8)),
])
def test_grouped_mm_errors(fn):
    mine, theirs = same_error(fn)
    assert mine == theirs


@pytest.mark.parametrize("name", ["feature_alpha_dropout_", "feature_dropout_", "alpha_dropout_", "dropout_"])
def test_torch_level_inplace_dropouts(name):
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    res = []
    for m in (torch, ember):
        m.manual_seed(1)
        t = m.tensor(x, requires_grad=True)
        y = t * 2
        out = getattr(m, name)(y, 0.4, True)
        assert out is y
        (out * out).sum().backward()
        res.append((out, t.grad))
    assert_same(res[1][0], res[0][0])
    assert_same(res[1][1], res[0][1])
