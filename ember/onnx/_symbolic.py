"""One function per ember op (keyed by the op class name, torch's backward node name) that appends
the op's ONNX nodes. Each gets (ctx, inputs, params, out): the op's inputs (Tensors or numbers),
the parameters its forward got, and its output(s); it returns the output's graph name(s)."""
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

SYMBOLICS = {}
_INT64_MAX = np.iinfo(np.int64).max


def symbolic(*names):
    def deco(fn):
        for name in names:
            SYMBOLICS[name] = fn
        return fn

    return deco


def onnx_type(dtype):
    from onnx import helper

    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype.np if dtype.np is not None else D.np_dtype(dtype)))


def _np(dtype):
    return dtype.np if dtype.np is not None else D.np_dtype(dtype)


def _as(ctx, x, dtype):
    """Input x as a value of `dtype` (a Cast when a tensor of another dtype, a constant for a number)."""
    if not isinstance(x, Tensor):
        return ctx.name(x, _np(dtype))
    name = ctx.name(x)
    return name if x._dtype is dtype else ctx.g.op("Cast", name, to=onnx_type(dtype))


def _tensors(inputs):
    return [x for x in inputs if isinstance(x, Tensor)]


# -- elementwise ----------------------------------------------------------------------------------
def _binary(onnx_op):
    def fn(ctx, inputs, params, out):
        a, b = (_as(ctx, x, out._dtype) for x in inputs[:2])
        alpha = params.get("alpha", 1)
        if alpha != 1:
            b = ctx.g.op("Mul", b, ctx.name(alpha, _np(out._dtype)))
        return ctx.g.op(onnx_op, a, b)

    return fn


symbolic("AddBackward0")(_binary("Add"))
symbolic("SubBackward0")(_binary("Sub"))
symbolic("MulBackward0")(_binary("Mul"))
symbolic("PowBackward0", "PowBackward1")(_binary("Pow"))


@symbolic("DivBackward0")
def _div(ctx, inputs, params, out):
    mode = params.get("rounding_mode")
    if mode not in (None, "floor") or (mode == "floor" and not out._dtype.is_floating_point):
        raise ctx.unsupported(f"rounding_mode={mode!r}")
    q = ctx.g.op("Div", *(_as(ctx, x, out._dtype) for x in inputs[:2]))
    return ctx.g.op("Floor", q) if mode == "floor" else q


@symbolic("RsubBackward1")
def _rsub(ctx, inputs, params, out):  # other - alpha * self
    x, other = (_as(ctx, v, out._dtype) for v in inputs[:2])
    alpha = params.get("alpha", 1)
    if alpha != 1:
        x = ctx.g.op("Mul", x, ctx.name(alpha, _np(out._dtype)))
    return ctx.g.op("Sub", other, x)


def _unary(onnx_op):
    return lambda ctx, inputs, params, out: ctx.g.op(onnx_op, ctx.name(inputs[0]))


for _name, _onnx in [("ReluBackward0", "Relu"), ("SigmoidBackward0", "Sigmoid"), ("TanhBackward0", "Tanh"),
                     ("ExpBackward0", "Exp"), ("LogBackward0", "Log"), ("SqrtBackward0", "Sqrt"),
                     ("NegBackward0", "Neg"), ("AbsBackward0", "Abs"), ("SinBackward0", "Sin"),
                     ("CosBackward0", "Cos"), ("ErfBackward0", "Erf"), ("ReciprocalBackward0", "Reciprocal"),
                     ("CloneBackward0", "Identity"), ("AliasBackward0", "Identity")]:
    symbolic(_name)(_unary(_onnx))


@symbolic("HardswishBackward0")
def _hardswish(ctx, inputs, params, out):
    if ctx.opset < 14:
        raise ctx.unsupported(since=14)
    return ctx.g.op("HardSwish", ctx.name(inputs[0]))


@symbolic("HardsigmoidBackward0")
def _hardsigmoid(ctx, inputs, params, out):  # relu6(x + 3) / 6, ONNX's alpha x + beta clipped to [0, 1]
    return ctx.g.op("HardSigmoid", ctx.name(inputs[0]), alpha=1.0 / 6, beta=0.5)


