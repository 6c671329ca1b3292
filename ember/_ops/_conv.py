"""Convolution and pooling over 1, 2 or 3 spatial dims, on sliding-window views.

A padded input (N, C, *S) is seen, without copying, as windows (N, C, *O, *K)
through stride tricks; convolution contracts the windows with the weight
(tensordot: im2col + one BLAS matmul per group), pooling reduces over K.

Each forward op is bilinear (convolution) or linear (pooling) and its adjoints
are ops of the same family, so gradients of gradients work:

    conv(x, w) -> y          dx = conv_input(g, w)     dw = conv_weight(x, g)
    conv_input(g, w) -> x    dg = conv(h, w)           dw = conv_weight(h, g)
    conv_weight(x, g) -> w   dx = conv_input(g, h)     dg = conv(x, h)
    pool_gather(x) -> y      dx = pool_scatter(g)      (and the other way round)

conv_transpose is conv_input with the caller's weight and output size.
"""
import itertools
import math

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from ._base import Op, _wrap
from ._inplace import _TYPE_WORDS
from .matmul import matmul_arrays


# -- windows --------------------------------------------------------------------------------
def _pad(x, pads, value=0):
    if not any(lo or hi for lo, hi in pads):
        return x
    return xp_of(x).pad(x, ((0, 0), (0, 0)) + tuple(pads), constant_values=value)


def _windows(xpad, out_size, kernel, stride, dilation):
    """(N, C, *S) -> view (N, C, *out_size, *kernel)."""
    xp = xp_of(xpad)
    st = xpad.strides
    nd = len(kernel)
    shape = xpad.shape[:2] + tuple(out_size) + tuple(kernel)
    strides = st[:2] + tuple(st[2 + i] * stride[i] for i in range(nd)) + tuple(st[2 + i] * dilation[i]
                                                                                  for i in range(nd))
    return xp.lib.stride_tricks.as_strided(xpad, shape, strides)


def _out_size(padded, kernel, stride, dilation):
    return tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(padded, kernel, stride, dilation))


def _scatter_windows(cols, padded_shape, kernel, stride, dilation, out_size):
    """Adjoint of _windows: cols (*K, N, C, *O) summed into a zero (N, C, *S_padded)."""
    xp = xp_of(cols)
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    for k in itertools.product(*(range(n) for n in kernel)):
        out[(slice(None), slice(None)) + _offset_region(k, dilation, stride, out_size)] += cols[k]
    return out


def _offset_region(k, dilation, stride, out_size):
    """The input cells that kernel offset k meets, one per output position (spatial slices)."""
    return tuple(slice(ki * d, ki * d + s * (o - 1) + 1, s) for ki, d, s, o in zip(k, dilation, stride, out_size))


def _crop(a, pads, size):
    return a[(slice(None), slice(None)) + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, size))]


# -- im2col / col2im: the one buffer every convolution GEMM reads or writes ----------------------
def _is_pointwise(kernel, stride, pads):
    return all(k == 1 for k in kernel) and all(s == 1 for s in stride) and not any(lo or hi for lo, hi in pads)


def im2col_arrays(x, pads, kernel, stride, dilation, samples_inner=False, out_size=None):
    """(N, C, *S) -> cols (N, C*prod(K), prod(O)) (F.unfold's layout), or with samples_inner
    (C*prod(K), N*prod(O)) (convolution's: every sample in one GEMM). One copy of the windows;
    none for a 1x1, stride-1, unpadded kernel in unfold's layout (the input is the matrix)."""
    xp = xp_of(x)
    n, c = x.shape[:2]
    if _is_pointwise(kernel, stride, pads):
        # sizes spelled out, never -1: reshape cannot infer it when a batch is empty
        size = math.prod(x.shape[2:])
        if samples_inner:
            return xp.ascontiguousarray(x.reshape(n, c, size).swapaxes(0, 1)).reshape(c, n * size)
        return xp.ascontiguousarray(x).reshape(n, c, size)
    xpad = _pad(x, pads)
    # out_size: given when the output is another conv's input size (the adjoint of conv_transpose,
    # whose output_padding can leave fewer windows than fit)
    out_size = out_size or _out_size(xpad.shape[2:], kernel, stride, dilation)
    # one strided copy per kernel offset (measured 5-8x faster than copying the 2+2nd-dim window
    # view in one assignment, whose iteration order NumPy picks badly)
    shape = (c,) + tuple(kernel) + (n,) if samples_inner else (n, c) + tuple(kernel)
    cols = xp.empty(shape + tuple(out_size), dtype=x.dtype)
    for k in itertools.product(*(range(m) for m in kernel)):
        region = xpad[(slice(None), slice(None)) + _offset_region(k, dilation, stride, out_size)]
        if samples_inner:
            cols[(slice(None),) + k] = region.swapaxes(0, 1)
        else:
            cols[(slice(None), slice(None)) + k] = region
    windows = math.prod(out_size)
    if samples_inner:
        return cols.reshape(c * math.prod(kernel), n * windows)
    return cols.reshape(n, c * math.prod(kernel), windows)


