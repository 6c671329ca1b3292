"""Modules exported as one ONNX node each, where the op-by-op trace would be longer or would lose
names: Linear (Gemm), Conv (Conv with its bias), BatchNorm in eval mode (its running statistics as
named initializers), AvgPool and AdaptiveAvgPool to 1 (GlobalAveragePool).

While the model runs, such a module's `forward` is replaced (an instance attribute) by a version
that runs the plain forward with the tracer paused, then appends the node for the whole module.
A module in a configuration the handler does not cover runs traced op by op instead."""
from .. import nn
from .._tensor import Tensor
from ._graph import Ctx


def _linear(ctx, m, x):
    if x.ndim != 2:
        return None
    b = m.bias
    return ctx.g.op("Gemm", ctx.name(x), ctx.name(m.weight), None if b is None else ctx.name(b), transB=1)


def _conv(ctx, m, x):
    if m.padding_mode != "zeros" or isinstance(m.padding, str) or x.ndim != m.weight.ndim:
        return None
    pads = list(m.padding)
    b = m.bias
    return ctx.g.op("Conv", ctx.name(x), ctx.name(m.weight), None if b is None else ctx.name(b),
                    kernel_shape=list(m.kernel_size), strides=list(m.stride), pads=pads + pads,
                    dilations=list(m.dilation), group=int(m.groups))


def _batch_norm(ctx, m, x):
    if m.training or m.running_mean is None:
        return None
    c = m.num_features
    w = ctx.name(m.weight) if m.weight is not None else ctx.g.const([1.0] * c, "float32")
    b = ctx.name(m.bias) if m.bias is not None else ctx.g.const([0.0] * c, "float32")
    return ctx.g.op("BatchNormalization", ctx.name(x), w, b, ctx.name(m.running_mean), ctx.name(m.running_var),
                    epsilon=float(m.eps))


def _tuple(v, n):
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


def _avg_pool(ctx, m, x):
    n = {nn.AvgPool1d: 1, nn.AvgPool2d: 2, nn.AvgPool3d: 3}[type(m)]
    if getattr(m, "divisor_override", None) is not None or x.ndim != n + 2:
        return None
    kernel = _tuple(m.kernel_size, n)
    stride = _tuple(m.stride if m.stride else m.kernel_size, n)
    pads = _tuple(m.padding, n)
    return ctx.g.op("AveragePool", ctx.name(x), kernel_shape=kernel, strides=stride, pads=pads + pads,
                    ceil_mode=int(m.ceil_mode), count_include_pad=int(m.count_include_pad))


def _adaptive_avg_pool(ctx, m, x):
    n = {nn.AdaptiveAvgPool1d: 1, nn.AdaptiveAvgPool2d: 2, nn.AdaptiveAvgPool3d: 3}[type(m)]
    if x.ndim != n + 2 or any(s not in (1,) for s in _tuple(m.output_size, n)):
        return None
    return ctx.g.op("GlobalAveragePool", ctx.name(x))


HANDLERS = {nn.Linear: _linear, nn.Conv1d: _conv, nn.Conv2d: _conv, nn.Conv3d: _conv,
            nn.BatchNorm1d: _batch_norm, nn.BatchNorm2d: _batch_norm, nn.BatchNorm3d: _batch_norm,
            nn.AvgPool1d: _avg_pool, nn.AvgPool2d: _avg_pool, nn.AvgPool3d: _avg_pool,
            nn.AdaptiveAvgPool1d: _adaptive_avg_pool, nn.AdaptiveAvgPool2d: _adaptive_avg_pool,
            nn.AdaptiveAvgPool3d: _adaptive_avg_pool}


def wrap_modules(model, tracer):
    """Replace the forward of every module HANDLERS covers; returns the modules to restore."""
    wrapped = []
    for m in model.modules():
        handler = HANDLERS.get(type(m))
        if handler is None or "forward" in m.__dict__:
            continue
        m.forward = _wrapped(m, handler, tracer, type(m).forward.__get__(m))
        wrapped.append(m)
    return wrapped


def unwrap_modules(wrapped):
    for m in wrapped:
        del m.__dict__["forward"]


def _wrapped(m, handler, tracer, plain):
    def forward(x, *args, **kwargs):
        if args or kwargs or not isinstance(x, Tensor) or tracer.paused or tracer.lookup(x) is None:
            return plain(x, *args, **kwargs)
        name = handler(Ctx(tracer, type(m).__name__), m, x)  # checks first, so forward runs once
        if name is None:  # a configuration the handler leaves to the op-by-op trace
            return plain(x)
        tracer.paused += 1
        try:
            out = plain(x)
        finally:
            tracer.paused -= 1
        tracer.bind(out, name)
        return out

    return forward