@symbolic("RsqrtBackward0")
def _rsqrt(ctx, inputs, params, out):
    return ctx.g.op("Reciprocal", ctx.g.op("Sqrt", ctx.name(inputs[0])))


@symbolic("SiluBackward0")
def _silu(ctx, inputs, params, out):
    x = ctx.name(inputs[0])
    return ctx.g.op("Mul", x, ctx.g.op("Sigmoid", x))


@symbolic("GeluBackward0")
def _gelu(ctx, inputs, params, out):
    x, approximate = ctx.name(inputs[0]), params.get("approximate", "none")
    if ctx.opset >= 20:
        return ctx.g.op("Gelu", x, approximate=approximate)
    dt = _np(out._dtype)
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = ctx.g.op("Mul", ctx.g.op("Pow", x, ctx.name(3.0, dt)), ctx.name(0.044715, dt))
        inner = ctx.g.op("Mul", ctx.g.op("Add", x, cube), ctx.name(math.sqrt(2 / math.pi), dt))
        half = ctx.g.op("Add", ctx.g.op("Tanh", inner), ctx.name(1.0, dt))
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        half = ctx.g.op("Add", ctx.g.op("Erf", ctx.g.op("Div", x, ctx.name(math.sqrt(2.0), dt))), ctx.name(1.0, dt))
    return ctx.g.op("Mul", ctx.g.op("Mul", x, half), ctx.name(0.5, dt))


@symbolic("LeakyReluBackward0")
def _leaky_relu(ctx, inputs, params, out):
    return ctx.g.op("LeakyRelu", ctx.name(inputs[0]), alpha=float(params["negative_slope"]))


@symbolic("EluBackward0")
def _elu(ctx, inputs, params, out):
    """elu, selu and celu: scale * (x if x > 0 else alpha * (exp(input_scale * x) - 1))."""
    x, alpha = ctx.name(inputs[0]), float(params["alpha"])
    scale, input_scale = float(params.get("scale", 1.0)), float(params.get("input_scale", 1.0))
    if scale == 1.0 and input_scale == 1.0:
        return ctx.g.op("Elu", x, alpha=alpha)
    if input_scale == 1.0:
        return ctx.g.op("Mul", ctx.g.op("Elu", x, alpha=alpha), ctx.name(scale, _np(out._dtype)))
    dt = _np(out._dtype)
    neg = ctx.g.op("Mul", ctx.g.op("Sub", ctx.g.op("Exp", ctx.g.op("Mul", x, ctx.name(input_scale, dt))),
                                   ctx.name(1.0, dt)), ctx.name(alpha, dt))
    y = ctx.g.op("Where", ctx.g.op("Greater", x, ctx.name(0.0, dt)), x, neg)
    return y if scale == 1.0 else ctx.g.op("Mul", y, ctx.name(scale, dt))


@symbolic("HardtanhBackward0")
def _hardtanh(ctx, inputs, params, out):
    dt = _np(out._dtype)
    return ctx.g.op("Clip", ctx.name(inputs[0]), ctx.name(params["min_val"], dt), ctx.name(params["max_val"], dt))


