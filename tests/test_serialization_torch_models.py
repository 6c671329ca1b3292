"""Whole torch models (torch.save(model)) load in ember with weights_only=False and compute torch's outputs:
the pickle names torch's module paths (torch.nn.modules.batchnorm.BatchNorm1d, torch._utils._rebuild_parameter,
...) and torch's private module attributes, and each resolves to ember's class with its state."""
import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from torch import nn

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def roundtrip(model):
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    return ember.load(buf, weights_only=False)


def trained_bn(model, x):
    """A few training-mode calls so the batch-norm running statistics are not their initial values."""
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(x)
    return model.eval()


def same(e_out, t_out, tol=1e-5):
    assert e_out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=tol, atol=tol)


def test_mlp_with_batchnorm_dropout():
    torch.manual_seed(0)
    x = torch.randn(6, 4)
    t = trained_bn(nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2)), x)
    e = roundtrip(t)
    assert type(e) is ember.nn.Sequential and type(e[1]) is ember.nn.BatchNorm1d
    assert isinstance(e[0].weight, ember.nn.Parameter) and e[0].weight.requires_grad
    assert not e.training and e[3].p == 0.3
    same(e[1].running_var, t[1].running_var)
    assert int(e[1].num_batches_tracked) == 3
    same(e(ember.tensor(x.numpy())), t(x))
    e.train()  # the loaded module trains: gradients reach its parameters
    e(ember.tensor(x.numpy())).sum().backward()
    assert e[0].weight.grad is not None and e[0].weight.grad.shape == (8, 4)


def test_small_cnn():
    torch.manual_seed(1)
    x = torch.randn(2, 1, 10, 10)
    t = trained_bn(nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(4, 6, 3, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                 nn.Linear(6, 3)), x)
    e = roundtrip(t)
    assert type(e[0]) is ember.nn.Conv2d and e[0].padding == (1, 1) and e[4].stride == (2, 2)
    same(e(ember.tensor(x.numpy())), t(x))


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_recurrent(cls):
    torch.manual_seed(2)
    t = getattr(nn, cls)(5, 7, num_layers=2, batch_first=True, bidirectional=True)
    x = torch.randn(3, 4, 5)
    e = roundtrip(t)
    assert type(e) is getattr(ember.nn, cls)
    t_out = t(x)
    e_out = e(ember.tensor(x.numpy()))
    same(e_out[0], t_out[0])
    if cls == "LSTM":
        same(e_out[1][1], t_out[1][1])


