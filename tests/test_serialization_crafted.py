"""Crafted and interrupted checkpoints (issue 14 §1): files built here with zipfile + pickle that a
careless or hostile writer could produce, loaded by ember and by torch; saves interrupted by an
exception, KeyboardInterrupt or SIGKILL."""
import collections
import io
import os
import pickle
import signal
import stat
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- crafting -------------------------------------------------------------------------------------------
class G:
    """A GLOBAL opcode for module.name (without importing it)."""

    def __init__(self, module, name):
        self.module, self.name = module, name


class PID:
    """A persistent id (BINPERSID) as the writer gives it."""

    def __init__(self, pid):
        self.pid = pid


class R:
    """func(*args) by REDUCE, then BUILD with state when given."""

    def __init__(self, func, args, state=None):
        self.func, self.args, self.state = func, args, state


class _Crafter(pickle._Pickler):
    def __init__(self, f, protocol=2):
        super().__init__(f, protocol=protocol)

    def save(self, obj, save_persistent_id=True):
        if type(obj) is G:
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            return
        if type(obj) is R:
            self.save(obj.func)
            self.save(obj.args)
            self.write(pickle.REDUCE)
            if obj.state is not None:
                self.save(obj.state)
                self.write(pickle.BUILD)
            return
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        return obj.pid if type(obj) is PID else None


def storage(key="0", numel=16, stype="FloatStorage", module="torch"):
    return PID(("storage", G(module, stype), key, "cpu", numel))


def tensor(st, offset, size, stride, requires_grad=False, state=None):
    return R(G("torch._utils", "_rebuild_tensor_v2"),
             (st, offset, tuple(size), tuple(stride), requires_grad, collections.OrderedDict()), state)


F16 = np.arange(16, dtype=np.float32).tobytes()  # 64 bytes


def archive(obj, records=None, compress=zipfile.ZIP_STORED, protocol=2, pkl=None):
    if pkl is None:
        buf = io.BytesIO()
        _Crafter(buf, protocol).dump(obj)
        pkl = buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/byteorder", b"little")
        for key, data in (records if records is not None else {"0": F16}).items():
            info = zipfile.ZipInfo(f"archive/data/{key}")
            info.compress_type = compress
            zf.writestr(info, data)
        zf.writestr("archive/version", b"3\n")
    return out.getvalue()


def load_both(data, weights_only=True):
    """(torch's result or exception, ember's result or exception) for one crafted file."""
    out = []
    for lib in (torch, ember):
        try:
            out.append(lib.load(io.BytesIO(data), weights_only=weights_only))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append(e)
    return out


def assert_same(data, weights_only=True, message=True):
    t, e = load_both(data, weights_only)
    if isinstance(t, Exception):
        assert isinstance(e, Exception), f"torch raised {t!r}, ember returned {e!r}"
        assert type(e) is type(t), (t, e)
        if message:
            n = 60 if isinstance(t, TypeError) else 200  # TypeError: torch lists its overloads after this
            assert str(e)[:n].split(" - got")[0] == str(t)[:n].split(" - got")[0], (str(t), str(e))
        return t, e
    assert not isinstance(e, Exception), f"torch returned, ember raised {e!r}"
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype)[6:] == str(t.dtype)[6:]
    assert e.requires_grad == t.requires_grad
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())
    return t, e


# -- tensor records against their storage's bounds ------------------------------------------------------
@pytest.mark.parametrize("size,stride,offset", [
    ([10 ** 6], [1], 0), ([2], [10 ** 7], 0), ([4], [1], -4), ([4], [-1], 0), ([4], [1], 14), ([4], [1], 10 ** 6),
    ([-1], [1], 0), ([2, -1], [1, 1], 0), ([4, 5], [4, 1], 0), ([2, 2], [1, -1], 0), ([2 ** 62], [1], 0),
    ([2 ** 40, 2 ** 40], [1, 1], 0), ([2], [2 ** 62], 0), ([1], [1], 2 ** 63 - 1), ([0], [1], -1),
    ([2, 2], [1], 0), ([4], [1], 13),
    # valid: in bounds, empty (any offset/stride), a broadcast stride, a negative stride on a length-1 dim
    ([4], [1], 12), ([0], [1], 100), ([100], [0], 15), ([0, 3], [10 ** 9, 1], 0), ([1], [-1], 0),
    ([0, 2], [-5, 1], 0), ([2, 3], [1, 2], 3), ([], [], 15),
])
def test_record_bounds_match_torch(size, stride, offset):
    assert_same(archive(tensor(storage(), offset, size, stride)))