@symbolic("SoftplusBackward0")
def _softplus(ctx, inputs, params, out):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as torch)."""
    x, dt = ctx.name(inputs[0]), _np(out._dtype)
    beta, threshold = float(params.get("beta", 1.0)), float(params.get("threshold", 20.0))
    bx = x if beta == 1.0 else ctx.g.op("Mul", x, ctx.name(beta, dt))
    y = ctx.g.op("Softplus", bx)
    if beta != 1.0:
        y = ctx.g.op("Div", y, ctx.name(beta, dt))
    return ctx.g.op("Where", ctx.g.op("Greater", bx, ctx.name(threshold, dt)), x, y)


@symbolic("SoftmaxBackward0")
def _softmax(ctx, inputs, params, out):
    return ctx.g.op("Softmax", ctx.name(inputs[0]), axis=int(params["dim"]))


@symbolic("LogSoftmaxBackward0")
def _log_softmax(ctx, inputs, params, out):
    return ctx.g.op("LogSoftmax", ctx.name(inputs[0]), axis=int(params["dim"]))


@symbolic("ToCopyBackward0")
def _to_copy(ctx, inputs, params, out):
    x = inputs[0]
    return ctx.g.op("Cast", ctx.name(x), to=onnx_type(out._dtype)) if x._dtype is not out._dtype \
        else ctx.g.op("Identity", ctx.name(x))


# -- reductions -----------------------------------------------------------------------------------
def _reduce(onnx_op, axes_input_since):
    def fn(ctx, inputs, params, out):
        x = inputs[0]
        dims = params.get("dims")
        keep = int(bool(params.get("keepdim", False)))
        if dims is None or len(dims) == x.ndim:
            dims = None  # every dimension: the node without axes
        name = _as(ctx, x, out._dtype)
        if dims is None:
            return ctx.g.op(onnx_op, name, keepdims=keep)
        if ctx.opset >= axes_input_since:
            return ctx.g.op(onnx_op, name, ctx.g.ints(dims), keepdims=keep)
        return ctx.g.op(onnx_op, name, axes=list(dims), keepdims=keep)

    return fn


symbolic("MeanBackward0", "MeanBackward1")(_reduce("ReduceMean", 18))
symbolic("SumBackward0", "SumBackward1")(_reduce("ReduceSum", 13))
symbolic("AmaxBackward0", "MaxBackward1")(_reduce("ReduceMax", 18))
symbolic("AminBackward0", "MinBackward1")(_reduce("ReduceMin", 18))


@symbolic("LinalgVectorNormBackward0")
def _vector_norm(ctx, inputs, params, out):
    p = params.get("p", 2)
    onnx_op = {1: "ReduceL1", 2: "ReduceL2"}.get(p)
    if onnx_op is None:
        raise ctx.unsupported(f"ord={p}")
    return _reduce(onnx_op, 18)(ctx, inputs, params, out)


def _axes_of(x, dims):
    return list(range(x.ndim)) if dims is None else [d % x.ndim for d in dims]


@symbolic("VarBackward0", "StdBackward0")
def _var(ctx, inputs, params, out):
    """sum((x - mean)^2) / dof over dims (dof: the count less the correction), and its root for std."""
    x, dt = inputs[0], _np(out._dtype)
    axes = ctx.g.ints(_axes_of(x, params.get("dims")))
    keep = int(bool(params.get("keepdim", False)))
    name = _as(ctx, x, out._dtype)
    centered = ctx.g.op("Sub", name, ctx.g.op("ReduceMean", name, axes, keepdims=1))
    total = ctx.g.op("ReduceSum", ctx.g.op("Mul", centered, centered), axes, keepdims=keep)
    var = ctx.g.op("Div", total, ctx.name(float(params["dof"]), dt))
    return ctx.g.op("Sqrt", var) if ctx.op_name == "StdBackward0" else var


def _extreme(reduce_op, arg_op):
    def fn(ctx, inputs, params, out):  # max/min over one dim: (values, indices)
        x = inputs[0]
        axis, keep = int(params["dim"]) % max(x.ndim, 1), int(bool(params.get("keepdim", False)))
        name = ctx.name(x)
        values = ctx.g.op(reduce_op, name, ctx.g.ints([axis]), keepdims=keep)
        return values, ctx.g.op(arg_op, name, axis=axis, keepdims=keep, select_last_index=0)

    return fn


symbolic("MaxBackward0")(_extreme("ReduceMax", "ArgMax"))
symbolic("MinBackward0")(_extreme("ReduceMin", "ArgMin"))


@symbolic("_ArgExtreme")
def _arg_extreme(ctx, inputs, params, out):
    x = inputs[0]
    onnx_op = {"argmax": "ArgMax", "argmin": "ArgMin"}[params["fn"]]
    dim, keep = params.get("dim"), int(bool(params.get("keepdim", False)))
    name = ctx.name(x)
    if dim is None:  # over the flattened tensor
        flat = ctx.g.op("Reshape", name, ctx.g.ints([-1]))
        y = ctx.g.op(onnx_op, flat, axis=0, keepdims=0)
        return ctx.g.op("Reshape", y, ctx.g.ints([1] * x.ndim)) if keep else y
    return ctx.g.op(onnx_op, name, axis=int(dim) % max(x.ndim, 1), keepdims=keep)


@symbolic("CumsumBackward0")
def _cumsum(ctx, inputs, params, out):
    x = inputs[0]
    return ctx.g.op("CumSum", _as(ctx, x, out._dtype), ctx.g.const(np.int64(int(params["dim"]) % max(x.ndim, 1))))


# -- shapes ---------------------------------------------------------------------------------------
def _reshape(ctx, x, shape):
    """Reshape to `shape`. With symbolic input dims, a target dim that changed in the probe run (see
    Graph.probe) is read at run time from the input dim it equals in both runs (0: the input's own dim
    at that index, else a Gather from Shape), and one that matches none is written -1. Without a
    probe, a leading dim equal to the input's is written 0, so the batch dimension stays free."""
    shape = list(shape)
    if not ctx.g.dynamic:
        return ctx.g.op("Reshape", ctx.name(x), ctx.g.ints(shape))
    probe = ctx.probe()
    (xp,), (sp,) = probe if probe is not None and len(probe[0]) == 1 else ((None,), (None,))
    if xp is None or len(xp) != x.ndim or len(sp) != len(shape):
        if shape and x.ndim and shape[0] == x.shape[0]:
            shape[0] = 0
        return ctx.g.op("Reshape", ctx.name(x), ctx.g.ints(shape))
    from_input, free = {}, []
    for i, (n, m) in enumerate(zip(shape, sp)):
        if n != m:
            same = [j for j in range(x.ndim) if (x.shape[j], xp[j]) == (n, m)]
            if same:
                from_input[i] = i if i in same else same[0]
            else:
                free.append(i)
    if len(free) > 1:
        raise ctx.unsupported("a reshape whose target has several dims that follow the dynamic axes")
    for i in free:
        shape[i] = -1
    if all(i == j for i, j in from_input.items()):
        for i in from_input:
            shape[i] = 0
        return ctx.g.op("Reshape", ctx.name(x), ctx.g.ints(shape))
    dims = ctx.g.op("Shape", ctx.name(x))
    parts = [ctx.g.op("Gather", dims, ctx.g.ints([from_input[i]]), axis=0) if i in from_input else ctx.g.ints([n])
             for i, n in enumerate(shape)]
    return ctx.g.op("Reshape", ctx.name(x), ctx.g.op("Concat", *parts, axis=0))