def test_transformer_layer_and_embedding():
    torch.manual_seed(3)
    t = nn.Sequential(nn.Embedding(20, 8), nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)).eval()
    x = torch.randint(0, 20, (2, 5))
    e = roundtrip(t)
    assert type(e[1].self_attn.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    same(e(ember.tensor(x.numpy())), t(x))


def test_torch_module_paths_mirrored():
    from ember.nn.modules import batchnorm, linear, pooling, sparse, normalization

    assert batchnorm.BatchNorm1d is ember.nn.BatchNorm1d and issubclass(batchnorm.BatchNorm2d, batchnorm._BatchNorm)
    assert issubclass(linear.NonDynamicallyQuantizableLinear, ember.nn.Linear)
    assert linear.Identity is ember.nn.Identity and sparse.EmbeddingBag is ember.nn.EmbeddingBag
    assert pooling.AdaptiveMaxPool2d is ember.nn.AdaptiveMaxPool2d and normalization.RMSNorm is ember.nn.RMSNorm
    # every torch.nn layer ember has is importable from torch's module path under ember's name
    import importlib

    for name in dir(ember.nn):
        cls = getattr(ember.nn, name)
        if isinstance(cls, type) and issubclass(cls, ember.nn.Module) and hasattr(nn, name):
            path = "ember" + getattr(nn, name).__module__[len("torch"):]
            assert getattr(importlib.import_module(path), name) is cls, (path, name)


def test_weights_only_refuses_a_model():
    buf = io.BytesIO()
    torch.save(nn.Linear(2, 2), buf)
    buf.seek(0)
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(buf)


def test_custom_module_under_ember_run(tmp_path):
    from tests._torch_model_helper import TextClassifier

    torch.manual_seed(4)
    model = TextClassifier()
    tokens = torch.randint(0, 12, (4, 6))
    model.train()
    with torch.no_grad():
        model(tokens)
    model.eval()
    torch.save(model, tmp_path / "model.pt")
    torch.save(tokens, tmp_path / "tokens.pt")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        from torch.nn.modules.batchnorm import _BatchNorm
        from torch.nn.modules.linear import NonDynamicallyQuantizableLinear
        import ember
        assert torch is ember
        model = torch.load(sys.argv[1] + "/model.pt", weights_only=False)
        assert isinstance(model.norm, _BatchNorm) and model.note == "kept"
        assert type(model).__module__ == "tests._torch_model_helper"
        tokens = torch.load(sys.argv[1] + "/tokens.pt")
        with torch.no_grad():
            torch.save(model(tokens), sys.argv[1] + "/out.pt")
        torch.save(model, sys.argv[1] + "/resaved.pt")
    """))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "ember", "run", str(script), str(tmp_path)], capture_output=True,
                       text=True, timeout=120, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    with torch.no_grad():
        expected = model(tokens)
    same(torch.load(tmp_path / "out.pt"), expected)


# -- weights_only loading of files written by torch ------------------------------------------------------------
def torch_file(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def both_load(data, **kw):
    return torch.load(io.BytesIO(data), **kw), ember.load(io.BytesIO(data), **kw)


def test_python2_builtin_names_and_default_allowlist():
    import collections

    obj = {"set": {1, 2}, "bytes": b"\x00xy", "bytearray": bytearray(b"ab"), "complex": 1 + 2j,
           "counter": collections.Counter("aab"), "od": collections.OrderedDict(a=1), "size": torch.Size([2, 3]),
           "dtype": torch.float16, "device": torch.device("cpu")}
    data = torch_file(obj)
    assert b"__builtin__\nset" in data  # the protocol-2 pickle names Python 2's module
    t, e = both_load(data)
    for k in ("set", "bytes", "bytearray", "complex", "counter", "od"):
        assert e[k] == t[k] and type(e[k]) is type(t[k]), k
    assert tuple(e["size"]) == (2, 3) and e["dtype"] is ember.float16 and str(e["device"]) == "cpu"


def test_tensor_with_attributes_and_parameter():
    x = torch.arange(4.0)
    x.note = "kept"
    p = nn.Parameter(torch.ones(2), requires_grad=False)
    t, e = both_load(torch_file({"x": x, "p": p}))
    assert e["x"].note == t["x"].note == "kept" and e["x"].tolist() == [0, 1, 2, 3]
    assert isinstance(e["p"], ember.nn.Parameter) and e["p"].requires_grad is False


def test_unknown_global_refused_with_torchs_message():
    from tests._torch_model_helper import Point

    data = torch_file({"pt": Point(1, 2)})
    with pytest.raises(Exception) as tinfo:
        torch.load(io.BytesIO(data))
    with pytest.raises(Exception) as einfo:
        ember.load(io.BytesIO(data))
    assert type(einfo.value) is type(tinfo.value)  # pickle.UnpicklingError
    assert str(einfo.value) == str(tinfo.value)
    assert str(einfo.value).startswith("Weights only load failed")
    assert "Unsupported global: GLOBAL tests._torch_model_helper.Point" in str(einfo.value)


def test_safe_globals_allowlist():
    from ember import serialization as es
    from tests._torch_model_helper import Point

    data = torch_file({"pt": Point(1, 2)})
    es.clear_safe_globals()
    with es.safe_globals([Point]):
        assert es.get_safe_globals() == [Point]
        assert ember.load(io.BytesIO(data))["pt"] == Point(1, 2)
    assert es.get_safe_globals() == []
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(io.BytesIO(data))
    es.add_safe_globals([(Point, "tests._torch_model_helper.Point")])
    try:
        assert ember.load(io.BytesIO(data))["pt"] == Point(1, 2)
        assert es.get_safe_globals() == [(Point, "tests._torch_model_helper.Point")]
    finally:
        es.clear_safe_globals()
    assert es.get_safe_globals() == []
    for bad, exc in (((Point,), ValueError), ((Point, 3), TypeError)):
        torch.serialization.add_safe_globals([bad])  # checked when a load consults the allowlist
        es.add_safe_globals([bad])
        try:
            with pytest.raises(exc) as tinfo:
                torch.load(io.BytesIO(data))
            with pytest.raises(exc) as einfo:
                ember.load(io.BytesIO(data))
        finally:
            torch.serialization.clear_safe_globals()
            es.clear_safe_globals()
        assert str(einfo.value) == str(tinfo.value)


def test_blocked_module_even_when_allowlisted():
    import os as os_module
    from ember import serialization as es

    payload = b"\x80\x02cos\ngetcwd\nq\x00)Rq\x01."
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")
    with es.safe_globals([os_module.getcwd, (os_module.getcwd, "os.getcwd")]):
        with pytest.raises(Exception, match="Weights only load failed(.|\n)*GLOBAL os.getcwd whose module os is "
                                            "blocked"):
            ember.load(io.BytesIO(buf.getvalue()))


def test_classes_ember_keeps_in_other_files():
    """torch names these in pooling/normalization/activation/batchnorm; ember defines them elsewhere."""
    torch.manual_seed(5)
    x = torch.randn(2, 4, 6, 6)
    t = trained_bn(nn.Sequential(nn.BatchNorm2d(4), nn.LPPool2d(2, 2), nn.LocalResponseNorm(2), nn.Softshrink(0.1),
                                 nn.AdaptiveMaxPool2d(2), nn.Flatten(), nn.Identity()), x)
    e = roundtrip(t)
    assert [type(m).__name__ for m in e] == [type(m).__name__ for m in t]
    same(e(ember.tensor(x.numpy())), t(x))


def test_layout_both_ways(tmp_path):
    t, e = both_load(torch_file({"l": torch.strided}))
    assert t["l"] is torch.strided and e["l"] is ember.strided
    ember.save({"l": ember.strided}, tmp_path / "l.pt")
    assert torch.load(tmp_path / "l.pt")["l"] is torch.strided
