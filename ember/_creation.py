"""Tensor creation: tensor(), as_tensor(), from_numpy(), zeros/ones/full/empty,
ranges, eye and the *_like functions, and the legacy torch.Tensor(...) form."""
import itertools
import math
import numbers

import numpy as np

from . import _dtype as D
from ._device import as_device, xp_for, xp_of, device_of
from ._tensor import Tensor
from ._alloc import torch_alloc_errors


def _finish(array, dtype, requires_grad):
    t = Tensor._make(array, dtype)
    if requires_grad:
        if not dtype._differentiable:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _to_nested_values(data):
    """Replace tensors inside nested lists by their values (torch.tensor([t1, t2]))."""
    if isinstance(data, Tensor):
        return data.detach().numpy(force=True).tolist()
    if isinstance(data, (list, tuple)):
        return [_to_nested_values(x) for x in data]
    return data


def _has_tensor(seq):
    """Whether nested lists hold a Tensor (type tests at C speed, row by row)."""
    types = set(map(type, seq))
    if any(issubclass(t, Tensor) for t in types):
        return True
    return (list in types or tuple in types) and any(_has_tensor(x) for x in seq if isinstance(x, (list, tuple)))


def _scalar_tensors(data):
    """Nested data with each Tensor read as the scalar it holds, as torch.tensor([t1, t2]) reads
    them: a tensor of more than one element is refused, a one-element one becomes 0-d."""
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data.detach().reshape(()) if data._data.ndim else data.detach()
    if isinstance(data, (list, tuple)):
        return [_scalar_tensors(x) for x in data]
    return data


def _python_array(data):
    """A NumPy array of nested Python data with torch's errors for what torch refuses."""
    try:
        arr = np.array(data)
    except (RuntimeError, TypeError):  # tensors that require grad or live on a GPU
        arr = np.array(_to_nested_values(data))
    except ValueError:
        _check_nested(data, _sizes(data), 0)
        raise
    kind = arr.dtype.kind
    if kind in "US":
        raise TypeError(f"new(): invalid data type '{'str' if kind == 'U' else 'bytes'}'")
    if kind == "O" or (kind == "u" and arr.dtype.itemsize == 8):
        none = object()  # a None in the data is itself the bad element
        bad = next((x for x in _flat_iter(data) if not isinstance(x, (numbers.Number, np.generic, Tensor))), none)
        if bad is none:
            raise ValueError("Overflow when unpacking long long")
        if isinstance(bad, str):
            raise TypeError("new(): invalid data type 'str'")
        raise RuntimeError(f"Could not infer dtype of {type(bad).__name__}")
    return arr


def _sizes(data):
    """The shape torch reads from nested sequences: the lengths along the first elements."""
    sizes = []
    while isinstance(data, (list, tuple)):
        sizes.append(len(data))
        if not data:
            break
        data = data[0]
    return sizes


def _check_nested(seq, sizes, dim):
    """torch's errors for ragged nested sequences."""
    if len(seq) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(seq)})")
    last = dim + 1 == len(sizes)
    for x in seq:
        is_seq = isinstance(x, (list, tuple))
        if last and is_seq:
            floats = any(isinstance(v, float) for v in _flat_iter(seq))
            raise TypeError(f"must be real number, not {type(x).__name__}" if floats
                            else f"'{type(x).__name__}' object cannot be interpreted as an integer")
        if not last:
            if not is_seq:
                raise TypeError("not a sequence")
            _check_nested(x, sizes, dim + 1)


_CATEGORY = {"b": D.bool_, "i": D.int64, "u": D.int64}
_PYTHON_NUMBERS = {float, int, bool}
_NUMPY_INTS = {"bool": D.bool_, "uint8": D.uint8, "int8": D.int8, "int16": D.int16, "int32": D.int32, "int64": D.int64}


def _float_dtype_of(data, ndim):
    """torch's dtype for nested data holding floats (NumPy made an array of `ndim` dims of it):
    a Python float counts as the default dtype (a complex as the default complex dtype), a NumPy
    scalar and a tensor as their own dtypes, all promoted together (ints and bools never change
    a float dtype). The caller makes the result complex when NumPy found complex values."""
    default = D.get_default_dtype()
    if not isinstance(data, (list, tuple)):
        return default
    types = set(map(type, _leaves(data, ndim)))
    if types <= _PYTHON_NUMBERS:  # the common case, seen at C speed
        return default
    found = {default} if float in types or complex in types else set()
    found.update(D.from_numpy_dtype(np.dtype(t)) for t in types if issubclass(t, (np.floating, np.complexfloating)))
    if any(issubclass(t, Tensor) for t in types):
        found.update(x._dtype for x in _leaves(data, ndim) if isinstance(x, Tensor) and x._dtype._differentiable)
    result = None
    for d in found:
        result = d if result is None else D.promote_types(result, d)
    return result or default


