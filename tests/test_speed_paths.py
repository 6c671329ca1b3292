"""The fast paths of convolution, pooling, the LSTM cell, row-scatter backward and inner-dim-1
products against torch: values and gradients for the shapes that take each branch, and
gradients of gradients through the fused nodes."""
import os
import numpy as np
import pytest
import torch

import ember
from oracle import check, assert_same


# -- convolution: GEMMs over one im2col buffer --------------------------------------------------------
@pytest.mark.parametrize("nd,shape,wshape,kw", [
    (1, (2, 4, 9), (6, 4, 3), dict(stride=2, padding=1)),
    (2, (2, 4, 7, 6), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    (2, (3, 4, 5, 5), (5, 4, 1, 1), {}),                          # 1x1, stride 1: columns are the input
    (2, (1, 3, 6, 6), (4, 3, 3, 3), dict(padding=1)),             # batch 1: one weight-gradient GEMM
    (2, (2, 6, 6, 6), (6, 1, 3, 3), dict(padding="same", groups=6)),   # depthwise
    (3, (2, 2, 4, 5, 4), (3, 2, 2, 3, 2), dict(stride=(1, 2, 1), padding=(1, 1, 0))),
])
def test_conv_values_and_grads(nd, shape, wshape, kw):
    check(lambda m, x, w, b: getattr(m.nn.functional, f"conv{nd}d")(x, w, b, **kw),
          [shape, wshape, (wshape[0],)])


@pytest.mark.parametrize("nd,shape,wshape,kw", [
    (1, (2, 4, 5), (4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    (2, (2, 4, 4, 3), (4, 2, 3, 3), dict(stride=2, padding=1, groups=2, dilation=(1, 2))),
    (2, (1, 3, 4, 4), (3, 5, 1, 1), {}),
    (3, (1, 2, 3, 3, 2), (2, 2, 2, 2, 2), dict(stride=2)),
])
def test_conv_transpose_values_and_grads(nd, shape, wshape, kw):
    check(lambda m, x, w: getattr(m.nn.functional, f"conv_transpose{nd}d")(x, w, **kw), [shape, wshape])


def test_conv_double_backward():
    x = ember.randn(2, 4, 5, 5, dtype=ember.float64, requires_grad=True)
    w = ember.randn(6, 2, 3, 3, dtype=ember.float64, requires_grad=True)
    fn = lambda x, w: ember.nn.functional.conv2d(x, w, stride=2, padding=1, groups=2)  # noqa: E731
    assert ember.autograd.gradgradcheck(fn, (x, w))
    w1 = ember.randn(3, 4, 1, 1, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x, w: ember.nn.functional.conv2d(x, w), (x, w1))


@pytest.mark.parametrize("kernel,padding,stride", [((1, 1), 0, 1), ((2, 3), 1, (2, 1))])
def test_fold_unfold_share_im2col(kernel, padding, stride):
    check(lambda m, x: m.nn.functional.unfold(x, kernel, padding=padding, stride=stride), [(2, 3, 5, 6)])
    n_cols = 3 * kernel[0] * kernel[1]
    out = (5 + 2 * padding - kernel[0]) // (stride if isinstance(stride, int) else stride[0]) + 1
    out2 = (6 + 2 * padding - kernel[1]) // (stride if isinstance(stride, int) else stride[1]) + 1
    check(lambda m, c: m.nn.functional.fold(c, (5, 6), kernel, padding=padding, stride=stride),
          [(2, n_cols, out * out2)])


def test_unfold_of_1x1_does_not_alias_its_input():
    x = ember.randn(1, 2, 3, 3)
    cols = ember.nn.functional.unfold(x, 1)
    cols.zero_()
    assert float(x.abs().sum()) > 0


# -- pooling: running max over kernel offsets, put_along_axis / bincount backward -----------------------
@pytest.mark.parametrize("nd,shape,kw", [
    (2, (2, 3, 8, 8), dict(kernel_size=2)),                                 # disjoint windows
    (2, (2, 3, 7, 6), dict(kernel_size=3, stride=1, padding=1)),            # overlapping: bincount
    (2, (1, 2, 7, 7), dict(kernel_size=3, stride=2, ceil_mode=True)),
    (2, (1, 2, 9, 9), dict(kernel_size=2, stride=2, dilation=2)),
    (1, (2, 3, 11), dict(kernel_size=3, stride=2, padding=1)),
    (3, (1, 2, 5, 4, 6), dict(kernel_size=2, stride=(1, 2, 2))),
])
def test_max_pool_values_indices_and_grads(nd, shape, kw):
    check(lambda m, x: getattr(m.nn.functional, f"max_pool{nd}d")(x, return_indices=True, **kw), [shape])


def test_max_pool_nan_and_ties_pick_torchs_position():
    a = np.array([[[[np.nan, 1.0, np.nan, 2.0], [3.0, 3.0, 0.0, 0.0]]]], dtype=np.float32)
    for args in (((1, 4),), ((2, 2),), (2, 1)):
        e, t = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        eo, ei = ember.nn.functional.max_pool2d(e, *args, return_indices=True)
        to, ti = torch.nn.functional.max_pool2d(t, *args, return_indices=True)
        assert_same((eo, ei), (to, ti))
        eo.sum().backward()
        to.sum().backward()
        assert_same(e.grad, t.grad)


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 6), dict(kernel_size=3, stride=1, padding=1, count_include_pad=False)),
    ((1, 2, 7, 7), dict(kernel_size=3, stride=2, ceil_mode=True)),
])
def test_avg_pool_values_and_grads(shape, kw):
    check(lambda m, x: m.nn.functional.avg_pool2d(x, **kw), [shape])


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)])
def test_pool_double_backward(kw):
    x = ember.randn(1, 2, 6, 6, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x: ember.nn.functional.max_pool2d(x, **kw), (x,))
    assert ember.autograd.gradgradcheck(lambda x: ember.nn.functional.avg_pool2d(x, **kw), (x,))