def col2im_arrays(cols, x_shape, pads, kernel, stride, dilation, out_size, samples_inner=False):
    """Adjoint of im2col_arrays (same layouts): cols summed back into (N, C, *S)."""
    xp = xp_of(cols)
    nd = len(kernel)
    n, c = x_shape[:2]
    if _is_pointwise(kernel, stride, pads):
        if samples_inner:
            return xp.ascontiguousarray(cols.reshape(c, n, -1).swapaxes(0, 1)).reshape(x_shape)
        return cols.reshape(x_shape)
    # laid out (*K, N, C, *O) for the window scatter (a view)
    if samples_inner:  # (C, *K, N, *O)
        blocks = cols.reshape((c,) + tuple(kernel) + (n,) + tuple(out_size))
        blocks = blocks.transpose(tuple(range(1, 1 + nd)) + (1 + nd, 0) + tuple(range(2 + nd, 2 + 2 * nd)))
    else:  # (N, C, *K, *O)
        blocks = cols.reshape((n, c) + tuple(kernel) + tuple(out_size))
        blocks = blocks.transpose(tuple(range(2, 2 + nd)) + (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)))
    padded = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(x_shape[2:], pads))
    full = _scatter_windows(blocks, padded, kernel, stride, dilation, out_size)
    return xp.ascontiguousarray(_crop(full, pads, x_shape[2:]))