@symbolic("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0")
def _view(ctx, inputs, params, out):
    ts = _tensors(inputs)
    if len(ts) == 2:  # UnsafeViewBackward0 is also the batched matmul's node
        return _matmul(ctx, inputs, params, out)
    return _reshape(ctx, ts[0], tuple(out.shape))


@symbolic("ExpandBackward0")
def _expand(ctx, inputs, params, out):
    x = inputs[0]
    shape = list(out.shape)
    lead = len(shape) - x.ndim
    for i, n in enumerate(x.shape):  # 1 broadcasts to the input's own dim, which may be symbolic
        if shape[lead + i] == n:
            shape[lead + i] = 1
    return ctx.g.op("Expand", ctx.name(x), ctx.g.ints(shape))


@symbolic("TransposeBackward0", "TBackward0")
def _transpose(ctx, inputs, params, out):
    x = inputs[0]
    perm = list(range(x.ndim))
    if x.ndim >= 2:
        d0, d1 = params.get("dim0", 0) % x.ndim, params.get("dim1", 1) % x.ndim
        perm[d0], perm[d1] = perm[d1], perm[d0]
    if perm == sorted(perm):
        return ctx.g.op("Identity", ctx.name(x))
    return ctx.g.op("Transpose", ctx.name(x), perm=perm)


