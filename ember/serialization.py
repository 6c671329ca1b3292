"""ember.save / ember.load in PyTorch's file format, readable by torch and reading torch's files.

A checkpoint is a zip archive (entries stored uncompressed, 64-byte aligned):

    archive/data.pkl     the object, pickled (protocol 2); each tensor is
                         torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
                         and each storage a persistent id ('storage', torch.<Type>Storage, key, location, numel)
    archive/data/<key>   the raw little-endian bytes of each storage
    archive/byteorder    'little'
    archive/version      '3'

Views share storages: a transposed or sliced tensor is saved as its whole base
array plus an offset and strides, and tensors viewing one array share one
storage after loading, as in torch. The pickle names torch's globals without
importing torch: the writer emits them as plain GLOBAL opcodes and the reader
maps them to ember's own functions.

Loading is restricted by default (weights_only=True, torch >= 2.6): only the
globals a checkpoint of tensors, containers and numbers needs are allowed;
anything else raises pickle.UnpicklingError. Every tensor record is checked
against its storage's bounds and every storage's declared size against its
record before anything is read. Saving to a path is atomic: the archive goes to
a temporary file in the same directory, then replaces the target, so a failed
save leaves the previous file intact.
"""
import _compat_pickle
import codecs
import collections
import contextlib
import io
import operator
import os
import pickle
import secrets
import struct
import sys
import zipfile

import numpy as np

from . import _dtype as D
from ._ops.strided import contiguous_strides
from ._pytorch_file import PyTorchFileReader, PyTorchFileWriter  # noqa: F401 - also torch.PyTorchFile*
from ._tensor import Tensor
from ._weights_only_unpickler import WeightsOnlyOps, weights_only_message

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

_STORAGE_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
                  "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
                  "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
                  "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage"}
_DTYPE_OF_STORAGE = {v: k for k, v in _STORAGE_NAMES.items()}


# -- writing --------------------------------------------------------------------------------------------
class _Global:
    """A module-level name written into the pickle as GLOBAL without importing its module."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle requires a reduce function to be callable; never called
        raise TypeError(f"{self.module}.{self.name} is a placeholder for pickling")


_GLOBALS = {}


def _global(module, name):
    """One _Global per name, so that the pickle memo writes each name only once."""
    key = (module, name)
    g = _GLOBALS.get(key)
    if g is None:
        g = _GLOBALS[key] = _Global(module, name)
    return g


class _StorageRef:
    """A storage to write: the array whose bytes are saved under `key`."""

    __slots__ = ("key", "array", "dtype", "location")

    def __init__(self, key, array, dtype, location):
        self.key, self.array, self.dtype, self.location = key, array, dtype, location


def _root_array(a):
    """The array owning a's memory, when a is a plain strided view of it; else None."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root is a:
        return a if a.flags.c_contiguous else None
    if root.dtype != a.dtype or not root.flags.c_contiguous:
        return None
    return root