@pytest.mark.parametrize("size", [[2.0], ["a"]])
def test_record_with_non_int_size_is_a_type_error(size):
    assert_same(archive(tensor(storage(), 0, size, [1])))


def test_negative_size_beside_a_zero_is_refused():
    # torch builds a tensor of size (-1, 0); an array cannot have a negative dimension, so ember refuses it
    t, e = load_both(archive(tensor(storage(), 0, [-1, 0], [1, 1])))
    assert tuple(t.shape) == (-1, 0)
    assert isinstance(e, RuntimeError) and "negative dimension" in str(e)


def test_legacy_build_of_a_tensor_is_bounds_checked():
    def built(state):
        return archive(tensor(storage(), 0, [4], [1], state=state))

    assert_same(built((storage(), 2, (3,), (1,))))
    assert_same(built((storage(), 0, (100,), (1,))))
    assert_same(built((storage(), -1, (1,), (1,))))
    # a dict state would overwrite the tensor's internals in a plain unpickler: refused as torch does
    assert_same(built({"_data": 5}))


def test_state_of_a_rebuilt_tensor_cannot_replace_its_internals():
    state = {"_data": 5, "foo": 1}
    data = archive(R(G("torch._tensor", "_rebuild_from_type_v2"),
                     (G("torch._utils", "_rebuild_tensor_v2"), G("torch", "Tensor"),
                      (storage(), 0, (2,), (1,), False, collections.OrderedDict()), state)))
    t, e = load_both(data)
    assert t.foo == 1  # torch keeps _data as a harmless Python attribute; in ember it is the tensor itself
    assert isinstance(e, RuntimeError) and "_data" in str(e)
    del state["_data"]
    data = archive(R(G("torch._tensor", "_rebuild_from_type_v2"),
                     (G("torch._utils", "_rebuild_tensor_v2"), G("torch", "Tensor"),
                      (storage(), 0, (2,), (1,), False, collections.OrderedDict()), state)))
    t, e = assert_same(data)
    assert e.foo == 1


# -- storages: declared size against the record, storage types --------------------------------------------
@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("numel", [2 ** 28, 4, 17, 15])
def test_declared_storage_size_must_match_the_record(numel, weights_only):
    t, e = assert_same(archive(tensor(storage(numel=numel), 0, [4], [1])), weights_only)
    assert isinstance(e, RuntimeError) and "does not match expected size" in str(e)


@pytest.mark.parametrize("pid", [
    ("storage", G("torch", "FooStorage"), "0", "cpu", 16),       # unknown storage type: an unsupported global
    ("storage", G("torch", "UntypedStorage"), "0", "cpu", 64),   # not torch's name for it
    ("storage", 5, "0", "cpu", 16),                               # not a storage type: no bytes-by-default
    ("storage", "FloatStorage", "0", "cpu", 16),
    ("storage", G("torch", "float32"), "0", "cpu", 16),
    ("storage", G("torch.storage", "UntypedStorage"), "0", "cpu", 64),  # bytes, numel in bytes
    ("storage", G("torch", "FloatStorage"), 0, "cpu", 16),       # an int key names the same record
    ("storage", G("torch", "FloatStorage"), "0"),                 # too short
    "storage", ("blah", 1), 5,
    ("storage", G("torch", "FloatStorage"), "1", "cpu", 16),     # no such record
])
def test_persistent_ids_match_torch(pid):
    assert_same(archive(tensor(PID(pid), 0, [4], [1])))