@symbolic("PermuteBackward0")
def _permute(ctx, inputs, params, out):
    x = inputs[0]
    return ctx.g.op("Transpose", ctx.name(x), perm=[d % x.ndim for d in params["dims"]])


@symbolic("CatBackward0")
def _cat(ctx, inputs, params, out):
    parts = [_as(ctx, x, out._dtype) for x in inputs if isinstance(x, Tensor) and x.numel()]
    return ctx.g.op("Concat", *parts, axis=int(params["dim"]) % out.ndim)


@symbolic("StackBackward0")
def _stack(ctx, inputs, params, out):
    axis = int(params["dim"]) % out.ndim
    axes = ctx.g.ints([axis])
    parts = [ctx.g.op("Unsqueeze", _as(ctx, x, out._dtype), axes) for x in _tensors(inputs)]
    return ctx.g.op("Concat", *parts, axis=axis)


def _squeeze(ctx, x, dims):
    dims = [d % x.ndim for d in dims if x.shape[d] == 1]  # torch leaves non-1 dims alone
    if not dims:
        return ctx.g.op("Identity", ctx.name(x))
    return ctx.g.op("Squeeze", ctx.name(x), ctx.g.ints(dims))


@symbolic("SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2", "SqueezeBackward3", "SqueezeBackward4")
def _squeeze_op(ctx, inputs, params, out):
    if len(_tensors(inputs)) == 2:  # SqueezeBackward4 is also vector @ matrix's node
        return _matmul(ctx, inputs, params, out)
    x = inputs[0]
    dims = params.get("dims")
    if dims is None:
        dims = params.get("dim", range(x.ndim))
    dims = [dims] if isinstance(dims, int) else list(dims if dims is not None else range(x.ndim))
    return _squeeze(ctx, x, dims)


@symbolic("UnsqueezeBackward0", "SelectBackward0", "SliceBackward0")
def _index(ctx, inputs, params, out):
    x = inputs[0]
    if "dim" in params and "key" not in params:
        return ctx.g.op("Unsqueeze", ctx.name(x), ctx.g.ints([params["dim"] % (x.ndim + 1)]))
    if "key" not in params:
        raise ctx.unsupported()
    return _basic_index(ctx, x, params["key"])


def _basic_index(ctx, x, key):
    """x[key] for a key of ints, slices, None and Ellipsis: a chain of Slice / Gather / Unsqueeze."""
    key = key if type(key) is tuple else (key,)
    consuming = sum(1 for k in key if k is not None and k is not Ellipsis)
    name, pos, dim = ctx.name(x), 0, 0  # pos: axis in the current value; dim: axis of x
    for k in key:
        if k is Ellipsis:
            skip = x.ndim - consuming
            pos, dim = pos + skip, dim + skip
        elif k is None:
            name = ctx.g.op("Unsqueeze", name, ctx.g.ints([pos]))
            pos += 1
        elif isinstance(k, slice):
            if k != slice(None):
                step = 1 if k.step is None else k.step
                start = 0 if k.start is None else k.start
                stop = _INT64_MAX if k.stop is None else k.stop
                name = ctx.g.op("Slice", name, ctx.g.ints([start]), ctx.g.ints([stop]), ctx.g.ints([pos]),
                                ctx.g.ints([step]))
            pos, dim = pos + 1, dim + 1
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            name = ctx.g.op("Gather", name, ctx.g.const(np.int64(k), base="index"), axis=pos)
            dim += 1
        else:
            raise ctx.unsupported("indexing with tensors (advanced indexing)")
    return name


# -- products -------------------------------------------------------------------------------------
@symbolic("MmBackward0", "BmmBackward0", "MvBackward0", "DotBackward0", "MatmulBackward0")
def _matmul(ctx, inputs, params, out):
    a, b = _tensors(inputs)[:2]
    return ctx.g.op("MatMul", _as(ctx, a, out._dtype), _as(ctx, b, out._dtype))


@symbolic("AddmmBackward0")
def _addmm(ctx, inputs, params, out):
    bias, x, w = inputs[:3]
    return ctx.g.op("Gemm", ctx.name(x), ctx.name(w), _as(ctx, bias, out._dtype),
                    alpha=float(params.get("alpha", 1)), beta=float(params.get("beta", 1)))


