"""Tensor repr/str, formatted exactly as PyTorch formats them.

One formatter per tensor decides the style of every element from the nonzero
finite values it will show:
- integer mode (floats that are all whole print as `8.`),
- scientific mode when max/min > 1e3, max > 1e8 or min < 1e-4 (or as forced by
  `set_printoptions(sci_mode=...)`),
- a common width, so that columns line up.
Tensors over `threshold` elements are summarised: `edgeitems` rows at each end
of every dimension, `...` between. Rows wrap at `linewidth`, indented under the
opening bracket of `tensor(`.
"""
import math
from dataclasses import dataclass

import numpy as np

from . import _dtype as D


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None  # None: chosen per tensor


PRINT_OPTS = _PrintOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: a profile first, then the options given on top of it.
    `sci_mode` is always set (None returns to automatic), as in torch."""
    if profile is not None and profile in _PROFILES:
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {"precision": PRINT_OPTS.precision, "threshold": PRINT_OPTS.threshold,
            "edgeitems": PRINT_OPTS.edgeitems, "linewidth": PRINT_OPTS.linewidth, "sci_mode": PRINT_OPTS.sci_mode}


class _Formatter:
    """The element style of one tensor, from the values that will be printed."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not floating:
            # Every distinct value's text; ints and bools print as Python prints them.
            for v in set(flat.tolist()):
                self.max_width = max(self.max_width, len(str(v)))
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        mags = np.abs(shown)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            fmt, extra = f"{{:.{p}e}}", 0
        elif self.int_mode:
            fmt, extra = "{:.0f}", 1  # room for the trailing dot
        else:
            fmt, extra = f"{{:.{p}f}}", 0
        for v in set(shown.tolist()):
            self.max_width = max(self.max_width, len(fmt.format(v)) + extra)

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            text = str(value)
        return text.rjust(self.max_width)


class _ComplexFormatter:
    """torch's pair of formatters for complex tensors: one for the real parts, one for the
    imaginary parts; an element prints as `real` then `+imagj` or `-imagj`."""

    def __init__(self, values):
        self.real = _Formatter(values.real, True)
        self.imag = _Formatter(values.imag, True)
        self.max_width = self.real.max_width + self.imag.max_width + 1  # the `j`

    def format(self, value):
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return self.real.format(value.real) + (imag if imag[0] in "+-" else "+" + imag)


def _summarized(a):
    """The elements a summarised print shows (for the formatter's statistics)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim >= 2 and not e:
        return a[(slice(0, 0),) * a.ndim]
    for axis, n in enumerate(a.shape):
        if n > 2 * e:  # keep edgeitems at each end of this dimension
            a = np.take(a, list(range(e)) + list(range(n - e, n)), axis=axis)
    return a


def _vector_str(a, indent, summarize, fmt):
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        items = [fmt.format(v) for v in a[:e].tolist()] + [" ..."] + [fmt.format(v) for v in a[-e:].tolist()]
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        parts = ([_nested_str(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                 + [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        parts = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body(t, indent):
    a = t._data if t.is_cpu else t._data.get()
    summarize = a.size > PRINT_OPTS.threshold
    shown = _summarized(a) if summarize else a
    if t._dtype.is_complex:
        return _nested_str(a, indent, summarize, _ComplexFormatter(shown.astype(np.complex128, copy=False)))
    floating = t._dtype.is_floating_point
    if floating:
        # float64 holds every float16/bfloat16/float32 value exactly; `tolist()`
        # below gives Python floats too, as torch's `item()` does.
        shown = shown.astype(np.float64, copy=False)
    return _nested_str(a, indent, summarize, _Formatter(shown, floating))


def _add_suffixes(text, suffixes, indent):
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def _dtype_implied(d):
    default = D.get_default_dtype()
    # torch's default complex dtype for printing: complex128 with a float64 default, else complex64
    return d is default or d is D.int64 or d is D.bool_ or d is (D.complex128 if default is D.float64 else D.complex64)


def tensor_repr(t):
    """repr(tensor): `tensor(` (or the subclass name), the values, then the
    suffixes torch adds: device, size, dtype, grad_fn / requires_grad."""
    from ._device import get_default_device

    prefix = "tensor(" if type(t).__name__ == "Tensor" or t._is_param else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    dev = t.device
    default = get_default_device()
    if dev.type != default.type or (dev.type == "cuda" and dev.index != _current_cuda_index()):
        suffixes.append(f"device='{dev}'")
    if t._data.size == 0:
        if t._data.ndim != 1:
            suffixes.append(f"size={tuple(t._data.shape)}")
        if t._dtype is not D.get_default_dtype():
            suffixes.append(f"dtype={t._dtype!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(t._data.shape)}")
        if not _dtype_implied(t._dtype):
            suffixes.append(f"dtype={t._dtype!r}")
        body = _body(t, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def _current_cuda_index():
    from . import cuda

    return cuda.current_device()
