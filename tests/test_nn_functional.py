"""nn.functional against torch (values, dtypes, gradients), finite-difference
gradchecks of the fused ops, torch's errors and warnings; nn.init and nn.utils."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error


def F(m):
    return m.nn.functional


DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_family(dtype):
    check(lambda m, x: F(m).softmax(x, 1), [(3, 4)], dtype)
    check(lambda m, x: F(m).log_softmax(x, 0), [(3, 4)], dtype)
    check(lambda m, x: F(m).softmax(x, -1), [(2, 3, 5)], dtype)
    check(lambda m, x: F(m).softmin(x, 1), [(2, 3)], dtype)
    check(lambda m, x: m.softmax(x, 0), [()], dtype)
    check(lambda m, x: x.log_softmax(-1), [(0, 3)], dtype)
    check(lambda m, x: F(m).softmax(x, -1), [(5, 0, 0)], dtype)  # reducing over an empty axis
    check(lambda m, x: x.log_softmax(-1), [(2, 0)], dtype)
    check(lambda m, x: x.softmax(dim=1), [(4, 6)], dtype, arrays=[np.random.default_rng(0).normal(0, 50, (4, 6))
                                                                  .astype(dtype)])
    check(lambda m, x: F(m).softmax(x, 1, dtype=m.float64), [(3, 4)], dtype)


def test_softmax_implicit_dim_warns_and_int_refused():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        out = F(ember).softmax(ember.ones(2, 3))
    assert out.shape == (2, 3)
    same_error(lambda m: F(m).softmax(m.tensor([1, 2]), 0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_bilinear(dtype):
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(2, 3, 4), (5, 4), (5,)], dtype)
    check(lambda m, x, w: F(m).linear(x, w), [(4,), (5, 4)], dtype)
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(3, 4), (5, 4), (5,)], dtype)
    check(lambda m, a, b, w, bias: F(m).bilinear(a, b, w, bias), [(3, 2), (3, 4), (5, 2, 4), (5,)], dtype)
    same_error(lambda m: F(m).linear(m.ones(2, 3), m.ones(4, 2)))


def test_linear_graph_is_addmm_over_t():
    x = ember.ones(4, 3, requires_grad=True)
    w = ember.ones(2, 3, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    y = F(ember).linear(x, w, b)
    assert type(y.grad_fn).__name__ == "AddmmBackward0"  # torch's name for 2-D linear with bias
    # torch's edges: (bias, input, TBackward0(weight)); tests/test_graph_structure.py compares the rest
    assert [type(fn).__name__ for fn, _ in y.grad_fn.next_functions] == ["AccumulateGrad", "AccumulateGrad",
                                                                          "TBackward0"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_vector_weight_and_odd_bias(dtype):
    """A 1-D weight (matmul with a vector) and a bias that is not a vector take torch's unfused route."""
    check(lambda m, x, w: F(m).linear(x, w), [(3, 4), (4,)], dtype)
    check(lambda m, x, w: F(m).linear(x, w), [(4,), (4,)], dtype)
    check(lambda m, x, w: F(m).linear(x, w), [(2, 3, 4), (4,)], dtype)
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(4,), (4,), ()], dtype)
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(2, 3, 4), (4,), ()], dtype)
    check(lambda m, x, w, b: F(m).linear(x.mT, w, b), [(2, 4, 3), (4,), (3,)], dtype)
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(2, 3, 4), (5, 4), ()], dtype)
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(2, 3, 4), (5, 4), (3, 5)], dtype)
    check(lambda m, x, w, b: F(m).linear(x, w, b), [(3, 4), (5, 4), (3, 5)], dtype)


