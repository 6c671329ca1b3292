"""A strict CPU stand-in for CuPy, so ember's CUDA path runs (and is tested) without a GPU.

Switched on by EMBER_FAKE_CUDA=1 (read by ember._device when CUDA is first used): then
`import cupy` is never attempted, `ember.cuda.is_available()` is True and `device("cuda")`
arrays are this module's `ndarray`.

It computes with NumPy underneath but behaves like CuPy where a host/device mix-up matters,
and fails where CuPy would fail, so a NumPy leak in ember's device code fails here too:
- `ndarray` is its own type (not numpy.ndarray) wrapping a NumPy array, with CuPy's
  `__cuda_array_interface__`, `.get()`, `.set()`, `.device.id`, `.data` (a MemoryPointer
  into an allocation) and `.scatter_add`;
- `__array__` raises CuPy's TypeError ("Implicit conversion to a NumPy array is not
  allowed..."), so np.asarray / np.<function> / a NumPy array op on a device array fails;
- a numpy.ndarray operand in a device op raises CuPy's TypeError "Unsupported type";
- int()/float()/complex()/bool() convert a one-element array (CuPy syncs and allows it),
  `.item()` and `.tolist()` are allowed; there is no `__index__` (CuPy has none), so a device
  scalar cannot index a Python list or size a range; len() and iteration work as in CuPy;
- reductions and full integer indexing give 0-d device arrays, never NumPy scalars;
- only CuPy's dtypes exist on the device: bool, integers, float16/32/64, complex64/128, and
  bfloat16 (CuPy 14 with ml_dtypes); no float8, object or strings.
One deliberate strictness beyond CuPy: NumPy functions do not dispatch to this module
(CuPy's `__array_function__` would route `np.exp(device_array)` back to CuPy); a NumPy
call on a device array is a leak in ember and fails here.

Kernels written in CUDA C (`ElementwiseKernel`, `RawKernel`) cannot run on the stand-in: calling
one raises `KernelNotRunnable`, which the tests turn into a named skip. `fuse` runs the Python
function eagerly on these arrays (what CuPy does when it cannot fuse), so fused code is tested.
"""
import functools
import os
import sys
import time
import types
import weakref

import numpy

_DEVICE_COUNT = int(os.environ.get("EMBER_FAKE_CUDA_DEVICES", "1"))
_TOTAL_MEMORY = 16 * 1024 ** 3  # what each stand-in device reports as its size
_current = [0]  # the current device (cudaSetDevice)

# CuPy's dtypes: bool, the signed and unsigned integers, float16/32/64, complex64/128
# (and bfloat16, which CuPy 14 takes from ml_dtypes).
_DEVICE_KINDS = frozenset("?bhilqBHILQefdFDnp")


class KernelNotRunnable(NotImplementedError):
    """A CUDA C kernel the stand-in cannot execute (tests skip on it, naming the kernel)."""


def _check_dtype(dt):
    if dt.char not in _DEVICE_KINDS and dt.name != "bfloat16":
        raise TypeError(f"Unsupported type {dt}")


def _quiet():
    """A GPU raises no floating-point warnings (NumPy would, for 0/0, log(0), overflow...)."""
    return numpy.errstate(all="ignore")


def _unsupported(x):
    return TypeError(f"Unsupported type {type(x)}")


# -- allocations and the memory pool ---------------------------------------------------
class MemoryPool:
    """cupy.cuda.MemoryPool's counters: bytes held by live arrays, and blocks kept cached."""

    def __init__(self):
        self._used = 0
        self._cached = 0
        self._limit = 0

    def used_bytes(self):
        return self._used

    def free_bytes(self):
        return self._cached

    def total_bytes(self):
        return self._used + self._cached

    def free_all_blocks(self, stream=None):
        self._cached = 0

    def n_free_blocks(self):
        return 1 if self._cached else 0

    def set_limit(self, size=None, fraction=None):
        self._limit = int(size or 0)

    def get_limit(self):
        return self._limit


class PinnedMemoryPool:
    def free_all_blocks(self):
        pass

    def n_free_blocks(self):
        return 0


_pools = [MemoryPool() for _ in range(_DEVICE_COUNT)]
_pinned_pool = PinnedMemoryPool()