# -- convolution: one GEMM per group over the im2col buffer, all samples at once -------------------
def _by_group(g, groups):
    """(N, Cout, *O) -> (G, Cout/G, N*prod(O)), the layout of the columns' GEMMs (one copy)."""
    n, cout = g.shape[:2]
    return xp_of(g).ascontiguousarray(g.reshape(n, cout, -1).swapaxes(0, 1)).reshape(groups, cout // groups, -1)


def _conv_arrays(x, w, stride, pads, dilation, groups, cols=None, out_size=None):
    """y_g = W_g (og, Cg*K) @ cols_g (Cg*K, N*O), then (N, Cout, *O)."""
    xp = xp_of(x)
    kernel = w.shape[2:]
    n = x.shape[0]
    out_size = out_size or _out_size([s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)], kernel, stride,
                                     dilation)
    cout = w.shape[0]
    if x.size == 0:  # an empty batch: an empty output (reshapes with -1 cannot infer from 0 elements)
        return xp.zeros((n, cout) + tuple(out_size), dtype=x.dtype)
    if cols is None:
        cols = im2col_arrays(x, pads, kernel, stride, dilation, samples_inner=True, out_size=out_size)
    wg = w.reshape(groups, cout // groups, -1)
    out = matmul_arrays(wg, cols.reshape(groups, wg.shape[2], -1))  # (G, og, N*O)
    out = out.reshape(cout, n, -1).swapaxes(0, 1)
    return xp.ascontiguousarray(out).reshape((n, cout) + tuple(out_size))


def _conv_input_arrays(g, w, x_shape, stride, pads, dilation, groups):
    """The gradient of conv wrt its input (= transposed convolution of g with w):
    cols_g = W_g^T @ g_g, then col2im."""
    kernel = w.shape[2:]
    cout = g.shape[1]
    if g.size == 0:
        return xp_of(g).zeros(tuple(x_shape), dtype=g.dtype)
    wg = w.reshape(groups, cout // groups, -1)
    cols = matmul_arrays(wg.swapaxes(-1, -2), _by_group(g, groups))  # (G, Cg*K, N*O)
    return col2im_arrays(cols.reshape(-1, cols.shape[-1]), tuple(x_shape), pads, kernel, stride, dilation,
                         g.shape[2:], samples_inner=True)


def _conv_weight_arrays(x, g, w_shape, stride, pads, dilation, groups, cols=None):
    """The gradient of conv wrt its weight: g_g (og, N*O) @ cols_g^T (N*O, Cg*K), one GEMM per group."""
    kernel = w_shape[2:]
    if g.size == 0:
        return xp_of(g).zeros(tuple(w_shape), dtype=g.dtype)
    if cols is None:
        cols = im2col_arrays(x, pads, kernel, stride, dilation, samples_inner=True, out_size=g.shape[2:])
    cols = cols.reshape(groups, -1, cols.shape[-1])
    return matmul_arrays(_by_group(g, groups), cols.swapaxes(-1, -2)).reshape(w_shape)


def _geom_kwargs(geom):
    return dict(zip(("stride", "pads", "dilation", "groups"), geom))


class ConvolutionBackward0(Op):
    save_inputs = True

    saved_names = ("input", "weight", "", "stride=geom[0]", "padding=geom[1]", "dilation=geom[2]", "groups=geom[3]",
                   "transposed=transposed:False", "output_padding=output_padding", "bias_sym_sizes_opt=bias_sizes")

    def forward(self, x, w, b, stride, pads, dilation, groups, out_size=None):
        # out_size: as the adjoint of conv_input (conv_transpose), the output is g's size, which can
        # be smaller than every window that fits (conv_transpose's output_padding adds rows)
        self.geom = (stride, pads, dilation, groups)
        self.output_padding = (0,) * len(stride)
        self.bias_sizes = (0,) if b is None else tuple(b.shape)  # torch shows (0,) without a bias
        # the im2col buffer, kept for the weight gradient (which reads the same columns)
        self.cols = im2col_arrays(x, pads, w.shape[2:], stride, dilation, samples_inner=True, out_size=out_size)
        out = _conv_arrays(x, w.astype(x.dtype, copy=False), stride, pads, dilation, groups, cols=self.cols,
                           out_size=out_size)
        if b is not None:  # inside the node, as torch's kernel adds it (one rounding in half types: see conv_nd)
            out += b.astype(out.dtype, copy=False).reshape((-1,) + (1,) * len(stride))
        return out

    def backward(self, g):
        x, w, _ = self.saved_tensors
        want_x, want_w, want_b = (f[0] is not None for f in self.next_functions)
        gx = ConvInputBackward.apply(g, w, x_shape=x._data.shape, geom=self.geom) if want_x else None
        gw = ConvWeightBackward.apply(x, g, w_shape=w._data.shape, geom=self.geom,
                                      cols=self.cols) if want_w else None
        gb = g.sum((0,) + tuple(range(2, g.ndim))) if want_b else None
        return gx, gw, gb


class ConvInputBackward(Op):
    """conv_input(g, w): the adjoint of conv in its input (conv_transpose's forward)."""

    save_inputs = True

    def forward(self, g, w, x_shape, geom):
        self.geom = geom
        return _conv_input_arrays(g, w.astype(g.dtype, copy=False), x_shape, *geom)

    def backward(self, h):
        g, w = self.saved_tensors
        want_g, want_w = (f[0] is not None for f in self.next_functions)
        gg = ConvolutionBackward0.apply(h, w, None, **_geom_kwargs(self.geom), out_size=g._data.shape[2:]) \
            if want_g else None
        gw = ConvWeightBackward.apply(h, g, w_shape=w._data.shape, geom=self.geom) if want_w else None
        return gg, gw

    def name(self):
        return "ConvolutionBackward0"


class ConvWeightBackward(Op):
    save_inputs = True

    def forward(self, x, g, w_shape, geom, cols=None):
        self.geom = geom
        return _conv_weight_arrays(x, g, w_shape, *geom, cols=cols)

    def backward(self, h):
        x, g = self.saved_tensors
        want_x, want_g = (f[0] is not None for f in self.next_functions)
        gx = ConvInputBackward.apply(g, h, x_shape=x._data.shape, geom=self.geom) if want_x else None
        gg = ConvolutionBackward0.apply(x, h, None, **_geom_kwargs(self.geom), out_size=g._data.shape[2:]) \
            if want_g else None
        return gx, gg


def _tuple(v, nd, name="value"):
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(v) * nd
        return tuple(v)
    return (v,) * nd


def _check_conv_args(nd, weight, bias, stride, padding, dilation, groups, input=None, transposed=False):
    """torch's checks of a convolution's arguments (aten/src/ATen/native/Convolution.cpp), in its order."""
    w_nd = weight._data.ndim - 2
    for name, v in (("stride", stride), ("padding", padding), ("dilation", dilation)):
        if isinstance(v, (list, tuple)) and len(v) not in (1, w_nd):
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {w_nd} values to match "
                               f"the convolution dimensions, but got {name}={list(v)}")
    if w_nd != nd:  # torch reads the dimensions from the weight, and the 1-element stride list disagrees first
        raise RuntimeError(f"expected stride to be a single integer value or a list of {w_nd} values to match the "
                           f"convolution dimensions, but got stride={list(_tuple(stride, nd))}")
    if not isinstance(padding, str) and any(p < 0 for p in _tuple(padding, nd)):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in _tuple(stride, nd)):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in _tuple(dilation, nd)):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(_tuple(dilation, nd))}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight._data.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(weight.shape)}] instead")
    if input is not None and input._dtype is not weight._dtype:
        raise RuntimeError(f"expected scalar type {_TYPE_WORDS[input._dtype.name]} but found "
                           f"{_TYPE_WORDS[weight._dtype.name]}")
    if bias is not None:
        c_out = weight._data.shape[1] * groups if transposed else weight._data.shape[0]
        if bias.ndim != 1 or bias._data.shape[0] != c_out:
            raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                               f"{c_out} elements, but got bias of size {list(bias.shape)} instead")
        if input is not None and bias._dtype is not input._dtype:
            raise RuntimeError(f"Input type ({_C_TYPE.get(input._dtype.name, input._dtype.name)}) and bias type "
                               f"({_C_TYPE.get(bias._dtype.name, bias._dtype.name)}) should be the same")


