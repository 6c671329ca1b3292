"""Casts and device moves: Tensor.to, .float(), .double(), .cpu(), .cuda()...

One differentiable op, ToCopyBackward0, which casts and/or moves; its gradient
casts and moves back."""
import warnings

import numpy as np

from .. import _dtype as D
from .._device import as_device, device_of, xp_for
from .._tensor import Tensor
from ._base import Op


class ToCopyBackward0(Op):
    def forward(self, x, dtype, device):
        src = device_of(x)
        self.src_device = src
        npdt = D.np_dtype(dtype)
        if device != src and not (device.type == "cpu" == src.type):  # cpu:0 is the cpu
            if device.type == "cpu":
                x = x.get()
            else:
                xp = xp_for(device)
                with xp.cuda.Device(device.index or 0):
                    x = xp.asarray(x)
        if x.dtype.kind == "c" and np.dtype(npdt).kind != "c":
            if np.dtype(npdt).kind == "b":
                x = x != 0  # bool tests the whole number
            else:
                warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=4)
                x = x.real
        return x.astype(npdt, copy=True) if x.dtype != npdt or device == src else x

    def backward(self, g):
        return g.to(self.src_device)


def _parse_to_args(self, args, kwargs):
    dtype = D.canonical(kwargs.pop("dtype", None))
    device = kwargs.pop("device", None)
    flags = []  # the positional non_blocking, copy after the device / dtype / other tensor
    for a in args:
        if isinstance(a, bool):
            flags.append(a)
        elif isinstance(a, D.dtype) or a in D._PYTHON_TYPES:
            if dtype is not None:
                raise TypeError("to() received an invalid combination of arguments - got (torch.dtype, torch.dtype), "
                                "but expected one of: ...")
            dtype = D.canonical(a)
        elif isinstance(a, Tensor):
            dtype, device = a._dtype, a.device
        elif a is not None:
            device = a
    kwargs.pop("non_blocking", None)
    copy = kwargs.pop("copy", flags[1] if len(flags) > 1 else False)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected {sorted(kwargs)}")
    return dtype, device, copy


def to(self, *args, **kwargs):
    """Cast and/or move; returns self when nothing changes (and copy is False)."""
    dtype, device, copy = _parse_to_args(self, args, kwargs)
    dtype = dtype or self._dtype
    device = self.device if device is None else as_device(device)
    if device.type == "cpu" == self.device.type:
        device = self.device  # cpu:0 is the cpu
    if device.type == "cuda" and device.index is None:
        device = as_device("cuda:0")
    if dtype is self._dtype and device == self.device and not copy:
        return self
    if device.type != "cpu":
        xp_for(device)  # the clear error when no CUDA backend is usable
    return ToCopyBackward0.apply(self, dtype=dtype, device=device)


def _caster(dtype):
    def cast(self, memory_format=None):
        return to(self, dtype)

    return cast


Tensor.to = to
Tensor.float = _caster(D.float32)
Tensor.double = _caster(D.float64)
Tensor.half = _caster(D.float16)
Tensor.bfloat16 = _caster(D.bfloat16)
Tensor.long = _caster(D.int64)
Tensor.int = _caster(D.int32)
Tensor.short = _caster(D.int16)
Tensor.char = _caster(D.int8)
Tensor.byte = _caster(D.uint8)
Tensor.bool = _caster(D.bool_)
Tensor.cpu = lambda self, memory_format=None: to(self, "cpu")
Tensor.cuda = lambda self, device=None, non_blocking=False, memory_format=None: to(
    self, "cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

__all__ = []