def get_default_memory_pool():
    return _pools[_current[0]]


def get_default_pinned_memory_pool():
    return _pinned_pool


class Memory:
    """One device allocation (cupy.cuda.memory.Memory): ptr, size, device_id."""

    __slots__ = ("ptr", "size", "device_id", "_owner", "__weakref__")

    @property
    def device(self):
        return Device(self.device_id)


_memories = {}  # id(owning numpy array) -> Memory


def _owner(a):
    """The NumPy array at the end of a's base chain (what holds its bytes)."""
    while True:
        up = a.base
        if type(up).__name__ == "DummyArray":  # np.lib.stride_tricks.as_strided's wrapper
            up = up.base
        if not isinstance(up, numpy.ndarray):
            return a
        a = up


def _freed(key, nbytes, dev, _ref):
    _memories.pop(key, None)
    pool = _pools[dev]
    pool._used -= nbytes
    pool._cached += nbytes  # CuPy's pool keeps freed blocks until free_all_blocks


def _memory(a, dev):
    owner = _owner(a)
    key = id(owner)
    m = _memories.get(key)
    if m is not None and m._owner() is owner:
        return m
    m = Memory()
    m.ptr = owner.__array_interface__["data"][0]
    m.size = owner.nbytes
    m.device_id = dev
    m._owner = weakref.ref(owner, functools.partial(_freed, key, owner.nbytes, dev))
    _memories[key] = m
    pool = _pools[dev]
    pool._used += owner.nbytes
    pool._cached = max(0, pool._cached - owner.nbytes)  # a cached block is reused first
    return m


class MemoryPointer:
    """A pointer into an allocation (cupy.cuda.MemoryPointer(mem, offset))."""

    __slots__ = ("mem", "ptr", "device_id")

    def __init__(self, mem, offset):
        self.mem = mem
        self.ptr = mem.ptr + offset
        self.device_id = mem.device_id

    @property
    def device(self):
        return Device(self.device_id)


# -- the device array ------------------------------------------------------------------
class Flags:
    """cupy's flags: c_contiguous, f_contiguous, owndata (no writeable: CuPy arrays always are)."""

    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, a):
        f = a.flags
        self.c_contiguous, self.f_contiguous, self.owndata = f.c_contiguous, f.f_contiguous, f.owndata

    def __getitem__(self, name):
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous,
                "OWNDATA": self.owndata}[name]


# NumPy attributes CuPy's ndarray lacks (reading them is a host access a GPU array cannot do).
_NOT_ON_DEVICE = frozenset({"ctypes", "tobytes", "tostring", "tofile_", "byteswap", "newbyteorder", "setflags",
                            "itemset", "getfield", "setfield", "flat", "dumps", "dump", "resize"})