@symbolic("ConvolutionBackward0")
def _conv(ctx, inputs, params, out):
    x, w = inputs[:2]
    b = inputs[2] if len(inputs) > 2 and isinstance(inputs[2], Tensor) else None
    pads = params["pads"]
    return ctx.g.op("Conv", ctx.name(x), ctx.name(w), None if b is None else ctx.name(b),
                    kernel_shape=list(w.shape[2:]), strides=list(params["stride"]),
                    pads=[p[0] for p in pads] + [p[1] for p in pads], dilations=list(params["dilation"]),
                    group=int(params["groups"]))


@symbolic("ConvInputBackward")
def _conv_transpose(ctx, inputs, params, out):
    """conv_transpose: the input-gradient of the convolution `geom` describes."""
    x, w = inputs[:2]
    stride, pads, dilation, groups = params["geom"]
    kernel = w.shape[2:]
    out_pad = [o - (s * (n - 1) + d * (k - 1) + 1 - p[0] - p[1])
               for o, n, k, s, d, p in zip(params["x_shape"][2:], x.shape[2:], kernel, stride, dilation, pads)]
    return ctx.g.op("ConvTranspose", ctx.name(x), ctx.name(w), kernel_shape=list(kernel), strides=list(stride),
                    pads=[p[0] for p in pads] + [p[1] for p in pads], dilations=list(dilation), group=int(groups),
                    output_padding=out_pad)


# -- normalization, pooling, embedding --------------------------------------------------------------
def _weight_or(ctx, w, fill, n, dtype):
    return ctx.name(w) if isinstance(w, Tensor) else ctx.g.const(np.full(n, fill, dtype=_np(dtype)))


@symbolic("NativeLayerNormBackward0")
def _layer_norm(ctx, inputs, params, out):
    if ctx.opset < 17:
        raise ctx.unsupported(since=17)
    x, w, b = (list(inputs) + [None, None])[:3]
    dims = params["dims"]
    shape = x.shape[dims[0]:]
    return ctx.g.op("LayerNormalization", ctx.name(x), _weight_or(ctx, w, 1.0, shape, out._dtype),
                    _weight_or(ctx, b, 0.0, shape, out._dtype), axis=int(dims[0]), epsilon=float(params["eps"]))


@symbolic("NativeBatchNormBackward0")
def _batch_norm(ctx, inputs, params, out):
    """Eval mode only (the running statistics are constants); nn.BatchNorm* modules export their
    buffers by name instead (see _modules)."""
    stats = params.get("stats")
    if stats is None or params.get("batch"):
        raise ctx.unsupported("batch norm in training mode: call model.eval() before exporting")
    x, w, b = (list(inputs) + [None, None])[:3]
    c = x.shape[1]
    mean, var = (ctx.g.const(np.asarray(s).reshape(c)) for s in stats)
    return ctx.g.op("BatchNormalization", ctx.name(x), _weight_or(ctx, w, 1.0, c, out._dtype),
                    _weight_or(ctx, b, 0.0, c, out._dtype), mean, var, epsilon=float(params["eps"]))


@symbolic("MaxPool2DWithIndicesBackward0", "MaxPool3DWithIndicesBackward0")
def _max_pool(ctx, inputs, params, out):
    geom = params["geom"]
    pads = geom.pads  # (lo, hi) per dim, hi stretched for ceil_mode: the same windows ONNX's pads give
    y = ctx.g.op("MaxPool", ctx.name(inputs[0]), kernel_shape=list(geom.kernel), strides=list(geom.stride),
                 pads=[p[0] for p in pads] + [p[1] for p in pads], dilations=list(geom.dilation))
    return y, None  # the indices are not exported