def _leaves(data, ndim):
    """The elements of rectangular nested data, ndim levels down (arrays and tensors iterate too)."""
    for _ in range(ndim - 1):
        data = itertools.chain.from_iterable(data)
    return data


def _array_from(data, dtype, device, copy=True):
    """An array of `dtype` on `device` holding `data` (anything torch.tensor accepts)."""
    dtype = D.canonical(dtype)
    xp = xp_for(device)
    if isinstance(data, Tensor):
        arr = data._data
        if dtype is None:
            dtype = data._dtype
    elif isinstance(data, (np.ndarray, np.generic)) or hasattr(data, "__cuda_array_interface__"):
        arr = np.asarray(data) if isinstance(data, np.generic) else data
        if dtype is None:
            dtype = D.from_numpy_dtype(arr.dtype)
    elif data is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    elif isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    elif hasattr(data, "__array__") and not isinstance(data, (list, tuple)):
        arr = np.asarray(data)
        if dtype is None:
            dtype = D.from_numpy_dtype(arr.dtype)
    elif dtype is D.uint64:
        arr = _uint64_array(data)
    else:
        # Python numbers and nested sequences: bool < int64 < the default float
        if isinstance(data, (list, tuple)) and _has_tensor(data):
            data = _scalar_tensors(data)
        arr = _python_array(data)
        kind = arr.dtype.kind
        if kind == "f":
            inferred = _float_dtype_of(data, arr.ndim)
        elif kind == "c":
            inferred = _float_dtype_of(data, arr.ndim).to_complex()
            target = D.canonical(dtype)
            if target is not None and target.category == D._INT:
                raise TypeError("'complex' object cannot be interpreted as an integer")
            if target is not None and target.category == D._FLOAT:
                raise TypeError("must be real number, not complex")
        else:  # NumPy promotes NumPy integer scalars with Python ints and bools as torch does
            inferred = _NUMPY_INTS.get(arr.dtype.name) or _CATEGORY[kind]
        if dtype is None:
            dtype = inferred
        elif inferred is D.int64 and dtype.category == D._INT and arr.size:
            info = np.iinfo(D.np_dtype(dtype))
            lo = -int(info.max) if info.min == 0 else int(info.min)  # torch lets negatives wrap to unsigned
            if arr.min() < lo or arr.max() > info.max:
                raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
        elif kind == "f" and dtype.category == D._INT and arr.size:
            # NaN, inf and out-of-range floats would wrap silently in astype; floats never wrap to unsigned
            info = np.iinfo(D.np_dtype(dtype))
            if not np.isfinite(arr).all() or arr.min() < info.min or arr.max() >= min(info.max + 1, 2.0 ** 63):
                if any(isinstance(x, int) and not -2 ** 63 <= x < 2 ** 63 for x in _flat_iter(data)):
                    raise ValueError("Overflow when unpacking long long")  # NumPy made a float of a big int
                if arr.max() > info.max or not np.isfinite(arr).all() or arr.min() < info.min:
                    raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
        copy = False
    npdt = D.np_dtype(dtype)
    if xp is np:
        if type(arr) is not np.ndarray:
            arr = arr.get()
        if arr.dtype != npdt:
            arr = arr.astype(npdt)
        elif copy:
            arr = arr.copy()
    else:
        arr = xp.asarray(arr, dtype=npdt)
        if copy and device_of(arr) == device_of(data._data if isinstance(data, Tensor) else arr):
            arr = arr.copy()
    return arr, dtype


def _uint64_array(data):
    """Python ints as uint64 take the whole range [0, 2**64), which no signed NumPy type
    holds; torch reads each as an unsigned C integer (negatives and floats refused)."""
    for x in _flat_iter(data):
        if isinstance(x, (bool, np.bool_)):
            continue
        if not isinstance(x, (int, np.integer)):
            if isinstance(x, Tensor):
                return np.array(_to_nested_values(data)).astype(np.uint64)
            raise TypeError("an integer is required")
        if x < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if x >= 2 ** 64:
            raise OverflowError("int too big to convert")
    return np.array(data, dtype=np.uint64)