class ndarray:
    """A device array: a NumPy array that only device code may touch."""

    __slots__ = ("_a", "_dev", "__weakref__")
    __array_ufunc__ = None  # NumPy ufuncs and NumPy scalars' operators defer to this type
    __hash__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        dtype = numpy.dtype(dtype)
        _check_dtype(dtype)
        if memptr is None:
            a = numpy.empty(shape, dtype, order=order)
            dev = _current[0]
        else:
            owner = memptr.mem._owner()
            raw = owner.reshape(-1, order="A").view(numpy.uint8)[memptr.ptr - memptr.mem.ptr:]
            if strides is None:
                strides = numpy.empty(shape, dtype, order=order).strides
            a = numpy.lib.stride_tricks.as_strided(raw[:len(raw) - len(raw) % dtype.itemsize].view(dtype),
                                                   shape, strides)
            dev = memptr.device_id
        self._a = a
        self._dev = dev
        _memory(a, dev)

    @classmethod
    def _of(cls, a, dev):
        self = object.__new__(cls)
        _check_dtype(a.dtype)
        self._a = a
        self._dev = dev
        _memory(a, dev)
        return self

    # CuPy-specific attributes
    @property
    def device(self):
        return Device(self._dev)

    @property
    def data(self):
        mem = _memory(self._a, self._dev)
        return MemoryPointer(mem, self._a.__array_interface__["data"][0] - mem.ptr)

    @property
    def __cuda_array_interface__(self):
        a = self._a
        return {"shape": a.shape, "typestr": a.dtype.str, "descr": a.dtype.descr,
                "data": (a.__array_interface__["data"][0], False), "version": 3,
                "strides": None if a.flags.c_contiguous else a.strides, "stream": 1}

    @property
    def flags(self):
        return Flags(self._a)

    @property
    def base(self):
        owner = _owner(self._a)
        return None if owner is self._a else ndarray._of(owner, self._dev)

    def get(self, stream=None, order="C", out=None):
        """A host copy (the only way out of the device, with asnumpy)."""
        host = numpy.array(self._a, order=order, copy=True)
        if out is not None:
            out[...] = host
            return out
        return host

    def set(self, arr, stream=None):
        if not isinstance(arr, numpy.ndarray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, got {type(arr)}")
        if arr.shape != self._a.shape or arr.dtype != self._a.dtype:
            raise ValueError("Shape mismatch or dtype mismatch")
        self._a[...] = arr

    def scatter_add(self, slices, value):
        numpy.add.at(self._a, _unwrap_index(slices), _operand(value))

    def scatter_max(self, slices, value):
        numpy.maximum.at(self._a, _unwrap_index(slices), _operand(value))

    def scatter_min(self, slices, value):
        numpy.minimum.at(self._a, _unwrap_index(slices), _operand(value))


    def __dlpack__(self, stream=None, **kwargs):
        if stream != _OWN_STREAM:  # a real consumer would read device memory: only this module can
            raise BufferError("the CPU stand-in's device memory can be read through DLPack only by "
                              "ember.testing.fake_cupy.from_dlpack")
        return self._a.__dlpack__(**{k: v for k, v in kwargs.items() if k in ("copy", "max_version")
                                     and v is not None})

    def __dlpack_device__(self):
        return (2, self._dev)  # kDLCUDA: NumPy's from_dlpack refuses it, as it refuses CuPy's

    # NumPy's ndarray methods and attributes, on device
    def __getattr__(self, name):
        if name.startswith("__") or name in _NOT_ON_DEVICE:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        attr = getattr(self._a, name)
        if callable(attr):
            dev = self._dev

            def method(*args, **kwargs):
                out = kwargs.get("out")
                with _quiet():
                    result = attr(*_unwrap_all(args), **_unwrap_kwargs(kwargs))
                return out if out is not None and result is out._a else _wrap(result, dev)

            method.__name__ = name
            return method
        return _wrap(attr, self._dev)

    def __setattr__(self, name, value):
        if name in ("_a", "_dev"):
            object.__setattr__(self, name, value)
        elif name in ("shape", "strides", "real", "imag"):
            setattr(self._a, name, _operand(value))
        else:
            raise AttributeError(f"'cupy.ndarray' object attribute '{name}' is read-only")

    # Conversions CuPy allows (a device sync) and the one it refuses
    def __array__(self, *args, **kwargs):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __int__(self):
        return int(self._a)

    def __float__(self):
        return float(self._a)

    def __complex__(self):
        return complex(self._a)

    def __bool__(self):
        return bool(self._a)

    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a, spec)

    def __reduce__(self):
        return array, (self.get(),)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __getitem__(self, key):
        key = _unwrap_index(key)
        r = self._a[key]
        if isinstance(r, numpy.generic):  # CuPy's a[i, j] is a 0-d view of a, not a copy
            key = key if isinstance(key, tuple) else (key,)
            r = self._a[tuple(k for k in key if k is not Ellipsis) + (Ellipsis,)]
        return ndarray._of(r, self._dev) if type(r) is numpy.ndarray else _wrap(r, self._dev)

    def __setitem__(self, key, value):
        with _quiet():
            self._a[_unwrap_index(key)] = _operand(value)


def _binary(op, reflected=False):
    def method(self, other):
        b = _operand(other)
        with _quiet():
            return _wrap(op(b, self._a) if reflected else op(self._a, b), self._dev)
    return method


def _inplace(op):
    def method(self, other):
        with _quiet():
            op(self._a, _operand(other), out=self._a)
        return self
    return method


