"""torch.onnx.export: the exported file passes onnx.checker, and onnxruntime computes on it what
ember computes and what torch computes with the same weights."""
import io
import sys

import numpy as np
import pytest
import torch

import ember

onnx = pytest.importorskip("onnx", reason="onnx is not installed (pip install onnx)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install onnxruntime)")


def mlp(nn):
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))


def cnn(nn):
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(32, 10))


def norm_gelu(nn):
    return nn.Sequential(nn.Linear(8, 12), nn.LayerNorm(12), nn.GELU(), nn.Dropout(0.3), nn.Linear(12, 5),
                         nn.Softmax(dim=-1))


def activations(nn):
    return nn.Sequential(nn.Linear(5, 7), nn.Sigmoid(), nn.Linear(7, 7), nn.LeakyReLU(0.2), nn.Linear(7, 7),
                         nn.ELU(), nn.Linear(7, 4), nn.LogSoftmax(dim=1))


def conv_head(nn):
    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))


def embedding_model(nn):
    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 6)
            self.proj = nn.Linear(6, 4)

        def forward(self, tokens):
            h = self.emb(tokens)  # (B, T, 6)
            return self.proj(h.mean(dim=1))

    return Bag()


def functional_model(nn):
    class Mixed(nn.Module):  # view / transpose / permute / cat / arithmetic / matmul / indexing
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch_like(nn).randn(4, 6))

        def forward(self, x):
            b = x.size(0)
            y = x.view(b, 3, 4).transpose(1, 2)  # (B, 4, 3)
            y = torch_like(nn).cat([y, y * 2 - 1], dim=2).permute(0, 2, 1)  # (B, 6, 4)
            y = (y / 3 + 0.5) @ self.w  # (B, 6, 6)
            return y[:, 1:5].sum(-1) - y[:, 0].mean(-1, keepdim=True)

    return Mixed()


def encoder_layer(nn):  # multi-head attention: split, bmm, softmax, transposes
    return nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1, batch_first=True)


def _rnn(kind):
    def build(nn):
        class Outputs(nn.Module):  # unbind over time, the gates' chunk and sigmoid/tanh (LSTM: its fused cell)
            def __init__(self):
                super().__init__()
                self.rnn = getattr(nn, kind)(4, 8, batch_first=True)

            def forward(self, x):
                return self.rnn(x)[0]

        return Outputs()

    build.__name__ = kind.lower()
    return build


gru, lstm = _rnn("GRU"), _rnn("LSTM")


def lstm_cell(nn):  # op by op, as torch's lstm_cell: the gates' UnsafeSplitBackward0 exports as Split
    class Cell(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(4, 3)

        def forward(self, x):
            h, c = self.cell(x)
            return h + c

    return Cell()


def group_norm_prelu(nn):  # GroupNorm's decomposition; PReLU is a comparison and a where
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.GroupNorm(2, 4), nn.PReLU(), nn.Hardswish(), nn.Flatten(),
                         nn.Linear(64, 3), nn.ReLU6())


def torch_like(nn):
    return torch if nn is torch.nn else ember


def _pair(build, seed=0):
    """The ember model and a torch model holding the same weights, both in eval mode."""
    ember.manual_seed(seed)
    e = build(ember.nn)
    t = build(torch.nn)
    state = {k: torch.from_numpy(np.array(v.detach().numpy())) for k, v in e.state_dict().items()}
    t.load_state_dict(state)
    if any(isinstance(m, ember.nn.BatchNorm2d) for m in e.modules()):  # statistics that are not 0 and 1
        for me, mt in zip(e.modules(), t.modules()):
            if isinstance(me, ember.nn.BatchNorm2d):
                mean, var = np.linspace(-0.5, 0.5, me.num_features), np.linspace(0.5, 2.0, me.num_features)
                me.running_mean.copy_(ember.tensor(mean, dtype=ember.float32))
                me.running_var.copy_(ember.tensor(var, dtype=ember.float32))
                mt.running_mean.copy_(torch.tensor(mean, dtype=torch.float32))
                mt.running_var.copy_(torch.tensor(var, dtype=torch.float32))
    return e.eval(), t.eval()


def _export(model, x, **kwargs):
    buf = io.BytesIO()
    ember.onnx.export(model, (x,), buf, **kwargs)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    return proto, ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])


def _run(session, x):
    return session.run(None, {session.get_inputs()[0].name: x})[0]