# The C type names torch's "Input type (float) and bias type (double)" message uses.
_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def conv_nd(nd, input, weight, bias, stride, padding, dilation, groups):
    """Convolution over nd spatial dims with torch's argument forms and checks."""
    if _amp.active: return _autocast(f"conv{nd}d", conv_nd, nd, input, weight, bias, stride, padding, dilation, groups)  # noqa: E701,E501
    name = f"conv{nd}d"
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input of "
                           f"size: {list(input.shape)}")
    _check_conv_args(nd, weight, bias, stride, padding, dilation, groups, input)
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    c = input._data.shape[1]
    if weight._data.shape[1] * groups != c:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight._data.shape[1] * groups} channels, but got {c} "
                           "channels instead")
    kernel = weight._data.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for d, k in zip(dilation, kernel))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd))
    padded = [n + lo + hi for n, (lo, hi) in zip(input._data.shape[2:], pads)]
    if any(p < d * (k - 1) + 1 for p, d, k in zip(padded, dilation, kernel)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(str(d * (k - 1) + 1) for d, k in zip(dilation, kernel))}). Kernel "
                           "size can't be greater than actual input size")
    # In bfloat16/float16 torch's convolution adds the bias inside the kernel, before the one rounding
    # to the low precision: so does this (in float32, then one cast), rather than rounding twice.
    # (conv_transpose adds it after rounding, in the low precision, as below.)
    low = input._dtype if bias is not None and input._dtype in (D.bfloat16, D.float16) else None
    if low is not None:
        input, weight, bias = input.float(), weight.float(), bias.float()
    out = ConvolutionBackward0.apply(input, weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups)
    if low is not None:
        out = out.to(low)
    return out.squeeze(0) if unbatched else out


def conv_transpose_nd(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if _amp.active: return _autocast(f"conv_transpose{nd}d", conv_transpose_nd, nd, input, weight, bias, stride, padding, output_padding, groups, dilation)  # noqa: E701,E501
    _check_conv_args(nd, weight, bias, stride, padding, dilation, groups, input, transposed=True)
    op = _tuple(output_padding, nd)
    if any(o >= s and o >= d for o, s, d in zip(op, _tuple(stride, nd), _tuple(dilation, nd))):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"output_padding_height: {op[-2] if nd > 1 else op[0]} ...")
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    padding, output_padding = _tuple(padding, nd), _tuple(output_padding, nd)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    n, c_in = input._data.shape[:2]
    if weight._data.shape[0] != c_in:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight._data.shape[0]} channels, but got {c_in} "
                           "channels instead")
    kernel = weight._data.shape[2:]
    size = tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, s, p, d, k, op in
                 zip(input._data.shape[2:], stride, padding, dilation, kernel, output_padding))
    x_shape = (n, weight._data.shape[1] * groups) + size
    geom = (stride, tuple((p, p) for p in padding), dilation, groups)
    out = ConvInputBackward.apply(input, weight, x_shape=x_shape, geom=geom)
    if bias is not None:
        out = out + bias.reshape((-1,) + (1,) * nd)
    return out.squeeze(0) if unbatched else out