class _TorchPickler(pickle._Pickler):
    """A pickler (the pure-Python one, which lets `save` be extended) that writes ember objects
    under torch's names and records the storages to put in the archive."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = {}  # id(root array) -> _StorageRef
        self._keep = []  # arrays whose ids key `storages`, kept alive while pickling

    def save(self, obj, save_persistent_id=True):
        if type(obj) is D.dtype:  # torch pickles a dtype as the bare name torch.<dtype>
            obj = _global("torch", obj.name)
        if type(obj) is _Global:
            memo = self.memo.get(id(obj))
            if memo is not None:
                self.write(self.get(memo[0]))
                return
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            if obj.dtype in D._LIMITED:  # no typed storage class: torch writes the bytes untyped
                return ("storage", _global("torch.storage", "UntypedStorage"), obj.key, obj.location, obj.array.nbytes)
            return ("storage", _global("torch", _STORAGE_NAMES[obj.dtype.name]), obj.key, obj.location, obj.array.size)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if obj._is_param:  # a Parameter wraps its data, itself pickled as a tensor
                return _global("torch._utils", "_rebuild_parameter"), (Tensor._make(obj._data, obj._dtype),
                                                                       obj._requires_grad, collections.OrderedDict())
            return self._tensor_reduce(obj)
        t = type(obj).__name__
        if t == "Size" and type(obj).__module__ == "ember._size":
            return _global("torch", "Size"), (tuple(obj),)
        if t == "device" and type(obj).__module__ == "ember._device":
            return _global("torch", "device"), (str(obj),)
        if t == "layout" and type(obj).__module__ == "ember._torch_flags":
            return _global("torch.serialization", "_get_layout"), (repr(obj),)
        return NotImplemented

    def _tensor_reduce(self, t):
        a = t._data
        location = "cpu"
        if type(a) is not np.ndarray:
            a, location = a.get(), f"cuda:{a.device.id}"  # CuPy: saved from a host copy
        itemsize = a.dtype.itemsize
        root = _root_array(a)
        if root is not None and a.size:
            offset_bytes = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            strides = a.strides
            if offset_bytes % itemsize or any(s % itemsize or s < 0 for s in strides):
                root = None
        if root is None or not a.size:  # not a simple view: save a contiguous copy on its own
            root = np.ascontiguousarray(a)
            offset_bytes, strides = 0, root.strides
        ref = self.storages.get(id(root))
        if ref is None:
            ref = self.storages[id(root)] = _StorageRef(str(len(self.storages)), root, t._dtype, location)
            self._keep.append(root)
        stride = tuple(s // itemsize for s in strides) if a.ndim else ()
        if a.ndim and not a.size:
            stride = contiguous_strides(a.shape)
        args = (ref, offset_bytes // itemsize, tuple(a.shape), stride, t._requires_grad, collections.OrderedDict())
        if t._dtype in D._LIMITED:  # the dtype travels with the tensor, as torch's v3 writes it
            return _global("torch._utils", "_rebuild_tensor_v3"), args + (t._dtype,)
        return _global("torch._utils", "_rebuild_tensor_v2"), args


def _write_archive(fileobj, pkl, storages):
    """torch.save's records, in its order: data.pkl, byteorder, the storages, then the writer's end."""
    writer = PyTorchFileWriter(fileobj)
    writer.write_record("data.pkl", pkl, len(pkl))
    writer.write_record("byteorder", b"little", 6)
    for ref in storages.values():
        data = ref.array if sys.byteorder == "little" else ref.array.byteswap()
        raw = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
        writer.write_record(f"data/{ref.key}", raw.data, raw.nbytes)
    writer.write_end_of_file()


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save obj to f (a path or a writable binary file object) in torch's zip format."""
    buf = io.BytesIO()
    pickler = _TorchPickler(buf)
    pickler.dump(obj)
    if isinstance(f, (str, os.PathLike)):
        atomic_write(f, lambda out: _write_archive(out, buf.getvalue(), pickler.storages))
    else:
        _write_archive(f, buf.getvalue(), pickler.storages)


_TMP_TAG = ".ember-tmp-"


def atomic_write(path, write):
    """Call write(file) on a temporary file beside path, then make it path: a failure midway (an exception,
    KeyboardInterrupt included) leaves the previous file intact and no temporary file (also used by
    ember.utils.safetensors). The temporary file is named `.<name>.ember-tmp-<pid>-<random>`, so that the next
    save of the same target removes what a killed process left; it is created as open() creates a file
    (0666 less the umask, or the target's mode when it exists), not with mkstemp's 0600."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    prefix = "." + os.path.basename(path) + _TMP_TAG
    _sweep_stale(directory, prefix)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    tmp = os.path.join(directory, f"{prefix}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as out:
            if mode is not None:
                os.chmod(tmp, mode)
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sweep_stale(directory, prefix):
    """Remove the temporary files of this target that a dead process (a killed save) left behind."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):].partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process, or no way to tell: keep its file
    return True


# -- reading --------------------------------------------------------------------------------------------
class _StorageType:
    """What torch.<Type>Storage names in a checkpoint: the element type of a storage."""

    def __init__(self, dtype):
        self.dtype = dtype


_UNTYPED = _StorageType(D.uint8)  # torch.storage.UntypedStorage: bytes, numel counted in bytes


