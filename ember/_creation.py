"""Tensor creation: tensor(), as_tensor(), from_numpy(), zeros/ones/full/empty,
ranges, eye and the *_like functions, and the legacy torch.Tensor(...) form."""
import math
import numbers

import numpy as np

from . import _dtype as D
from ._device import as_device, xp_for, device_of
from ._tensor import Tensor


def _finish(array, dtype, requires_grad):
    t = Tensor._make(array, dtype)
    if requires_grad:
        t.requires_grad = True  # the setter refuses non-float dtypes with torch's error
    return t


def _infer_dtype(data):
    """The dtype torch infers for nested Python data: bool < int64 < default float."""
    kind = D.bool_
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):  # an element tensor counts like a Python number of its category
            if x._dtype.is_floating_point:
                kind = kind if kind.is_floating_point else D._default[0]
            elif x._dtype is not D.bool_ and not kind.is_floating_point:
                kind = D.int64
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, np.ndarray):
            kind = D.promote_types(kind, D.from_numpy_dtype(x.dtype))
        elif isinstance(x, (bool, np.bool_)):
            pass
        elif isinstance(x, (numbers.Integral,)):
            if not kind.is_floating_point:
                kind = D.int64
        elif isinstance(x, numbers.Real):
            if not kind.is_floating_point:
                kind = D._default[0]
        elif isinstance(x, complex):
            raise TypeError("ember does not support complex tensors")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    return kind


def _to_nested_values(data):
    """Replace tensors inside nested lists by their values (torch.tensor([t1, t2]))."""
    if isinstance(data, Tensor):
        if data._data.ndim and data._data.size != 1:
            return data.numpy(force=True).tolist()
        return data.item() if data._data.ndim == 0 else data.numpy(force=True).tolist()
    if isinstance(data, (list, tuple)):
        return [_to_nested_values(x) for x in data]
    if isinstance(data, np.ndarray):
        return data.tolist()
    return data


def _check_ragged(data, shape_so_far=(), dim=0):
    if isinstance(data, (list, tuple)):
        lengths = {len(x) for x in data if isinstance(x, (list, tuple))}
        seqs = [isinstance(x, (list, tuple)) for x in data]
        if any(seqs) and not all(seqs):
            raise ValueError(f"expected sequence of length {len(data[0]) if seqs[0] else 0} at dim {dim + 1}")
        if len(lengths) > 1:
            first = len(data[0])
            bad = next(len(x) for x in data if len(x) != first)
            raise ValueError(f"expected sequence of length {first} at dim {dim + 1} (got {bad})")
        for x in data:
            _check_ragged(x, shape_so_far, dim + 1)


def _array_from(data, dtype, device, copy=True):
    """An array of `dtype` on `device` holding `data` (anything torch.tensor accepts)."""
    xp = xp_for(device)
    if isinstance(data, Tensor):
        arr = data._data
        if dtype is None:
            dtype = data._dtype
    elif isinstance(data, np.ndarray):
        arr = data
        if dtype is None:
            dtype = D.from_numpy_dtype(data.dtype)
    elif hasattr(data, "__cuda_array_interface__"):
        arr = data
        if dtype is None:
            dtype = D.from_numpy_dtype(data.dtype)
    else:
        if isinstance(data, np.generic):
            data = data.item()
        if hasattr(data, "__array__") and not isinstance(data, (list, tuple)):
            arr = np.asarray(data)
            if dtype is None:
                dtype = D.from_numpy_dtype(arr.dtype)
        else:
            if isinstance(data, (list, tuple)):
                _check_ragged(data)
                if any(isinstance(x, Tensor) for x in _flat_iter(data)):
                    data = _to_nested_values(data)
            if dtype is None:
                dtype = _infer_dtype(data)
            try:
                arr = np.array(data, dtype=D.np_dtype(dtype))
            except OverflowError:
                raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") from None
            except (TypeError, ValueError) as e:
                raise TypeError(f"new(): invalid data type '{type(data).__name__}'") from e
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
    arr, dtype = _array_from(data, dtype, as_device(device))
    return _finish(arr, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a tensor or NumPy array when it can."""
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


def _shape(size):
    """Sizes given as f(2, 3), f((2, 3)) or f([2, 3]) -> a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]")
        out.append(int(s))
    return tuple(out)


