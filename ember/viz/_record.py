"""What `ember.viz.record()` keeps about each node made inside it.

The core calls the installed recorder once per node it links into the graph
(`anomaly_state.tracing`, False outside record(): the fast path pays one
attribute read). The recorder stores on the node, as `node._viz`:

- the line of the user's code that made it (the first frame outside ember);
- the nn.Module calls it was made in (the `forward` frames on the stack), so a
  large graph can collapse into one box per module call;
- the output's shape and dtype, and what backward saved (shape, bytes);
- optionally the forward value's statistics;
and, through a hook on the node, the gradients that flow along its edges once
backward runs.
"""
import math
import os
import sys

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.anomaly_mode import anomaly_state

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class NodeInfo:
    """What was recorded about one node (see the module docstring)."""

    __slots__ = ("index", "line", "scope", "outputs", "saved", "values", "grads", "grad_out")

    def __init__(self, index):
        self.index = index  # creation order
        self.line = None  # (filename, lineno, function, source text)
        self.scope = ()  # ModuleCalls, outermost first
        self.outputs = None  # [(shape, dtype)]
        self.saved = None  # [(name, shape, dtype, nbytes)]
        self.values = None  # Stats of the forward output
        self.grads = None  # [Stats or None] per input edge, after backward
        self.grad_out = None  # [Stats or None] per output, after backward


class Stats:
    """Summary of one array: what an edge or a box shows of a gradient or a value."""

    __slots__ = ("norm", "max_abs", "mean", "nan", "inf", "numel")

    def __init__(self, array, mean=False):
        xp = xp_of(array)
        a = array
        if a.dtype.kind == "c":
            a = xp.abs(a)
        flat = a.astype("float64", copy=False).ravel()
        self.numel = int(flat.size)
        self.mean = 0.0
        if not flat.size:
            self.norm = self.max_abs = 0.0
            self.nan = self.inf = False
            return
        squares = float(flat @ flat)  # one BLAS call; finite means no NaN and no inf (the common case)
        if math.isfinite(squares):
            self.nan = self.inf = False
        else:
            self.nan, self.inf = bool(xp.isnan(flat).any()), bool(xp.isinf(flat).any())
            flat = xp.where(xp.isfinite(flat), flat, 0.0)
            squares = float(flat @ flat)
        self.norm = math.sqrt(squares) if math.isfinite(squares) else float(xp.linalg.norm(flat))
        self.max_abs = max(float(flat.max()), -float(flat.min()))
        if mean:
            self.mean = float(flat.mean())

    @property
    def bad(self):
        return self.nan or self.inf

    def short(self):
        flags = " ".join(f for f, on in (("NaN", self.nan), ("inf", self.inf)) if on)
        text = f"|g|={self.norm:.3g} max={self.max_abs:.3g}"
        return f"{flags} {text}" if flags else text


class ModuleCall:
    """One call of an nn.Module's forward while recording."""

    __slots__ = ("index", "module", "name", "parent", "kind")

    def __init__(self, index, module, name, parent):
        self.index, self.module, self.name, self.parent = index, module, name, parent  # parent: a ModuleCall
        self.kind = type(module).__name__

    @property
    def title(self):
        return f"{self.name}: {self.kind}" if self.name else self.kind


class _GradHook:
    """Node hook: keep the statistics of the gradients that flow along the node's edges."""

    __slots__ = ("info",)

    def __init__(self, info):
        self.info = info

    def __call__(self, grad_inputs, grad_outputs):
        self.info.grads = [None if g is None else Stats(g._data) for g in grad_inputs]
        self.info.grad_out = [None if g is None else Stats(g._data) for g in grad_outputs]


class Recorder:
    """Installed by record(): called by the core for every node made (see module docstring)."""

    def __init__(self, values=False, grads=True):
        self.values, self.grads = values, grads
        self.count = 0
        self.calls = []  # ModuleCalls in call order
        self._frames = {}  # id(frame) -> (frame, ModuleCall): frames held while recording, so ids stay unique
        self._names = {}  # id(root module) -> {id(submodule): qualified name}

    def __call__(self, node, output):
        info = NodeInfo(self.count)
        self.count += 1
        frame = sys._getframe(2)  # skip record_trace and this method
        forwards = []
        module_cls = _module_class()
        while frame is not None:
            code = frame.f_code
            if info.line is None and not code.co_filename.startswith(_EMBER_DIR):
                info.line = (code.co_filename, frame.f_lineno, code.co_name)
            if module_cls is not None and code.co_name == "forward" and code.co_argcount:
                me = frame.f_locals.get(code.co_varnames[0])
                if isinstance(me, module_cls):
                    forwards.append((frame, me))
            frame = frame.f_back
        if forwards:
            info.scope = self._scope(forwards[::-1])
        if output is not None:
            info.outputs = [(tuple(output._data.shape), output._dtype)]
            if self.values:
                info.values = Stats(output._data, mean=True)
        elif node._output_meta is not None:
            info.outputs = [(tuple(s), d) for s, d, _ in node._output_meta]
        info.saved = saved_of(node, output)
        node._viz = info
        if self.grads:
            node.register_hook(_GradHook(info))

    def _scope(self, forwards):
        """ModuleCalls for the `forward` frames on the stack, outermost first."""
        scope = []
        parent = None
        for frame, module in forwards:
            entry = self._frames.get(id(frame))
            if entry is None or entry[0] is not frame:
                call = ModuleCall(len(self.calls), module, self._name(module, parent), parent)
                self.calls.append(call)
                entry = self._frames[id(frame)] = (frame, call)
            parent = entry[1]
            scope.append(parent)
        return tuple(scope)

    def _name(self, module, parent):
        """The module's qualified name under the outermost module called ('' for that one)."""
        if parent is None:
            return ""
        root = parent
        while root.parent is not None:
            root = root.parent
        names = self._names.get(id(root.module))
        if names is None:
            names = self._names[id(root.module)] = {id(m): n for n, m in root.module.named_modules()}
        return names.get(id(module), "")

    def close(self):
        self._frames.clear()  # let the finished calls' frames (and their locals) go


def _module_class():
    mod = sys.modules.get("ember.nn.modules.module")
    return getattr(mod, "Module", None)


def saved_of(node, output=None):
    """[(name, shape, dtype, nbytes)] of what the node keeps for backward (empty once freed)."""
    from ..autograd.graph import _RELEASED, _saved_spec

    out = []
    try:
        spec = _saved_spec(type(node))
        if spec:
            for name, get in spec.items():
                # while the node is being made its output is not yet stored: it is `output`
                value = output if name == "result" and output is not None else get(node)
                if isinstance(value, Tensor):
                    out.append((name, tuple(value._data.shape), value._dtype, int(value._data.nbytes)))
        elif node._saved is not None and node._saved is not _RELEASED:
            for i, (t, _) in enumerate(node._saved):
                if isinstance(t, Tensor):
                    out.append((f"saved[{i}]", tuple(t._data.shape), t._dtype, int(t._data.nbytes)))
    except RuntimeError:  # freed by backward
        pass
    return out


class record:
    """Context manager: nodes made inside it remember their source line, module call and
    output; after backward their edges carry the gradients' statistics.

        with ember.viz.record():
            loss = model(x).sum()
        loss.backward()
        ember.viz.graph(loss).save("graph.html")

    values=True also keeps statistics of every forward value."""

    def __init__(self, values=False):
        self.recorder = Recorder(values=values)

    def __enter__(self):
        anomaly_state.add_recorder(self.recorder)
        return self.recorder

    def __exit__(self, *exc):
        anomaly_state.remove_recorder(self.recorder)
        self.recorder.close()
        return False