@pytest.mark.parametrize("build", [
    lambda m: F(m).linear(m.ones(3, 4), m.ones(4), m.ones(())),    # 2-D input with a bias: addmm
    lambda m: F(m).linear(m.ones(4), m.ones(4), m.ones(1)),        # contiguous input, 1-D bias: addmm
    lambda m: F(m).linear(m.ones(()), m.ones(4)),
    lambda m: F(m).linear(m.ones(4), m.ones(())),
    lambda m: F(m).linear(m.ones(()), m.ones(3, 4)),
    lambda m: F(m).linear(m.ones(3, 4), m.ones(2, 5, 4)),
    lambda m: F(m).linear(m.ones(3, 5), m.ones(4)),
])
def test_linear_shape_errors(build):
    ours, theirs = same_error(build)
    assert ours.split(",")[0] == theirs.split(",")[0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_and_pool(dtype):
    check(lambda m, x, w, b: F(m).conv2d(x, w, b, stride=2, padding=1), [(2, 3, 7, 6), (4, 3, 3, 3), (4,)], dtype)
    check(lambda m, x, w, b: F(m).conv2d(x, w, b, padding="same", dilation=2, groups=2),
          [(2, 4, 7, 6), (6, 2, 3, 2), (6,)], dtype)
    check(lambda m, x, w: F(m).conv1d(x, w, stride=2, padding=1), [(2, 4, 9), (6, 4, 3)], dtype)
    check(lambda m, x, w: F(m).conv3d(x, w, padding=1), [(1, 2, 4, 3, 5), (3, 2, 2, 3, 2)], dtype)
    check(lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2),
          [(2, 4, 5, 4), (4, 3, 3, 3), (6,)], dtype)
    check(lambda m, x, w: F(m).conv_transpose1d(x, w, stride=3, dilation=2), [(2, 3, 5), (3, 2, 3)], dtype)
    if dtype == "float64":  # integer inputs: window sums divided with truncation toward zero
        check(lambda m, x: F(m).avg_pool1d(x, 3, padding=1), [(2, 3, 9)], "int64")
        check(lambda m, x: F(m).avg_pool2d(x, 3, 1, 1, True, False, 2), [(1, 3, 5, 5)], "int64")
        check(lambda m, x: F(m).avg_pool2d(x, 2, count_include_pad=False, padding=1), [(1, 2, 4, 5)], "int64")
    # output_padding beyond the stride (allowed up to the dilation): the input's gradient keeps its size
    check(lambda m, x, w: F(m).conv_transpose2d(x, w, stride=(3, 2), padding=(1, 2), output_padding=(2, 3),
                                                groups=2, dilation=(4, 4)), [(2, 2, 3, 3), (2, 2, 2, 3)], dtype)
    check(lambda m, x: F(m).max_pool2d(x, 3, 2, 1), [(2, 3, 7, 6)], dtype)
    check(lambda m, x: F(m).max_pool2d(x, 2, ceil_mode=True), [(2, 3, 7, 5)], dtype)
    check(lambda m, x: F(m).max_pool1d(x, 2), [(2, 3, 7)], dtype)
    check(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), [(2, 3, 8, 6)], dtype)
    check(lambda m, x: F(m).avg_pool2d(x, (2, 3), (1, 2)), [(2, 3, 8, 6)], dtype)
    check(lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 4)), [(2, 3, 7, 6)], dtype)


def test_conv_pool_errors_match_torch():
    same_error(lambda m: F(m).conv2d(m.ones(1, 3, 5, 5), m.ones(2, 4, 3, 3)))
    same_error(lambda m: F(m).conv2d(m.ones(1, 3, 2, 2), m.ones(2, 3, 3, 3)))
    same_error(lambda m: F(m).conv2d(m.ones(1, 3, 5, 5), m.ones(2, 3, 3, 3), stride=2, padding="same"))
    same_error(lambda m: F(m).conv2d(m.ones(3, 5), m.ones(2, 3, 3, 3)))
    same_error(lambda m: F(m).max_pool2d(m.ones(1, 1, 4, 4), 2, padding=2))
    x = np.random.default_rng(0).normal(size=(1, 1, 5, 5))
    x[0, 0, 1, 1] = np.nan
    check(lambda m, x: F(m).max_pool2d(x, 2), [], "float64", arrays=[x], grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_normalisation(dtype):
    check(lambda m, x, w, b: F(m).layer_norm(x, (4,), w, b), [(2, 3, 4), (4,), (4,)], dtype)
    check(lambda m, x: F(m).layer_norm(x, (3, 4)), [(2, 3, 4)], dtype)
    check(lambda m, x, w, b: F(m).group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)], dtype)
    check(lambda m, x, w, b: F(m).batch_norm(x, m.zeros(4, dtype=x.dtype), m.ones(4, dtype=x.dtype), w, b,
                                             training=True), [(5, 4, 3), (4,), (4,)], dtype)
    check(lambda m, x, rm, w, b: F(m).batch_norm(x, rm.detach(), rm.detach().abs() + 0.5, w, b, training=False),
          [(5, 4), (4,), (4,), (4,)], dtype)
    # a 1-D input has no channel dim: torch passes an empty one through and refuses the others
    check(lambda m, x, rm: F(m).batch_norm(x, rm.detach(), rm.detach(), training=True), [(0,), (0,)], dtype)
    same_error(lambda m: F(m).batch_norm(m.ones(3), None, None, training=True))
    same_error(lambda m: F(m).layer_norm(m.ones(2, 3), (4,)))
    same_error(lambda m: F(m).group_norm(m.ones(2, 3, 2), 2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", [
    ("relu", {}), ("relu6", {}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("elu", {}),
    ("elu", {"alpha": 0.3}), ("selu", {}), ("celu", {"alpha": 2.0}), ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.3}), ("softplus", {}), ("softplus", {"beta": 2, "threshold": 1}),
    ("hardtanh", {}), ("hardtanh", {"min_val": -0.3, "max_val": 0.6}), ("mish", {}), ("sigmoid", {}), ("tanh", {}),
    ("logsigmoid", {}), ("softsign", {}), ("hardswish", {}), ("hardsigmoid", {}), ("tanhshrink", {})])