def test_requires_grad_only_on_floating_tensors():
    for stype, numel in (("LongStorage", 8), ("BoolStorage", 64), ("IntStorage", 16)):
        t, e = assert_same(archive(tensor(storage(numel=numel, stype=stype), 0, [2], [1], requires_grad=True)))
        assert isinstance(e, RuntimeError)
    assert_same(archive(tensor(storage(), 0, [2], [1], requires_grad=1)))  # must be a bool
    _, e = assert_same(archive(tensor(storage(), 0, [2], [1], requires_grad=True)))
    assert e.requires_grad and e.is_leaf
    param = R(G("torch._utils", "_rebuild_parameter"),
              (tensor(storage(numel=8, stype="LongStorage"), 0, [2], [1]), True, collections.OrderedDict()))
    assert_same(archive(param))


def test_deflated_records_read_as_torch():
    assert_same(archive(tensor(storage(), 1, [3], [2]), compress=zipfile.ZIP_DEFLATED))


# -- the restricted unpickler's opcodes ------------------------------------------------------------------
def _pkl(*ops):
    return b"\x80\x02" + b"".join(ops) + b"."


@pytest.mark.parametrize("pkl", [
    _pkl(b"]", b"K\x01", b"a"),                                   # APPEND to a list: fine
    _pkl(b"}", b"K\x01", b"K\x02", b"s"),                         # SETITEM on a dict: fine
    _pkl(b"c__builtin__\nset\n", b"]", b"K\x01", b"a", b"\x85", b"R"),  # set([1]) through Python 2's name
    _pkl(b"ccollections\nOrderedDict\n", b")", b"R", b"}", b"X\x09\x00\x00\x00_metadata", b"K\x01", b"s", b"b"),
    _pkl(b"K\x01", b"K\x02", b"a"),                               # APPEND to an int
    _pkl(b"K\x01", b"K\x02", b"K\x03", b"s"),                      # SETITEM on an int
    _pkl(b"K\x01", b"(", b"K\x02", b"e"),                         # APPENDS to an int
    _pkl(b"]", b"(", b"K\x01", b"K\x02", b"u"),                   # SETITEMS on a list
    _pkl(b"ccollections\nCounter\n", b")", b"R", b"}", b"b"),      # BUILD on a Counter: not allowed
    _pkl(b"]", b"}", b"b"),                                        # BUILD on a list
    _pkl(b"\x8c\x01a"),                                           # SHORT_BINUNICODE: not in torch's opcode set
    _pkl(b"\x95" + b"\x00" * 8, b"N"),                            # FRAME
    _pkl(b"S'abc'\n"),                                            # STRING
    _pkl(b"(", b"i__builtin__\nset\n"),                          # INST
    _pkl(b"ctorch\nSize\n", b")", b"\x81"),                        # NEWOBJ of an allowed class
    _pkl(b"ctorch\nTensor\n", b"K\x02", b"K\x03", b"\x86", b"\x81"),  # NEWOBJ Tensor(2, 3): legacy constructor
    _pkl(b"ctorch\nFloatStorage\n", b")", b"R"),                  # REDUCE of a storage type
    _pkl(b"cos\nsystem\n", b"X\x04\x00\x00\x00true", b"\x85", b"R"),
    _pkl(b"cbuiltins\neval\n", b"X\x01\x00\x00\x001", b"\x85", b"R"),
])
def test_restricted_opcodes_match_torch(pkl):
    t, e = load_both(archive(None, {}, pkl=pkl))
    if isinstance(t, Exception):
        assert type(e) is type(t), (t, e)
        if isinstance(t, pickle.UnpicklingError):
            detail = str(t).split("\n\n")[1] if "\n\n" in str(t) else str(t)
            assert detail.split(" but got")[0].split(" Please")[0] in str(e), (str(t), str(e))
    else:
        assert not isinstance(e, Exception), e
        if isinstance(t, torch.Tensor):
            assert tuple(e.shape) == tuple(t.shape)
        else:
            assert e == t and type(e).__name__ == type(t).__name__
            assert getattr(e, "_metadata", None) == getattr(t, "_metadata", None)


