"""ember's CUDA backend, against torch: on the CPU stand-in for CuPy (ember/testing/fake_cupy.py)
in CI, on the real device under scripts/gpu_check.sh (EMBER_CUDA_TESTS=real).

The stand-in is switched on for this module only (EMBER_FAKE_CUDA=1, then ember's CuPy
handle reset), so the rest of the suite keeps seeing a machine without CUDA.
"""
import io
import os
import pickle

import numpy as np
import pytest
import torch

import ember
from ember import _device
from oracle import assert_same


REAL = os.environ.get("EMBER_CUDA_TESTS") == "real"  # scripts/gpu_check.sh on a GPU machine
stand_in_only = pytest.mark.skipif(REAL, reason="checks the CPU stand-in itself")


@pytest.fixture(autouse=True, scope="module")
def fake_cuda():
    import ember.cuda

    saved = os.environ.get("EMBER_FAKE_CUDA"), _device._cupy, list(ember.cuda._available), list(_device._count)
    if not REAL:
        os.environ["EMBER_FAKE_CUDA"] = "1"
        _device._cupy = None
        _device._count.clear()
        ember.cuda._available.clear()
    yield _device._import_cupy()
    if not REAL:
        env, _device._cupy, ember.cuda._available[:], _device._count[:] = saved
        if env is None:
            del os.environ["EMBER_FAKE_CUDA"]
        else:
            os.environ["EMBER_FAKE_CUDA"] = env


@pytest.fixture
def cp(fake_cuda):
    return fake_cuda