for _name, _op in [("add", numpy.add), ("sub", numpy.subtract), ("mul", numpy.multiply),
                   ("truediv", numpy.true_divide), ("floordiv", numpy.floor_divide), ("mod", numpy.remainder),
                   ("pow", numpy.power), ("matmul", numpy.matmul), ("and", numpy.bitwise_and),
                   ("or", numpy.bitwise_or), ("xor", numpy.bitwise_xor), ("lshift", numpy.left_shift),
                   ("rshift", numpy.right_shift)]:
    setattr(ndarray, f"__{_name}__", _binary(_op))
    setattr(ndarray, f"__r{_name}__", _binary(_op, reflected=True))
    setattr(ndarray, f"__i{_name}__", _inplace(_op))
for _name, _op in [("lt", numpy.less), ("le", numpy.less_equal), ("gt", numpy.greater),
                   ("ge", numpy.greater_equal), ("eq", numpy.equal), ("ne", numpy.not_equal)]:
    setattr(ndarray, f"__{_name}__", _binary(_op))
for _name, _op in [("neg", numpy.negative), ("pos", numpy.positive), ("abs", numpy.absolute),
                   ("invert", numpy.invert)]:
    setattr(ndarray, f"__{_name}__", lambda self, _op=_op: _wrap(_op(self._a), self._dev))  # no FP warnings
ndarray.__divmod__ = lambda self, other: _wrap(numpy.divmod(self._a, _operand(other)), self._dev)


# -- crossing between the stand-in and NumPy -------------------------------------------
def _operand(x):
    """An operand of a device op: a device array on the current device, or a scalar."""
    if type(x) is ndarray:
        if x._dev != _current[0]:
            raise ValueError(f"The device where the array resides ({x._dev}) is different from the current "
                             f"device ({_current[0]}). Peer access has been activated if possible.")
        return x._a
    if isinstance(x, numpy.ndarray):
        raise _unsupported(x)
    if isinstance(x, (list, tuple)):  # sequences of device arrays (concatenate, stack, ...)
        return type(x)(_operand(v) for v in x)
    return x


def _unwrap_index(key):
    """An index: device integer/bool arrays act as indices; host arrays may not be mixed in."""
    if isinstance(key, tuple):
        return tuple(_unwrap_index(k) for k in key)
    if type(key) is ndarray:
        return key._a
    if isinstance(key, numpy.ndarray):
        raise IndexError(f"Unsupported index type {type(key)}") from _unsupported(key)
    return key


def _unwrap_all(args):
    return tuple(_operand(a) for a in args)


def _unwrap_kwargs(kwargs):
    return {k: _operand(v) for k, v in kwargs.items()} if kwargs else kwargs


def _wrap(result, dev):
    if isinstance(result, numpy.ndarray):
        return ndarray._of(result, dev)
    if isinstance(result, numpy.generic):  # CuPy never hands out a NumPy scalar: a 0-d device array
        return ndarray._of(numpy.asarray(result), dev)
    if isinstance(result, tuple):
        items = [_wrap(r, dev) for r in result]
        return type(result)(*items) if hasattr(result, "_fields") else tuple(items)
    if isinstance(result, list):
        return [_wrap(r, dev) for r in result]
    return result


def _device_function(fn, name, scalar_result=False):
    """A NumPy function run on device arrays: operands unwrapped, results rewrapped."""

    def run(*args, **kwargs):
        dev = _current[0]
        out = kwargs.get("out")
        args = _unwrap_all(args)
        kwargs = _unwrap_kwargs(kwargs)
        with _quiet():
            result = fn(*args, **kwargs)
        if out is not None and type(out) is ndarray and result is out._a:
            return out
        if scalar_result and not isinstance(result, numpy.ndarray):
            result = numpy.asarray(result)
        return _wrap(result, dev)

    run.__name__ = run.__qualname__ = name
    run.__module__ = "cupy"
    return run


class ufunc:
    """A CuPy ufunc: call, out=, and the reduce/accumulate/at/outer methods."""

    def __init__(self, np_ufunc):
        self._u = np_ufunc
        self.__name__ = np_ufunc.__name__
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs
        self._call = _device_function(np_ufunc, self.__name__)

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _device_function(getattr(self._u, name), f"{self.__name__}.{name}")

    def __repr__(self):
        return f"<ufunc 'cupy_{self.__name__}'>"


