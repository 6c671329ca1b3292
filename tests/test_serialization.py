"""ember.save / ember.load: torch's checkpoint format in both directions, safety and robustness."""
import collections
import fractions
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import ember
from tests.oracle import assert_same

DTYPES = ["float32", "float64", "int64", "bool", "float16", "int32", "uint8", "int8", "int16", "bfloat16"]


def pair(dtype, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-5, 5, shape)
    if dtype == "bool":
        a = a > 0
    elif dtype == "bfloat16":
        a = a.astype(np.float32)
    elif dtype == "uint8":
        a = np.abs(a).astype(dtype)
    else:
        a = a.astype(dtype)
    e = ember.tensor(a, dtype=getattr(ember, dtype))
    t = torch.tensor(a, dtype=getattr(torch, dtype))
    return e, t


def assert_tree(e, t):
    if isinstance(t, torch.Tensor):
        assert_same(e, t, tol=dict(rtol=0, atol=0))
        assert e.requires_grad == t.requires_grad
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in t:
            assert_tree(e[k], t[k])
    elif isinstance(t, torch.Size):
        assert tuple(e) == tuple(t) and type(e).__name__ == "Size"
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            assert_tree(a, b)
    elif isinstance(t, torch.dtype):
        assert e is getattr(ember, str(t).split(".")[1])
    else:
        assert e == t and type(e) is type(t)


def nested(m, dtype="float32"):
    e, t = pair(dtype)
    x = e if m is ember else t
    return {"weights": collections.OrderedDict(w=x, b=x[0]), "list": [1, 2.5, "s", None, True, (3, b"raw")],
            "dtype": m.float64, "shape": x.shape, "nested": {"deep": [x.sum()]}}


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_save_torch_load(tmp_path, dtype):
    e, t = pair(dtype)
    ember.save({"x": e, "scalar": e[0, 0], "empty": e[:0]}, tmp_path / "e.pt")
    loaded = torch.load(tmp_path / "e.pt")
    assert_tree({k: v for k, v in {"x": e, "scalar": e[0, 0], "empty": e[:0]}.items()}, loaded)
    assert_same(e, loaded["x"], tol=dict(rtol=0, atol=0))
    assert loaded["scalar"].shape == () and loaded["empty"].shape == (0, 4)
    mapped = torch.load(tmp_path / "e.pt", mmap=True)  # needs torch's 64-byte aligned storages
    assert torch.equal(mapped["x"], loaded["x"])


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_save_ember_load(tmp_path, dtype):
    e, t = pair(dtype)
    torch.save({"x": t, "scalar": t[0, 0], "empty": t[:0]}, tmp_path / "t.pt")
    loaded = ember.load(tmp_path / "t.pt")
    assert_tree(loaded, {"x": t, "scalar": t[0, 0], "empty": t[:0]})


def test_nested_containers_both_ways(tmp_path):
    ember.save(nested(ember), tmp_path / "e.pt")
    torch.save(nested(torch), tmp_path / "t.pt")
    assert_tree(ember.load(tmp_path / "t.pt"), torch.load(tmp_path / "e.pt"))
    assert_tree(ember.load(tmp_path / "e.pt"), nested(torch))


def test_non_contiguous_views_keep_the_whole_storage(tmp_path):
    base = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    views = {"t": base.t(), "col": base[:, 2], "step": base[1:, ::2], "row": base[3]}
    ember.save(views, tmp_path / "v.pt")
    loaded = torch.load(tmp_path / "v.pt")
    tbase = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    expect = {"t": tbase.t(), "col": tbase[:, 2], "step": tbase[1:, ::2], "row": tbase[3]}
    for k in views:
        assert torch.equal(loaded[k], expect[k])
        assert loaded[k].stride() == expect[k].stride()
        assert loaded[k].storage_offset() == expect[k].storage_offset()
        assert loaded[k].untyped_storage().nbytes() == 24 * 4  # the whole base was saved once
    # one storage for all four: writing through one is seen by the others, as in torch
    ptrs = {loaded[k].untyped_storage().data_ptr() for k in views}
    assert len(ptrs) == 1


def test_torch_views_and_shared_storage_into_ember(tmp_path):
    tbase = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    torch.save({"t": tbase.t(), "col": tbase[:, 1], "base": tbase}, tmp_path / "t.pt")
    loaded = ember.load(tmp_path / "t.pt")
    np.testing.assert_array_equal(loaded["t"].numpy(), tbase.t().numpy())
    np.testing.assert_array_equal(loaded["col"].numpy(), tbase[:, 1].numpy())
    assert loaded["t"].stride() == (1, 4) if hasattr(loaded["t"], "stride") else True
    loaded["base"].numpy()[0, 1] = 100.0  # shared memory after loading, as in torch
    assert loaded["col"].numpy()[0] == 100.0 and loaded["t"].numpy()[1, 0] == 100.0