def _flat_iter(data):
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            yield x


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, scalars, arrays, tensors)."""
    if isinstance(data, Tensor):
        import warnings

        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    if device is None and isinstance(data, Tensor):
        device = data.device
    try:
        dtype = D.canonical(dtype)
    except TypeError as e:
        raise _named("tensor", e) from None
    arr, dtype = _array_from(data, dtype, as_device(device))
    return _finish(arr, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a tensor or NumPy array when it can."""
    dtype = D.canonical(dtype)
    if isinstance(data, Tensor):
        if (dtype is None or dtype is data._dtype) and (device is None or as_device(device) == data.device):
            return data
        return data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and (device is None or as_device(device).type == "cpu"):
        d = D.from_numpy_dtype(data.dtype)
        if dtype is None or dtype is d:
            return Tensor._make(data, d)
    arr, dtype = _array_from(data, dtype, as_device(device), copy=False)
    return Tensor._make(arr, dtype)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return Tensor._make(ndarray, D.from_numpy_dtype(ndarray.dtype))


def _shape(size, fname="empty"):
    """Sizes given as f(2, 3), f((2, 3)) or f([2, 3]) -> a tuple of ints (torch's errors)."""
    if size and isinstance(size[0], (tuple, list)):
        if len(size) > 1:
            raise TypeError(f"{fname}() takes 1 positional argument but {len(size)} were given")
        size = size[0]
    elif len(size) == 1 and not isinstance(size[0], (int, np.integer, Tensor)):
        raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not {type(size[0]).__name__}")
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{fname}(): argument 'size' failed to unpack the object at pos {len(out) + 1} with error "
                            f'"type must be tuple of ints,but got {type(s).__name__}"')
        if s < 0:
            if fname == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]")
        out.append(int(s))
    return tuple(out)


def _write_out(result, out):
    """The `out=` form: out takes result's shape and values (torch resizes it), and is returned."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    from ._ops._inplace import fill_inplace

    if out._data.shape != result._data.shape:
        out._data = xp_of(out._data).empty(result._data.shape, out._data.dtype)
    return fill_inplace(out, result._data)


# The C++ type names torch's Scalar conversion errors use.
_C_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
            "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t", "float32": "float"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _overflow(dtype, name=None):
    return RuntimeError(f"value cannot be converted to type {name or _C_NAMES[dtype.name]} without overflow")


def checked_scalar(value, dtype):
    """The Python number `value` as stored in `dtype` (full, fill_, scalar_tensor),
    raising as torch's Scalar conversion (c10::checked_convert) does where NumPy
    would wrap silently (1e10 -> int8 gave 0, nan -> int64 gave -2**63). Python ints
    wrap to unsigned types down to -max, as in torch. float16/bfloat16 are not checked."""
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, np.integer)):
        value = int(value)
        if value > 2 ** 64 - 1:
            raise OverflowError("int too big to convert")
        if value < -2 ** 63:
            raise OverflowError("can't convert negative int to unsigned")
        if dtype.category == D._BOOL:
            return bool(value)
        if dtype.category != D._INT:
            return value
        info = np.iinfo(D.np_dtype(dtype))
        if value > info.max or value < (-int(info.max) if info.min == 0 else int(info.min)):
            raise _overflow(dtype)
        return value % (int(info.max) + 1) if value < 0 and info.min == 0 else value
    if dtype.category in (D._BOOL, D._COMPLEX):
        return value
    if isinstance(value, (complex, np.complexfloating)):
        if value.imag != 0:
            raise _overflow(dtype, _C_NAMES.get(dtype.name, "double"))
        value = value.real
    value = float(value)
    if dtype.category == D._INT:
        info = np.iinfo(D.np_dtype(dtype))
        if not math.isfinite(value) or value < float(info.min) or value > float(info.max):
            raise _overflow(dtype)
    elif dtype.name == "float32" and math.isfinite(value) and abs(value) > _FLOAT32_MAX:
        raise _overflow(dtype)
    return value


def _named(fname, e):
    """TypeError e from an argument check, named for the public function as torch's parser names it."""
    return TypeError(f"{fname}(): {e}") if str(e).startswith("argument '") else e


