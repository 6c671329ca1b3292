"""The graph being exported: ONNX nodes, initializers and names, and the tracer that fills it.

While `export` runs the model, `Op.apply` and `Op._record` (the two places every computed tensor
comes out of) are replaced by versions that also report the op, its inputs, its parameters and
its outputs to the active tracer; outside `export` they are the plain ones, so tracing costs
nothing when not exporting. Each reported op is translated at once by its symbolic function
(`_symbolic.SYMBOLICS`, keyed by the op class name, as torch names the backward node).

A tensor is known to the graph by its autograd node and output number (so an in-place op, which
moves the tensor onto the result's node, renames it), by its identity (inputs, parameters,
buffers) or by its array (`detach()` and `.data` share it). An op none of whose tensors is known
computes a constant: it is not recorded, and its result enters the graph as an initializer when
an exported op uses it (constant folding, as torch's exporter does)."""
import threading

import numpy as np

from .._tensor import Tensor
from .._ops import _base
from .errors import OnnxExporterError, UnsupportedOperatorError

_active = [None]  # the running tracer (export is not reentrant)


def aten_name(op_cls_name):
    """MaxPool2DWithIndicesBackward0 -> 'aten::max_pool2d_with_indices' (the name torch's error shows)."""
    import re

    stem = re.sub(r"Backward\d*$", "", op_cls_name)
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", stem).lower()
    return "aten::" + snake


class Graph:
    """ONNX nodes as plain tuples (the `onnx` package builds the protos at the end)."""

    def __init__(self, opset, dynamic, probe=None):
        self.opset = opset
        self.dynamic = dynamic  # some input has symbolic dims: shapes read from the example are not fixed
        # probe: per recorded op, (op name, input shapes, output shapes) in a run with the dynamic dims
        # grown by one, so a shape the op bakes in can tell its dynamic dims (see Ctx.probe)
        self.probe = probe
        self.nodes = []  # (op_type, inputs, outputs, attrs)
        self.initializers = {}  # name -> ndarray
        self._used = set()
        self._count = 0
        self._outputs = {}  # graph output names (and each renamed value -> its new name)

    def fresh(self, base):
        self._count += 1
        name = f"{base}_{self._count}"
        while name in self._used:
            self._count += 1
            name = f"{base}_{self._count}"
        self._used.add(name)
        return name

    def reserve(self, name):
        self._used.add(name)
        return name

    def op(self, op_type, *inputs, outputs=1, **attrs):
        """Append a node; its output name (or names when outputs > 1)."""
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append((op_type, [("" if i is None else i) for i in inputs], names, attrs))
        return names[0] if outputs == 1 else names

    def rename_or_copy(self, name, new):
        """Make graph output `new` hold value `name`: the producing node's output is renamed when the
        value is a node's and not already a graph output or input; else an Identity copies it."""
        name = self._outputs.get(name, name)
        if name == new:
            self._outputs[new] = new
            return new
        producers = [n for n in self.nodes if name in n[2]]
        if producers and name not in self._outputs:
            for node in self.nodes:
                node[1][:] = [new if i == name else i for i in node[1]]
                node[2][:] = [new if o == name else o for o in node[2]]
            self._outputs[new] = self._outputs[name] = new
            return new
        self.nodes.append(("Identity", [name], [new], {}))
        self._outputs[new] = new
        return new

    def const(self, value, dtype=None, base="val"):
        array = np.asarray(value, dtype=dtype)
        name = self.fresh(base)
        self.initializers[name] = array
        return name

    def ints(self, values):
        return self.const(np.asarray(list(values), dtype=np.int64), base="shape")


