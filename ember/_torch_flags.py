"""The torch namespace's global switches and build facts: deterministic algorithms, warn-always,
anomaly flags, denormal flushing, the default tensor type, tensor layouts, and what this build
has (LAPACK, MKL, OpenMP). ember's kernels are NumPy's, which are deterministic already, so the
deterministic switches are recorded and reported back, as torch reports them."""
import importlib
import os

from . import _dtype as D
from ._tensor import Tensor
from .autograd.anomaly_mode import anomaly_state

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_warn_always", "is_warn_always_enabled", "set_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_flush_denormal", "set_default_tensor_type", "init_num_threads",
           "get_file_path", "prepare_multiprocessing_environment", "get_device_module", "has_lapack", "has_mkl",
           "has_openmp", "has_spectral", "layout", "strided", "memory_format", "legacy_contiguous_format",
           "DisableTorchFunction", "DisableTorchFunctionSubclass", "AggregationType", "SUM", "AVG"]

# What this build has: LAPACK and FFTs through NumPy; no MKL, no OpenMP of ember's own.
has_lapack = True
has_spectral = True
has_mkl = False
has_openmp = False

_deterministic = {"mode": False, "warn_only": False}
_warn_always = [False]


def use_deterministic_algorithms(mode, *, warn_only=False):
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    _deterministic["mode"], _deterministic["warn_only"] = mode, bool(warn_only) and mode


def are_deterministic_algorithms_enabled():
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    """0/"default": off; 1/"warn": deterministic, warn only; 2/"error": deterministic."""
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = names[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


def set_warn_always(b):
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


def set_anomaly_enabled(enabled, check_nan=True):
    anomaly_state.enabled, anomaly_state.check_nan = bool(enabled), bool(check_nan)


def is_anomaly_check_nan_enabled():
    return anomaly_state.check_nan


def set_flush_denormal(mode):
    """Whether flushing denormals to zero could be set: NumPy offers no switch for it, so False
    (torch returns False too where the CPU cannot)."""
    return False


def set_default_tensor_type(t):
    """Deprecated in torch: the default floating dtype from a legacy type (torch.DoubleTensor or
    its name)."""
    from ._legacy import target_of_type

    dtype, _ = target_of_type(t)
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    D.set_default_dtype(dtype)


def init_num_threads():
    """Nothing to start: NumPy's BLAS manages its own thread pool."""


def get_file_path(*path_components):
    """A path under the folder that holds the package (torch joins to its install folder's parent)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), *path_components)


def prepare_multiprocessing_environment(path):
    """Nothing to prepare: ember's shared memory needs no manager process."""


def get_device_module(device=None):
    """ember.cuda for a CUDA device, ember.cpu for the CPU (the current accelerator's when None)."""
    from ._device import as_device

    if device is None:
        from . import cuda

        kind = "cuda" if cuda.is_available() else "cpu"
    else:
        kind = device if isinstance(device, str) and ":" not in device else as_device(device).type
    try:
        return importlib.import_module(f"ember.{kind}")
    except ModuleNotFoundError:
        raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'.") \
            from None


class _TorchFunctionSwitch:
    """torch's context managers that turn __torch_function__ dispatch off in a block. ember dispatches
    no __torch_function__ (Tensor subclasses run ember's ops as they are), so off is what it always
    is: entering and leaving change nothing."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


class DisableTorchFunction(_TorchFunctionSwitch):
    """Disables __torch_function__ overrides, subclasses' and modes' (a no-op in ember: none run)."""


class DisableTorchFunctionSubclass(_TorchFunctionSwitch):
    """Disables Tensor subclasses' __torch_function__ (a no-op in ember: none run)."""


class AggregationType:
    """torch.AggregationType (SUM, AVG): how a statistic aggregates its samples (torch.monitor's
    Aggregation names), an enum whose members print as `AggregationType.SUM`."""

    __slots__ = ("name", "value")
    __members__ = {}

    def __new__(cls, value):
        for member in cls.__members__.values():
            if member.value == value:
                return member
        raise ValueError(f"{value} is not a valid AggregationType")

    @classmethod
    def _member(cls, name, value):
        member = object.__new__(cls)
        member.name, member.value = name, value
        cls.__members__[name] = member
        return member

    def __int__(self):
        return self.value

    __index__ = __int__

    def __hash__(self):
        return self.value

    def __repr__(self):
        return f"<AggregationType.{self.name}: {self.value}>"

    def __str__(self):
        return f"AggregationType.{self.name}"

    def __reduce__(self):
        return (AggregationType, (self.value,))


SUM = AggregationType.SUM = AggregationType._member("SUM", 0)
AVG = AggregationType.AVG = AggregationType._member("AVG", 1)


class layout:
    """A tensor's memory layout: every ember tensor is `strided` (dense, with strides)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"  # as ember's memory formats and Size print

    def __reduce__(self):
        return (_layout_by_name, (self.name,))


def _layout_by_name(name):
    return globals()[name]


strided = layout("strided")


def _get_layout(self):
    return strided


Tensor.layout = property(_get_layout)

from ._ops.shape import _MemoryFormat as memory_format  # noqa: E402
from ._ops.shape import contiguous_format as legacy_contiguous_format  # noqa: E402  (torch's alias of it)