@torch_alloc_errors
def _filled(fill, size, dtype, device, requires_grad, fname, out=None):
    try:
        dtype = D.canonical(dtype)
    except TypeError as e:
        raise _named(fname, e) from None
    dtype = dtype or (out._dtype if out is not None else D._default[0])
    if fill != 0:
        fill = checked_scalar(fill, dtype)
    xp = xp_for(as_device(device))
    shape = _shape(size, fname)
    npdt = D.np_dtype(dtype)
    arr = xp.zeros(shape, npdt) if fill == 0 else xp.full(shape, fill, npdt)
    return _write_out(_finish(arr, dtype, requires_grad), out)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(0, args if size is None else (size,), dtype, device, requires_grad, "zeros", out)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(1, args if size is None else (size,), dtype, device, requires_grad, "ones", out)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    # Zero-filled: as fast as uninitialized memory (calloc) and never shows garbage.
    return _filled(0, args if size is None else (size,), dtype, device, requires_grad, "empty", out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = D.canonical(dtype)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    _check_fill(fill_value, "full")
    if dtype is None:
        dtype = D.scalar_dtype(fill_value)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    return _filled(fill_value, (tuple(size),), dtype, device, requires_grad, "full", out)


def _like(fn, input, dtype, device, requires_grad, *args):
    return fn(*args, tuple(input._data.shape), dtype=dtype or input._dtype,
              device=device if device is not None else input.device, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(empty, input, dtype, device, requires_grad)


def _check_fill(fill_value, name):
    if not isinstance(fill_value, (bool, int, float, complex, np.number, np.bool_, Tensor)):
        raise TypeError(f"{name}(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _check_fill(fill_value, "full_like")
    return full(tuple(input._data.shape), fill_value, dtype=dtype or input._dtype,
                device=device if device is not None else input.device, requires_grad=requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


@torch_alloc_errors
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from start to end (exclusive) by step; the default float dtype if any bound is a float.

    Length and values follow ATen's CPU kernel: the length is ceil((end - start) / step)
    (for int64, integer arithmetic on the truncated bounds), and value i is
    fma(i, step, start) in double (int64 for integer dtypes), except that the
    vectorized loop starts each SIMD vector of V lanes from the rounded value
    at its first index: base + j * step."""
    dtype = D.canonical(dtype)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = D._default[0] if any(isinstance(v, float) for v in (start, end, step)) else D.int64
    if dtype is D.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    D.refuse_limited(D.canonical(dtype), "arange_cpu")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_fmt(start)} -> {_fmt(end)}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    xp = xp_for(as_device(device))
    npdt = D.np_dtype(dtype)
    if dtype.is_floating_point:
        n = max(0, math.ceil((end - start) / step))
        arr = xp.asarray(_arange_values(float(start), float(step), n, npdt))
    else:
        istart, iend, istep = int(start), int(end), int(step)
        if dtype is D.int64:
            sgn = (istep > 0) - (istep < 0)
            n = max(0, int((iend - istart + istep - sgn) / istep))
        else:
            n = max(0, math.ceil((end - start) / step))
        arr = (xp.arange(n, dtype=np.int64) * istep + istart).astype(npdt)
    return _write_out(_finish(arr, dtype, requires_grad), out)


def _arange_values(start, step, n, npdt):
    from ._random import fma64  # one fused multiply-add helper for all of ember

    lanes = 32 // np.dtype(npdt).itemsize if npdt in (np.float32, np.float64) else 8  # AVX2 vector width
    idx = np.arange(n, dtype=np.float64)
    nvec = n // (2 * lanes) * 2 * lanes  # the vector loop takes two vectors at a time
    out = np.empty(n, npdt)
    base = fma64(idx[:nvec] // lanes * lanes, step, start).astype(npdt).astype(np.float64)
    out[:nvec] = fma64(idx[:nvec] % lanes, step, base)
    out[nvec:] = fma64(idx[nvec:], step, start)
    return out


def _fmt(x):
    return str(int(x)) if isinstance(x, int) or (isinstance(x, float) and x.is_integer()) else str(x)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """torch.range (deprecated): like arange but includes `end`."""
    dtype = D.canonical(dtype)
    if end is None:
        start, end = 0, start
    dtype = dtype or D._default[0]
    n = int(math.floor((end - start) / step)) + 1
    xp = xp_for(as_device(device))
    return _finish((xp.arange(n, dtype=np.float64) * step + start).astype(D.np_dtype(dtype)), dtype, requires_grad)


@torch_alloc_errors
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, computed as torch does (from both ends)."""
    dtype = D.canonical(dtype)
    dtype = dtype or D._default[0]
    arr = _torch_linspace(_num(start), _num(end), steps, dtype)
    xp = xp_for(as_device(device))
    return _write_out(_finish(xp.asarray(arr.astype(D.np_dtype(dtype))), dtype, requires_grad), out)


def _torch_linspace(start, end, steps, dtype, fused=True):
    """ATen's CPU linspace: step = (end - start) / (steps - 1) in the dtype (double for
    integers); value i is start + step * i below steps // 2 and end - step * (steps - 1 - i)
    from there, both ends exact; each an FMA in the dtype's precision (`fused`: linspace
    is compiled with FMAs, logspace's exponents without)."""
    from ._random import fma32, fma64

    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        got = ", ".join(type(x).__name__ for x in (start, end, steps))
        raise TypeError(f"linspace() received an invalid combination of arguments - got ({got}), but expected one of:")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    single = dtype.is_floating_point and dtype is not D.float64
    npdt = np.float32 if single else np.float64
    if not dtype.is_floating_point:
        start, end = int(start), int(end)
    if steps <= 1:
        return np.full(steps, start, npdt)
    s, e = npdt(start), npdt(end)
    step = (e - s) / npdt(steps - 1)
    half = steps // 2
    fma = (fma32 if single else fma64) if fused else (lambda a, b, c: (a * b + c).astype(npdt))
    lo = fma(np.arange(half, dtype=np.float64).astype(npdt), step, s)
    hi = fma(np.arange(steps - half - 1, -1, -1, dtype=np.float64).astype(npdt), -step, e)
    return np.concatenate([lo, hi])


@torch_alloc_errors
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """base ** linspace(start, end, steps), the power taken in the dtype (double for integers)."""
    dtype = D.canonical(dtype)
    dtype = dtype or D._default[0]
    exps = _torch_linspace(_num(start), _num(end), steps, dtype, fused=False)  # ATen: no FMA here
    arr = np.power(exps.dtype.type(base), exps).astype(D.np_dtype(dtype))
    xp = xp_for(as_device(device))
    return _write_out(_finish(xp.asarray(arr), dtype, requires_grad), out)


@torch_alloc_errors
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = D.canonical(dtype) or D._default[0]
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    xp = xp_for(as_device(device))
    return _write_out(_finish(xp.eye(n, m, dtype=D.np_dtype(dtype)), dtype, requires_grad), out)


def _legacy_new(cls, dtype, args, device):
    """torch.Tensor(...) / torch.FloatTensor(...): sizes, a sequence, an array, a tensor
    (shared, keeping its dtype) or nothing. Sized forms are zero-filled."""
    device = as_device(device)
    if not args:
        arr = xp_for(device).zeros((0,), D.np_dtype(dtype))
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer)) and not type(args[0]).__name__ == "Size":
        data = args[0]
        if isinstance(data, Tensor):
            arr, dtype = data._data, data._dtype
        elif isinstance(data, (numbers.Number, np.generic)):
            name = type(data).__name__ if type(data).__module__ == "builtins" else \
                f"{type(data).__module__}.{type(data).__name__}"
            raise TypeError(f"new(): data must be a sequence (got {name})")
        else:
            arr, _ = _array_from(data, dtype, device)
    else:
        arr = xp_for(device).zeros(_shape(args, "new"), D.np_dtype(dtype))
    t = object.__new__(cls)
    t._data = arr
    t._dtype = dtype
    t._requires_grad = False
    t._grad_fn = None
    return t


# -- Tensor.new_*: factories that default to self's dtype and device ------------------------
def _new_kwargs(self, dtype, device):
    return dict(dtype=dtype or self._dtype, device=device if device is not None else self.device)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A copy of `data` with self's dtype and device unless given."""
    if isinstance(data, Tensor):
        import warnings

        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        data = data.detach()
    return tensor(data, **_new_kwargs(self, dtype, device), requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kw):
    size = size if "size" not in kw else (kw.pop("size"),)
    return _filled(0, size, dtype or self._dtype, device if device is not None else self.device, requires_grad,
                   "new_zeros")


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kw):
    return ones(*size, **kw, **_new_kwargs(self, dtype, device), requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kw):
    return empty(*size, **kw, **_new_kwargs(self, dtype, device), requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    _check_fill(fill_value, "new_full")
    return full(size, fill_value, **_new_kwargs(self, dtype, device), requires_grad=requires_grad)


for _f in (new_tensor, new_zeros, new_ones, new_empty, new_full):
    setattr(Tensor, _f.__name__, _f)
