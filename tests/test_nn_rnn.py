"""Recurrent layers, cells, MultiheadAttention and the Transformer layers against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import same_error, to_numpy
from test_nn_layers import compare, pair, run_both


def _rnn_forward(m, mod, x, *h):
    out, hn = mod(x, (h[0], h[1]) if len(h) == 2 else (h[0] if h else None))
    return (out,) + (tuple(hn) if isinstance(hn, tuple) else (hn,))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kwargs", [dict(), dict(num_layers=2), dict(bidirectional=True),
                                    dict(batch_first=True, num_layers=2, bidirectional=True), dict(bias=False)])
def test_recurrent_layers(cls, kwargs):
    shape = (3, 5, 4) if kwargs.get("batch_first") else (5, 3, 4)
    compare(lambda m: getattr(m.nn, cls)(4, 6, **kwargs), [shape], forward=_rnn_forward)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_initial_state_and_unbatched(cls):
    n_state = 2 if cls == "LSTM" else 1
    compare(lambda m: getattr(m.nn, cls)(4, 5, num_layers=2), [(6, 3, 4)] + [(2, 3, 5)] * n_state,
            forward=_rnn_forward)
    compare(lambda m: getattr(m.nn, cls)(4, 5, bidirectional=True), [(6, 4)] + [(2, 5)] * n_state,
            forward=_rnn_forward)


def test_rnn_relu_lstm_proj_and_dropout_eval():
    compare(lambda m: m.nn.RNN(4, 5, nonlinearity="relu"), [(5, 2, 4)], forward=_rnn_forward)
    compare(lambda m: m.nn.LSTM(4, 6, proj_size=3, num_layers=2), [(5, 2, 4)], forward=_rnn_forward)
    compare(lambda m: m.nn.GRU(4, 5, num_layers=3, dropout=0.4), [(5, 2, 4)], forward=_rnn_forward,
            modes=("eval",))


def test_recurrent_init_range_and_errors():
    ember.manual_seed(0)
    lstm = ember.nn.LSTM(10, 16)
    for p in lstm.parameters():
        assert np.abs(p.detach().numpy()).max() <= 0.25
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        lstm(ember.zeros(3, 2, 9))
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        ember.nn.LSTM(3, 4, proj_size=4)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(cls):
    def fwd(m, mod, x, *h):
        out = mod(x, (h[0], h[1]) if len(h) == 2 else (h[0] if h else None))
        return tuple(out) if isinstance(out, tuple) else out
    n_state = 2 if cls == "LSTMCell" else 1
    compare(lambda m: getattr(m.nn, cls)(4, 5), [(3, 4)] + [(3, 5)] * n_state, forward=fwd)
    compare(lambda m: getattr(m.nn, cls)(4, 5, bias=False), [(4,)], forward=fwd)
    compare(lambda m: getattr(m.nn, cls)(4, 5), [(2, 4)], forward=fwd)
    if cls == "RNNCell":
        compare(lambda m: m.nn.RNNCell(4, 5, nonlinearity="relu"), [(3, 4)], forward=fwd)


def _mha(m, mod, q, k, v, **kw):
    out, w = mod(q, k, v, **kw)
    return (out, w) if w is not None else out


@pytest.mark.parametrize("kwargs", [dict(), dict(average_attn_weights=False), dict(need_weights=False)])
def test_multihead_attention(kwargs):
    compare(lambda m: m.nn.MultiheadAttention(8, 2), [(5, 3, 8), (4, 3, 8), (4, 3, 8)],
            forward=lambda m, mod, q, k, v: _mha(m, mod, q, k, v, **kwargs))


def test_multihead_attention_masks_batch_first_kdim():
    kpm = np.array([[False, False, True, False], [False, True, False, False], [False] * 4])
    causal = np.triu(np.ones((5, 4), dtype=bool), 1)
    compare(lambda m: m.nn.MultiheadAttention(8, 4, batch_first=True), [(3, 5, 8), (3, 4, 8), (3, 4, 8)],
            forward=lambda m, mod, q, k, v: _mha(m, mod, q, k, v, key_padding_mask=m.tensor(kpm),
                                                 attn_mask=m.tensor(causal)))
    float_mask = np.random.default_rng(0).normal(size=(5, 4))
    compare(lambda m: m.nn.MultiheadAttention(8, 2, kdim=6, vdim=3, bias=False), [(5, 3, 8), (4, 3, 6), (4, 3, 3)],
            forward=lambda m, mod, q, k, v: _mha(m, mod, q, k, v, attn_mask=m.tensor(float_mask)))
    compare(lambda m: m.nn.MultiheadAttention(8, 2), [(5, 8), (4, 8), (4, 8)], forward=_mha)  # unbatched


@pytest.mark.parametrize("kwargs", [dict(), dict(norm_first=True), dict(activation="gelu", batch_first=True)])
def test_transformer_encoder_layer(kwargs):
    compare(lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kwargs), [(4, 3, 8)])


def test_transformer_encoder_layer_masks():
    mask = np.triu(np.full((4, 4), -np.inf), 1)
    compare(lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), [(4, 3, 8)],
            forward=lambda m, mod, x: mod(x, src_mask=m.tensor(mask)))
    kpm = np.array([[False, False, False, True], [False] * 4, [False, True, False, False]])
    compare(lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), [(3, 4, 8)],
            forward=lambda m, mod, x: mod(x, src_key_padding_mask=m.tensor(kpm)), modes=("train",))
    compare(lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2,
                                              norm=m.nn.LayerNorm(8), enable_nested_tensor=False),
            [(4, 3, 8)])


def _decode(m, mod, tgt, memory):
    mask = m.nn.Transformer.generate_square_subsequent_mask(tgt.shape[0], dtype=tgt.dtype)
    return mod(tgt, memory, tgt_mask=mask)


@pytest.mark.parametrize("kwargs", [dict(), dict(norm_first=True, activation="gelu")])
def test_transformer_decoder_layer_and_stack(kwargs):
    compare(lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kwargs), [(4, 3, 8), (5, 3, 8)],
            forward=_decode)
    compare(lambda m: m.nn.TransformerDecoder(m.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kwargs), 2,
                                              norm=m.nn.LayerNorm(8)), [(4, 3, 8), (5, 3, 8)], forward=_decode)


def test_transformer_matches_torch_from_the_seed():
    """nn.Transformer's weights (xavier re-draw in parameter order) and its dropout masks
    (batch_first: attention outputs are transposed views) come out of the seed as torch's."""
    outs = []
    for m in (torch, ember):
        m.manual_seed(0)
        model = m.nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                                 dropout=0.2, batch_first=True)
        src, tgt = m.randn(3, 5, 8), m.randn(3, 4, 8)
        out = model(src, tgt, tgt_mask=m.nn.Transformer.generate_square_subsequent_mask(4), tgt_is_causal=True)
        out.pow(2).sum().backward()
        outs.append((out, model.encoder.layers[0].self_attn.in_proj_weight.grad, repr(model)))
    np.testing.assert_allclose(outs[1][0].detach().numpy(), outs[0][0].detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(outs[1][1].numpy(), outs[0][1].numpy(), rtol=1e-3, atol=1e-5)
    assert outs[1][2] == outs[0][2]
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        ember.nn.Transformer(8, 2, 1, 1, 16)(ember.zeros(2, 1, 8), ember.zeros(2, 1, 4))


# -- packed sequences (nn.utils.rnn) ------------------------------------------------------------
LENGTHS = [5, 2, 4, 1]  # unsorted, so enforce_sorted=False sorts and unsorts


def _packed_run(m, mod, x, h0, c0, batch_first):
    rnn = m.nn.utils.rnn
    packed = rnn.pack_padded_sequence(x, m.tensor(LENGTHS), batch_first=batch_first, enforce_sorted=False)
    hx = None if h0 is None else ((h0, c0) if c0 is not None else h0)
    out, hn = mod(packed, hx)
    padded, lengths = rnn.pad_packed_sequence(out, batch_first=batch_first, padding_value=-3.0, total_length=6)
    hs = hn if isinstance(hn, tuple) else (hn,)
    return (padded, out.data, lengths) + hs


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kwargs", [dict(), dict(num_layers=2, bidirectional=True),
                                    dict(batch_first=True, bidirectional=True), dict(num_layers=2, hx=True)])