# -- the stand-in is strict where CuPy is ---------------------------------------------
@stand_in_only
def test_stand_in_arrays_refuse_host_conversion(cp):
    a = cp.arange(6, dtype=np.float32).reshape(2, 3)
    assert not isinstance(a, np.ndarray) and hasattr(a, "__cuda_array_interface__")
    assert a.device.id == 0
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(a)
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        a + np.ones(3, np.float32)
    with pytest.raises(TypeError):
        np.exp(a)  # a NumPy function on a device array is a leak
    with pytest.raises(TypeError):
        [1, 2, 3][cp.asarray(1)]  # CuPy arrays have no __index__
    np.testing.assert_array_equal(a.get(), np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(cp.asnumpy(a * 2), a.get() * 2)


@stand_in_only
def test_stand_in_scalars_are_device_arrays(cp):
    a = cp.arange(4.0)
    s = a.sum()
    assert type(s) is cp.ndarray and s.shape == ()
    assert type(a[1]) is cp.ndarray and a[1].shape == ()
    assert float(s) == 6.0 and int(a[3]) == 3 and a[2].item() == 2.0 and bool(a[1])
    with pytest.raises(ValueError, match="truth value"):
        bool(a)
    a[1][...] = 9  # a[i] is a view of a, as in CuPy
    assert a.tolist() == [0.0, 9.0, 2.0, 3.0]
    assert np.float32(2) * a is not None and type(np.float32(2) * a) is cp.ndarray


@stand_in_only
def test_stand_in_dtypes_memory_and_kernels(cp):
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.asarray(np.array(["a"]))
    pool = cp.get_default_memory_pool()
    pool.free_all_blocks()
    before = pool.used_bytes()
    a = cp.zeros(1000, dtype=np.float64)
    assert pool.used_bytes() == before + 8000
    del a
    assert pool.used_bytes() == before and pool.total_bytes() >= before + 8000
    pool.free_all_blocks()
    assert pool.total_bytes() == pool.used_bytes()
    k = cp.ElementwiseKernel("T x", "T y", "y = x * 2", "double_it")
    with pytest.raises(cp.KernelNotRunnable, match="double_it"):
        k(cp.arange(3))
    fused = cp.fuse(lambda x, y: x * y + 1)  # fused functions run eagerly on the stand-in
    assert fused(cp.arange(3.0), cp.arange(3.0)).tolist() == [1.0, 2.0, 5.0]
    b = pickle.loads(pickle.dumps(cp.arange(3.0)))  # through a host copy, as CuPy pickles
    assert type(b) is cp.ndarray and b.tolist() == [0.0, 1.0, 2.0]


# -- torch.cuda -----------------------------------------------------------------------
def test_device_queries():
    assert ember.cuda.is_available() and ember.cuda.device_count() >= 1
    assert ember.cuda.current_device() == 0 and ember.cuda.is_initialized()
    assert isinstance(ember.cuda.get_device_name(), str) and ember.cuda.get_device_name(0)
    major, minor = ember.cuda.get_device_capability()
    p = ember.cuda.get_device_properties(0)
    assert p.total_memory > 0 and p.multi_processor_count > 0 and "name=" in repr(p)
    assert (p.major, p.minor) == (major, minor) and ember.cuda.get_arch_list() == [f"sm_{major}{minor}"]
    assert ember.cuda.is_bf16_supported() == (major >= 8)
    assert ember.cuda.can_device_access_peer(0, 0) is False
    free, total = ember.cuda.mem_get_info()
    assert 0 < free <= total
    ember.cuda.synchronize()
    with ember.cuda.device(0):
        assert ember.cuda.current_device() == 0
    with pytest.raises(ValueError, match="Expected a cuda device"):
        ember.cuda.synchronize("cpu")


def test_devices_and_defaults():
    assert ember.device("cuda").index is None and str(ember.device("cuda", 0)) == "cuda:0"
    x = ember.ones(2, device="cuda")
    assert x.is_cuda and x.device == ember.device("cuda:0") and x.get_device() == 0
    assert repr(x) == "tensor([1., 1.], device='cuda:0')"
    ember.set_default_device("cuda")
    assert ember.get_default_device() == ember.device("cuda", 0)
    y = ember.zeros(3)
    assert y.device.type == "cuda"
    with ember.device("cpu"):
        assert ember.zeros(1).device.type == "cpu"
    assert ember.tensor([1.0]).device.type == "cuda"
    ember.set_default_device("cpu")
    assert ember.zeros(1).is_cpu


def test_moving_between_devices():
    t = torch.arange(6.0).reshape(2, 3)
    e = ember.arange(6.0).reshape(2, 3)
    c = e.cuda()
    assert c.device.type == "cuda" and c.cuda() is c
    assert c.cpu().is_cpu and c.cpu().numpy().tolist() == t.tolist()
    d = e.to("cuda", non_blocking=True)
    assert d.is_cuda and d.to("cuda:0") is d
    assert e.to(ember.device("cuda"), ember.float64).dtype is ember.float64
    assert c.to(dtype=ember.float16).device == c.device
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        c.numpy()
    assert c.double().sum().item() == 15.0 and c.tolist() == t.tolist()
    assert c.new_zeros(2).is_cuda and ember.zeros_like(c).is_cuda and c.clone().is_cuda
    assert ember.empty(2, device=0).is_cuda  # an int device is a CUDA index
    with pytest.raises(Exception, match="invalid device ordinal|CUDA error|invalid device"):
        ember.zeros(1, device=f"cuda:{ember.cuda.device_count()}")


@pytest.mark.parametrize("fn", [
    lambda m, a, b: a + b,
    lambda m, a, b: a * b,
    lambda m, a, b: m.mm(a, b.t()),
    lambda m, a, b: a @ b.t(),
    lambda m, a, b: m.maximum(a, b),
    lambda m, a, b: m.where(a > 0, a, b),
    lambda m, a, b: a.add_(b),
])
def test_mixed_devices_refused_as_torch(fn):
    msg = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
    with pytest.raises(RuntimeError, match=msg.replace("(", r"\(").replace("!", "!")):
        fn(ember, ember.ones(2, 3, device="cuda"), ember.ones(2, 3))


def test_scalar_tensors_mix_across_devices():
    # torch lets a 0-d CPU tensor take part in a CUDA op (it is read as a scalar)
    out = ember.ones(2, device="cuda") * ember.tensor(3.0)
    assert out.is_cuda and out.tolist() == [3.0, 3.0]


def test_memory_counters_follow_tensors():
    ember.cuda.empty_cache()
    base = ember.cuda.memory_allocated()
    x = ember.empty(1024, 1024, device="cuda")  # 4 MiB
    assert ember.cuda.memory_allocated() - base == 4 * 1024 * 1024
    assert ember.cuda.max_memory_allocated() >= ember.cuda.memory_allocated()
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
    del x
    assert ember.cuda.memory_allocated() == base
    ember.cuda.empty_cache()
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
    ember.cuda.reset_peak_memory_stats()
    stats = ember.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == base and stats["num_ooms"] == 0
    assert ember.cuda.memory_stats_as_nested_dict()["allocated_bytes"]["all"]["current"] == base
    summary = ember.cuda.memory_summary()
    assert "PyTorch CUDA memory summary, device ID 0" in summary and summary.startswith("|====")
    ember.cuda.set_per_process_memory_fraction(0.5)
    assert ember.cuda.get_per_process_memory_fraction() == 0.5
    with pytest.raises(ValueError, match="Invalid fraction value"):
        ember.cuda.set_per_process_memory_fraction(1.5)
    ember.cuda.set_per_process_memory_fraction(1.0)


def test_streams_and_events():
    s = ember.cuda.Stream()
    assert s.device == ember.device("cuda", 0) and s.query()
    assert ember.cuda.current_stream() == ember.cuda.default_stream()
    with ember.cuda.stream(s):
        assert ember.cuda.current_stream() == s
        y = ember.ones(3, device="cuda") * 2
    assert ember.cuda.current_stream() == ember.cuda.default_stream()
    s.synchronize()
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    (y @ y).item()
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0 and end.query()
    e = ember.cuda.Event()
    e.record(s)
    s.wait_event(e)
    ember.cuda.current_stream().wait_stream(s)
    with pytest.raises(RuntimeError, match="Both events must be created with argument 'enable_timing=True'"):
        e.elapsed_time(end)
    assert repr(s).startswith("<torch.cuda.Stream device=cuda:0 cuda_stream=0x")
    assert ember.cuda.is_current_stream_capturing() is False


def test_cuda_seeding_repeats_draws():
    ember.cuda.manual_seed_all(123)
    a = ember.randn(5, device="cuda")
    state = ember.cuda.get_rng_state()
    b = ember.rand(4, device="cuda")
    ember.cuda.manual_seed(123)
    assert ember.equal(ember.randn(5, device="cuda"), a)
    ember.cuda.set_rng_state(state)
    assert ember.equal(ember.rand(4, device="cuda"), b)
    n = ember.cuda.device_count()
    assert len(ember.cuda.get_rng_state_all()) == n and ember.cuda.initial_seed() == 123
    assert len(ember.cuda.default_generators) == n
    # ember draws CUDA numbers from a host generator: the same seed gives the CPU's values
    ember.manual_seed(7)
    cpu = ember.randn(6)
    ember.manual_seed(7)
    assert ember.randn(6, device="cuda").cpu().tolist() == cpu.tolist()


# -- whole workloads on cuda ------------------------------------------------------------
def test_training_matches_cpu():
    def train(device):
        ember.manual_seed(0)
        model = ember.nn.Sequential(ember.nn.Linear(8, 16), ember.nn.GELU(), ember.nn.LayerNorm(16),
                                    ember.nn.Linear(16, 3)).to(device)
        opt = ember.optim.AdamW(model.parameters(), lr=1e-2)
        x = ember.randn(32, 8).to(device)
        y = ember.randint(0, 3, (32,)).to(device)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = ember.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            ember.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
        return losses, [p.detach().cpu().numpy() for p in model.parameters()]

    cpu_losses, cpu_params = train("cpu")
    cuda_losses, cuda_params = train("cuda")
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-5)
    for a, b in zip(cuda_params, cpu_params):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert cuda_losses[-1] < cuda_losses[0]