CASES = [(mlp, (5, 6)), (cnn, (2, 3, 16, 16)), (norm_gelu, (4, 8)), (activations, (3, 5)),
         (conv_head, (2, 2, 6, 6)), (functional_model, (3, 12)), (encoder_layer, (2, 5, 16)), (gru, (2, 5, 4)),
         (lstm, (2, 5, 4)), (lstm_cell, (2, 4)),
         (group_norm_prelu, (2, 3, 6, 6))]


@pytest.mark.parametrize("build,shape", CASES, ids=[c[0].__name__ for c in CASES])
def test_onnxruntime_matches_ember_and_torch(build, shape):
    e, t = _pair(build)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    proto, session = _export(e, ember.from_numpy(x))
    got = _run(session, x)
    want_ember = e(ember.from_numpy(x)).detach().numpy()
    with torch.no_grad():
        want_torch = t(torch.from_numpy(x)).numpy()
    assert got.shape == want_ember.shape == want_torch.shape
    np.testing.assert_allclose(got, want_ember, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got, want_torch, rtol=1e-4, atol=1e-5)
    # the model's tensors are initializers named by their state_dict keys
    names = {i.name for i in proto.graph.initializer}
    params = {k for k, _ in e.named_parameters()}
    assert params <= names, (params, names)


FUNCTIONS = {  # name: (f(T, F, x) with T torch or ember and F its nn.functional, input shape)
    "interpolate_nearest": (lambda T, F, x: F.interpolate(x, scale_factor=2), (2, 3, 4, 4)),
    "interpolate_bilinear": (lambda T, F, x: F.interpolate(x, size=(7, 5), mode="bilinear"), (2, 3, 4, 4)),
    "pad": (lambda T, F, x: F.pad(x, (1, 2, 0, 1), value=0.5), (2, 3, 4, 4)),
    "clamp": (lambda T, F, x: x.clamp(-0.5, 0.5) + x.clamp(min=0.1) + x.clamp(T.zeros(5), T.ones(5) / 2), (3, 5)),
    "sdpa": (lambda T, F, x: F.scaled_dot_product_attention(x, x, x, is_causal=True), (2, 3, 5, 4)),
    "max_min_dim": (lambda T, F, x: x.max(dim=1).values + x.min(dim=1, keepdim=True)[0].squeeze(1), (3, 5)),
    "argmax": (lambda T, F, x: x.argmax(1) + x.argmin(0)[:3] + x.argmax(), (3, 5)),
    "masked_fill": (lambda T, F, x: x.masked_fill(x > 0, 0.25).masked_fill(x <= -1, -1.0), (3, 5)),
    "normalize": (lambda T, F, x: F.normalize(x, dim=1) + x.norm(p=1, dim=1, keepdim=True), (3, 5)),
    "var_std": (lambda T, F, x: x.var(1) + x.std(1, correction=0) + x.std(), (3, 5)),
    "selu_celu_softplus": (lambda T, F, x: F.selu(x) + F.celu(x, 2.0) + F.softplus(10 * x, beta=2), (3, 5)),
    "mish_silu_hardtanh": (lambda T, F, x: F.mish(x) + F.silu(x) + F.hardtanh(x, -0.5, 0.5), (3, 5)),
    "repeat_flip": (lambda T, F, x: x.repeat(2, 1, 2).flip(0, 2)[0], (3, 5)),
    "cumsum": (lambda T, F, x: x.cumsum(1) + (x > 0).float(), (3, 5)),
    "baddbmm": (lambda T, F, x: T.baddbmm(T.ones(2, 3, 3), x, x.transpose(1, 2), alpha=0.5), (2, 3, 4)),
    "pixel_shuffle": (lambda T, F, x: F.pixel_shuffle(x, 2), (1, 4, 3, 3)),
    "functional_conv_pool": (lambda T, F, x: F.max_pool2d(F.conv2d(x, T.ones(2, 3, 3, 3) / 9, T.ones(2), padding=1),
                                                            3, 2, ceil_mode=True), (2, 3, 7, 7)),
    "avg_pool": (lambda T, F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False) +
                 F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), (2, 3, 8, 8)),
    "slicing": (lambda T, F, x: x[:, -2:] * x[:, ::2][:, 1:3] + x[1:, None, 0].sum(), (3, 5)),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_match_onnxruntime_and_torch(name):
    fn, shape = FUNCTIONS[name]

    class Function(ember.nn.Module):
        def forward(self, x):
            return fn(ember, ember.nn.functional, x)

    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    _, session = _export(Function(), ember.from_numpy(x))
    got = _run(session, x)
    want = fn(ember, ember.nn.functional, ember.from_numpy(x)).numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got, fn(torch, torch.nn.functional, torch.from_numpy(x)).numpy(), rtol=1e-4, atol=1e-5)