class Tracer:
    def __init__(self, graph, recording=None):
        self.g = graph
        self.recording = recording  # a list: only note each op's shapes (the probe run), translate nothing
        self.count = 0  # ops recorded so far: the index into the probe
        self.ops = []  # their names
        self.by_node = {}
        self.by_id = {}
        self.by_array = {}
        self.consts = {}  # id of a constant tensor -> its initializer
        self.thread = threading.get_ident()  # ops other threads run meanwhile are not the model's
        self.keep = []  # every bound tensor and array stays alive, so no id is reused during export
        self.depth = 0  # inside Op.apply: its own _record call is not reported twice
        self.paused = 0  # inside a module exported as one node

    # -- names of tensors -----------------------------------------------------------------------
    def bind(self, t, name):
        self.keep.append((t, t._data))
        self.by_id[id(t)] = name
        self.by_array[id(t._data)] = name
        fn = t._grad_fn
        if fn is not None:
            self.by_node[(id(fn), t._output_nr)] = name
        return name

    def lookup(self, t):
        fn = t._grad_fn
        if fn is not None:
            name = self.by_node.get((id(fn), t._output_nr))
            if name is not None:
                return name
        name = self.by_id.get(id(t))
        return name if name is not None else self.by_array.get(id(t._data))

    def name(self, x, dtype=None):
        """The graph value for an op input: a known tensor, else a constant (tensor or number)."""
        if isinstance(x, Tensor):
            name = self.lookup(x)
            if name is not None:
                return name
            name = self.consts.get(id(x))
            if name is None:  # one initializer per constant tensor, however many ops read it
                self.keep.append((x, x._data))
                name = self.consts[id(x)] = self.g.const(np.ascontiguousarray(x._data), base="constant")
            return name
        return self.g.const(x, dtype=dtype, base="scalar")

    # -- what the patched ops report ----------------------------------------------------------------
    def record(self, cls, inputs, params, out):
        if self.paused:
            return
        if not any(isinstance(x, Tensor) and self.lookup(x) is not None for x in inputs) and \
                not any(type(v) is np.ndarray and id(v) in self.by_array for v in params.values()):
            return  # a constant: folded
        from ._symbolic import SYMBOLICS

        index = self.count
        self.count += 1
        self.ops.append(cls.__name__)
        outs = out if type(out) is tuple else (out,)
        if self.recording is not None:
            self.recording.append((cls.__name__, [tuple(x.shape) for x in inputs if isinstance(x, Tensor)],
                                   [tuple(t.shape) for t in outs]))
            names = [f"probe_{index}_{i}" for i in range(len(outs))]
        else:
            fn = SYMBOLICS.get(cls.__name__)
            if fn is None:
                raise UnsupportedOperatorError(aten_name(cls.__name__), self.g.opset, None)
            ctx = Ctx(self, cls.__name__, index)
            self._check_constants(ctx, inputs)
            names = fn(ctx, inputs, params, out)
            names = names if type(names) in (tuple, list) else (names,)
        for t, n in zip(outs, names):
            if n is not None:
                if not t._dtype._differentiable and not t._requires_grad:
                    t._requires_grad = True  # integer results keep being traced through the operator fast paths
                self.bind(t, n)

    def _check_constants(self, ctx, inputs):
        """A constant input whose shape changed in the probe run was made from the input's size
        (torch.zeros(x.size(0), ...)): baked in, it would break every other size."""
        probe = ctx.probe()
        if probe is None:
            return
        tensors = [x for x in inputs if isinstance(x, Tensor)]
        for x, shape in zip(tensors, probe[0]):
            if tuple(x.shape) != shape and self.lookup(x) is None:
                raise OnnxExporterError(
                    f"torch.onnx.export: a constant input of shape {tuple(x.shape)} to '{aten_name(ctx.op_name)}' "
                    "was made from the size of a dynamic axis (as torch.zeros(x.size(0), ...) does); ember's "
                    "exporter bakes such tensors in, so it cannot keep that axis dynamic")


class Ctx:
    """What a symbolic function gets: the graph, the tracer's names and the opset."""

    def __init__(self, tracer, op_name, index=None):
        self.tracer, self.g, self.op_name, self.index = tracer, tracer.g, op_name, index
        self.opset = tracer.g.opset

    def probe(self):
        """(input shapes, output shapes) of this op in the probe run, or None when there is none
        or the two runs went different ways."""
        probe = self.g.probe
        if probe is None or self.index is None or self.index >= len(probe) or probe[self.index][0] != self.op_name:
            return None
        return probe[self.index][1:]

    def name(self, x, dtype=None):
        return self.tracer.name(x, dtype)

    def lookup_array(self, array):
        return self.tracer.by_array.get(id(array))

    def unsupported(self, why=None, since=None):
        err = UnsupportedOperatorError(aten_name(self.op_name), self.opset, since)
        if why:
            err.args = (f"{err.args[0]} ({why})",)
        return err


# -- installing the hooks (only while exporting) ------------------------------------------------------
_plain_apply = _base.Op.__dict__["apply"]
_plain_record = _base.Op._record


def _traced_apply(cls, *inputs, **params):
    tracer = _active[0]
    if tracer.thread != threading.get_ident():
        return _plain_apply.__func__(cls, *inputs, **params)
    if cls.__name__ == "MkldnnRnnLayerBackward0":  # a whole LSTM layer: export its steps, one cell each
        from .._ops._rnn_layer import lstm_layer_steps

        return lstm_layer_steps(*inputs, **params)
    tracer.depth += 1
    try:
        out = _plain_apply.__func__(cls, *inputs, **params)
    finally:
        tracer.depth -= 1
    tracer.record(cls, inputs, params, out)
    return out


def _traced_record(self, inputs, result):
    out = _plain_record(self, inputs, result)
    tracer = _active[0]
    if not tracer.depth and tracer.thread == threading.get_ident():  # an operator fast path (x + y)
        tracer.record(type(self), inputs, {}, out)
    return out


def install(tracer):
    if _active[0] is not None:
        raise RuntimeError("torch.onnx.export: an export is already running")
    _active[0] = tracer
    _base.Op.apply = classmethod(_traced_apply)
    _base.Op._record = _traced_record


def uninstall():
    _base.Op.apply = _plain_apply
    _base.Op._record = _plain_record
    _active[0] = None