def test_gradcheck_on_cuda():
    x = ember.randn(3, 4, dtype=ember.float64, device="cuda", requires_grad=True)
    w = ember.randn(4, 2, dtype=ember.float64, device="cuda", requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: (a @ b).tanh().softmax(-1), (x, w))
    assert ember.autograd.gradgradcheck(lambda a: (a * a).sin().sum(), (x,))


def test_conv_and_pool_match_torch():
    arr = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    warr = np.random.default_rng(1).standard_normal((4, 3, 3, 3)).astype(np.float32)
    outs = []
    for m, dev in ((ember, "cuda"), (torch, "cpu")):
        x = m.tensor(arr, device=dev, requires_grad=True)
        w = m.tensor(warr, device=dev, requires_grad=True)
        y = m.nn.functional.max_pool2d(m.nn.functional.conv2d(x, w, padding=1).relu(), 2)
        y = m.nn.functional.batch_norm(y, None, None, training=True)
        y.square().sum().backward()
        outs.append((y.detach().cpu(), x.grad.cpu(), w.grad.cpu()))
    assert_same(list(outs[0]), list(outs[1]), dict(rtol=1e-4, atol=1e-4))


def test_dataloader_pin_memory():
    ds = ember.utils.data.TensorDataset(ember.arange(20.0).reshape(10, 2), ember.arange(10))
    loader = ember.utils.data.DataLoader(ds, batch_size=4, pin_memory=True)
    seen = []
    for xb, yb in loader:
        assert xb.is_pinned() and yb.is_pinned()
        xb, yb = xb.to("cuda", non_blocking=True), yb.cuda(non_blocking=True)
        assert xb.is_cuda and yb.is_cuda
        seen += yb.cpu().tolist()
    assert seen == list(range(10))
    t = ember.ones(3)
    assert not t.is_pinned() and t.pin_memory().is_pinned() and t.pin_memory().tolist() == [1.0] * 3
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        ember.ones(2, device="cuda").pin_memory()