def test_activations(name, kwargs, dtype):
    check(lambda m, x: getattr(F(m), name)(x, **kwargs), [(3, 5)], dtype)


def test_activations_int_inputs_refused_like_torch():
    for name in ["gelu", "silu", "elu", "softplus", "leaky_relu"]:
        same_error(lambda m: getattr(F(m), name)(m.tensor([1, 2])))
    check(lambda m, x: F(m).prelu(x, m.tensor([0.1, 0.2, 0.3], dtype=x.dtype)), [(2, 3, 4)], "float64")
    check(lambda m, x: F(m).glu(x, 1), [(2, 4, 3)], "float64")
    check(lambda m, x: F(m).threshold(x, 0.5, -1.0), [(2, 4)], "float64")


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_variants(dtype):
    x = np.array([[0.2, -1, 3], [1, 2, 0.5], [0.3, 0.1, -0.4]], dtype=dtype)
    t = np.array([2, 0, 1])
    for kw in [{}, {"label_smoothing": 0.2}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 0},
               {"ignore_index": 1, "label_smoothing": 0.1, "reduction": "none"}]:
        check(lambda m, x: F(m).cross_entropy(x, m.tensor(t), **kw), [], dtype, arrays=[x])
    w = np.array([1.0, 2.0, 0.5], dtype=dtype)
    for kw in [{}, {"label_smoothing": 0.3}, {"ignore_index": 2, "label_smoothing": 0.3}, {"reduction": "sum"}]:
        check(lambda m, x, w: F(m).cross_entropy(x, m.tensor(t), weight=w, **kw), [], dtype, arrays=[x, w],
              requires=[True, False])
    check(lambda m, x: F(m).cross_entropy(x, m.tensor([[2, 0], [1, 1]])), [(2, 3, 2)], dtype)
    check(lambda m, x: F(m).cross_entropy(x, m.tensor(1)), [(3,)], dtype)
    for kw in [{}, {"label_smoothing": 0.2}, {"reduction": "none"}]:
        check(lambda m, x, p: F(m).cross_entropy(x, p.softmax(1), **kw), [(2, 3, 2), (2, 3, 2)], dtype)
    check(lambda m, x: F(m).nll_loss(x.log_softmax(1), m.tensor(t), reduction="none"), [], dtype, arrays=[x])


def test_nll_errors_match_torch():
    same_error(lambda m: F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 3])))
    same_error(lambda m: F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 1, 1])))
    same_error(lambda m: F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 1]), label_smoothing=1.5))
    assert math.isnan(F(ember).cross_entropy(ember.ones(2, 3), ember.tensor([-100, -100])).item())


def test_loss_target_dtypes_and_shapes_as_torch():
    """cross_entropy takes the class-probability path when target's shape is input's (whatever
    its dtype) and class indices otherwise; indices must be Long or Byte (uint8)."""
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    for target in ["m.tensor([0., 1, 2, 1])", "m.tensor([0, 1, 2, 1], dtype=m.int32)", "m.zeros(4, dtype=m.bool)",
                   "m.zeros(4, 3, dtype=m.long)", "m.zeros(4, 3, dtype=m.int32)", "m.rand(4, 2)"]:
        for fn in ("nll_loss", "cross_entropy"):
            e, t = same_error(lambda m: getattr(F(m), fn)(m.tensor(x), eval(target, {"m": m})))
            assert e == t, (fn, target, e, t)
    check(lambda m, x: F(m).nll_loss(x, m.tensor([0, 2, 2, 1], dtype=m.uint8)), [], "float64", arrays=[x])
    check(lambda m, x: F(m).cross_entropy(x, m.tensor([0, 1, 255, 1], dtype=m.uint8), ignore_index=255), [],
          "float64", arrays=[x])


