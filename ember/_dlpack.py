"""DLPack: zero-copy exchange with torch, NumPy, CuPy and every other library that speaks it.

`Tensor.__dlpack__` / `__dlpack_device__` let `torch.from_dlpack(t)`,
`torch.tensor(t)`, `np.from_dlpack(t)` and `cupy.from_dlpack(t)` read an ember
tensor's memory; `ember.from_dlpack(x)` wraps anything that exports DLPack (or a
legacy capsule from `to_dlpack`) without a copy. The work is the array library's:
NumPy on the CPU, CuPy on CUDA.
"""
import numpy as np

from ._tensor import Tensor

_CPU, _CUDA = 1, 2  # DLDeviceType codes


def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    if self._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    data = self._data
    kwargs = {"stream": stream}
    if max_version is not None:
        kwargs["max_version"] = max_version
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    if copy is not None:
        kwargs["copy"] = copy
    if isinstance(data, np.ndarray) and not data.flags.writeable and (max_version is None or max_version[0] < 1):
        data = data.copy()  # a read-only view (expand): the unversioned protocol cannot say read-only
    try:
        return data.__dlpack__(**kwargs)
    except (BufferError, TypeError) as e:
        if self.dtype.name == "bfloat16":
            raise BufferError("ember cannot export bfloat16 through DLPack (NumPy has no bfloat16 DLPack type); "
                              "convert with .float() first") from e
        raise


def __dlpack_device__(self):
    return self._data.__dlpack_device__()


class _Capsule:
    """A legacy DLPack capsule (from to_dlpack) presented as an exporter."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (_CPU, 0)


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of `ext_tensor` (anything with __dlpack__, or a DLPack capsule)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if not hasattr(ext_tensor, "__dlpack__"):
        ext_tensor = _Capsule(ext_tensor)
    device_type = int(ext_tensor.__dlpack_device__()[0])
    if device_type == _CUDA:
        from ._device import _import_cupy

        return Tensor._make(_import_cupy().from_dlpack(ext_tensor))
    if device_type != _CPU:
        raise RuntimeError(f"Unsupported device type in DLTensor: {device_type}")
    return Tensor._make(np.from_dlpack(ext_tensor))


def to_dlpack(tensor):
    """A legacy DLPack capsule of `tensor` (consumed once, by from_dlpack)."""
    return tensor.__dlpack__()


Tensor.__dlpack__ = __dlpack__
Tensor.__dlpack_device__ = __dlpack_device__
