"""Devices and the array module behind each one.

`cpu` arrays are NumPy's; `cuda:N` arrays are CuPy's, imported only when a CUDA
device is first used, so a CPU-only install never needs CuPy. Ops are written
once against the array module `xp` of their inputs (Chainer's pattern).
"""
import builtins
import os
import re

import numpy as np

_cupy = None


def _import_cupy():
    global _cupy
    if _cupy is None:
        if os.environ.get("EMBER_FAKE_CUDA") == "1":  # the CPU stand-in for CuPy (tests without a GPU)
            from .testing import fake_cupy

            _cupy = fake_cupy
            return _cupy
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() == 0:
                raise RuntimeError("No CUDA GPUs are available")
        except Exception as e:  # ImportError, or CuPy present with no driver/GPU
            raise AssertionError(
                "Torch not compiled with CUDA enabled: ember's CUDA backend needs CuPy and an NVIDIA GPU "
                f"({type(e).__name__}: {e})"
            ) from None
        _cupy = cupy
    return _cupy


_count = []


def _device_count(cp):
    if not _count:
        _count.append(cp.cuda.runtime.getDeviceCount())
    return _count[0]


def cuda_available():
    try:
        _import_cupy()
        return True
    except AssertionError:
        return False


def xp_of(array, *more):
    """The array module (numpy or cupy) that owns `array` (or any of `more`: scalars mix with arrays)."""
    if type(array) is np.ndarray and not more:
        return np
    if _cupy is not None:
        for a in (array,) + more:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


# "cuda", "cuda:1": torch's grammar (no sign, no leading zero, no spaces).
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9][0-9]*|0))?")
_TYPES = ("cpu", "cuda", "meta", "mps")


class device:
    """torch.device: a type ('cpu' or 'cuda') and an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):  # torch.device(0) means cuda:0
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__}), but expected one of: (torch.device device), "
                            "(str type, int index = -1)")
        m = _DEVICE_STRING.fullmatch(type)
        if m is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        type, idx = m.groups()
        if idx is not None:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed explicitly: {m.string}")
            index = int(idx)
        if type not in _TYPES:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
                f"xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: {type}"
            )
        if index is not None:
            index = int(index)
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):  # torch.device("cpu") == "cpu" is False in torch too
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        # A stack, not a slot on self: device objects are shared (every CPU tensor's
        # .device is one object) and their `with` blocks may nest.
        prev = _default_device[0]
        set_default_device(self)
        _entered.append(prev)
        return self

    def __exit__(self, *exc):
        _default_device[0] = _entered.pop()


CPU = device("cpu")
_default_device = [CPU]
_entered = []  # the default devices that `with device(...)` blocks will restore


def as_device(d):
    """Normalize a device argument (None, str, int or device) to a device."""
    if d is None:
        return _default_device[0]
    if isinstance(d, device):
        return d
    return device(d)


def xp_for(d):
    """The array module for a device, raising a clear error for unusable ones."""
    if d.type == "cpu":
        return np
    if d.type == "cuda":
        cp = _import_cupy()
        if d.index is not None and d.index >= _device_count(cp):
            raise RuntimeError("CUDA error: invalid device ordinal")
        return cp
    raise RuntimeError(f"ember has no backend for device type '{d.type}'")


def get_default_device():
    return _default_device[0]


def set_default_device(d):
    d = CPU if d is None else as_device(d)
    if d.type == "cuda":
        xp_for(d)  # fail now, with the clear error, not at the first tensor
        if d.index is None:
            d = device("cuda", 0)
    _default_device[0] = d


def device_of(array):
    """The device an array lives on."""
    if type(array) is np.ndarray:
        return CPU
    return device("cuda", array.device.id)