def test_recurrent_layers_on_packed_sequences(cls, kwargs):
    """Outputs (packed and re-padded), final states of each sequence at its own length, and
    gradients to the padded input, the initial state and the weights, as torch's."""
    kwargs = dict(kwargs)
    with_hx = kwargs.pop("hx", False)
    batch_first = kwargs.get("batch_first", False)
    tm, em = pair(lambda m: getattr(m.nn, cls)(3, 4, **kwargs))
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (4, 6, 3) if batch_first else (6, 4, 3))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    states = [rng.uniform(-1, 1, (layers, 4, 4)) for _ in range(2 if cls == "LSTM" else 1)] if with_hx else []
    results = []
    for m, mod in ((torch, tm), (ember, em)):
        xs = [m.tensor(a, dtype=m.float64, requires_grad=True) for a in [x] + states]
        outs = _packed_run(m, mod, xs[0], xs[1] if with_hx else None, xs[2] if len(xs) > 2 else None, batch_first)
        sum((o * (i + 1.5)).sum() for i, o in enumerate(outs) if o.dtype == m.float64).backward()
        grads = [t.grad for t in xs] + [p.grad for _, p in mod.named_parameters()]
        results.append([to_numpy(o) for o in outs] + [to_numpy(g) for g in grads])
    for i, (e, t) in enumerate(zip(results[1], results[0])):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, err_msg=str(i))