# -- pooling ---------------------------------------------------------------------------------------
class _PoolGeom:
    """Where the windows of a pooling op lie: padding (lo, hi per dim, hi
    stretched for ceil_mode), kernel, stride, dilation and output size."""

    __slots__ = ("x_shape", "pads", "kernel", "stride", "dilation", "out_size")

    def __init__(self, x_shape, kernel, stride, padding, dilation, ceil_mode):
        self.x_shape, self.kernel, self.stride, self.dilation = x_shape, kernel, stride, dilation
        out, pads = [], []
        for n, k, s, p, d in zip(x_shape[2:], kernel, stride, padding, dilation):
            eff = d * (k - 1) + 1
            o = (n + 2 * p - eff + ((s - 1) if ceil_mode else 0)) // s + 1
            if ceil_mode and (o - 1) * s >= n + p:
                o -= 1
            out.append(o)
            pads.append((p, max((o - 1) * s + eff - n - p, 0)))
        self.out_size, self.pads = tuple(out), tuple(pads)
        if any(o < 1 for o in out):
            raise RuntimeError(f"Given input size: ({'x'.join(map(str, x_shape[1:]))}). Calculated output size: "
                               f"({'x'.join(map(str, x_shape[1:2] + tuple(out)))}). Output size is too small")


def _offsets(geom):
    """Each kernel offset with the (N, C, *O) region of the padded input it meets."""
    full = (slice(None), slice(None))
    return [full + _offset_region(k, geom.dilation, geom.stride, geom.out_size)
            for k in itertools.product(*(range(n) for n in geom.kernel))]


def _padded_shape(geom):
    return tuple(geom.x_shape[:2]) + tuple(n + lo + hi for n, (lo, hi) in zip(geom.x_shape[2:], geom.pads))


def _window_max(x, geom, fill):
    """Max pooling's values and window positions (the kernel offset, first of equal values as in
    torch's kernel): a running np.maximum over the kernel offsets, then the position as the count of
    leading offsets that miss the max (compares and adds on bytes, not K copyto-where passes). A
    window holding a NaN takes the slower loop: there NaN wins, the last NaN as in torch."""
    xp = xp_of(x)
    regions = _offsets(geom)
    xpad = _pad(x, geom.pads, fill)
    out = xpad[regions[0]].copy()
    for region in regions[1:]:
        xp.maximum(out, xpad[region], out=out)
    if x.dtype.kind == "f" and bool(xp.isnan(out).any()):
        return _window_max_nan(xpad, regions)
    arg = xp.zeros(out.shape, dtype=np.uint8 if len(regions) < 256 else np.int64)
    if len(regions) > 1:
        run = xp.not_equal(xpad[regions[0]], out)
        for region in regions[1:]:
            arg += run
            run &= xp.not_equal(xpad[region], out)
    return out, arg


def _window_max_nan(xpad, regions):
    xp = xp_of(xpad)
    out = xpad[regions[0]].copy()
    arg = xp.zeros(out.shape, dtype=np.int64)
    for j, region in enumerate(regions[1:], 1):
        v = xpad[region]
        better = v > out
        better |= xp.isnan(v)
        xp.copyto(out, v, where=better)
        xp.copyto(arg, j, where=better)
    return out, arg


def _window_sum(x, geom):
    """Avg pooling's window sums: one add per kernel offset, in window order."""
    regions = _offsets(geom)
    xpad = _pad(x, geom.pads)
    out = xpad[regions[0]].copy()
    for region in regions[1:]:
        out += xpad[region]
    return out


def _padded_positions(arg, geom):
    """Window position -> flat index into one padded (sample, channel) plane, as (N*C, prod(O)):
    the window's first cell (a small grid, broadcast) plus the kernel offset's flat step (a lookup)."""
    xp = xp_of(arg)
    padded = _padded_shape(geom)[2:]
    start = xp.zeros((), dtype=np.int64)
    step = xp.zeros((), dtype=np.int64)
    for n, o, k, s, d in zip(padded, geom.out_size, geom.kernel, geom.stride, geom.dilation):
        start = start[..., None] * n + xp.arange(o) * s
        step = step[..., None] * n + xp.arange(k) * d
    return (step.reshape(-1)[arg] + start).reshape(arg.shape[0] * arg.shape[1], -1)


