"""Window functions for signal processing: bartlett, blackman, hamming, hann and kaiser.

Computed as torch computes them, in the requested dtype: a periodic window of length N
is the symmetric window of length N + 1 without its last sample.
"""
import math

import numpy as np

from .. import _dtype as D
from .._device import as_device, xp_for
from .._creation import _finish

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "kaiser_window"]


def _window(name, window_length, periodic, dtype, device, requires_grad, values):
    """Checks and the shared length handling; values(n, xp, npdt) gives the symmetric window of length n > 1."""
    dtype = D.canonical(dtype) or D.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype={_c_name(dtype)}, "
                           "device=cpu, layout=Strided (default), requires_grad=false (default), "
                           "pinned_memory=false (default), memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    xp = xp_for(as_device(device))
    npdt = D.np_dtype(dtype)
    if window_length <= 1:
        arr = xp.ones((window_length,), dtype=npdt)
    else:
        n = window_length + 1 if periodic else window_length
        arr = values(n, xp, npdt)
        arr = arr[:-1].copy() if periodic else arr
    return _finish(arr.astype(npdt, copy=False), dtype, requires_grad)


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def _c_name(dtype):
    return _C_NAMES.get(dtype.name, dtype.name)


def _arange(n, xp, npdt):
    # torch's arange in a half type counts in float32 and rounds each value
    work = np.float32 if np.dtype(npdt).itemsize == 2 else npdt
    return xp.arange(n, dtype=work)


def _cosine_values(alpha, beta):
    """alpha - beta cos(2 pi k / (n - 1)): hamming's window, hann's with alpha = beta = 0.5."""

    def values(n, xp, npdt):
        x = _arange(n, xp, npdt)
        t = x.dtype.type
        return xp.cos(x * t(2 * math.pi / (n - 1))) * t(-beta) + t(alpha)

    return values


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_values(alpha, beta))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False,
                pin_memory=False):
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, _cosine_values(0.5, 0.5))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    def values(n, xp, npdt):
        x = _arange(n, xp, npdt)
        x = x * x.dtype.type(2.0 / (n - 1))
        half = ((n - 1) >> 1) + 1
        x[half:] = x.dtype.type(2) - x[half:]
        return x

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, values)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    def values(n, xp, npdt):
        x = _arange(n, xp, npdt)
        t = x.dtype.type
        x = x * t(math.pi / (n - 1))
        return xp.cos(x * t(4)) * t(0.08) - xp.cos(x * t(2)) * t(0.5) + t(0.42)

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, values)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False, pin_memory=False):
    def values(n, xp, npdt):
        x = xp.arange(n, dtype=np.float64)
        alpha = (n - 1) / 2.0
        ratio = xp.sqrt(xp.abs(1 - ((x - alpha) / alpha) ** 2))
        return xp.i0(beta * ratio) / float(np.i0(beta))

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, values)