@symbolic("AvgPool2DBackward0", "AvgPool3DBackward0")
def _window_sum(ctx, inputs, params, out):
    """avg_pool's window sums (its divisor follows as a constant): the mean over the whole window,
    padding counted, times the window's size."""
    geom = params["geom"]
    if params.get("arg") is not None:
        raise ctx.unsupported("a pooling gather")
    pads = geom.pads
    mean = ctx.g.op("AveragePool", ctx.name(inputs[0]), kernel_shape=list(geom.kernel), strides=list(geom.stride),
                    pads=[p[0] for p in pads] + [p[1] for p in pads], count_include_pad=1)
    return ctx.g.op("Mul", mean, ctx.name(float(np.prod(geom.kernel)), _np(out._dtype)))


@symbolic("EmbeddingBackward0")
def _embedding(ctx, inputs, params, out):
    idx = params["idx"]
    name = ctx.lookup_array(idx)
    if name is None:
        name = ctx.g.const(np.asarray(idx, dtype=np.int64), base="indices")
    return ctx.g.op("Gather", ctx.name(inputs[0]), name, axis=0)


# -- comparisons, selection, splitting ----------------------------------------------------------------
_PROBE = (np.array([0, 1, 2]), 1)
_COMPARISONS = {(False, True, False): ("Equal", False), (True, False, True): ("Equal", True),
                (True, False, False): ("Less", False), (True, True, False): ("LessOrEqual", False),
                (False, False, True): ("Greater", False), (False, True, True): ("GreaterOrEqual", False)}


@symbolic("_Compare")
def _compare(ctx, inputs, params, out):
    """eq/ne/lt/le/gt/ge share one op class; which one it is shows in what its kernel says on a probe."""
    kind = _COMPARISONS.get(tuple(bool(v) for v in params["fn"](*_PROBE)))
    if kind is None:
        raise ctx.unsupported()
    a, b = inputs[:2]
    dtype = params.get("dtype") or (a._dtype if isinstance(a, Tensor) else b._dtype)
    y = ctx.g.op(kind[0], _as(ctx, a, dtype), _as(ctx, b, dtype))
    return ctx.g.op("Not", y) if kind[1] else y


@symbolic("WhereBackward0")
def _where(ctx, inputs, params, out):
    a, b, cond = inputs[:3]
    return ctx.g.op("Where", ctx.name(cond), _as(ctx, a, out._dtype), _as(ctx, b, out._dtype))


@symbolic("IndexSelectBackward0")
def _index_select(ctx, inputs, params, out):
    x, index = inputs[:2]
    if x.ndim == 0:
        raise ctx.unsupported("0-d input")
    return ctx.g.op("Gather", ctx.name(x), ctx.name(index), axis=int(params["dim"]) % x.ndim)


@symbolic("SplitBackward0", "SplitWithSizesBackward0", "UnsafeSplitBackward0", "UnsafeSplitWithSizesBackward0")
def _split(ctx, inputs, params, out):
    x, sizes = inputs[0], list(params["sizes"])
    names = ctx.g.op("Split", ctx.name(x), ctx.g.ints(sizes), outputs=len(sizes), axis=int(params["dim"]) % x.ndim)
    return [names] if len(sizes) == 1 else names


@symbolic("UnbindBackward0")
def _unbind(ctx, inputs, params, out):
    x = inputs[0]
    dim = int(params["dim"]) % x.ndim
    n = x.shape[dim]
    parts = ctx.g.op("Split", ctx.name(x), ctx.g.ints([1] * n), outputs=n, axis=dim)
    parts = [parts] if n == 1 else parts
    axes = ctx.g.ints([dim])
    return [ctx.g.op("Squeeze", p, axes) for p in parts]