# -- LSTM: one fused pointwise node per step, the input projection unbound -----------------------------
def _copy_params(t_mod, e_mod):
    with ember.no_grad():
        for name, p in t_mod.named_parameters():
            dict(e_mod.named_parameters())[name].copy_(ember.tensor(p.detach().numpy()))


@pytest.mark.parametrize("kw", [dict(num_layers=2), dict(bidirectional=True, batch_first=True),
                                dict(proj_size=3), dict(bias=False)])
def test_lstm_values_and_grads(kw):
    torch.manual_seed(0)
    t_mod = torch.nn.LSTM(5, 6, **kw)
    e_mod = ember.nn.LSTM(5, 6, **kw)
    _copy_params(t_mod, e_mod)
    x = np.random.default_rng(0).standard_normal((7, 3, 5)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, (th, tc) = t_mod(tx)
    eo, (eh, ec) = e_mod(ex)
    assert_same((eo, eh, ec), (to, th, tc))
    (to.square().sum() + th.sum()).backward()   # c_n unused: its gradient materializes as zeros
    (eo.square().sum() + eh.sum()).backward()
    assert_same(ex.grad, tx.grad, dict(rtol=1e-4, atol=1e-5))
    for name, p in t_mod.named_parameters():
        assert_same(dict(e_mod.named_parameters())[name].grad, p.grad, dict(rtol=1e-4, atol=1e-5), name)


def test_lstm_cell_saturated_gates():
    # gates far past sigmoid's range: exp overflows to inf, the gate is exactly 0 or 1, no NaN
    t_cell, e_cell = torch.nn.LSTMCell(3, 2), ember.nn.LSTMCell(3, 2)
    _copy_params(t_cell, e_cell)
    x = np.array([[200.0, -300.0, 50.0], [-1e3, 1e3, 0.5]], dtype=np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    th, tc = t_cell(tx)
    eh, ec = e_cell(ex)
    assert_same((eh, ec), (th, tc))
    (th.sum() + tc.sum()).backward()
    (eh.sum() + ec.sum()).backward()
    assert_same(ex.grad, tx.grad)


def test_lstm_double_backward_through_the_fused_cell():
    # the fused cell node steps nn.LSTM where it runs per time step (projections, packed input)
    from ember._ops._rnn_cell import LstmCellBackward0

    gates = ember.randn(2, 8, dtype=ember.float64, requires_grad=True)
    c = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(LstmCellBackward0.apply, (gates, c))
    assert ember.autograd.gradgradcheck(LstmCellBackward0.apply, (gates, c))
    lstm = ember.nn.LSTM(3, 4, proj_size=2)
    assert any(type(n).__name__ == "LstmCellBackward0" for n in _nodes(lstm(ember.randn(2, 1, 3))[0].grad_fn))


def test_lstm_cell_records_torchs_nodes():
    # nn.LSTMCell is op by op, as torch's lstm_cell: the same node names, the same count
    def names(lib):
        cell = lib.nn.LSTMCell(3, 4)
        h, c = cell(lib.randn(2, 3), (lib.randn(2, 4, requires_grad=True), lib.randn(2, 4)))
        return sorted(n.name() for n in _nodes((h * c).sum().grad_fn))

    assert names(ember) == names(torch)


def _nodes(fn):
    seen, todo = {}, [fn]
    while todo:
        n = todo.pop()
        if n is not None and id(n) not in seen:
            seen[id(n)] = n
            todo.extend(f for f, _ in n.next_functions)
    return list(seen.values())


def test_lstm_cost_is_linear_in_sequence_length():
    # the input projection's gradient is one stack, not T full-size zero tensors added up
    lstm = ember.nn.LSTM(4, 4)
    x = ember.randn(64, 1, 4, requires_grad=True)
    out, _ = lstm(x)
    nodes, seen, todo = 0, set(), [out.grad_fn]
    while todo:
        n = todo.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        nodes += type(n).__name__ in ("SelectBackward0", "IndexBackward0")
        todo.extend(f for f, _ in n.next_functions)
    assert nodes == 0


# -- row scatters: embedding, index_select, index_put accumulate -----------------------------------------
def test_embedding_backward_repeats_and_padding_idx():
    idx = np.array([[1, 4, 1, 0], [4, 4, 2, 1]])
    check(lambda m, w: m.nn.functional.embedding(m.tensor(idx), w, padding_idx=4), [(6, 3)])
    check(lambda m, w: m.nn.functional.embedding(m.tensor(idx), w), [(6, 3)])


def test_index_select_and_index_put_backward_accumulate_rows():
    idx = np.array([2, 0, 2, 2, -1])
    check(lambda m, x: m.index_select(x, 1, m.tensor(idx[:4])), [(3, 4, 2)])
    check(lambda m, x, v: x.index_put((m.tensor(idx),), v, accumulate=True), [(4, 3), (5, 3)])
    check(lambda m, x, v: x.index_put((m.tensor(idx),), v, accumulate=True), [(4, 3), (1, 3)])


# -- products with an inner dimension of 1 (batch-1 weight gradients) -------------------------------------
@pytest.mark.parametrize("a,b", [((5, 1), (1, 7)), ((3, 4, 1), (1, 6)), ((2, 1), (3, 1, 4))])
def test_inner_dim_one_products(a, b):
    check(lambda m, x, y: x @ y, [a, b])
    check(lambda m, x, y: x @ y, [a, b], dtype="float64")


def test_linear_at_batch_one():
    check(lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(1, 9), (4, 9), (4,)])


def test_malloc_tuning_is_applied_on_glibc_and_can_be_switched_off():
    """ember keeps freed large arrays' pages (glibc mallopt) unless told not to or malloc is tuned already."""
    import platform
    import subprocess
    import sys

    code = "import ember; print(ember._malloc.tuned)"
    run = lambda env: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: E731
                                     env={**{k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")},
                                          **env}).stdout.strip()
    glibc = platform.libc_ver()[0] == "glibc"
    assert run({}) == str(glibc)
    assert run({"EMBER_MALLOC_TUNING": "0"}) == "False"
    assert run({"MALLOC_ARENA_MAX": "2"}) == "False"


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, ceil_mode=True), dict(kernel_size=(2, 3), dilation=(2, 1))])
def test_max_pool_ties_nan_indices_and_gradients_match_torch(kw):
    """The running-max pooling keeps torch's position for ties (the first equal value), NaN windows
    (NaN wins), return_indices, and the gradient scatter, for disjoint and overlapping windows."""
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, (2, 3, 7, 9)).astype(np.float32)  # many ties
    a[0, 1, 2, 3] = np.nan
    res = []
    for m in (torch, ember):
        x = m.tensor(a, requires_grad=True)
        out, idx = m.nn.functional.max_pool2d(x, return_indices=True, **kw)
        out.sum().backward()
        res.append((out.detach().numpy(), idx.numpy(), x.grad.numpy()))
    for e, t in zip(res[1], res[0]):
        np.testing.assert_array_equal(e, t)


def test_relu_gradient_keeps_torch_zeros_where_incoming_gradient_is_not_finite():
    for m in (torch, ember):
        x = m.tensor([-1., 0., 2., float("nan"), 3., -2.], requires_grad=True)
        m.relu(x).backward(m.tensor([1., 2., 3., 4., float("inf"), float("nan")]))
        np.testing.assert_array_equal(x.grad.numpy(), [0., 0., 3., 4., np.inf, 0.])
