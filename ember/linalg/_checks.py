"""Argument checks shared by the linalg ops, with torch's messages, and LinAlgError."""
import numpy as np

from .._ops._inplace import _TYPE_WORDS


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (torch._C._LinAlgError): a singular or non-definite input."""


LinAlgError = _LinAlgError


def check_matrix(name, A, square=True):
    """A is a (batch of) floating-point matrix: torch's errors otherwise."""
    shape = A._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {shape[-2]} by {shape[-1]} "
                           "matrices")
    check_float(name, A)


def check_float(name, A):
    dt = A._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_TYPE_WORDS[dt.name]}")
    if dt.itemsize == 2:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_TYPE_WORDS[dt.name]}")


def batch_prefix(index, batched):
    return f"(Batch element {index}): " if batched else ""


def first_zero_pivot(a):
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf's
    info), or 0. Only run on the error path, to word torch's message."""
    u = np.array(a, dtype=np.float64)
    n = u.shape[0]
    first = 0
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            first = first or k + 1
            continue
        u[[k, p]] = u[[p, k]]
        u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return first


def singular_batch(a):
    """(batch index, 1-based zero pivot) of the first singular matrix in a batch."""
    host = a if type(a) is np.ndarray else a.get()
    mats = host.reshape((-1,) + host.shape[-2:])
    for i, m in enumerate(mats):
        pivot = first_zero_pivot(m)
        if pivot:
            return i, pivot
    return 0, host.shape[-1]