# Creation from host data: these accept NumPy arrays, lists and scalars (a host-to-device copy).
_FROM_HOST = frozenset({"array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray"})
# Functions that give a Python bool/int in NumPy but a 0-d array in CuPy.
_ARRAY_RESULT = frozenset({"allclose", "array_equal", "array_equiv", "count_nonzero"})
# NumPy names CuPy does not have.
_MISSING = frozenset({"errstate", "seterr", "geterr", "frompyfunc", "nditer", "float128", "longdouble",
                      "clongdouble", "complex256", "object_", "str_", "bytes_", "void", "ma", "char", "rec",
                      "fromfunction", "loadtxt", "genfromtxt", "memmap", "busday_count", "datetime64",
                      "timedelta64", "from_dlpack_", "matrix", "poly1d_", "testing", "ctypeslib"})


def _from_host(fn_name):
    np_fn = getattr(numpy, fn_name)

    def create(obj, dtype=None, *args, **kwargs):
        dev = _current[0]
        copy = kwargs.pop("copy", True) if fn_name == "array" else False
        if type(obj) is ndarray:  # device to device: a copy only when asked for or across devices
            a = np_fn(obj._a, dtype, *args, **kwargs)
            if a is obj._a and obj._dev == dev and not copy:
                return obj
            if obj._dev != dev or copy:
                a = numpy.array(a, copy=True, order="K")
            return _wrap(a, dev)
        if isinstance(obj, (list, tuple)) and any(type(v) is ndarray for v in obj):
            obj = [v._a if type(v) is ndarray else v for v in obj]
        a = np_fn(obj, dtype, *args, **kwargs)
        if isinstance(obj, numpy.ndarray) and numpy.may_share_memory(a, obj):
            a = a.copy(order="K")  # host to device is always a copy
        return _wrap(a, dev)

    create.__name__ = create.__qualname__ = fn_name  # so that pickle finds fake_cupy.array
    return create


def asnumpy(a, stream=None, order="C", out=None):
    """Device to host (host objects pass through, as in CuPy)."""
    if type(a) is ndarray:
        return a.get(stream=stream, order=order, out=out)
    return numpy.asarray(a, order=order)


_OWN_STREAM = -0x5EED  # the stream argument by which this module's from_dlpack reads its own memory


def from_dlpack(x):
    if type(x) is ndarray:
        return x
    if int(x.__dlpack_device__()[0]) != 2:
        raise BufferError("the stand-in device reads only CUDA (kDLCUDA) DLPack tensors")
    dev = int(x.__dlpack_device__()[1])

    class _Host:  # the capsule holds the stand-in's NumPy memory
        def __dlpack__(self, **kw):
            return x.__dlpack__(stream=_OWN_STREAM, **{k: v for k, v in kw.items() if k in ("max_version", "copy")})

        def __dlpack_device__(self):
            return (1, 0)

    return ndarray._of(numpy.from_dlpack(_Host()), dev)


fromDlpack = from_dlpack