@symbolic("NativeGroupNormBackward0")
def _group_norm(ctx, inputs, params, out):
    """(x - mean) / sqrt(var + eps) over each group's channels and positions, then the per-channel
    affine: reshaped to (N, G, -1) and back, so the batch size stays free."""
    x, w, b = (list(inputs) + [None, None])[:3]
    groups, dt = params["stat_shape"][1], _np(out._dtype)
    xr = ctx.g.op("Reshape", ctx.name(x), ctx.g.ints([0, groups, -1]))
    axes = ctx.g.ints([2])
    centered = ctx.g.op("Sub", xr, ctx.g.op("ReduceMean", xr, axes, keepdims=1))
    var = ctx.g.op("ReduceMean", ctx.g.op("Mul", centered, centered), axes, keepdims=1)
    y = ctx.g.op("Div", centered, ctx.g.op("Sqrt", ctx.g.op("Add", var, ctx.name(float(params["eps"]), dt))))
    y = ctx.g.op("Reshape", y, ctx.g.op("Shape", ctx.name(x)))
    wshape = ctx.g.ints(params["wshape"])
    if isinstance(w, Tensor):
        y = ctx.g.op("Mul", y, ctx.g.op("Reshape", ctx.name(w), wshape))
    if isinstance(b, Tensor):
        y = ctx.g.op("Add", y, ctx.g.op("Reshape", ctx.name(b), wshape))
    return y


@symbolic("LstmCellBackward0")
def _lstm_cell(ctx, inputs, params, out):
    """The LSTM cell's pointwise part: gates [i, f, g, o] and c -> (o tanh(c'), c' = f c + i g)."""
    gates, c = inputs[:2]
    hs = c.shape[-1]
    i, f, g, o = ctx.g.op("Split", ctx.name(gates), ctx.g.ints([hs] * 4), outputs=4, axis=gates.ndim - 1)
    i, f, o, g = ctx.g.op("Sigmoid", i), ctx.g.op("Sigmoid", f), ctx.g.op("Sigmoid", o), ctx.g.op("Tanh", g)
    c2 = ctx.g.op("Add", ctx.g.op("Mul", f, ctx.name(c)), ctx.g.op("Mul", i, g))
    return ctx.g.op("Mul", o, ctx.g.op("Tanh", c2)), c2


@symbolic("ConstantPadNdBackward0")
def _constant_pad(ctx, inputs, params, out):
    x, pads = inputs[0], params["pads"]  # (lo, hi) for every dim
    value = ctx.name(params.get("value", 0), _np(out._dtype))
    return ctx.g.op("Pad", ctx.name(x), ctx.g.ints([p[0] for p in pads] + [p[1] for p in pads]), value)


@symbolic("RepeatBackward0")
def _repeat(ctx, inputs, params, out):
    x, repeats = inputs[0], list(params["repeats"])
    name = ctx.name(x)
    if len(repeats) > x.ndim:  # torch adds leading dims of size 1 first
        name = ctx.g.op("Reshape", name, ctx.g.ints([1] * (len(repeats) - x.ndim) + list(x.shape)))
    return ctx.g.op("Tile", name, ctx.g.ints(repeats))


@symbolic("FlipBackward0")
def _flip(ctx, inputs, params, out):
    x = inputs[0]
    axes = sorted({d % x.ndim for d in params["dims"]})
    if not axes:
        return ctx.g.op("Identity", ctx.name(x))
    n = len(axes)
    return ctx.g.op("Slice", ctx.name(x), ctx.g.ints([-1] * n), ctx.g.ints([np.iinfo(np.int64).min] * n),
                    ctx.g.ints(axes), ctx.g.ints([-1] * n))


@symbolic("ClampBackward0", "ClampBackward1")
def _clamp(ctx, inputs, params, out):
    x = _as(ctx, inputs[0], out._dtype)
    if ctx.op_name == "ClampBackward1":  # number bounds (None: open)
        lo, hi = (None if params.get(k) is None else ctx.name(params[k], _np(out._dtype)) for k in ("lo", "hi"))
        return ctx.g.op("Clip", x, lo, hi)
    lo, hi = (list(inputs) + [None, None])[1:3]
    if lo is not None:
        x = ctx.g.op("Max", x, _as(ctx, lo, out._dtype))
    if hi is not None:
        x = ctx.g.op("Min", x, _as(ctx, hi, out._dtype))
    return x


@symbolic("MaskedFillBackward0")
def _masked_fill(ctx, inputs, params, out):
    x, mask, value = inputs[:3]
    return ctx.g.op("Where", ctx.name(mask), _as(ctx, value, out._dtype), ctx.name(x))
