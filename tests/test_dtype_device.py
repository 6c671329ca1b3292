"""dtypes, finfo/iinfo, promotion functions, devices, Size, legacy tensor classes and
ember.cuda, each compared with torch."""
import copy
import itertools
import pickle

import numpy as np
import pytest
import torch
from oracle import same_error

import ember

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def short(d):
    return str(d).split(".")[-1]


# -- dtypes -------------------------------------------------------------------------------
def test_aliases_are_the_same_objects():
    for alias, name in [("float", "float32"), ("double", "float64"), ("half", "float16"), ("long", "int64"),
                        ("int", "int32"), ("short", "int16")]:
        assert getattr(ember, alias) is getattr(ember, name)
        assert getattr(torch, alias) is getattr(torch, name)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    e, t = getattr(ember, name), getattr(torch, name)
    for attr in ("is_floating_point", "is_signed", "itemsize", "is_complex"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t).replace("torch.", "ember.") == str(e)
    assert e.to_real() is e and short(t.to_real()) == name
    assert pickle.loads(pickle.dumps(e)) is e
    assert copy.deepcopy(e) is e
    assert isinstance(e, ember.dtype)
    assert e == e and e != "float32" and hash(e) == hash(getattr(ember, name))


def test_element_size_matches_itemsize():
    for name in NAMES:
        e = ember.zeros(2, dtype=getattr(ember, name))
        t = torch.zeros(2, dtype=getattr(torch, name))
        assert e.element_size() == t.element_size() == e.itemsize
        assert e.nbytes == t.nbytes


@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)
    assert e == ember.finfo(getattr(ember, name))


def test_finfo_default_follows_default_dtype():
    assert ember.finfo().dtype == "float32"
    ember.set_default_dtype(ember.float64)
    assert ember.finfo().dtype == "float64"


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


@pytest.mark.parametrize("call", [
    lambda m: m.finfo(m.int32), lambda m: m.iinfo(m.float32), lambda m: m.iinfo(m.bool), lambda m: m.finfo(3),
    lambda m: m.iinfo("int32"),
])
def test_info_errors(call):
    e, t = same_error(call)
    assert e.split(":")[0] == t.split(":")[0].replace("torch.", "ember.") or e[:30] == t[:30]


def test_promote_types_and_can_cast_all_pairs():
    for a, b in itertools.product(NAMES, NAMES):
        ea, eb, ta, tb = getattr(ember, a), getattr(ember, b), getattr(torch, a), getattr(torch, b)
        assert short(ember.promote_types(ea, eb)) == short(torch.promote_types(ta, tb)), (a, b)
        assert ember.can_cast(ea, eb) == torch.can_cast(ta, tb), (a, b)


@pytest.mark.parametrize("call", [
    lambda m: m.promote_types(m.float32, 3), lambda m: m.promote_types("a", m.float32),
    lambda m: m.can_cast(1, m.float32), lambda m: m.can_cast(m.float32, None),
])
def test_dtype_function_errors(call):
    e, t = same_error(call)
    assert e == t


SCALARS = [True, 3, 2.5, np.float64(2.0), np.int64(2), np.float32(1.5)]


def test_result_type_all_pairs():
    def operands(m):
        out = list(SCALARS)
        for name in NAMES:
            d = getattr(m, name)
            out.append(m.ones(2, dtype=d))
            out.append(m.tensor(1, dtype=d))
        return out

    for x, y in itertools.product(range(len(operands(torch))), repeat=2):
        ex, ey, tx, ty = operands(ember)[x], operands(ember)[y], operands(torch)[x], operands(torch)[y]
        if not (isinstance(tx, torch.Tensor) or isinstance(ty, torch.Tensor)):
            continue  # torch.result_type needs a tensor
        assert short(ember.result_type(ex, ey)) == short(torch.result_type(tx, ty)), (tx, ty)


def test_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    assert ember.tensor([1.5]).dtype is ember.float64 and ember.ones(2).dtype is ember.float64
    assert ember.tensor([1]).dtype is ember.int64
    for bad in ("int64", "bool"):
        same_error(lambda m: m.set_default_dtype(getattr(m, bad)))


# -- devices --------------------------------------------------------------------------------
DEVICE_ARGS = [("cpu",), ("cuda",), ("cuda:0",), ("cuda:3",), ("cuda", 1), ("cpu", 0), ("cpu:0",), ("meta",),
               ("mps",)]


@pytest.mark.parametrize("args", DEVICE_ARGS)
def test_device_parsing(args):
    e, t = ember.device(*args), torch.device(*args)
    assert (e.type, e.index) == (t.type, t.index)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e == ember.device(*args) and hash(e) == hash(ember.device(*args))
    assert pickle.loads(pickle.dumps(e)) == e
    assert ember.device(e) == e
    assert ember.device(type=t.type, index=t.index) == e