class _Storage:
    """A loaded storage: a flat host array and the device its tensors go to. A map_location
    callable receives one and may return it, `storage.cpu()` or `storage.cuda(i)`."""

    def __init__(self, array, dtype, device):
        self.array, self.dtype, self.device = array, dtype, device

    def cpu(self):
        return _Storage(self.array, self.dtype, "cpu")

    def cuda(self, device=None):
        index = 0 if device is None else int(str(device).split(":")[-1])
        return _Storage(self.array, self.dtype, f"cuda:{index}")

    def size(self):
        return self.array.size

    def __len__(self):
        return self.array.size


_INT64_MAX = 2 ** 63 - 1
_U64 = 2 ** 64


def _ints(name, values):
    """A record's size/stride as Python ints (torch's set_ takes tuples of ints only)."""
    try:
        if isinstance(values, (str, bytes)) or any(isinstance(v, (float, bool, str)) for v in values):
            raise TypeError
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"set_() received an invalid combination of arguments - got {name}={values!r}, but expected "
                        "(torch.Storage source, int storage_offset, tuple of ints size, tuple of ints stride)") \
            from None


def _checked_view(storage, storage_offset, size, stride):
    """The array a tensor record names: `size` elements of `storage` from `storage_offset` on `stride`,
    refused with torch's set_ errors when any element lies outside the storage (NumPy's as_strided
    would read whatever memory is there)."""
    size, stride = _ints("size", size), _ints("stride", stride)
    (storage_offset,) = _ints("storage_offset", (storage_offset,))
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length ({len(stride)})")
    numel, overflowed = 1, False  # c10::safe_multiplies_u64 over the sizes as unsigned
    for n in size:
        numel *= n % _U64
        overflowed |= numel >= _U64
        numel %= _U64
    if overflowed or numel > _INT64_MAX:
        raise RuntimeError("numel: integer multiplication overflow")
    item = storage.array.dtype.itemsize
    # c10::computeStorageNbytes: 1 + the offset of the last element, unsigned, with overflow checks
    nbytes, overflowed = storage_offset + 1, False
    for n, k in zip(size, stride):
        if n == 0:  # an empty tensor needs no storage (c10 returns before checking overflow)
            nbytes, overflowed = 0, False
            break
        nbytes += (k % _U64) * ((n - 1) % _U64)
        overflowed |= nbytes >= _U64
    else:
        nbytes *= item
        overflowed |= nbytes > _INT64_MAX
    if overflowed:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    if nbytes > storage.array.nbytes:
        raise RuntimeError("Trying to resize storage that is not resizable")
    if any(n < 0 for n in size):  # torch keeps a (-1, 0) size as it is; an array cannot have one
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    if nbytes == 0:
        return np.empty(size, storage.array.dtype)
    if stride == contiguous_strides(size):  # the usual record: a slice (as_strided is slower)
        return storage.array[storage_offset:storage_offset + numel].reshape(size)
    return np.lib.stride_tricks.as_strided(storage.array[storage_offset:], shape=size,
                                           strides=tuple(k * item for k in stride))


def _set_requires_grad(t, requires_grad):
    if type(requires_grad) is not bool:
        raise RuntimeError("requires_grad must be a bool")
    t.requires_grad = requires_grad  # refuses integer tensors, as torch


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    t = Tensor._make(_checked_view(_as_storage(storage), storage_offset, size, stride), storage.dtype)
    if storage.device != "cpu":
        t = t.to(storage.device)
    _set_requires_grad(t, requires_grad)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    """A tensor over an untyped (byte) storage, its dtype given here."""
    typed = _Storage(storage.array.view(D.np_dtype(dtype)), dtype, storage.device)
    return _rebuild_tensor_v2(typed, storage_offset, size, stride, requires_grad, backward_hooks, metadata)


def _as_storage(storage):
    if not isinstance(storage, _Storage):
        raise TypeError(f"set_() received an invalid combination of arguments - got ({type(storage).__name__}, "
                        "...), but expected (torch.Storage source, int storage_offset, tuple of ints size, "
                        "tuple of ints stride)")
    return storage