def test_embedding_model_and_integer_input():
    e, t = _pair(embedding_model)
    tokens = np.array([[1, 5, 7], [19, 0, 3]], dtype=np.int64)
    proto, session = _export(e, ember.from_numpy(tokens), input_names=["tokens"], output_names=["logits"])
    assert [i.name for i in proto.graph.input] == ["tokens"] and [o.name for o in proto.graph.output] == ["logits"]
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert "Gather" in [n.op_type for n in proto.graph.node]
    assert {"emb.weight", "proj.weight", "proj.bias"} <= {i.name for i in proto.graph.initializer}
    got = session.run(None, {"tokens": tokens})[0]
    np.testing.assert_allclose(got, e(ember.from_numpy(tokens)).detach().numpy(), rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        np.testing.assert_allclose(got, t(torch.from_numpy(tokens)).numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("build,shape", [(mlp, (5, 6)), (cnn, (2, 3, 16, 16)), (functional_model, (3, 12)),
                                         (encoder_layer, (2, 5, 16)), (group_norm_prelu, (2, 3, 6, 6))],
                         ids=["mlp", "cnn", "functional", "encoder_layer", "group_norm"])
def test_dynamic_batch_axis(build, shape):
    e, _ = _pair(build)
    x = ember.randn(*shape)
    proto, session = _export(e, x, input_names=["x"], output_names=["y"],
                             dynamic_axes={"x": {0: "batch"}, "y": [0]})
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == list(shape[1:])
    out_dims = proto.graph.output[0].type.tensor_type.shape.dim
    assert out_dims[0].dim_param == "y_dynamic_axes_1"
    assert [d.dim_value for d in out_dims[1:]] == list(e(x).shape[1:])  # from ONNX shape inference
    bigger = np.random.default_rng(1).standard_normal((7,) + shape[1:]).astype(np.float32)
    got = session.run(None, {"x": bigger})[0]
    np.testing.assert_allclose(got, e(ember.from_numpy(bigger)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_dynamic_axis_the_trace_depends_on_is_refused():
    e, _ = _pair(gru)  # GRU makes its zero initial state from the batch size
    with pytest.raises(ember.onnx.errors.OnnxExporterError, match="made from the size of a dynamic axis"):
        _export(e, ember.randn(2, 5, 4), input_names=["x"], dynamic_axes={"x": {0: "batch"}})
    with pytest.raises(ember.onnx.errors.OnnxExporterError, match="traced ops change with the size"):
        _export(e, ember.randn(2, 5, 4), input_names=["x"], dynamic_axes={"x": {1: "time"}})  # a loop over time


def test_constants_made_in_forward_are_folded_once():
    class Shift(ember.nn.Module):
        def forward(self, x):
            c = ember.arange(4.0) * 2  # no input in it: computed once, stored as one initializer
            return (x + c) * c

    proto, session = _export(Shift(), ember.randn(3, 4))
    assert [n.op_type for n in proto.graph.node] == ["Add", "Mul"]
    assert len(proto.graph.initializer) == 1
    np.testing.assert_allclose(proto.graph.initializer[0].float_data or
                               onnx.numpy_helper.to_array(proto.graph.initializer[0]), [0, 2, 4, 6])
    x = np.ones((3, 4), np.float32)
    np.testing.assert_allclose(_run(session, x), (x + [0, 2, 4, 6]) * [0, 2, 4, 6])


def test_static_shapes_by_default():
    e, _ = _pair(mlp)
    proto, _ = _export(e, ember.randn(5, 6))
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == [5, 6]
    assert proto.graph.input[0].name == "input"  # the forward's parameter name, as torch's exporter
    assert [d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim] == [5, 3]


def test_opset_default_and_choice():
    from torch.onnx import _constants

    e, _ = _pair(norm_gelu)
    proto, _ = _export(e, ember.randn(2, 8))
    assert proto.opset_import[0].version == _constants.ONNX_DEFAULT_OPSET
    assert "Gelu" in [n.op_type for n in proto.graph.node]
    proto, session = _export(e, ember.randn(2, 8), opset_version=17)  # no Gelu node before opset 20
    assert proto.opset_import[0].version == 17 and "Gelu" not in [n.op_type for n in proto.graph.node]
    x = np.ones((2, 8), np.float32)
    np.testing.assert_allclose(_run(session, x), e(ember.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ember.onnx.errors.UnsupportedOperatorError, match="layer_norm.*opset version 16"):
        _export(e, ember.randn(2, 8), opset_version=16)


def test_f_as_path_and_returned_program(tmp_path):
    e, _ = _pair(mlp)
    path = tmp_path / "mlp.onnx"
    program = ember.onnx.export(e, (ember.randn(2, 6),), str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.ones((2, 6), np.float32)
    np.testing.assert_allclose(_run(session, x), e(ember.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    (out,) = program(ember.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), _run(session, x), rtol=0, atol=0)
    ember.onnx.export(e, ember.randn(2, 6), tmp_path / "pathlike.onnx")  # a bare tensor as args, a PathLike f
    assert onnx.load(str(tmp_path / "pathlike.onnx")).graph.node


def test_unsupported_op_names_the_op():
    class LogGamma(ember.nn.Module):  # ONNX has no lgamma
        def forward(self, x):
            return ember.lgamma(x.exp())

    with pytest.raises(ember.onnx.errors.UnsupportedOperatorError) as info:
        ember.onnx.export(LogGamma(), (ember.randn(3),), io.BytesIO())
    assert str(info.value) == "Exporting the operator 'aten::lgamma' to ONNX opset version 20 is not supported"
    assert isinstance(info.value, ember.onnx.errors.OnnxExporterError) and isinstance(info.value, RuntimeError)
    for name in ["UnsupportedOperatorError", "OnnxExporterError", "OnnxExporterWarning"]:
        assert hasattr(torch.onnx.errors, name) and hasattr(ember.onnx.errors, name)
    # torch's own message for the same name and opset
    assert str(torch.onnx.errors.UnsupportedOperatorError("aten::lgamma", 20, None)) == str(info.value)


def test_tracing_hooks_only_while_exporting():
    from ember._ops import _base

    plain = _base.Op.__dict__["apply"], _base.Op._record
    seen = []

    class Probe(ember.nn.Module):
        def forward(self, x):
            seen.append(ember.onnx.is_in_onnx_export())
            return ember.lgamma(x) if x.numel() == 3 else x.relu()

    ember.onnx.export(Probe(), (ember.randn(2),), io.BytesIO())
    with pytest.raises(ember.onnx.errors.UnsupportedOperatorError):
        ember.onnx.export(Probe(), (ember.randn(3),), io.BytesIO())
    assert seen == [True, True] and not ember.onnx.is_in_onnx_export()
    assert (_base.Op.__dict__["apply"], _base.Op._record) == plain  # restored, also after the error
    m = ember.nn.Linear(2, 2)
    ember.onnx.export(m, (ember.randn(1, 2),), io.BytesIO())
    assert "forward" not in m.__dict__


def test_batch_norm_in_training_mode_is_refused():
    e, _ = _pair(cnn)
    e.train()
    with pytest.raises(ember.onnx.errors.UnsupportedOperatorError, match="native_batch_norm.*eval"):
        ember.onnx.export(e, (ember.randn(2, 3, 16, 16),), io.BytesIO())


def test_dropout_in_training_mode_is_refused():
    # its mask would be baked into the graph as a constant
    with pytest.raises(ember.onnx.errors.OnnxExporterError, match="random numbers.*model.eval"):
        ember.onnx.export(ember.nn.Dropout(0.5).train(), (ember.randn(4, 3),), io.BytesIO())
    program = ember.onnx.export(ember.nn.Dropout(0.5).eval(), (ember.randn(4, 3),), io.BytesIO())
    assert [n.op_type for n in program.model_proto.graph.node] == ["Identity"]


def test_dynamo_false_warns_as_torch():
    with pytest.warns(DeprecationWarning, match="legacy TorchScript-based ONNX export"):
        assert ember.onnx.export(ember.nn.Linear(2, 2), (ember.randn(1, 2),), io.BytesIO(), dynamo=False) is None


def test_missing_onnx_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match="needs the 'onnx' package"):
        ember.onnx.export(ember.nn.Linear(2, 2), (ember.randn(1, 2),), io.BytesIO())
