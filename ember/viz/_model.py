"""The graph to draw: the autograd nodes reachable from the outputs, with labels.

Data flows downwards: an edge goes from the node that made a value (or the
leaf that holds it) to the node that used it, and carries, after backward,
the statistics of the gradient that flowed back along it.
"""
import linecache
import os
import sys

from .._tensor import Tensor
from .._ops._base import Op
from ..autograd.graph import AccumulateGrad
from ._record import Stats, saved_of


class VNode:
    """One box: an op, a leaf tensor, an output tensor, a module call or a group of calls."""

    __slots__ = ("id", "kind", "title", "lines", "tooltip", "scope", "line", "bad", "index", "node", "call",
                 "members")

    def __init__(self, id, kind, title, lines=(), tooltip="", scope=(), line=None, index=0):
        self.id, self.kind, self.title, self.lines, self.tooltip = id, kind, title, list(lines), tooltip
        self.scope, self.line, self.index = scope, line, index
        self.bad = False  # a NaN/inf gradient or value in it
        self.node = self.call = None
        self.members = None


class VEdge:
    __slots__ = ("src", "dst", "grad", "slot")

    def __init__(self, src, dst, grad, slot):
        self.src, self.dst, self.grad, self.slot = src, dst, grad, slot  # grad: Stats or None


def dtype_name(dtype):
    return getattr(dtype, "name", str(dtype))


def shape_text(shape):
    return str(tuple(shape))