def test_device_equality_like_torch():
    assert (ember.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert (ember.device("cuda") == ember.device("cuda:0")) == (torch.device("cuda") == torch.device("cuda:0"))
    assert ember.device("cuda", 1) != ember.device("cuda", 2)
    assert ember.device("cpu") != 3


@pytest.mark.parametrize("args", [("cuda:x",), ("gpu",), ("cuda:0", 1), ("cuda:-1",), ("cpu", -1), (None,), (1.5,),
                                  ("CPU",), (" cpu",), ("cuda:01",), ("cuda:",)])
def test_device_errors(args):
    e, t = same_error(lambda m: m.device(*args))
    assert e[:40] == t[:40]


def test_default_device_and_context():
    assert ember.get_default_device() == ember.device("cpu")
    with ember.device("cpu") as d:
        assert d == ember.device("cpu")
        assert ember.get_default_device() == ember.device("cpu")
        assert ember.ones(1).device == ember.device("cpu")
    ember.set_default_device("cpu")
    ember.set_default_device(None)
    assert str(ember.get_default_device()) == str(torch.get_default_device())


def test_tensor_device_attributes():
    e, t = ember.ones(2), torch.ones(2)
    assert e.device == ember.device("cpu") and str(e.device) == str(t.device)
    assert e.is_cpu and not e.is_cuda and e.get_device() == t.get_device() == -1


# -- Size -------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "S([2, 3])", "str(S([2, 3]))", "S([])", "S([2, 3]) == (2, 3)", "S([2, 3])[1:]", "S([2, 3])[::-1]",
    "S([2, 3])[0]", "S([2, 3, 4]).numel()", "S([]).numel()", "S([2, 3]) + (4,)", "(1,) + S([2])",
    "S([2, 3]) * 2", "2 * S([2])", "pickle.loads(pickle.dumps(S([2, 3])))", "copy.deepcopy(S([1]))",
    "S([m.tensor(2)])", "hash(S([2, 3])) == hash((2, 3))", "S((1, 2)).index(2)", "S([-1])", "S(x for x in (1, 2))",
    "type(S([2, 3])[1:]).__name__", "type(S([2]) + (1,)).__name__", "type(pickle.loads(pickle.dumps(S([2])))).__name__",
    "m.ones(2, 3).shape", "m.ones(2, 3).size()", "m.ones(2, 3).size(1)", "m.ones(2, 3).size(-1)",
])
def test_size(expr):
    env = dict(pickle=pickle, copy=copy)
    e = eval(expr, dict(env, S=ember.Size, m=ember))
    t = eval(expr, dict(env, S=torch.Size, m=torch))
    assert repr(e) == repr(t)
    assert type(e).__name__ == type(t).__name__


@pytest.mark.parametrize("expr", ["S([2.5])", "S(['a'])", "S(3)", "S([2, 3]) + [4]"])
def test_size_errors(expr):
    e, t = same_error(lambda m: eval(expr, {"S": m.Size}))
    assert e == t


# -- legacy tensor classes ----------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "m.FloatTensor([1, 2])", "m.FloatTensor(2, 3).shape", "m.FloatTensor()", "m.LongTensor([1.7])",
    "m.DoubleTensor([[1, 2]])", "m.BoolTensor([1, 0])", "m.ByteTensor([1, 2])", "m.IntTensor(2).dtype",
    "m.HalfTensor([1.5])", "m.FloatTensor(m.tensor([1.0, 2]))", "m.FloatTensor(m.Size([2])).shape",
    "m.Tensor([1, 2])", "m.Tensor(2, 3).shape", "m.Tensor()",
    "isinstance(m.ones(2), m.FloatTensor)", "isinstance(m.ones(2), m.DoubleTensor)",
    "isinstance(m.ones(2, dtype=m.int64), m.LongTensor)", "isinstance(m.ones(2), m.cuda.FloatTensor)",
    "isinstance(m.ones(2), m.Tensor)", "issubclass(m.FloatTensor, m.Tensor)",
    "repr(m.FloatTensor)", "repr(m.cuda.LongTensor)", "m.FloatTensor.dtype",
    "m.ones(2).type()", "m.ones(2, dtype=m.bool).type()", "m.ones(2, dtype=m.uint8).type()",
    "m.ones(2).type(m.DoubleTensor)", "m.ones(2).type('torch.DoubleTensor')", "m.ones(2).type(m.int64)",
    "m.ones(2).type(m.FloatTensor)", "m.ones(2, dtype=m.float64).type(m.IntTensor)",
])
def test_legacy_classes(expr):
    e = eval(expr, {"m": ember})
    t = eval(expr, {"m": torch})
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor)
    assert repr(e).replace("ember.", "torch.") == repr(t)


