"""torch.accelerator: the device-agnostic view of the current accelerator.

ember's only accelerator is CUDA (through CuPy). Without one every answer is torch's
CPU-build answer: is_available() False, current_accelerator() None, device_count() 0,
and the calls that need a device raise torch's RuntimeError. So the tutorials'
`torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"`
picks the CPU.
"""
from . import cuda
from ._device import device as _device_cls

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "set_device_index",
           "synchronize", "empty_cache"]


def is_available():
    return cuda.is_available()


def current_accelerator(check_available=False):
    return _device_cls("cuda") if cuda.is_available() else None


def device_count():
    return cuda.device_count()


def _require():
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index():
    _require()
    return cuda.current_device()


def set_device_index(device):
    _require()
    cuda.set_device(device)


def synchronize(device=None):
    _require()
    cuda.synchronize(device)


def empty_cache():
    _require()
    cuda.empty_cache()