def size_text(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def source_line(node):
    """(file, line, function, text) where the node was made: recorded by viz.record, or read from an
    anomaly-mode trace; None when neither was on."""
    info = getattr(node, "_viz", None)
    loc = info.line if info is not None else None
    if loc is None and node._anomaly_trace:
        loc = _from_trace(node._anomaly_trace)
    if loc is None:
        return None
    text = linecache.getline(loc[0], loc[1]).strip()
    return loc[0], loc[1], loc[2], text


def _from_trace(trace):
    import re

    ember_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = None
    for m in re.finditer(r'File "([^"]+)", line (\d+), in (\S+)', trace):
        if not m.group(1).startswith(ember_dir):
            found = (m.group(1), int(m.group(2)), m.group(3))
    return found


class Graph:
    """All nodes reachable from the outputs; `nodes` in a stable order (outputs first, then by creation)."""

    def __init__(self, outputs, params=None, values=None):
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outputs = tuple(outputs)
        self.nodes = []
        self.edges = []
        self.show_values = values
        by_fn = {}
        stack = []
        for k, t in enumerate(outputs):
            out = VNode(f"out{k}", "output", "output" if len(outputs) == 1 else f"output {k}",
                        [f"{shape_text(t.shape)} {dtype_name(t._dtype)}"], index=-1)
            self.nodes.append(out)
            if t._grad_fn is not None:
                src = self._vnode(t._grad_fn, by_fn, stack)
                info = getattr(t._grad_fn, "_viz", None)
                g = info.grad_out[t._output_nr] if info is not None and info.grad_out else None
                if g is None and t._retains_grad and t.grad is not None:
                    g = Stats(t.grad._data)
                self.edges.append(VEdge(src, out, g, t._output_nr))
            elif t._requires_grad:
                leaf = self._vnode(t._grad_accumulator(), by_fn, stack)
                self.edges.append(VEdge(leaf, out, None, 0))
        while stack:
            fn = stack.pop()
            dst = by_fn[fn]
            info = getattr(fn, "_viz", None)
            grads = info.grads if info is not None else None
            for i, (child, nr) in enumerate(fn.next_functions):
                if child is None:
                    continue
                src = self._vnode(child, by_fn, stack)
                g = grads[i] if grads is not None and i < len(grads) else None
                self.edges.append(VEdge(src, dst, g, i))
        for e in self.edges:
            if e.grad is not None and e.grad.bad:
                e.src.bad = True
        self._fill_shapes()
        self._name_leaves(params)
        self.nodes.sort(key=lambda v: (v.index, v.id))

    def _vnode(self, fn, by_fn, stack):
        v = by_fn.get(fn)
        if v is not None:
            return v
        info = getattr(fn, "_viz", None)
        if type(fn) is AccumulateGrad:
            var = fn.variable
            lines = [f"{shape_text(var.shape)} {dtype_name(var._dtype)}"] if var is not None else []
            v = VNode(f"n{len(by_fn)}", "leaf", "leaf", lines, index=-1)  # named in _name_leaves
        else:
            v = VNode(f"n{len(by_fn)}", "op", fn.name(), index=info.index if info is not None else len(by_fn))
            if info is not None:
                v.scope = info.scope
                # a multi-output node's outputs are listed just after the recorder saw it
                outputs = info.outputs or [(tuple(s), d) for s, d, _ in fn._output_meta or ()]
                if outputs:
                    v.lines.append(" ".join(f"{shape_text(s)} {dtype_name(d)}" for s, d in outputs))
                saved = info.saved
                if info.values is not None and self.show_values is not False:
                    s = info.values
                    v.lines.append(f"mean={s.mean:.3g} max|x|={s.max_abs:.3g}" + (" NaN" if s.nan else "")
                                   + (" inf" if s.inf else ""))
                    v.bad = v.bad or s.bad
            else:
                saved = saved_of(fn)
            for name, shape, dtype, nbytes in saved or ():
                v.lines.append(f"saved {name}: {shape_text(shape)} {size_text(nbytes)}")
            v.line = source_line(fn)
            if v.line is not None:
                v.tooltip = f"{os.path.basename(v.line[0])}:{v.line[1]} in {v.line[2]}: {v.line[3]}"
            if v.scope:
                v.tooltip += ("\n" if v.tooltip else "") + "in " + " / ".join(c.title for c in v.scope)
        v.node = fn
        by_fn[fn] = v
        self.nodes.append(v)
        stack.append(fn)
        return v

    def _fill_shapes(self):
        """Ops made outside record(): their output's shape and dtype are what a built-in consumer
        noted for the gradient it sends back (when it must reduce or cast it), or the output's."""
        for e in self.edges:
            src = e.src
            if src.kind == "op" and not (src.lines and src.lines[0].startswith("(")):
                meta = getattr(e.dst.node, "_in_meta", None) if isinstance(e.dst.node, Op) else None
                m = meta[e.slot] if meta is not None and e.slot < len(meta) else None
                if m is not None:
                    src.lines.insert(0, f"{shape_text(m[0])} {dtype_name(m[1])}")
                elif e.dst.kind == "output":
                    src.lines.insert(0, e.dst.lines[0])

    def _name_leaves(self, params):
        """Leaves take their names from `params`, else from the modules called while recording
        (class-prefixed when there were several: a GAN's two models), else from the nn.Modules
        among the caller's variables."""
        if params is not None:
            items = params.items() if hasattr(params, "items") else params
            names = {id(t): name for name, t in items}
        else:
            roots = []
            for v in self.nodes:
                if v.scope and all(m is not v.scope[0].module for m in roots):
                    roots.append(v.scope[0].module)
            prefix = len(roots) > 1
            names = {}
            for module in roots or _modules_in_caller():
                for name, t in list(module.named_parameters()) + list(module.named_buffers()):
                    names.setdefault(id(t), f"{type(module).__name__}.{name}" if prefix else name)
        for v in self.nodes:
            if v.kind == "leaf" and v.node.variable is not None:
                v.title = names.get(id(v.node.variable), v.title)

    def scoped(self):
        """Whether module calls were recorded (a large graph can then collapse by module)."""
        return any(v.scope for v in self.nodes)


def _modules_in_caller():
    """nn.Modules among the variables of the code that called ember.viz (outside ember)."""
    mod = sys.modules.get("ember.nn.modules.module")
    if mod is None:
        return []
    ember_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(ember_dir):
        frame = frame.f_back
    if frame is None:
        return []
    found = []
    for scope in (frame.f_locals, frame.f_globals):
        for value in list(scope.values()):
            if isinstance(value, mod.Module) and all(value is not m for m in found):
                found.append(value)
    return found