@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_and_other_losses(dtype):
    for red in ["mean", "sum", "none"]:
        check(lambda m, x, t: F(m).mse_loss(x, t, reduction=red), [(3, 4), (3, 4)], dtype)
        check(lambda m, x, t: F(m).l1_loss(x, t, reduction=red), [(3, 4), (3, 4)], dtype)
        check(lambda m, x, t: F(m).smooth_l1_loss(x, t, reduction=red, beta=0.5), [(3, 4), (3, 4)], dtype)
        check(lambda m, x, t: F(m).huber_loss(x, t, reduction=red, delta=0.7), [(3, 4), (3, 4)], dtype)
        check(lambda m, x, t: F(m).binary_cross_entropy(x.sigmoid(), t.sigmoid(), reduction=red),
              [(3, 4), (3, 4)], dtype)
        check(lambda m, x, t: F(m).binary_cross_entropy_with_logits(x, t.sigmoid(), reduction=red),
              [(3, 4), (3, 4)], dtype)
        check(lambda m, x, t: F(m).kl_div(x.log_softmax(1), t.softmax(1), reduction=red), [(3, 4), (3, 4)], dtype)
        check(lambda m, x, y: F(m).cosine_embedding_loss(x, y, m.tensor([1, -1, 1]), margin=0.2, reduction=red),
              [(3, 4), (3, 4)], dtype)
        check(lambda m, x, y: F(m).margin_ranking_loss(x, y, m.tensor([1.0, -1, 1], dtype=x.dtype), margin=0.1,
                                                       reduction=red), [(3,), (3,)], dtype)
    check(lambda m, x, t, w: F(m).binary_cross_entropy(x.sigmoid(), t.sigmoid(), weight=w), [(3, 4), (3, 4), (4,)],
          dtype, requires=[True, True, False])
    check(lambda m, x, t, w, pw: F(m).binary_cross_entropy_with_logits(x * 10, t.sigmoid(), weight=w, pos_weight=pw),
          [(3, 4), (3, 4), (4,), (4,)], dtype, requires=[True, True, False, False])
    check(lambda m, x, t: F(m).kl_div(x.log_softmax(1), t.log_softmax(1), reduction="batchmean", log_target=True),
          [(3, 4), (3, 4)], dtype)
    check(lambda m, x, t: F(m).smooth_l1_loss(x, t, beta=0.0), [(3, 4), (3, 4)], dtype)


def test_bce_clamps_log_at_minus_100():
    check(lambda m, x: F(m).binary_cross_entropy(x, m.tensor([1.0, 0.0, 1.0, 0.0], dtype=x.dtype)), [], "float64",
          arrays=[np.array([0.0, 1.0, 1.0, 0.0])], grad=False)