def _gather(x, arg, geom, fill):
    """Windows of x reduced over K: the entry at `arg` (max pooling) or the sum (arg None)."""
    if arg is None:
        return _window_sum(x, geom)
    xp = xp_of(x)
    planes = _pad(x, geom.pads, fill).reshape(arg.shape[0] * arg.shape[1], -1)
    return xp.take_along_axis(planes, _padded_positions(arg, geom), axis=1).reshape(arg.shape)


def _overlapping(geom):
    return any(s < d * (k - 1) + 1 for k, s, d in zip(geom.kernel, geom.stride, geom.dilation))


def _scatter(g, arg, geom):
    """Adjoint of _gather: g goes back to the window positions (all, or those at arg)."""
    xp = xp_of(g)
    padded = _padded_shape(geom)
    if arg is None:
        cols = xp.broadcast_to(g, tuple(geom.kernel) + g.shape)
        full = _scatter_windows(cols, padded, geom.kernel, geom.stride, geom.dilation, geom.out_size)
    else:
        if not _overlapping(geom):  # each input cell in one window at most: g masked into each offset's cells
            full = xp.zeros(padded, dtype=g.dtype)
            for j, region in enumerate(_offsets(geom)):
                xp.multiply(g, arg == j, out=full[region])
        else:  # windows share cells: their gradients add up (one weighted count, summed in float64)
            pos = _padded_positions(arg, geom)
            flat = pos + (xp.arange(pos.shape[0]) * math.prod(padded[2:]))[:, None]
            full = xp.bincount(flat.reshape(-1), weights=g.reshape(-1),
                               minlength=math.prod(padded)).astype(g.dtype, copy=False).reshape(padded)
    return xp.ascontiguousarray(_crop(full, geom.pads, geom.x_shape[2:]))


class MaxPool2DWithIndicesBackward0(Op):
    """Max pooling: each window's max and its position (a second, non-differentiable output)."""

    n_diff_outputs = 1
    save_inputs = True  # torch keeps self (so an in-place change of it before backward is refused alike)
    saved_names = ("self", "kernel_size=geom.kernel", "padding=padding", "dilation=geom.dilation",
                   "ceil_mode=ceil_mode", "stride=stride", "result1=indices")

    def forward(self, x, geom, fill, padding=(), ceil_mode=False, stride=()):
        self.geom, self.padding, self.ceil_mode, self.stride = geom, padding, ceil_mode, stride
        out, self.arg = _window_max(x, geom, fill)
        return out, self.arg

    @property
    def indices(self):
        """torch's saved result1: each window's max as a flat index into its input plane."""
        return _wrap(_flat_indices(self.arg, self.geom))

    def backward(self, g, *_):
        return PoolScatterBackward.apply(g, arg=self.arg, geom=self.geom)


class AvgPool2DBackward0(Op):
    """Picks each window's entry at `arg` (the sum of the window when arg is None)."""

    def forward(self, x, arg, geom, fill=0):
        self.arg, self.geom = arg, geom
        return _gather(x, arg, geom, fill)

    def backward(self, g):
        return PoolScatterBackward.apply(g, arg=self.arg, geom=self.geom)


class PoolScatterBackward(Op):
    def forward(self, g, arg, geom):
        self.arg, self.geom = arg, geom
        return _scatter(g, arg, geom)

    def backward(self, h):
        return AvgPool2DBackward0.apply(h, arg=self.arg, geom=self.geom)


_COUNT = {1: "one int", 2: "two ints", 3: "three ints"}


def _pool_args(nd, name, input, kernel_size, stride, padding, dilation):
    if isinstance(kernel_size, (list, tuple)) and len(kernel_size) not in (1, nd):
        raise RuntimeError(f"{name}: kernel_size must either be a single int, or a tuple of {_COUNT[nd]}")
    kernel = _tuple(kernel_size, nd)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _tuple(stride, nd)
    padding, dilation = _tuple(padding, nd), _tuple(dilation, nd)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{'DHW'[3 - nd + i]}: {d}" for i, d in enumerate(dilation)))
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    return kernel, stride, padding, dilation


