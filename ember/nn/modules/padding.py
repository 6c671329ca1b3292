"""Padding layers: modules over F.pad (constant, reflect, replicate, circular)."""
from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _padding(padding, k):
    """An int pads every side of the last k dims; a tuple is (left, right, top, bottom, ...)."""
    return (padding,) * (2 * k) if isinstance(padding, int) else tuple(padding)


class _PadNd(Module):
    mode = "constant"
    k = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(padding, self.k)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    k = 1


class ConstantPad2d(_ConstantPadNd):
    k = 2


class ConstantPad3d(_ConstantPadNd):
    k = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    k = 1


class ZeroPad2d(_ZeroPadNd):
    k = 2


class ZeroPad3d(_ZeroPadNd):
    k = 3


def _padder(name, mode, k):
    return type(name, (_PadNd,), {"mode": mode, "k": k, "__module__": __name__})


ReflectionPad1d = _padder("ReflectionPad1d", "reflect", 1)
ReflectionPad2d = _padder("ReflectionPad2d", "reflect", 2)
ReflectionPad3d = _padder("ReflectionPad3d", "reflect", 3)
ReplicationPad1d = _padder("ReplicationPad1d", "replicate", 1)
ReplicationPad2d = _padder("ReplicationPad2d", "replicate", 2)
ReplicationPad3d = _padder("ReplicationPad3d", "replicate", 3)
CircularPad1d = _padder("CircularPad1d", "circular", 1)
CircularPad2d = _padder("CircularPad2d", "circular", 2)
CircularPad3d = _padder("CircularPad3d", "circular", 3)