def test_loss_warnings_and_errors():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[20\]\)\) that is different to the "
                                         r"input size \(torch.Size\(\[20, 1\]\)\)"):
        F(ember).mse_loss(ember.ones(20, 1), ember.ones(20))
    same_error(lambda m: F(m).binary_cross_entropy(m.ones(2, 1) * 0.5, m.ones(2)))
    same_error(lambda m: F(m).binary_cross_entropy_with_logits(m.ones(2, 1), m.ones(2)))
    same_error(lambda m: F(m).binary_cross_entropy(m.ones(2) * 2, m.ones(2)))
    same_error(lambda m: F(m).mse_loss(m.ones(2), m.ones(2), reduction="avg"))
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss"):
        F(ember).kl_div(ember.zeros(2), ember.ones(2))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        out = F(ember).mse_loss(ember.ones(2), ember.zeros(2), size_average=False)
    assert out.item() == 2.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_pad_modes(dtype):
    for mode in ["reflect", "replicate", "circular"]:
        check(lambda m, x: F(m).pad(x, (1, 2, 2, 1), mode=mode), [(2, 3, 4, 5)], dtype)
        check(lambda m, x: F(m).pad(x, (2, 1), mode=mode), [(2, 3, 4)], dtype)
    check(lambda m, x: F(m).pad(x, (1, -2, 2, 1), value=3.0), [(2, 3, 4, 5)], dtype)
    check(lambda m, x: F(m).pad(x, (1, 1, 0, 0, 2, 0)), [(2, 3, 4)], dtype)
    check(lambda m, x: F(m).pad(x, (1, 2), value=7), [(3,)], "int64")
    same_error(lambda m: F(m).pad(m.ones(2, 3, 4), (4, 0), mode="reflect"))
    same_error(lambda m: F(m).pad(m.ones(2, 3), (1,)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_normalize_cosine_similarity_one_hot(dtype):
    check(lambda m, x: F(m).normalize(x), [(2, 3, 4)], dtype)
    check(lambda m, x: F(m).normalize(x, p=1, dim=-1), [(2, 3, 4)], dtype)
    check(lambda m, x: F(m).normalize(x * 0, dim=0), [(3, 2)], dtype)
    check(lambda m, x, y: F(m).cosine_similarity(x, y), [(2, 3, 4), (2, 3, 4)], dtype)
    check(lambda m, x, y: F(m).cosine_similarity(x, y, dim=-1), [(5, 4), (1, 4)], dtype)
    check(lambda m, x, y: F(m).pairwise_distance(x, y), [(5, 4), (5, 4)], dtype)
    check(lambda m: F(m).one_hot(m.tensor([[0, 2], [1, 1]])), [])
    check(lambda m: F(m).one_hot(m.tensor([0, 2]), num_classes=5), [])
    same_error(lambda m: F(m).one_hot(m.tensor([0, 3]), 2))
    same_error(lambda m: F(m).one_hot(m.tensor([-1])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_scaled_dot_product_attention(dtype):
    shapes = [(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)]
    check(lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v), shapes, dtype)
    check(lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, scale=0.3), shapes, dtype)
    mask = np.random.default_rng(1).random((4, 5)) > 0.3
    mask[:, 0] = True
    check(lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, attn_mask=m.tensor(mask)), shapes, dtype)
    fmask = np.random.default_rng(2).normal(size=(4, 5)).astype(dtype)
    check(lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, attn_mask=m.tensor(fmask)), shapes, dtype)
    same = [(2, 4, 8)] * 3
    check(lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, is_causal=True), same, dtype)


def test_embedding_and_dropout_functional():
    check(lambda m, w: F(m).embedding(m.tensor([[0, 2], [2, 1]]), w, padding_idx=2), [(3, 4)], "float64")
    check(lambda m, w: F(m).embedding(m.tensor([1, 1, 0]), w), [(3, 4)], "float32")
    same_error(lambda m: F(m).embedding(m.tensor([1.0]), m.ones(3, 2)))
    x = ember.ones(1000)
    assert F(ember).dropout(x, 0.5, training=False) is x
    ember.manual_seed(1)
    a = F(ember).dropout(x, 0.5).numpy()
    ember.manual_seed(1)
    b = F(ember).dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)  # reproducible under manual_seed
    assert set(np.unique(a)) == {0.0, 2.0}


def test_dropout_mask_follows_input_memory_layout():
    """torch draws the mask into empty_like(input): a transposed input (MultiheadAttention's
    batch_first output) gets the draws in memory order, so the masks match torch's."""
    for m in (torch, ember):
        m.manual_seed(3)
    for shape, dims in [((5, 7), (1, 0)), ((2, 3, 4), (1, 0, 2)), ((2, 3, 4), (2, 0, 1))]:
        outs = [F(m).dropout(m.ones(*shape).permute(*dims), 0.5) for m in (torch, ember)]
        np.testing.assert_array_equal(outs[0].numpy(), outs[1].numpy())
    feats = [F(m).dropout2d(m.ones(2, 3, 4, 5).transpose(0, 1), 0.5) for m in (torch, ember)]
    np.testing.assert_array_equal(feats[0].numpy(), feats[1].numpy())


# -- finite-difference gradient checks of the fused ops (float64) ----------------------------
def _t(*shape, seed=0, positive=False):
    a = np.random.default_rng(seed).uniform(-1, 1, size=shape)
    if positive:
        a = np.abs(a) * 0.8 + 0.1
    return ember.tensor(a, dtype=ember.float64, requires_grad=True)