def test_same_tensor_twice_is_one_object(tmp_path):
    e = ember.ones(3)
    ember.save([e, e], tmp_path / "e.pt")
    a, b = ember.load(tmp_path / "e.pt")
    assert a is b
    ta, tb = torch.load(tmp_path / "e.pt")
    assert ta is tb


def test_requires_grad_and_parameters(tmp_path):
    e = ember.ones(3, requires_grad=True)
    p = ember.nn.Parameter(ember.zeros(2))
    ember.save({"e": e, "p": p}, tmp_path / "e.pt")
    t = torch.load(tmp_path / "e.pt")
    assert t["e"].requires_grad and isinstance(t["p"], torch.nn.Parameter)
    torch.save({"p": torch.nn.Parameter(torch.ones(2))}, tmp_path / "t.pt")
    loaded = ember.load(tmp_path / "t.pt")
    assert isinstance(loaded["p"], ember.nn.Parameter) and loaded["p"].requires_grad


def test_optimizer_state_dict_both_ways(tmp_path):
    ep = [ember.ones(3, requires_grad=True), ember.zeros(2, 2, requires_grad=True)]
    tp = [torch.ones(3, requires_grad=True), torch.zeros(2, 2, requires_grad=True)]
    eo, to = ember.optim.Adam(ep, lr=0.01, amsgrad=True), torch.optim.Adam(tp, lr=0.01, amsgrad=True)
    for _ in range(3):
        for e, t in zip(ep, tp):
            g = np.full(tuple(e.shape), 0.5, np.float32)
            e.grad, t.grad = ember.tensor(g), torch.tensor(g)
        eo.step()
        to.step()
    ember.save(eo.state_dict(), tmp_path / "e.pt")
    torch.save(to.state_dict(), tmp_path / "t.pt")
    from_ember = torch.load(tmp_path / "e.pt")
    from_torch = ember.load(tmp_path / "t.pt")
    assert_tree(from_torch, to.state_dict())
    to2 = torch.optim.Adam([torch.ones(3, requires_grad=True), torch.zeros(2, 2, requires_grad=True)])
    to2.load_state_dict(from_ember)  # torch accepts ember's optimizer state as its own
    for i in range(2):
        for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"):
            torch.testing.assert_close(to2.state_dict()["state"][i][k], to.state_dict()["state"][i][k])
    eo2 = ember.optim.Adam([ember.ones(3, requires_grad=True), ember.zeros(2, 2, requires_grad=True)])
    eo2.load_state_dict(from_torch)
    assert eo2.param_groups[0]["lr"] == 0.01 and eo2.param_groups[0]["amsgrad"] is True


def test_file_objects_and_bytes(tmp_path):
    buf = io.BytesIO()
    ember.save({"x": ember.arange(3)}, buf)
    buf.seek(0)
    assert torch.load(buf)["x"].tolist() == [0, 1, 2]
    buf.seek(0)
    assert ember.load(buf)["x"].tolist() == [0, 1, 2]
    tbuf = io.BytesIO()
    torch.save(torch.tensor([1.5]), tbuf)
    tbuf.seek(0)
    assert ember.load(tbuf).tolist() == [1.5]
    with open(tmp_path / "f.pt", "wb") as fh:
        ember.save([1, 2], fh)
    assert ember.load(str(tmp_path / "f.pt")) == [1, 2]