def test_pack_pad_utilities_match_torch():
    def run(m):
        rnn = m.nn.utils.rnn
        seqs = [m.arange(3.0), m.arange(5.0) + 10, m.arange(1.0) + 20]
        padded = rnn.pad_sequence(seqs, batch_first=True, padding_value=-1)
        left = rnn.pad_sequence(seqs, padding_side="left")
        packed = rnn.pack_sequence(seqs, enforce_sorted=False)
        back = rnn.unpack_sequence(packed)
        unpadded = rnn.unpad_sequence(padded, m.tensor([3, 5, 1]), batch_first=True)
        return [padded, left, packed.data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices,
                *back, *unpadded]
    for e, t in zip(run(ember), run(torch)):
        assert e.dtype.__repr__().split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_array_equal(to_numpy(e), to_numpy(t))
    for bad in ([4, 3, 0], [3, 4, 2]):
        e, t = same_error(lambda m: m.nn.utils.rnn.pack_padded_sequence(m.zeros(4, 3, 2), bad))
        assert e == t
    e, t = same_error(lambda m: m.nn.utils.rnn.pad_packed_sequence(
        m.nn.utils.rnn.pack_sequence([m.ones(3), m.ones(2)]), total_length=2))
    assert e == t


@pytest.mark.parametrize("kwargs", [dict(), dict(bidirectional=True, bias=False)])
def test_lstm_layer_node_gradcheck_and_gradgradcheck(kwargs):
    """The LSTM layer is one MkldnnRnnLayerBackward0 node per layer and direction (as torch's CPU LSTM):
    its array backward (one walk back through time, then single GEMMs for the weights) and its
    create_graph backward (the layer recomputed step by step) both agree with finite differences,
    for the input, the initial state and every weight."""
    from ember.autograd import gradcheck, gradgradcheck
    from ember.func import functional_call

    ember.manual_seed(0)
    lstm = ember.nn.LSTM(3, 4, **kwargs).double()
    names = [n for n, _ in lstm.named_parameters()]
    rng = np.random.default_rng(1)
    d = 2 if kwargs.get("bidirectional") else 1
    x, h0, c0 = (ember.tensor(rng.uniform(-1, 1, s), dtype=ember.float64, requires_grad=True)
                 for s in [(4, 2, 3), (d, 2, 4), (d, 2, 4)])
    params = tuple(p.detach().requires_grad_() for p in lstm.parameters())

    def run(x, h0, c0, *ps):
        out, (h, c) = functional_call(lstm, dict(zip(names, ps)), (x, (h0, c0)))
        fn = out.grad_fn  # bidirectional: cat of the two directions' layer nodes
        assert "MkldnnRnnLayerBackward0" in [fn.name()] + [f.name() for f, _ in fn.next_functions if f]
        return out, h, c

    assert gradcheck(run, (x, h0, c0) + params)
    assert gradgradcheck(run, (x, h0, c0) + params)