def test_to_positional_non_blocking_and_copy():
    """to(device, dtype, non_blocking, copy): a positional copy=True copies even when nothing changes."""
    for m in (torch, ember):
        x = m.ones(2, dtype=m.float64)
        assert x.to("cpu", m.float64, False, True) is not x
        assert x.to(m.float64, False, True) is not x
        assert x.to("cpu", m.float64, True) is x
        assert x.to(x, False, False) is x
        y = x.to("cpu", m.float32, True, False)
        assert y.dtype == m.float32 and y.tolist() == [1.0, 1.0]


def test_type_without_change_returns_self():
    x = ember.ones(2)
    assert x.type(ember.float32) is x and x.type(ember.FloatTensor) is x


@pytest.mark.parametrize("expr", ["m.ones(2).type('float')", "m.ones(2).type('torch.Nothing')",
                                  "m.LongTensor(m.tensor([1.5]))", "m.FloatTensor('a')", "m.FloatTensor(2.5)"])
def test_legacy_errors(expr):
    same_error(lambda m: eval(expr, {"m": m}))


# -- ember.cuda without a GPU ---------------------------------------------------------------------
needs_no_gpu = pytest.mark.skipif(ember.cuda.is_available(), reason="checks the no-GPU behaviour")


@needs_no_gpu
def test_cuda_without_gpu_answers_like_torch_cpu_build():
    for name in ("is_available", "device_count", "memory_allocated", "max_memory_allocated", "memory_reserved",
                 "max_memory_reserved", "is_initialized"):
        assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)(), name
    for name in ("manual_seed", "manual_seed_all"):
        assert getattr(ember.cuda, name)(0) is None
    assert ember.cuda.seed() is None and ember.cuda.empty_cache() is None
    assert ember.cuda.is_bf16_supported() is False


@needs_no_gpu
@pytest.mark.parametrize("call", [
    lambda m: m.cuda.current_device(), lambda m: m.cuda.get_device_name(), lambda m: m.cuda.get_device_name(0),
    lambda m: m.cuda.get_device_properties(0), lambda m: m.cuda.get_device_capability(),
    lambda m: m.cuda.synchronize(), lambda m: m.cuda.init(),
    lambda m: m.ones(2).cuda(), lambda m: m.ones(2).to("cuda"), lambda m: m.ones(2, device="cuda"),
    lambda m: m.ones(2).to(m.device("cuda", 0)),
])
def test_cuda_calls_needing_a_gpu_raise(call):
    e, t = same_error(call)
    assert e.startswith("Torch not compiled with CUDA enabled")


@needs_no_gpu
def test_set_default_device_cuda_fails_clearly():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.ones(2).type("torch.cuda.FloatTensor")  # torch's CPU build: RuntimeError from its linker check
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.set_default_device("cuda")
    assert ember.get_default_device() == ember.device("cpu")
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        with ember.device("cuda"):
            pass
    assert ember.get_default_device() == ember.device("cpu")


def test_cuda_import_is_lazy():
    import subprocess
    import sys

    code = "import ember, sys; ember.cuda.device_count; print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.skipif(not ember.cuda.is_available(), reason="needs a GPU")
def test_cuda_with_gpu():
    import cupy

    n = cupy.cuda.runtime.getDeviceCount()
    assert ember.cuda.device_count() == n >= 1
    assert ember.cuda.current_device() == 0
    assert isinstance(ember.cuda.get_device_name(), str) and ember.cuda.get_device_name()
    major, minor = ember.cuda.get_device_capability(0)
    assert major >= 3
    x = ember.ones(1024, 1024, device="cuda")
    assert ember.cuda.is_initialized()
    assert ember.cuda.memory_allocated() >= x.nbytes
    assert ember.cuda.max_memory_allocated() >= ember.cuda.memory_allocated()
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
    ember.cuda.synchronize()
    before = ember.cuda.memory_allocated()
    del x
    assert ember.cuda.memory_allocated() < before
    ember.cuda.empty_cache()
    assert ember.cuda.memory_reserved() == ember.cuda.memory_allocated()
    with ember.cuda.device(0):
        assert ember.cuda.current_device() == 0
    ember.cuda.set_device("cuda:0")
    ember.cuda.manual_seed(0)
    a = cupy.random.rand(3)
    ember.cuda.manual_seed(0)
    assert (cupy.random.rand(3) == a).all()
    y = ember.ones(3, device="cuda")
    assert repr(y) == "tensor([1., 1., 1.], device='cuda:0')"
    assert y.type() == "torch.cuda.FloatTensor" and isinstance(y, ember.cuda.FloatTensor)
    assert y.type(ember.DoubleTensor).device == ember.device("cpu")