def fuse(*args, **kwargs):
    """cupy.fuse: the function runs eagerly on device arrays (its ops are the stand-in's)."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f


class ElementwiseKernel:
    """A CUDA C elementwise kernel: compiled by CuPy on a GPU, not runnable here."""

    def __init__(self, in_params, out_params, operation, name="kernel", *args, **kwargs):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise KernelNotRunnable(f"the CPU stand-in cannot run the CUDA kernel '{self.name}'")


class ReductionKernel(ElementwiseKernel):
    def __init__(self, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
                 name="reduce_kernel", *args, **kwargs):
        self.name = name


class RawKernel:
    def __init__(self, code, name, *args, **kwargs):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise KernelNotRunnable(f"the CPU stand-in cannot run the CUDA kernel '{self.name}'")


class RawModule:
    def __init__(self, *args, **kwargs):
        pass

    def get_function(self, name):
        return RawKernel("", name)


# -- cupy.cuda ---------------------------------------------------------------------------
class Device:
    """cupy.cuda.Device: an id, a context manager that makes it current, synchronize."""

    def __init__(self, device=None):
        self.id = _current[0] if device is None else int(device)
        if not 0 <= self.id < _DEVICE_COUNT:
            raise runtime.CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        self._prev = []

    def __enter__(self):
        self._prev.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._prev.pop()

    def use(self):
        _current[0] = self.id

    def synchronize(self):
        pass

    @property
    def compute_capability(self):
        return "90"

    @property
    def mem_info(self):
        return runtime.memGetInfo()

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __int__(self):
        return self.id

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class CUDARuntimeError(RuntimeError):
    pass


def _properties(i):
    Device(i)  # checks the ordinal
    return {"name": b"ember CPU stand-in for CUDA", "major": 9, "minor": 0, "totalGlobalMem": _TOTAL_MEMORY,
            "multiProcessorCount": 132, "l2CacheSize": 50 * 1024 ** 2, "warpSize": 32,
            "maxThreadsPerBlock": 1024, "uuid": b"\0" * 16, "pciBusID": i, "pciDeviceID": 0, "pciDomainID": 0}


def _set_device(i):
    Device(i).use()


def _mem_get_info():
    used = _pools[_current[0]].total_bytes()
    return (max(0, _TOTAL_MEMORY - used), _TOTAL_MEMORY)


runtime = types.SimpleNamespace(
    CUDARuntimeError=CUDARuntimeError,
    getDeviceCount=lambda: _DEVICE_COUNT,
    getDevice=lambda: _current[0],
    setDevice=_set_device,
    deviceSynchronize=lambda: None,
    getDeviceProperties=_properties,
    memGetInfo=_mem_get_info,
    deviceCanAccessPeer=lambda device, peer: int(device != peer),
    runtimeGetVersion=lambda: 12040,
    driverGetVersion=lambda: 12040,
    is_hip=False,
)


class Stream:
    """cupy.cuda.Stream: work on the stand-in is synchronous, so every stream is always done."""

    _next_ptr = [0x1000]

    def __init__(self, null=False, non_blocking=False, ptds=False, priority=None):
        if null:
            self.ptr = 0
        else:
            self.ptr = Stream._next_ptr[0]
            Stream._next_ptr[0] += 0x10
        self.device_id = _current[0]
        self._prev = []

    def __enter__(self):
        self._prev.append(_stream[0])
        _stream[0] = self
        return self

    def __exit__(self, *exc):
        _stream[0] = self._prev.pop()

    def use(self):
        _stream[0] = self
        return self

    def synchronize(self):
        pass

    @property
    def done(self):
        return True

    def record(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def wait_event(self, event):
        pass

    def __eq__(self, other):
        return isinstance(other, Stream) and other.ptr == self.ptr

    def __hash__(self):
        return hash(self.ptr)

    def __repr__(self):
        return f"<Stream {self.ptr} (device {self.device_id})>"


class ExternalStream(Stream):
    def __init__(self, ptr, device_id=-1):
        self.ptr = int(ptr)
        self.device_id = _current[0] if device_id < 0 else device_id
        self._prev = []


Stream.null = Stream(null=True)
_stream = [Stream.null]


def get_current_stream(device_id=None):
    return _stream[0]


class Event:
    """cupy.cuda.Event: recording takes the host clock (the stand-in's work is already done)."""

    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self.disable_timing = disable_timing
        self._time = None
        self.ptr = id(self)

    def record(self, stream=None):
        self._time = time.perf_counter()

    def synchronize(self):
        pass

    @property
    def done(self):
        return True


def get_elapsed_time(start_event, end_event):
    """Milliseconds between two recorded events."""
    if start_event.disable_timing or end_event.disable_timing:
        raise CUDARuntimeError("cudaErrorInvalidResourceHandle: invalid resource handle")
    if start_event._time is None or end_event._time is None:
        raise CUDARuntimeError("cudaErrorInvalidResourceHandle: invalid resource handle")
    return (end_event._time - start_event._time) * 1000.0


class PinnedMemoryPointer(bytearray):
    """A block of (page-locked, on a GPU machine) host memory: NumPy arrays are made on it."""

    @property
    def size(self):
        return len(self)

    @property
    def ptr(self):
        return numpy.frombuffer(self, numpy.uint8).__array_interface__["data"][0]


def alloc_pinned_memory(size):
    return PinnedMemoryPointer(size)


cuda = types.SimpleNamespace(
    Device=Device, runtime=runtime, Stream=Stream, ExternalStream=ExternalStream, Event=Event,
    get_elapsed_time=get_elapsed_time, get_current_stream=get_current_stream, MemoryPointer=MemoryPointer,
    PinnedMemoryPointer=PinnedMemoryPointer,
    Memory=Memory, MemoryPool=MemoryPool, PinnedMemoryPool=PinnedMemoryPool,
    alloc_pinned_memory=alloc_pinned_memory, is_available=lambda: True,
    get_device_id=lambda: _current[0],
    memory=types.SimpleNamespace(MemoryPointer=MemoryPointer, Memory=Memory, MemoryPool=MemoryPool),
    stream=types.SimpleNamespace(get_current_stream=get_current_stream, Stream=Stream),
)


# -- cupy.random: one NumPy RandomState per device ---------------------------------------
class _Random(types.ModuleType):
    def __init__(self):
        super().__init__("cupy.random")
        self._states = {}

    def get_random_state(self):
        s = self._states.get(_current[0])
        if s is None:
            s = self._states[_current[0]] = numpy.random.RandomState()
        return s

    def seed(self, seed=None):
        self.get_random_state().seed(None if seed is None else int(seed) % 2 ** 32)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _device_function(getattr(self.get_random_state(), name), f"random.{name}")


random = _Random()


# -- the NumPy namespace, as device functions --------------------------------------------
class _Namespace(types.ModuleType):
    """A sub-namespace (linalg, fft, lib.stride_tricks) whose functions run on device arrays."""

    def __init__(self, name, np_module, names=None):
        super().__init__(f"cupy.{name}")
        self._np = np_module
        self._names = names

    def __getattr__(self, name):
        if name.startswith("__") or (self._names is not None and name not in self._names):
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        attr = getattr(self._np, name)
        if isinstance(attr, type) or not callable(attr):
            return attr
        fn = _device_function(attr, name)
        setattr(self, name, fn)
        return fn


# cupy.linalg's functions (its __init__'s list; LinAlgError is NumPy's).
linalg = _Namespace("linalg", numpy.linalg, frozenset({
    "matrix_power", "cholesky", "qr", "svd", "eigh", "eig", "eigvalsh", "eigvals", "norm", "cond", "det",
    "matrix_rank", "slogdet", "solve", "tensorsolve", "inv", "pinv", "tensorinv", "lstsq", "cross",
    "LinAlgError", "matmul", "matrix_transpose", "vecdot", "tensordot"}))
fft = _Namespace("fft", numpy.fft)
lib = types.SimpleNamespace(stride_tricks=_Namespace(
    "lib.stride_tricks", numpy.lib.stride_tricks, frozenset({"as_strided", "broadcast_to",
                                                             "sliding_window_view"})))

for _name in _FROM_HOST:
    globals()[_name] = _from_host(_name)

ndarray.__module__ = "cupy"
dtype = numpy.dtype
newaxis = None
_cache = {}


def __getattr__(name):
    """The rest of NumPy's namespace: functions run on device arrays, types and constants as they are."""
    fn = _cache.get(name)
    if fn is not None:
        return fn
    if name.startswith("__") or name in _MISSING:
        raise AttributeError(f"module 'cupy' has no attribute '{name}'")
    attr = getattr(numpy, name)
    if isinstance(attr, numpy.ufunc):
        fn = ufunc(attr)
    elif isinstance(attr, type) or isinstance(attr, types.ModuleType) or not callable(attr):
        return attr
    else:
        fn = _device_function(attr, name, scalar_result=name in _ARRAY_RESULT)
    _cache[name] = fn
    return fn


cupyx = types.SimpleNamespace(
    scatter_add=lambda a, slices, value: a.scatter_add(slices, value),
    scatter_max=lambda a, slices, value: a.scatter_max(slices, value),
    scatter_min=lambda a, slices, value: a.scatter_min(slices, value),
    empty_pinned=lambda shape, dtype=float, order="C": numpy.empty(shape, dtype, order=order),
    zeros_pinned=lambda shape, dtype=float, order="C": numpy.zeros(shape, dtype, order=order),
    errstate=numpy.errstate,
)



def get_array_module(*args):
    return sys.modules[__name__] if any(type(a) is ndarray for a in args) else numpy


def is_available():
    return True


__version__ = "13.0.0+ember.stand.in"
