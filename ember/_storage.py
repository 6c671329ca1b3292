"""Where a tensor's elements live: `data_ptr`, `untyped_storage()` / `storage()`
(enough for the identity and size checks scripts make), shared memory for other
processes (`share_memory_`, `is_shared`) and pinned memory (`pin_memory`).

ember's storage is the array library's: a tensor's array, and the array that
owns the memory it views. A storage here describes that owner.
"""
import os

import numpy as np

from . import _dtype as D, _shared_memory
from ._ops.strided import _allocation, _check_bounds, _view, contiguous_strides
from ._tensor import Tensor, _dtype_str


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


def _typed_view(storage, npdt):
    """The storage's bytes as a flat array of `npdt` (a view: writes reach the storage)."""
    flat = storage._array.reshape(-1, order="A").view(np.uint8)
    return flat[:flat.size - flat.size % np.dtype(npdt).itemsize].view(npdt)


_SET_SIGNATURES = ("set_() received an invalid combination of arguments - got ({}), but expected one of:\n * ()\n"
                   " * (torch.Storage source)\n * (torch.Storage source, int storage_offset, tuple of ints size, "
                   "tuple of ints stride = None)\n * (Tensor source)\n * (Tensor source, int storage_offset, "
                   "tuple of ints size, tuple of ints stride = None)\n")


def set_(self, source=None, storage_offset=None, size=None, stride=None):
    """Make self look at other memory, in place: set_() an empty storage; set_(tensor) the tensor's storage
    and geometry; set_(source, offset, size, stride) a strided view of source's storage (a tensor's or a
    storage object's, read in self's dtype)."""
    from ._ops._inplace import check_inplace

    given = (source, storage_offset, size, stride)
    if not (source is None or isinstance(source, (Tensor, UntypedStorage))) or \
            (storage_offset is not None) != (size is not None):
        names = ", ".join(type(a).__name__ if not isinstance(a, UntypedStorage) else "torch.storage.UntypedStorage"
                          for a in given if a is not None)
        raise TypeError(_SET_SIGNATURES.format(names))
    check_inplace(self)
    if source is None:
        from ._device import xp_of

        data = xp_of(self._data).empty(0, dtype=self._data.dtype)
    elif isinstance(source, Tensor):
        if source._dtype is not self._dtype:
            raise RuntimeError(f"Could not set tensor of type {_dtype_str(source._dtype)} to a tensor of type "
                               f"{_dtype_str(self._dtype)}")
        data = source._data
        if size is not None:
            data = _strided(data, storage_offset, size, stride)
    else:
        if isinstance(source, TypedStorage) and source.dtype is not self._dtype:
            raise RuntimeError(f"Expected a Storage of type {_dtype_str(self._dtype)} or an UntypedStorage, but got type "
                            f"{D._SCALAR_TYPE_NAMES[source.dtype.name]} for argument 1 'storage'")
        flat = _typed_view(source, self._data.dtype)
        data = flat if size is None else _strided(flat, storage_offset, size, stride)
    self._data = data
    for k in ("_base", "_view_fn", "_base_fn"):  # no longer a view of what it viewed
        self.__dict__.pop(k, None)
    self._bump_version()
    return self


def _strided(array, offset, size, stride):
    size = tuple(int(n) for n in size)
    stride = contiguous_strides(size) if stride is None else tuple(int(s) for s in stride)
    _check_bounds(array, size, stride, int(offset))
    return _view(array, size, stride, int(offset))


_LEGACY_STORAGES = {}


def storage_type(self):
    """The legacy typed-storage class of the tensor's dtype (FloatStorage...), as torch; None for the
    limited unsigned ints, which have none."""
    from .serialization import _STORAGE_NAMES

    name = _STORAGE_NAMES.get(self._dtype.name)
    if name is None:
        return None
    cls = _LEGACY_STORAGES.get(name)
    if cls is None:
        cls = _LEGACY_STORAGES[name] = type(name, (TypedStorage,), {"__module__": "ember"})
    return cls


def from_file(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=False,
              requires_grad=False):
    """A tensor of `size` elements read from a file: shared=True maps the file (made or grown as needed),
    so writes reach it; otherwise a private copy of its first bytes."""
    dtype = D.canonical(dtype) or D.get_default_dtype()
    npdt = D.np_dtype(dtype)
    path = os.fspath(filename)
    need = size * np.dtype(npdt).itemsize
    if shared:
        if not os.path.exists(path) or os.path.getsize(path) < need:
            with open(path, "ab") as f:
                f.truncate(need)
        array = np.asarray(np.memmap(path, dtype=npdt, mode="r+", shape=(size,))) if size else np.empty(0, npdt)
    else:
        if not os.path.exists(path):
            raise RuntimeError(f"unable to open file <{path}> in read-only mode: No such file or directory (2)")
        have = os.path.getsize(path)
        if have < need:
            raise RuntimeError(f"file <{path}> size <{have}> is smaller than the required mapping size <{need}>")
        array = np.fromfile(path, dtype=npdt, count=size)
    t = Tensor._make(array, dtype)
    if device is not None and str(device) != "cpu":
        t = t.to(device)
    if requires_grad:
        t.requires_grad_()
    return t


for _fn in (data_ptr, untyped_storage, storage, is_shared, share_memory_, is_pinned, pin_memory, set_, storage_type):
    setattr(Tensor, _fn.__name__, _fn)

