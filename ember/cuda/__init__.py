"""torch.cuda: the CUDA devices, answered by CuPy.

CuPy is imported on the first call that needs a GPU, never by `import ember`.
Without CuPy or without a GPU, `is_available()` is False, `device_count()` is 0,
the memory counters are 0, seeding is a no-op (as in a CPU build of torch), and
the calls that need a device raise torch's AssertionError "Torch not compiled
with CUDA enabled".
"""
from .. import _device

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name",
           "get_device_capability", "get_device_properties", "synchronize", "manual_seed", "manual_seed_all",
           "seed", "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "is_initialized", "init", "device",
           "is_bf16_supported"]

_available = []  # [bool] once probed: probing imports CuPy and asks the driver


def is_available():
    if not _available:
        _available.append(_device.cuda_available())
    return _available[0]


def _cupy():
    """CuPy, with a GPU behind it, or torch's AssertionError."""
    return _device._import_cupy()


def is_initialized():
    """True once ember has started using CUDA (CuPy loaded with a device)."""
    return _device._cupy is not None


def init():
    _cupy()


def device_count():
    if not is_available():
        return 0
    return _cupy().cuda.runtime.getDeviceCount()


def _index(device=None):
    """A device argument (None, int, str, ember.device) as a CUDA device index."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    d = _device.as_device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_device() if d.index is None else d.index


def current_device():
    return _cupy().cuda.runtime.getDevice()


def set_device(device):
    idx = _index(device)
    if idx >= 0:  # torch ignores negative indices
        _cupy().cuda.runtime.setDevice(idx)


class device:
    """Context manager that makes `device` the current CUDA device (None or -1: no change)."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)
        self.prev = -1

    def __enter__(self):
        if self.idx >= 0:
            cp = _cupy()
            self.prev = cp.cuda.runtime.getDevice()
            cp.cuda.runtime.setDevice(self.idx)
        return self

    def __exit__(self, *exc):
        if self.prev >= 0:
            _cupy().cuda.runtime.setDevice(self.prev)
        return False


def get_device_properties(device=None):
    cp = _cupy()
    return _DeviceProperties(cp.cuda.runtime.getDeviceProperties(_index(device)))


def get_device_name(device=None):
    return get_device_properties(device).name


def get_device_capability(device=None):
    p = get_device_properties(device)
    return p.major, p.minor


def is_bf16_supported(including_emulation=True):
    return is_available() and get_device_capability()[0] >= 8


class _DeviceProperties:
    """The fields of torch's _CudaDeviceProperties that CuPy reports."""

    def __init__(self, props):
        name = props["name"]
        self.name = name.decode() if isinstance(name, bytes) else name
        self.major = props["major"]
        self.minor = props["minor"]
        self.total_memory = props["totalGlobalMem"]
        self.multi_processor_count = props["multiProcessorCount"]
        self.L2_cache_size = props.get("l2CacheSize", 0)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count}, L2_cache_size={self.L2_cache_size // (1024 * 1024)}MB)")


def synchronize(device=None):
    """Wait for all work queued on the device."""
    cp = _cupy()
    with cp.cuda.Device(_index(device)):
        cp.cuda.runtime.deviceSynchronize()


# -- random seeds: CuPy's per-device generators ----------------------------------------
def manual_seed(seed):
    if is_available():
        _cupy().random.seed(int(seed) & 0xFFFF_FFFF_FFFF_FFFF)


def manual_seed_all(seed):
    if is_available():
        cp = _cupy()
        for i in range(device_count()):
            with cp.cuda.Device(i):
                cp.random.seed(int(seed) & 0xFFFF_FFFF_FFFF_FFFF)


def seed():
    if is_available():
        _cupy().random.seed()


# -- memory: CuPy's default memory pool ---------------------------------------------------
def _pool_bytes(device, what):
    """A byte count of CuPy's pool on one device; 0 before CUDA is in use, as in torch."""
    if not is_initialized():
        return 0
    cp = _device._cupy
    with cp.cuda.Device(_index(device)):
        return getattr(cp.get_default_memory_pool(), what)()


def memory_allocated(device=None):
    """Bytes held by live tensors."""
    return _pool_bytes(device, "used_bytes")


def memory_reserved(device=None):
    """Bytes the pool holds from the driver (live tensors plus its cache)."""
    return _pool_bytes(device, "total_bytes")


def max_memory_allocated(device=None):
    """The peak of memory_allocated since the last reset_peak_memory_stats/empty_cache.

    CuPy's pool keeps every block it has handed out until empty_cache, so the
    bytes it holds are that peak (to within block rounding)."""
    return _pool_bytes(device, "total_bytes")


max_memory_reserved = max_memory_allocated


def reset_peak_memory_stats(device=None):
    """Start a new peak from the current use: the pool gives back its cached blocks."""
    empty_cache()


def empty_cache():
    """Return the pool's unused cached blocks to the driver."""
    if is_initialized():
        _device._cupy.get_default_memory_pool().free_all_blocks()


# torch.cuda.FloatTensor...: the legacy typed classes of CUDA tensors.
from .._legacy import CUDA_CLASSES as _CUDA_CLASSES  # noqa: E402

FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor, \
    ByteTensor, BoolTensor = _CUDA_CLASSES.values()
__all__ += list(_CUDA_CLASSES)


def __getattr__(name):
    # torch.cuda.amp (deprecated aliases of torch.amp) loads on first use.
    if name == "amp":
        import importlib

        return importlib.import_module(".amp", __name__)
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