def test_state_dict_with_metadata_round_trips_between_ember_and_torch(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    torch.save(model.state_dict(), tmp_path / "t.pt")
    sd = ember.load(tmp_path / "t.pt")
    assert sd._metadata == model.state_dict()._metadata
    assert list(sd) == list(model.state_dict())


# -- memory: a small file cannot make ember allocate a big storage -----------------------------------------
_PEAK = textwrap.dedent("""
    import io, resource, sys
    import ember
    data = open(sys.argv[1], "rb").read()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        t = ember.load(io.BytesIO(data))
        print("loaded", t.shape[0])
    except RuntimeError as e:
        print("refused", str(e)[:40])
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)
""")


def _peak_mb(path):
    out = subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": ROOT})
    assert out.returncode == 0, out.stderr
    what, mb = out.stdout.split("\n")[:2]
    return what, int(mb)


def test_a_1mb_file_declaring_a_1gib_storage_is_refused_without_allocating(tmp_path):
    path = tmp_path / "big.pt"
    path.write_bytes(archive(tensor(storage(numel=2 ** 28), 0, [4], [1]), {"0": b"\0" * (1 << 20)}))
    assert path.stat().st_size < 1.1 * (1 << 20)
    what, mb = _peak_mb(path)
    assert what.startswith("refused record size")
    assert mb < 50, f"peak grew by {mb} MB"


def test_a_deflated_storage_is_inflated_once(tmp_path):
    # 64 MiB of zeros deflates to ~65 kB; the storage it declares is read into one buffer (no second copy)
    n = 1 << 24
    path = tmp_path / "zeros.pt"
    path.write_bytes(archive(tensor(storage(numel=n), 0, [4], [1]), {"0": bytes(4 * n)},
                             compress=zipfile.ZIP_DEFLATED))
    what, mb = _peak_mb(path)
    assert what == "loaded 4"
    assert mb < 64 + 30, f"peak grew by {mb} MB for a 64 MB storage"


# -- saving: interrupted saves, permissions ----------------------------------------------------------------
def _temps(directory):
    return sorted(n for n in os.listdir(directory) if ".ember-tmp-" in n)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_file_has_open_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        ember.save({"a": ember.ones(2)}, tmp_path / "e.pt")
        with open(tmp_path / "o.pt", "wb"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "e.pt").stat().st_mode) == stat.S_IMODE((tmp_path / "o.pt").stat().st_mode)


def test_resave_keeps_the_targets_mode(tmp_path):
    target = tmp_path / "e.pt"
    ember.save(1, target)
    os.chmod(target, 0o640)
    ember.save(2, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and ember.load(target) == 2


@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError])
def test_interrupted_save_leaves_no_temp_file(tmp_path, monkeypatch, exc):
    target = tmp_path / "m.pt"
    ember.save({"w": ember.arange(3)}, target)

    def broken(out, *args):
        out.write(b"x" * 1000)
        raise exc("interrupted")

    monkeypatch.setattr(ember.serialization, "_write_archive", broken)
    with pytest.raises(exc):
        ember.save({"w": ember.zeros(3)}, target)
    assert _temps(tmp_path) == []
    assert ember.load(target)["w"].tolist() == [0, 1, 2]  # the previous file is intact


_SLOW_SAVE = textwrap.dedent("""
    import sys, time
    import ember
    import ember.serialization as S
    write = S._write_archive
    def slow(out, *args):
        out.write(b"partial" * 1000)
        out.flush()
        print("writing", flush=True)
        time.sleep(60)
        write(out, *args)
    S._write_archive = slow
    ember.save({"w": ember.ones(3)}, sys.argv[1])
""")


def test_temp_file_of_a_killed_save_is_swept_by_the_next(tmp_path):
    target = tmp_path / "m.pt"
    child = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(target)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": ROOT})
    try:
        assert child.stdout.readline() == "writing\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    left = _temps(tmp_path)
    assert left == [n for n in left if n.startswith(f".m.pt.ember-tmp-{child.pid}-")] and len(left) == 1
    # a live process's temporary file (a save in progress) and other targets' files are left alone
    live = tmp_path / f".m.pt.ember-tmp-{os.getppid()}-abcd"
    other = tmp_path / f".n.pt.ember-tmp-{child.pid}-abcd"
    live.write_bytes(b"")
    other.write_bytes(b"")
    ember.save({"w": ember.zeros(3)}, target)
    assert _temps(tmp_path) == sorted([live.name, other.name])
    assert ember.load(target)["w"].tolist() == [0, 0, 0]
