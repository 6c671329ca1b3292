"""Where a tensor's elements live: `data_ptr`, `untyped_storage()` / `storage()`
(enough for the identity and size checks scripts make), shared memory for other
processes (`share_memory_`, `is_shared`) and pinned memory (`pin_memory`).

ember's storage is the array library's: a tensor's array, and the array that
owns the memory it views. A storage here describes that owner.
"""
import os

import numpy as np

from . import _shared_memory
from ._ops.strided import _allocation
from ._tensor import Tensor


def _owner(array):
    """The NumPy array that owns the memory `array` views (the walk strided._allocation makes,
    which also sees through as_strided's intermediate arrays); a CuPy array stands for itself."""
    return _allocation(array)[0] if isinstance(array, np.ndarray) else array


def _ptr(array):
    if isinstance(array, np.ndarray):
        return array.ctypes.data if array.size else 0
    return array.data.ptr if array.size else 0  # CuPy


class UntypedStorage:
    """The bytes behind a tensor (torch.UntypedStorage, read-only description)."""

    def __init__(self, tensor):
        self._tensor = tensor
        self._array = _owner(tensor._data)

    def data_ptr(self):
        return _ptr(self._array)

    def nbytes(self):
        return self._array.nbytes

    def size(self):
        return self.nbytes()

    def __len__(self):
        return self.size()

    def element_size(self):
        return 1

    @property
    def device(self):
        return self._tensor.device

    def is_shared(self):
        return self._tensor.is_shared()

    def share_memory_(self):
        self._tensor.share_memory_()
        self._array = _owner(self._tensor._data)
        return self

    def tolist(self):
        return self._array.reshape(-1, order="A").view(np.uint8).tolist()

    def __repr__(self):
        return f" {self.nbytes()} bytes\n[{type(self).__name__} of size {self.nbytes()}]"

    @classmethod
    def _of_bytes(cls, array):
        """A storage over a flat uint8 array (a file's bytes, or a slice of another storage)."""
        from ._dtype import uint8

        storage = cls.__new__(cls)
        storage._tensor, storage._array = Tensor._make(array, uint8), array
        return storage

    @classmethod
    def from_file(cls, filename, shared=False, nbytes=0):
        """The first nbytes bytes of a file (all of it when nbytes is 0), as torch.UntypedStorage.from_file.
        shared=False reads a private copy; shared=True maps the file, so writes reach it."""
        size = os.path.getsize(filename)
        if nbytes and nbytes > size:
            raise RuntimeError(f"unable to mmap {nbytes} bytes from file <{os.fspath(filename)}>: Cannot allocate "
                               "memory (12)")
        count = nbytes or size
        if shared:
            array = np.memmap(filename, dtype=np.uint8, mode="r+", shape=(count,)) if count else np.empty(0, np.uint8)
        else:
            array = np.fromfile(filename, dtype=np.uint8, count=count)
        return cls._of_bytes(array)

    def untyped(self):
        return self

    def __getitem__(self, index):
        flat = self._array.reshape(-1).view(np.uint8)
        if isinstance(index, slice):
            return UntypedStorage._of_bytes(flat[index])
        return int(flat[index])

    def __array__(self, dtype=None, copy=None):  # torch.asarray(storage): its bytes, shared
        flat = self._array.reshape(-1).view(np.uint8)
        return flat if dtype is None else flat.astype(dtype)


class TypedStorage(UntypedStorage):
    """The elements behind a tensor, in its dtype (torch.TypedStorage)."""

    @property
    def dtype(self):
        return self._tensor.dtype

    def element_size(self):
        return self._tensor.element_size()

    def size(self):
        return self.nbytes() // self.element_size()

    def _untyped_storage(self):
        return UntypedStorage(self._tensor)

    untyped = _untyped_storage


def data_ptr(self):
    """The address of the tensor's first element (0 for an empty tensor), as torch."""
    return _ptr(self._data)


def untyped_storage(self):
    return UntypedStorage(self)


def storage(self):
    return TypedStorage(self)


def is_shared(self):
    return _shared_memory.segment_of(self._data) is not None


def share_memory_(self):
    """Move the memory this tensor views into shared memory other processes can map (a no-op
    for CUDA tensors and tensors already shared). The tensor and its base follow the move;
    other tensors viewing the same memory keep the old copy."""
    data = self._data
    if not isinstance(data, np.ndarray) or not data.size or self.is_shared():
        return self
    owner = _owner(data)
    raw = _shared_memory.new_segment(owner.nbytes)
    raw[...] = owner.reshape(-1, order="A").view(np.uint8)
    start = owner.ctypes.data

    def moved(a):
        return np.ndarray(a.shape, a.dtype, buffer=raw, offset=a.ctypes.data - start, strides=a.strides)

    for t in (self, self._base):
        if t is not None and _owner(t._data) is owner:
            t._data = moved(t._data)
    return self


def is_pinned(self, device=None):
    """Whether this CPU tensor's memory is page-locked (a block from CuPy's alloc_pinned_memory)."""
    from . import _device

    data = self._data
    if type(data) is not np.ndarray or _device._cupy is None:
        return False
    return isinstance(_owner(data).base, _device._cupy.cuda.PinnedMemoryPointer)


def pin_memory(self, device=None):
    """A copy in page-locked host memory (from which copies to the GPU can run asynchronously)."""
    from . import _device, cuda

    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if not self.is_cpu:
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if is_pinned(self):
        return self
    a = self._data
    block = _device._cupy.cuda.alloc_pinned_memory(max(a.nbytes, 1))
    pinned = np.ndarray(a.shape, a.dtype, buffer=block)
    pinned[...] = a
    return Tensor._make(pinned, self._dtype)


for _fn in (data_ptr, untyped_storage, storage, is_shared, share_memory_, is_pinned, pin_memory):
    setattr(Tensor, _fn.__name__, _fn)

