"""safetensors: the real package's torch API under `ember run`, and ember's built-in reader/writer
(ember.utils.safetensors), checked against real torch + safetensors in both directions."""
import json
import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from safetensors import SafetensorError as RealError
from safetensors import torch as st

import ember
from ember.utils import safetensors as es

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def torch_tensors():
    g = torch.Generator().manual_seed(0)
    out = {}
    for i, name in enumerate(DTYPES):
        x = torch.randn(2, 3 + i, generator=g) * 10
        out[name] = x > 0 if name == "bool" else x.to(getattr(torch, name))
    out["scalar"] = torch.tensor(2.5)
    out["empty"] = torch.zeros(0, 4)
    return out


def assert_same(e, t):
    assert e.dtype == getattr(ember, str(t.dtype).split(".")[1]) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.float().numpy() if e.dtype == ember.bfloat16 else e.numpy(),
                                  t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy())


def test_builtin_reads_files_of_real_safetensors(tmp_path):
    t = torch_tensors()
    st.save_file(t, tmp_path / "t.safetensors", metadata={"format": "pt"})
    e = es.load_file(tmp_path / "t.safetensors")
    assert set(e) == set(t)
    for k in t:
        assert_same(e[k], t[k])
    with es.safe_open(tmp_path / "t.safetensors", framework="pt") as f:
        assert f.metadata() == {"format": "pt"} and sorted(f.keys()) == sorted(t)
        assert_same(f.get_tensor("int16"), t["int16"])
    e2 = es.load(st.save(t))
    for k in t:
        assert_same(e2[k], t[k])


def test_builtin_writes_what_real_safetensors_writes(tmp_path):
    t = torch_tensors()
    e = {k: ember.tensor(v.float().numpy()).to(getattr(ember, str(v.dtype).split(".")[1])) for k, v in t.items()}
    es.save_file(e, tmp_path / "e.safetensors", metadata={"k": "v"})
    back = st.load_file(tmp_path / "e.safetensors")
    for k in t:
        assert back[k].dtype == t[k].dtype and torch.equal(back[k], t[k]), k
    # byte for byte the file the package writes
    assert es.save(e, metadata={"k": "v"}) == st.save(t, metadata={"k": "v"})
    with pytest.raises(ValueError, match="non contiguous"):
        es.save_file({"x": ember.ones(3, 4).t()}, tmp_path / "nc.safetensors")


def test_save_file_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    es.save_file({"a": ember.ones(2)}, path)
    before = path.read_bytes()

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        es.save_file({"a": ember.zeros(5)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.safetensors"]


def _file(header, data=b"", raw_len=None):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if raw_len is None else raw_len) + text + data


BAD = {
    "overlap": _file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                      "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)),
    "out_of_range": _file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(4)),
    "gap": _file({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)),
    "unknown_dtype": _file({"a": {"dtype": "F99", "shape": [1], "data_offsets": [0, 4]}}, bytes(4)),
    "size_disagrees": _file({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, bytes(8)),
    "huge_header": _file({}, raw_len=2 ** 62),
    "header_past_end": _file({}, raw_len=1000),
    "not_json": struct.pack("<Q", 8) + b"{nope!!}",
    "too_small": b"\x01\x00",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_headers_are_refused(tmp_path, case):
    data = BAD[case]
    with pytest.raises(RealError):  # the real package refuses each too
        st.load(data)
    with pytest.raises(es.SafetensorError, match="Error while deserializing header"):
        es.load(data)
    (tmp_path / "bad.safetensors").write_bytes(data)
    with pytest.raises(es.SafetensorError, match="Error while deserializing header"):
        es.load_file(tmp_path / "bad.safetensors")


def test_real_package_under_ember_run(tmp_path):
    t = torch_tensors()
    st.save_file(t, tmp_path / "from_torch.safetensors")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    st.save_model(model, tmp_path / "model.safetensors")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch, ember
        from safetensors.torch import save_file, load_file, save_model, load_model
        assert torch is ember
        d = sys.argv[1]
        loaded = load_file(d + "/from_torch.safetensors")
        assert isinstance(loaded["float32"], ember.Tensor)
        save_file(loaded, d + "/roundtrip.safetensors")
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
        missing, unexpected = load_model(model, d + "/model.safetensors")
        assert not missing and not unexpected
        x = torch.arange(6.0).reshape(2, 3)
        save_file({"out": model(x).detach()}, d + "/out.safetensors")
        save_model(model, d + "/model_ember.safetensors")
    """))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "ember", "run", str(script), str(tmp_path)], capture_output=True,
                       text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    back = st.load_file(tmp_path / "roundtrip.safetensors")
    for k in t:
        assert back[k].dtype == t[k].dtype and torch.equal(back[k], t[k]), k
    out = st.load_file(tmp_path / "out.safetensors")["out"]
    torch.testing.assert_close(out, model(torch.arange(6.0).reshape(2, 3)).detach())
    other = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    st.load_model(other, tmp_path / "model_ember.safetensors")
    for a, b in zip(other.parameters(), model.parameters()):
        assert torch.equal(a, b)


# -- the core pieces the package's torch API uses ---------------------------------------------------------------
@pytest.mark.parametrize("src,dst,shape", [("float32", "int32", (2, 3)), ("uint8", "float32", (2, 8)),
                                           ("float32", "uint8", (3,)), ("bfloat16", "float32", (4,)),
                                           ("uint8", "bfloat16", (2, 6)), ("float64", "int64", ())])
def test_view_dtype_bitcasts_as_torch(src, dst, shape):
    a = np.arange(int(np.prod(shape))).reshape(shape)
    t = torch.tensor(a, dtype=getattr(torch, src)).view(dtype=getattr(torch, dst))
    e = ember.tensor(a, dtype=getattr(ember, src)).view(getattr(ember, dst))
    assert_same(e, t)


@pytest.mark.parametrize("src,dst,make", [("float32", "float64", lambda lib: lib.arange(6.0).reshape(2, 3)),
                                          ("float32", "float64", lambda lib: lib.tensor(1.0)),
                                          ("float32", "float64", lambda lib: lib.arange(8.0).reshape(2, 4)[:, ::2])])
def test_view_dtype_errors_as_torch(src, dst, make):
    with pytest.raises(RuntimeError) as t_err:
        make(torch).view(getattr(torch, dst))
    with pytest.raises(RuntimeError) as e_err:
        make(ember).view(getattr(ember, dst))
    assert str(e_err.value) == str(t_err.value)


def test_untyped_storage_from_file(tmp_path):
    path = tmp_path / "raw.bin"
    path.write_bytes(bytes(range(16)))
    t = torch.UntypedStorage.from_file(str(path), shared=False, nbytes=12)
    e = ember.UntypedStorage.from_file(str(path), shared=False, nbytes=12)
    assert e.nbytes() == t.nbytes() == 12 and e.untyped() is e
    assert e[3] == t[3] and list(e[4:8]) == list(t[4:8])
    assert_same(ember.asarray(e[4:12], dtype=ember.uint8).view(dtype=ember.int32),
                torch.asarray(t[4:12], dtype=torch.uint8).view(dtype=torch.int32))