FUSED = [
    ("softmax", lambda x: F(ember).softmax(x, 1), [(3, 4)]),
    ("log_softmax", lambda x: F(ember).log_softmax(x, 0), [(3, 4)]),
    ("linear", lambda x, w, b: F(ember).linear(x, w, b), [(2, 3, 4), (5, 4), (5,)]),
    ("conv2d", lambda x, w: F(ember).conv2d(x, w, stride=2, padding=1, groups=2), [(1, 4, 5, 5), (4, 2, 3, 3)]),
    ("conv1d_dilated", lambda x, w: F(ember).conv1d(x, w, dilation=2, padding="same"), [(2, 2, 6), (3, 2, 3)]),
    ("conv_transpose2d", lambda x, w: F(ember).conv_transpose2d(x, w, stride=2, output_padding=1),
     [(1, 2, 3, 3), (2, 3, 2, 2)]),
    ("conv_transpose2d_outpad", lambda x, w: F(ember).conv_transpose2d(x, w, stride=(3, 2), output_padding=(2, 3),
                                                                        dilation=(4, 4)), [(1, 1, 2, 2), (1, 1, 2, 2)]),
    ("max_pool2d", lambda x: F(ember).max_pool2d(x, 2, 1, 1), [(1, 2, 4, 4)]),
    ("avg_pool2d", lambda x: F(ember).avg_pool2d(x, 3, 2, 1, ceil_mode=True), [(1, 2, 5, 5)]),
    ("adaptive_avg_pool2d", lambda x: F(ember).adaptive_avg_pool2d(x, 3), [(1, 2, 5, 4)]),
    ("layer_norm", lambda x, w, b: F(ember).layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)]),
    ("batch_norm", lambda x, w, b: F(ember).batch_norm(x, None, None, w, b, training=True), [(4, 3, 2), (3,), (3,)]),
    ("group_norm", lambda x, w, b: F(ember).group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    ("embedding", lambda w: F(ember).embedding(ember.tensor([[0, 2], [2, 2]]), w), [(3, 4)]),
    ("nll_loss", lambda x: F(ember).nll_loss(x, ember.tensor([0, 2, 1]), reduction="mean"), [(3, 4)]),
    ("cross_entropy", lambda x: F(ember).cross_entropy(x, ember.tensor([0, 2, 1]), label_smoothing=0.1), [(3, 4)]),
    ("gelu", lambda x: F(ember).gelu(x), [(3, 4)]),
    ("gelu_tanh", lambda x: F(ember).gelu(x, approximate="tanh"), [(3, 4)]),
    ("silu", lambda x: F(ember).silu(x), [(3, 4)]),
    ("elu", lambda x: F(ember).elu(x, 0.7), [(3, 4)]),
    ("softplus", lambda x: F(ember).softplus(x, 2.0, 1.0), [(3, 4)]),
    ("leaky_relu", lambda x: F(ember).leaky_relu(x, 0.2), [(3, 4)]),
    ("pad_reflect", lambda x: F(ember).pad(x, (1, 2), mode="reflect"), [(2, 4)]),
    ("pad_constant", lambda x: F(ember).pad(x, (1, -1, 2, 0)), [(2, 4)]),
]


@pytest.mark.parametrize("name, fn, shapes", FUSED, ids=[f[0] for f in FUSED])
def test_gradcheck_fused(name, fn, shapes):
    inputs = [_t(*s, seed=i) for i, s in enumerate(shapes)]
    assert ember.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name, fn, shapes", [f for f in FUSED if f[0] in (
    "softmax", "log_softmax", "linear", "conv2d", "conv_transpose2d", "conv_transpose2d_outpad", "max_pool2d", "avg_pool2d", "layer_norm",
    "batch_norm", "gelu", "silu", "softplus", "embedding", "pad_reflect", "cross_entropy")],
    ids=lambda f: f if isinstance(f, str) else "")
def test_gradgradcheck_fused(name, fn, shapes):
    inputs = [_t(*s, seed=i) for i, s in enumerate(shapes)]
    assert ember.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=1e-4)


def test_bce_gradcheck():
    x, t = _t(3, 4, positive=True), _t(3, 4, seed=1, positive=True)
    assert ember.autograd.gradcheck(lambda x, t: F(ember).binary_cross_entropy(x, t), [x, t], eps=1e-6, atol=1e-5)


# -- nn.init -----------------------------------------------------------------------------------
def test_calculate_gain_and_fans():
    for args in [("linear",), ("relu",), ("tanh",), ("leaky_relu",), ("leaky_relu", 0.2), ("selu",), ("sigmoid",),
                 ("conv2d",)]:
        assert ember.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    same_error(lambda m: m.nn.init.calculate_gain("nope"))
    for shape in [(3, 4), (5, 2, 3, 3), (4, 6, 2)]:
        assert ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    same_error(lambda m: m.nn.init.xavier_uniform_(m.empty(3)))