def max_pool_nd(nd, input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                return_indices=False):
    # torch saves the stride as given: () when it defaulted to the kernel
    given = () if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _tuple(stride, nd)
    kernel, stride, padding, dilation = _pool_args(nd, f"max_pool{nd}d", input, kernel_size, stride, padding,
                                                   dilation)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    x = input._data
    geom = _PoolGeom(x.shape, kernel, stride, padding, dilation, ceil_mode)
    # integers pad with their minimum; floats (ml_dtypes' bfloat16 too, NumPy kind 'V') with -inf
    fill = np.iinfo(x.dtype).min if x.dtype.kind in "iu" else -np.inf
    out, arg_t = MaxPool2DWithIndicesBackward0.apply(input, geom=geom, fill=fill, padding=padding,
                                                     ceil_mode=bool(ceil_mode), stride=given)
    if unbatched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    idx = _flat_indices(arg_t._data, geom)
    idx = _wrap(idx[0] if unbatched else idx)
    return out, idx


def _flat_indices(arg, geom):
    """Window position -> flat index into the input's spatial dims (torch's return_indices)."""
    xp = xp_of(arg)
    nd = len(geom.kernel)
    coords = xp.unravel_index(arg, geom.kernel)
    flat = xp.zeros(arg.shape, dtype=np.int64)
    for i in range(nd):
        o = xp.arange(geom.out_size[i]).reshape((-1,) + (1,) * (nd - 1 - i))
        pos = o * geom.stride[i] + coords[i] * geom.dilation[i] - geom.pads[i][0]
        flat = flat * geom.x_shape[2 + i] + pos
    return flat


def _avg_divisor(geom, padding, count_include_pad):
    """Per-output divisor of avg pooling, as torch counts window cells (separable per dim)."""
    div = np.ones((), dtype=np.float64)
    for n, k, s, p, o in zip(geom.x_shape[2:], geom.kernel, geom.stride, padding, geom.out_size):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start
        counts = size if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        div = np.multiply.outer(div, counts)
    return div


def avg_pool_nd(nd, input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                divisor_override=None):
    kernel, stride, padding, dilation = _pool_args(nd, f"avg_pool{nd}d", input, kernel_size, stride, padding, 1)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    geom = _PoolGeom(input._data.shape, kernel, stride, padding, dilation, ceil_mode)
    total = AvgPool2DBackward0.apply(input, arg=None, geom=geom)
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        # torch's integer kernels divide the window sums with C's truncation toward zero
        div = divisor_override or _avg_divisor(geom, padding, count_include_pad)
        t = total._data
        out = _wrap(xp_of(t).trunc(t / xp_of(t).asarray(div)).astype(t.dtype))
    elif divisor_override:
        out = total / divisor_override
    else:
        div = _avg_divisor(geom, padding, count_include_pad)
        inv = (1 / div).astype(input._data.dtype)
        out = total * _wrap(xp_of(input._data).asarray(inv))
    return out.squeeze(0) if unbatched else out


def _adaptive_matrix(n_in, n_out, like):
    """Averaging matrix (n_out, n_in): row i averages input cells [floor(i n/o), ceil((i+1) n/o))."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        lo = (i * n_in) // n_out
        hi = -((-(i + 1) * n_in) // n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return _wrap(xp_of(like).asarray(m.astype(like.dtype)))


def adaptive_avg_pool_nd(nd, input, output_size):
    """Adaptive average pooling as one small matmul per spatial dim (exactly torch's windows)."""
    name = f"adaptive_avg_pool{nd}d"
    if isinstance(output_size, (list, tuple)) and len(output_size) != nd:
        raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got {len(output_size)})"
                           if nd == 1 else f"{name}: output_size must be {nd}")
    if not input.dtype.is_floating_point and not input.dtype.is_complex:
        kernel = "adaptive_avg_pool3d_cpu" if nd == 3 else "adaptive_avg_pool2d"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D._SCALAR_TYPE_NAMES[input.dtype.name]}'")
    sizes = _tuple(output_size, nd)
    if any(o is not None and o < 0 for o in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{', '.join(map(str, sizes))}}}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    out = input
    for i, o in enumerate(sizes):
        dim = input.ndim - nd + i
        n = input._data.shape[dim]
        o = n if o is None else o
        m = _adaptive_matrix(n, o, input._data)
        out = (out.transpose(dim, -1) @ m.mT).transpose(dim, -1)
    return out