def test_map_location(tmp_path):
    torch.save({"x": torch.ones(2)}, tmp_path / "t.pt")
    for loc in ["cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage, lambda s, loc: None]:
        out = ember.load(tmp_path / "t.pt", map_location=loc)
        assert out["x"].device == ember.device("cpu") and out["x"].tolist() == [1.0, 1.0]
    seen = []
    ember.load(tmp_path / "t.pt", map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cpu"]
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            ember.load(tmp_path / "t.pt", map_location="cuda:0")


def _malicious_zip(path, marker):
    payload = (b"\x80\x02cos\nsystem\nq\x00X" + len(f"touch {marker}").to_bytes(4, "little")
               + f"touch {marker}".encode() + b"q\x01\x85q\x02Rq\x03.")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")


def test_weights_only_refuses_code_execution(tmp_path):
    marker = tmp_path / "pwned"
    _malicious_zip(tmp_path / "evil.pt", marker)
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        ember.load(tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL os.system whose module os is blocked"):
        ember.load(tmp_path / "evil.pt", weights_only=True)
    assert not marker.exists()
    ember.load(tmp_path / "evil.pt", weights_only=False)  # the payload is real: plain pickle runs it
    assert marker.exists()


def test_weights_only_false_loads_arbitrary_objects(tmp_path):
    ember.save({"frac": fractions.Fraction(1, 3)}, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        ember.load(tmp_path / "c.pt")
    assert ember.load(tmp_path / "c.pt", weights_only=False)["frac"] == fractions.Fraction(1, 3)


class _Exploding:
    def __reduce__(self):
        raise RuntimeError("pickling failed midway")


def test_interrupted_save_keeps_previous_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"version": 1, "x": ember.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="pickling failed midway"):
        ember.save({"version": 2, "x": ember.zeros(1000), "bad": _Exploding()}, path)
    assert path.read_bytes() == before
    assert ember.load(path)["version"] == 1
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temporary file left behind


def test_interrupted_write_keeps_previous_file(tmp_path, monkeypatch):
    from ember import serialization

    path = tmp_path / "ckpt.pt"
    ember.save([1], path)

    def failing_write(fileobj, pkl, storages):
        fileobj.write(b"PK partial")
        raise OSError("disk full")

    monkeypatch.setattr(serialization, "_write_archive", failing_write)
    with pytest.raises(OSError, match="disk full"):
        ember.save([2], path)
    monkeypatch.undo()
    assert ember.load(path) == [1] and os.listdir(tmp_path) == ["ckpt.pt"]


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_or_corrupt_file(tmp_path, cut):
    path = tmp_path / "c.pt"
    ember.save({"x": ember.ones(100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed reading zip archive"):
        ember.load(path)
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed reading zip archive"):
        ember.load(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        ember.load("/nonexistent/dir/x.pt")


def test_cuda_location_mapping(tmp_path):
    """A checkpoint saved from a GPU names 'cuda:0' as its storages' location."""
    buf = io.BytesIO()
    torch.save({"x": torch.arange(4.0)}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(tmp_path / "gpu.pt", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            dst.writestr(item.filename, data)
    seen = []
    ember.load(tmp_path / "gpu.pt", map_location=lambda s, loc: seen.append(loc) or s)
    assert seen == ["cuda:0"]
    for loc in [{"cuda:0": "cpu"}, "cpu", lambda s, loc: s.cpu()]:
        out = ember.load(tmp_path / "gpu.pt", map_location=loc)
        assert out["x"].tolist() == [0.0, 1.0, 2.0, 3.0] and out["x"].device == ember.device("cpu")
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            ember.load(tmp_path / "gpu.pt")
    else:
        assert ember.load(tmp_path / "gpu.pt")["x"].device == ember.device("cuda:0")


def _mlp(m):
    return m.nn.Sequential(m.nn.Linear(3, 5), m.nn.ReLU(), m.nn.Linear(5, 2))


def test_module_state_dict_both_ways(tmp_path):
    em, tm = _mlp(ember), _mlp(torch)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    ember.save(em.state_dict(), tmp_path / "e.pt")
    tm.load_state_dict(torch.load(tmp_path / "e.pt"))
    np.testing.assert_allclose(tm(torch.tensor(x)).detach().numpy(), em(ember.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    tm2 = _mlp(torch)
    torch.save(tm2.state_dict(), tmp_path / "t.pt")
    sd = ember.load(tmp_path / "t.pt")
    assert isinstance(sd, collections.OrderedDict) and list(sd) == list(tm2.state_dict())
    em.load_state_dict(sd)
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(), tm2(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_whole_module_needs_weights_only_false(tmp_path):
    em = _mlp(ember)
    ember.save(em, tmp_path / "m.pt")
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        ember.load(tmp_path / "m.pt")
    loaded = ember.load(tmp_path / "m.pt", weights_only=False)
    x = ember.randn(2, 3)
    assert type(loaded) is type(em) and isinstance(loaded[0].weight, ember.nn.Parameter)
    np.testing.assert_array_equal(loaded(x).detach().numpy(), em(x).detach().numpy())


Point = collections.namedtuple("Point", "x y")


def test_safe_globals(tmp_path):
    from ember import serialization

    ember.save({"p": Point(1, ember.ones(2))}, tmp_path / "p.pt")
    with pytest.raises(pickle.UnpicklingError, match=f"Unsupported global: GLOBAL {Point.__module__}.Point"):
        ember.load(tmp_path / "p.pt")
    with serialization.safe_globals([Point]):
        assert ember.load(tmp_path / "p.pt")["p"].x == 1
    assert serialization.get_safe_globals() == []
    serialization.add_safe_globals([(Point, f"{Point.__module__}.Point")])
    try:
        assert ember.load(tmp_path / "p.pt")["p"].y.tolist() == [1.0, 1.0]
    finally:
        serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "p.pt")