def test_save_load_cuda_tensors_with_map_location(tmp_path):
    state = {"w": ember.arange(4.0, device="cuda"), "b": ember.ones(2), "step": 3}
    path = tmp_path / "ckpt.pt"
    ember.save(state, path)
    back = ember.load(path)
    assert back["w"].is_cuda and back["b"].is_cpu and back["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ember.load(path, map_location="cpu")["w"].is_cpu
    assert ember.load(path, map_location={"cuda:0": "cpu"})["w"].is_cpu
    assert ember.load(path, map_location=ember.device("cuda"))["b"].is_cuda
    assert ember.load(path, map_location=lambda storage, loc: storage)["w"].is_cpu
    # torch reads ember's file: the CUDA tensor comes back on the CPU under map_location
    t = torch.load(path, map_location="cpu", weights_only=True)
    assert t["w"].tolist() == [0.0, 1.0, 2.0, 3.0] and t["step"] == 3
    # and ember reads torch's, mapping to CUDA
    buf = io.BytesIO()
    torch.save({"w": torch.arange(3.0)}, buf)
    buf.seek(0)
    assert ember.load(buf, map_location="cuda")["w"].is_cuda
    assert pickle.loads(pickle.dumps(ember.ones(2, device="cuda"))).is_cuda


def test_module_to_cuda_and_state_dict():
    model = ember.nn.Linear(3, 2)
    model.cuda()
    assert all(p.is_cuda for p in model.parameters())
    sd = model.state_dict()
    assert sd["weight"].is_cuda
    cpu_model = ember.nn.Linear(3, 2)
    cpu_model.load_state_dict(sd)  # copied across devices, as torch's load_state_dict does
    assert cpu_model.weight.is_cpu and ember.equal(cpu_model.weight, model.weight.cpu())
    model.cpu()
    assert model.weight.is_cpu


@stand_in_only
def test_dlpack_round_trip_on_the_stand_in(cp):
    a = cp.arange(6, dtype=np.float32)
    t = ember.from_dlpack(a)
    assert t.is_cuda and t.tolist() == list(range(6))
    t.add_(1)  # shares memory with the CuPy array
    assert a.tolist() == list(range(1, 7))
    b = cp.from_dlpack(t)
    b[0] = 50
    assert t[0].item() == 50
    with pytest.raises((BufferError, RuntimeError, TypeError)):
        np.from_dlpack(t)  # a CUDA tensor cannot be read as host memory


@pytest.mark.skipif(not REAL, reason="needs CuPy and a GPU (scripts/gpu_check.sh)")
def test_dlpack_round_trip_with_cupy(cp):
    a = cp.arange(6, dtype=cp.float32)
    t = ember.from_dlpack(a)
    assert t.is_cuda and t.tolist() == list(range(6))
    t.add_(1)  # the same device memory
    ember.cuda.synchronize()
    assert a.get().tolist() == list(range(1, 7))
    b = cp.from_dlpack(t)
    b[0] = 50
    assert t[0].item() == 50 and b.data.ptr == t.data_ptr()
    if torch.cuda.is_available():  # torch reads ember's CUDA tensors, and ember torch's
        tt = torch.from_dlpack(t)
        assert tt.is_cuda and tt.cpu().tolist() == t.tolist()
        assert ember.from_dlpack(torch.ones(2, device="cuda")).is_cuda