# -- ember.cuda against a stand-in CuPy (the code paths a GPU machine takes) ----------------------
class _FakeCupy:
    """Just the CuPy surface ember.cuda uses: runtime, Device, memory pool, random."""

    def __init__(self, count):
        import types

        self.current, self.seeds = 0, []
        fake = self

        class Device:
            def __init__(self, i):
                self.i = i

            def __enter__(self):
                self.prev, fake.current = fake.current, self.i

            def __exit__(self, *exc):
                fake.current = self.prev

        class Pool:
            used, total = [100, 0], [300, 0]

            def used_bytes(self):
                return self.used[fake.current]

            def total_bytes(self):
                return self.total[fake.current]

            def free_all_blocks(self):
                self.total[fake.current] = self.used[fake.current]

        runtime = types.SimpleNamespace(
            getDeviceCount=lambda: count, getDevice=lambda: fake.current,
            setDevice=lambda i: setattr(fake, "current", i), deviceSynchronize=lambda: None,
            getDeviceProperties=lambda i: {"name": b"Fake GPU", "major": 8, "minor": 0, "totalGlobalMem": 2**34,
                                           "multiProcessorCount": 100, "l2CacheSize": 2**25})
        self.cuda = types.SimpleNamespace(runtime=runtime, Device=Device)
        self.pool = Pool()
        self.get_default_memory_pool = lambda: self.pool
        self.random = types.SimpleNamespace(seed=lambda s=None: self.seeds.append((fake.current, s)))
        self.ndarray = type("ndarray", (), {})


@pytest.fixture
def fake_cupy(monkeypatch):
    import sys

    def install(count):
        fake = _FakeCupy(count)
        monkeypatch.setitem(sys.modules, "cupy", fake)
        monkeypatch.setattr(ember._device, "_cupy", None)
        monkeypatch.setattr(ember.cuda, "_available", [])
        return fake

    return install


def test_cuda_with_cupy_but_no_device(fake_cupy):
    fake_cupy(0)
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    assert ember.cuda.memory_allocated() == 0 and not ember.cuda.is_initialized()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled.*No CUDA GPUs are available"):
        ember.cuda.current_device()


def test_cuda_answers_from_cupy(fake_cupy):
    fake = fake_cupy(2)
    assert ember.cuda.is_available() and ember.cuda.device_count() == 2
    ember.cuda.init()
    assert ember.cuda.is_initialized()
    assert ember.cuda.current_device() == 0
    assert ember.cuda.get_device_name() == "Fake GPU" and ember.cuda.get_device_capability(1) == (8, 0)
    props = ember.cuda.get_device_properties("cuda:0")
    assert props.total_memory == 2**34 and "Fake GPU" in repr(props) and "16384MB" in repr(props)
    assert ember.cuda.is_bf16_supported()
    assert ember.cuda.memory_allocated() == 100 and ember.cuda.memory_reserved() == 300
    assert ember.cuda.max_memory_allocated(0) == 300 and ember.cuda.memory_allocated(1) == 0
    ember.cuda.reset_peak_memory_stats()
    assert ember.cuda.max_memory_allocated() == 100
    ember.cuda.set_device(ember.device("cuda", 1))
    assert ember.cuda.current_device() == 1
    with ember.cuda.device(0):
        assert ember.cuda.current_device() == 0
    assert ember.cuda.current_device() == 1
    with ember.cuda.device(None):
        assert ember.cuda.current_device() == 1
    ember.cuda.set_device(-1)  # ignored, as in torch
    assert ember.cuda.current_device() == 1
    ember.cuda.manual_seed(5)
    ember.cuda.manual_seed_all(7)
    assert fake.seeds == [(1, 5), (0, 7), (1, 7)]
    ember.cuda.synchronize("cuda:0")
    with pytest.raises(ValueError):
        ember.cuda.get_device_name("cpu")


def test_nested_device_contexts_restore_in_order(fake_cupy):
    fake_cupy(1)
    cpu = ember.ones(1).device  # a shared object
    ember.set_default_device("cuda")
    with cpu:
        with cpu:
            assert ember.get_default_device() == ember.device("cpu")
        assert ember.get_default_device() == ember.device("cpu")
    assert ember.get_default_device() == ember.device("cuda", 0)