def test_init_distributions():
    ember.manual_seed(0)
    init = ember.nn.init
    w = ember.empty(300, 400)
    assert init.uniform_(w, -0.5, 0.5) is w
    a = w.numpy()
    assert a.min() >= -0.5 and a.max() <= 0.5 and abs(a.mean()) < 0.01
    init.normal_(w, 1.0, 2.0)
    assert abs(w.numpy().mean() - 1) < 0.02 and abs(w.numpy().std() - 2) < 0.02
    init.xavier_uniform_(w)
    bound = math.sqrt(6 / 700)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.95 * bound
    init.xavier_normal_(w, gain=2)
    assert abs(w.numpy().std() - 2 * math.sqrt(2 / 700)) < 0.002
    init.kaiming_uniform_(w, a=math.sqrt(5))
    assert np.abs(w.numpy()).max() <= 1 / math.sqrt(400)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 300)) < 0.002
    init.trunc_normal_(w, std=1.0, a=-1.5, b=0.5)
    assert w.numpy().min() >= -1.5 and w.numpy().max() <= 0.5
    init.constant_(w, 0.3)
    assert (w.numpy() == np.float32(0.3)).all()
    init.zeros_(w)
    assert (w.numpy() == 0).all()
    init.ones_(w)
    assert (w.numpy() == 1).all()
    e = init.eye_(ember.empty(3, 5))
    np.testing.assert_array_equal(e.numpy(), np.eye(3, 5))
    q = init.orthogonal_(ember.empty(6, 4, dtype=ember.float64)).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-10)
    q = init.orthogonal_(ember.empty(3, 2, 4), gain=2.0).numpy().reshape(3, 8)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)
    d = init.dirac_(ember.empty(2, 2, 3, 3))
    assert d.numpy()[0, 0, 1, 1] == 1 and d.numpy().sum() == 2


def test_init_on_parameter_keeps_leaf_and_no_graph():
    p = ember.nn.Parameter(ember.empty(3, 4))
    ember.nn.init.kaiming_uniform_(p)
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


# -- nn.utils ---------------------------------------------------------------------------------
def _params_with_grads(m):
    rng = np.random.default_rng(0)
    ps = [m.nn.Parameter(m.tensor(rng.normal(size=s))) for s in [(3, 4), (5,), (2, 2)]]
    for p in ps:
        p.grad = m.tensor(rng.normal(size=tuple(p.shape)) * 3)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 3.0])
def test_clip_grad_norm(norm_type):
    tp, ep = _params_with_grads(torch), _params_with_grads(ember)
    tn = torch.nn.utils.clip_grad_norm_(tp, 1.5, norm_type)
    en = ember.nn.utils.clip_grad_norm_(ep, 1.5, norm_type)
    assert isinstance(en, ember.Tensor) and en.dim() == 0
    np.testing.assert_allclose(en.item(), tn.item(), rtol=1e-10)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)


def test_clip_grad_norm_nonfinite_and_value():
    ep = _params_with_grads(ember)
    ep[0].grad._data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        ember.nn.utils.clip_grad_norm_(ep, 1.0, error_if_nonfinite=True)
    tp, ep = _params_with_grads(torch), _params_with_grads(ember)
    torch.nn.utils.clip_grad_value_(tp, 0.5)
    ember.nn.utils.clip_grad_value_(ep, 0.5)
    for a, b in zip(ep, tp):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_parameters_vector_roundtrip():
    m = ember.nn.Linear(3, 2)
    v = ember.nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (8,)
    np.testing.assert_array_equal(v.detach().numpy()[:6], m.weight.detach().numpy().ravel())
    ember.nn.utils.vector_to_parameters(ember.arange(8.0), m.parameters())
    np.testing.assert_array_equal(m.bias.detach().numpy(), [6.0, 7.0])
    assert isinstance(m.weight, ember.nn.Parameter)
    with pytest.raises(TypeError):
        ember.nn.utils.vector_to_parameters([1.0], m.parameters())


def test_linear_dtype_mismatch_message():
    te, ee = same_error(lambda m: F(m).linear(m.ones(2, 3), m.ones(2, 3, dtype=m.float64)))
    assert ee == te