def _legacy_setstate(t, state):
    """Tensor.__setstate__ for a weights-only BUILD: (storage, offset, size, stride) is set_() on a leaf,
    with the bounds checks of a tensor record; 5- and 3-tuples are a legacy Variable's data and flags."""
    if t._grad_fn is not None:
        raise RuntimeError("__setstate__ can be only called on leaf Tensors")
    if len(state) == 4:
        storage = _as_storage(state[0])
        a = _checked_view(storage, *state[1:])
        if storage.device != "cpu":
            a = Tensor._make(a, storage.dtype).to(storage.device)._data
        t._data, t._dtype = a, storage.dtype
        return
    if len(state) == 5:
        t.data = state[0]
        state = (state[3], state[4], state[2])
    requires_grad, _, _ = state
    t.requires_grad = requires_grad


def _rebuild_parameter(data, requires_grad, backward_hooks, *args):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


_TENSOR_INTERNALS = frozenset(Tensor.__slots__)


def _set_obj_state(obj, state):
    """Python attributes pickled with a tensor: a dict, or (dict, slots) as object.__reduce_ex__ gives."""
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        state, slots = state
    else:
        slots = None
    for k, v in (*(state or {}).items(), *(slots or {}).items()):
        if k in _TENSOR_INTERNALS:  # torch would keep a harmless Python attribute; here it is the tensor itself
            raise RuntimeError(f"Invalid serialized state: {k} is internal to a tensor")
        setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor with Python attributes (or of a Tensor subclass): rebuilt by func, then given its state."""
    ret = func(*args)
    if type(ret) is not new_type and new_type is not Tensor:
        ret = ret.as_subclass(new_type)
    setstate = getattr(type(ret), "__setstate__", None)
    if setstate is not None and setstate is not getattr(Tensor, "__setstate__", None):
        ret.__setstate__(state)
        return ret
    return _set_obj_state(ret, state)


def _get_layout(name):
    """torch.strided and the other layouts, as torch pickles them (by their repr)."""
    from . import _torch_flags

    found = getattr(_torch_flags, name.rpartition(".")[2], None)
    if not isinstance(found, _torch_flags.layout):
        raise RuntimeError(f"Invalid layout name {name}")
    return found


def _torch_names():
    """The globals a weights-only checkpoint may name (torch's default allowlist), mapped to ember's objects."""
    from . import _device, _size
    from .nn.parameter import Parameter

    names = {("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
             ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
             ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
             ("torch.storage", "UntypedStorage"): _StorageType(D.uint8),
             ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
             ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
             ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
             ("torch.nn.parameter", "Parameter"): Parameter,
             ("torch", "Tensor"): Tensor,
             ("torch.serialization", "_get_layout"): _get_layout,
             ("collections", "OrderedDict"): collections.OrderedDict,
             ("collections", "Counter"): collections.Counter,
             ("torch", "Size"): _size.Size,
             ("torch", "device"): _device.device,
             ("_codecs", "encode"): codecs.encode,  # how protocol 2 pickles bytes
             ("builtins", "set"): set, ("builtins", "frozenset"): frozenset, ("builtins", "bytearray"): bytearray,
             ("builtins", "slice"): slice, ("builtins", "complex"): complex}
    for dname, sname in _STORAGE_NAMES.items():
        names[("torch", sname)] = _StorageType(D._BY_NAME[dname])
        names[("torch", dname)] = D._BY_NAME[dname]
    names[("torch.storage", "UntypedStorage")] = _UNTYPED
    for alias, dname in (("float", "float32"), ("double", "float64"), ("half", "float16"), ("long", "int64"),
                         ("int", "int32"), ("short", "int16")):
        names[("torch", alias)] = D._BY_NAME[dname]
    for dname in D._BY_NAME:
        names.setdefault(("torch", dname), D._BY_NAME[dname])
    return names


_NAMES = None
_SAFE = []  # what add_safe_globals was given, in order: objects, or (object, "module.name") pairs
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")  # never loadable, even when allowlisted (as torch)


def _check_safe_global(g):
    if isinstance(g, tuple):
        if len(g) != 2:
            raise ValueError(f"Expected tuple of length 2 (global, str of callable full path), but got tuple of "
                             f"length: {len(g)}")
        if type(g[1]) is not str:
            raise TypeError(f"Expected second item in tuple to be str of callable full path, but got: {type(g[1])}")
    return g


def add_safe_globals(safe_globals):
    """Allow these globals (objects, or (object, "module.name") pairs) in weights-only loads."""
    for g in safe_globals:  # checked when a load consults them, as torch does
        if g not in _SAFE:
            _SAFE.append(g)


def get_safe_globals():
    """The globals add_safe_globals allowed, as they were given."""
    return list(_SAFE)


def clear_safe_globals():
    _SAFE.clear()


def _user_allowed():
    """"module.name" -> object for the allowlisted globals. An ember object is also allowed under its torch
    name (what a checkpoint written by torch names)."""
    rc = {}
    for g in _SAFE:
        if isinstance(_check_safe_global(g), tuple):
            rc[g[1]] = g[0]
            continue
        module, name = g.__module__, g.__qualname__
        rc[f"{module}.{name}"] = g
        if module == "ember" or module.startswith("ember."):
            rc[f"torch{module[5:]}.{name}"] = g
    return rc


class safe_globals:
    """Context manager: add_safe_globals for the duration of a `with` block; on exit the globals it added
    are removed again (as torch does)."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        for g in self.safe_globals:
            if g in _SAFE:
                _SAFE.remove(g)


def _py3_name(module, name):
    """Protocol-2 pickles written by Python 2 (or by torch, which keeps protocol 2) name Python 2's modules
    (__builtin__.set, copy_reg._reconstructor...): map them to Python 3's, as pickle and torch do."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _CheckpointReader:
    """What both unpicklers of a checkpoint share: torch's globals mapped to ember's, storages read from
    the archive (each once, and only after its declared size matched its record)."""

    def __init__(self, file, zf, prefix, map_location, weights_only):
        super().__init__(file)
        self._zf, self._prefix = zf, prefix
        self._map_location, self._weights_only = map_location, weights_only
        self._loaded = {}  # storage key -> _Storage (shared storages load once)

    def find_class(self, module, name):
        global _NAMES
        if _NAMES is None:
            _NAMES = _torch_names()
        module, name = _py3_name(module, name)
        obj = _NAMES.get((module, name))
        if obj is not None:
            return obj
        if self._weights_only:
            full_path = f"{module}.{name}"
            if module in _BLOCKED_MODULES:
                raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {full_path} whose module {module} "
                                             "is blocked.")
            allowed = _user_allowed()
            if full_path in allowed:
                return allowed[full_path]
            shown = name if module == "builtins" else full_path
            raise pickle.UnpicklingError(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
                f"`torch.serialization.add_safe_globals([{shown}])` or the `torch.serialization.safe_globals"
                f"([{shown}])` context manager to allowlist this global if you trust this class/function.")
        if module == "torch" or module.startswith("torch."):
            module = "ember" + module[5:]  # a pickled torch object: ember's namesake
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if self._weights_only:  # torch's weights-only persistent_load asserts a tuple
            if not isinstance(pid, tuple):
                raise AssertionError(f"saved_id must be a tuple, got {type(pid).__name__}")
        elif not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Unknown typename for persistent_load, expected 'storage' but got "
                                         f"'{pid[0] if isinstance(pid, tuple) and pid else pid}'")
        storage_type, key, location, numel = pid[1:]
        key = str(key)
        if key in self._loaded:
            return self._loaded[key]
        if storage_type is _UNTYPED:
            dtype = D.uint8
        elif isinstance(storage_type, _StorageType):
            dtype = storage_type.dtype
        else:  # torch reads storage_type.dtype; a crafted file's other objects have none
            kind = type(storage_type)
            shown = f"torch.{kind.__name__}" if kind.__module__.startswith("ember") else kind.__name__
            raise AttributeError(f"'{shown}' object has no attribute 'dtype'")
        if type(numel) is not int or numel < 0:
            raise TypeError(f"get_storage_from_record(): incompatible function arguments: invalid size {numel!r}")
        array = _read_record(self._zf, f"{self._prefix}data/{key}", f"data/{key}", numel * dtype.itemsize)
        array = array.view(D.np_dtype(dtype))
        if sys.byteorder != "little":
            array = array.byteswap()
        storage = _restore_location(_Storage(array, dtype, "cpu"), location, self._map_location)
        self._loaded[key] = storage
        return storage


class _TorchUnpickler(_CheckpointReader, pickle.Unpickler):
    """weights_only=False: the C unpickler, any global."""


class _WeightsOnlyUnpickler(_CheckpointReader, WeightsOnlyOps, pickle._Unpickler):
    """weights_only=True: torch's opcode set and checks (see _weights_only_unpickler)."""

    _allowed = None

    def _is_allowed(self, obj):
        """Whether a GLOBAL may give obj (REDUCE/NEWOBJ/BUILD's checks), by identity."""
        if self._allowed is None:
            self._allowed = {id(v) for v in (*_NAMES.values(), *_user_allowed().values())}
        return id(obj) in self._allowed

    _legacy_setstate = staticmethod(_legacy_setstate)


_CHUNK = 1 << 24


def _read_record(zf, name, shown, nbytes):
    """A storage's bytes, after checking that the record holds exactly the declared nbytes (a crafted
    file cannot make a small record inflate into a big storage, or the reverse), read in chunks into
    one writable buffer (no second copy of a big storage)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise RuntimeError(f"PytorchStreamReader failed locating file {shown}: file not found. This is an internal "
                           "miniz error. If you are seeing this error, there is a high likelihood that your checkpoint "
                           "file is corrupted. This can happen if the checkpoint was not saved properly, was "
                           "transferred incorrectly, or the file was modified after saving.") from None
    if info.file_size != nbytes:
        raise RuntimeError(f"record size ({info.file_size} bytes) does not match expected size ({nbytes} bytes = "
                           f"{nbytes} elements * 1 bytes/element) for dtype Byte")
    out = np.empty(nbytes, np.uint8)
    view = memoryview(out)
    with zf.open(info) as f:
        pos = 0
        while pos < nbytes:
            n = f.readinto(view[pos:pos + _CHUNK])
            if not n:
                raise RuntimeError(f"PytorchStreamReader failed reading file {shown}: file read failed")
            pos += n
    return out


def _check_device(device):
    if device.startswith("cuda"):
        from ._device import cuda_available

        if not cuda_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
                               "False. If you are running on a CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the CPU.")
    return device


def _restore_location(storage, location, map_location):
    """Where a storage saved at `location` goes, by torch's map_location rules."""
    if map_location is None:
        target = location
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
        target = str(target)
    elif callable(map_location) and not isinstance(map_location, str):
        result = map_location(storage, location)
        if result is None:
            target = location
        elif isinstance(result, _Storage):
            return _Storage(result.array, result.dtype, _check_device(result.device))
        else:
            raise TypeError(f"map_location should return a storage or None, got {type(result).__name__}")
    else:
        target = str(map_location)
    return _Storage(storage.array, storage.dtype, _check_device(target))


def _open_zip(f):
    try:
        return zipfile.ZipFile(f)
    except (zipfile.BadZipFile, EOFError):
        raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central directory") \
            from None


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by ember.save or torch.save from f (a path or a readable binary file)."""
    if weights_only is None:  # torch's default since 2.6, unless this variable opts out
        weights_only = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") in ("0", "")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load(fh, map_location, weights_only)
    return _load(f, map_location, weights_only)


def _load(fh, map_location, weights_only):
    zf = _open_zip(fh)
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        prefix = pkl[0][:-len("data.pkl")]
        byteorder = prefix + "byteorder"
        if byteorder in names and zf.read(byteorder) not in (b"little", b"little\n"):
            raise RuntimeError("ember.load reads little-endian checkpoints only")
        try:
            data = zf.read(pkl[0])
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file data.pkl: {e}") from None
        reader = _WeightsOnlyUnpickler if weights_only else _TorchUnpickler
        unpickler = reader(io.BytesIO(data), zf, prefix, map_location, weights_only)
        try:
            return unpickler.load()
        except pickle.UnpicklingError as e:
            if weights_only:
                raise pickle.UnpicklingError(weights_only_message(str(e))) from None
            raise
        except (zipfile.BadZipFile, EOFError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {e}") from None
