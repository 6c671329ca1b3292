"""torch.cuda: the CUDA devices, answered by CuPy.

CuPy is imported on the first call that needs a GPU, never by `import ember`.
Without CuPy or without a GPU, `is_available()` is False, `device_count()` is 0,
the memory counters are 0, seeding is a no-op (as in a CPU build of torch), and
the calls that need a device raise torch's AssertionError "Torch not compiled
with CUDA enabled".
"""
import typing as _typing

from .. import _device

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name",
           "get_device_capability", "get_device_properties", "synchronize", "is_initialized", "init", "device",
           "is_bf16_supported", "is_tf32_supported", "device_of", "can_device_access_peer", "get_arch_list",
           "get_gencode_flags", "is_current_stream_capturing",
           "has_half", "has_magma", "lru_cache", "Device", "CudaError", "DeferredCudaCallError", "check_error"]

# torch.cuda.Device: what the functions here accept as a device
Device = _typing.Union[_device.device, str, int, None]

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


def is_tf32_supported():
    return is_available() and get_device_capability()[0] >= 8


def get_arch_list():
    """The architectures ember's kernels run on: CuPy compiles for the device it finds."""
    if not is_available():
        return []
    major, minor = get_device_capability()
    return [f"sm_{major}{minor}"]


def get_gencode_flags():
    return " ".join(f"-gencode compute={a.replace('sm', 'compute')},code={a}" for a in get_arch_list())


def can_device_access_peer(device, peer_device):
    """Whether `device` can read `peer_device`'s memory directly (False for the same device, as torch)."""
    a, b = _index(device), _index(peer_device)
    n = device_count()
    if not (0 <= a < n and 0 <= b < n):
        raise AssertionError("Invalid device id" if not 0 <= a < n else "Invalid peer device id")
    if a == b:
        return False
    return bool(_cupy().cuda.runtime.deviceCanAccessPeer(a, b))


class device_of(device):
    """Make the device of tensor `obj` current (a no-op for a CPU tensor)."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


has_half = True
has_magma = False  # ember's linear algebra is cuSOLVER's (through CuPy), not MAGMA
def is_current_stream_capturing():
    """ember never captures CUDA graphs (see CUDAGraph), so no stream is capturing."""
    return False


class CudaError(RuntimeError):
    def __init__(self, code):
        self.code = code
        super().__init__(f"CUDA error {code}")


class DeferredCudaCallError(Exception):
    pass


def check_error(res):
    if res != 0:
        raise CudaError(res)


from functools import lru_cache  # noqa: E402  (torch.cuda re-exports it)


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


from .memory import *  # noqa: E402,F401,F403
from .memory import __all__ as _memory_all  # noqa: E402
from .random import *  # noqa: E402,F401,F403
from .random import __all__ as _random_all  # noqa: E402
from .streams import *  # noqa: E402,F401,F403
from .streams import __all__ as _streams_all  # noqa: E402

__all__ += _memory_all + _random_all + _streams_all


# torch.cuda.FloatTensor...: the legacy typed classes of CUDA tensors.
from .._legacy import CUDA_CLASSES as _CUDA_CLASSES  # noqa: E402

FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor, \
    ByteTensor, BoolTensor = _CUDA_CLASSES.values()
__all__ += list(_CUDA_CLASSES)


def __getattr__(name):
    # torch.cuda.amp (deprecated aliases of torch.amp) loads on first use.
    if name == "default_generators":
        return random._default_generators() if is_available() else ()
    if name == "amp":
        import importlib

        return importlib.import_module(".amp", __name__)
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