def _filled(fill, size, dtype, device, requires_grad):
    dtype = dtype or D._default[0]
    xp = xp_for(as_device(device))
    shape = _shape(size)
    npdt = D.np_dtype(dtype)
    arr = xp.zeros(shape, npdt) if fill == 0 else xp.full(shape, fill, npdt)
    return _finish(arr, dtype, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(1, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    # Zero-filled: as fast as uninitialized memory (calloc) and never shows garbage.
    return _filled(0, size, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = D.scalar_dtype(fill_value)
    return _filled(fill_value, (size,) if isinstance(size, (int, np.integer)) else (tuple(size),), dtype, device,
                   requires_grad)


def _like(fn, input, dtype, device, requires_grad, *args):
    return fn(*args, tuple(input._data.shape), dtype=dtype or input._dtype,
              device=device if device is not None else input.device, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return full(tuple(input._data.shape), fill_value, dtype=dtype or input._dtype,
                device=device if device is not None else input.device, requires_grad=requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from start to end (exclusive) by step; float32 if any bound is a float."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = D._default[0] if any(isinstance(v, float) for v in (start, end, step)) else D.int64
    n = max(0, math.ceil((end - start) / step))
    xp = xp_for(as_device(device))
    arr = (xp.arange(n, dtype=np.float64) * step + start).astype(D.np_dtype(dtype)) if dtype.is_floating_point \
        else xp.arange(start, start + n * step, step, dtype=D.np_dtype(dtype))[:n]
    return _finish(arr, dtype, requires_grad)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """torch.range (deprecated): like arange but includes `end`."""
    if end is None:
        start, end = 0, start
    dtype = dtype or D._default[0]
    n = int(math.floor((end - start) / step)) + 1
    xp = xp_for(as_device(device))
    return _finish((xp.arange(n, dtype=np.float64) * step + start).astype(D.np_dtype(dtype)), dtype, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, computed as torch does (from both ends)."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or D._default[0]
    xp = xp_for(as_device(device))
    arr = _torch_linspace(xp, start, end, steps, D.np_dtype(dtype) if dtype.is_floating_point else np.float64)
    return _finish(arr.astype(D.np_dtype(dtype)), dtype, requires_grad)


def _torch_linspace(xp, start, end, steps, npdt):
    # torch fills the first half from `start` and the second half from `end`,
    # which makes both ends exact; mirror it so values match bit for bit.
    if steps == 0:
        return xp.zeros(0, npdt)
    if steps == 1:
        return xp.full(1, start, npdt)
    step = (end - start) / (steps - 1)
    idx = xp.arange(steps, dtype=npdt)
    half = steps // 2
    s, e, st = npdt(start), npdt(end), npdt(step)
    return xp.where(idx < half, s + st * idx, e - st * (npdt(steps - 1) - idx)).astype(npdt)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = dtype or D._default[0]
    xp = xp_for(as_device(device))
    exps = _torch_linspace(xp, _num(start), _num(end), steps, np.float64)
    return _finish((base ** exps).astype(D.np_dtype(dtype)), dtype, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = dtype or D._default[0]
    xp = xp_for(as_device(device))
    return _finish(xp.eye(n, n if m is None else m, dtype=D.np_dtype(dtype)), dtype, requires_grad)


def _legacy_new(cls, dtype, args, device):
    """torch.Tensor(...) / torch.FloatTensor(...): sizes, a sequence, an array or nothing."""
    device = as_device(device)
    if not args:
        arr = xp_for(device).zeros((0,), D.np_dtype(dtype))
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer)) and not type(args[0]).__name__ == "Size":
        data = args[0]
        if isinstance(data, Tensor):
            if data._dtype is not dtype:
                raise TypeError(f"expected {dtype} (got {data._dtype})")
            arr = data._data
        else:
            arr, _ = _array_from(data, dtype, device, copy=not isinstance(data, np.ndarray) or True)
    else:
        arr = xp_for(device).zeros(_shape(args), D.np_dtype(dtype))
    t = object.__new__(cls)
    t._data = arr
    t._dtype = dtype
    t._requires_grad = False
    t._grad_fn = None
    return t
