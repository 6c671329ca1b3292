"""A failed allocation reads as torch's: NumPy's MemoryError becomes the RuntimeError that
torch's CPU allocator raises, so `except RuntimeError` code written for torch still works."""
import functools

import numpy as np


def allocation_error(exc):
    """torch's RuntimeError for NumPy's MemoryError `exc` (its size in bytes when NumPy says)."""
    nbytes = getattr(exc, "_total_size", None)
    if nbytes is None:
        shape, dtype = getattr(exc, "shape", None), getattr(exc, "dtype", None)
        nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize if shape is not None and dtype is not None else "?"
    return RuntimeError(f"[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
                        f"you tried to allocate {nbytes} bytes. Error code 12 (Cannot allocate memory)")


def torch_alloc_errors(fn):
    """fn, raising torch's allocator RuntimeError where NumPy runs out of memory."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MemoryError as e:
            raise allocation_error(e) from None

    return wrapper
