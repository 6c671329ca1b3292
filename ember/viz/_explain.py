"""explain(fn, *inputs): find the node whose backward disagrees with finite differences.

fn runs in float64. Backward gives the gradient of a scalar L (a fixed random
weighting of fn's outputs) with respect to every intermediate value. Then,
from the output towards the inputs, each value is perturbed along a random
direction while fn is run again (the value is replaced as its node makes it:
nodes are made in the same order on every run of a deterministic fn), and the
directional derivative of L is compared with the one backward gave. The first
value (counted from the output) whose gradient disagrees, while the values
computed from it all agree, was given a wrong gradient by a node that used it:
that node is named, with its creation line and shapes. When several nodes used
it, each one's share is checked on its own (an unperturbed replay in which only
that user's output moves as it did in the perturbed runs).
"""
import copy
import os

import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor
from ..autograd.anomaly_mode import anomaly_state
from ._model import dtype_name, shape_text, source_line
from ._record import Recorder


class _Capture:
    """Recorder that lists the nodes made and their outputs, and on a replay perturbs one output
    as it is made (`target`, `delta`), or sets outputs to given values (`restore`). `keep`: also
    copy every output and hook every node to keep the gradients its backward sends."""

    def __init__(self, target=None, delta=None, restore=None, keep=False):
        self.nodes, self.outputs, self.versions, self.values, self.sent = [], [], [], [], {}
        self.target, self.delta, self.restore, self.keep = target, delta, restore or {}, keep

    def __call__(self, node, output):
        k = len(self.nodes)
        if output is not None:
            if k == self.target:
                output._data = output._data + xp_of(output._data).asarray(self.delta)
            elif k in self.restore:
                output._data = self.restore[k].copy()
        self.nodes.append(node)
        self.outputs.append(output)
        self.versions.append(None if output is None else output._version_value())
        if self.keep:
            self.values.append(None if output is None else output._data.copy())
            node.register_hook(lambda grads_in, grads_out, k=k: self.sent.__setitem__(k, grads_in))


class Report:
    """What explain() found. `node` is None when every checked backward agrees."""

    def __init__(self, node, checked, skipped, analytic=None, numeric=None, also=()):
        self.node, self.checked, self.skipped = node, checked, skipped
        self.analytic, self.numeric, self.also = analytic, numeric, list(also)
        self.op = node.name() if node is not None else None
        self.line = source_line(node) if node is not None else None
        info = getattr(node, "_viz", None)
        self.output_shapes = [s for s, _ in info.outputs] if info is not None and info.outputs else []
        self.input_shapes = [tuple(s) for s in _input_shapes(node)] if node is not None else []

    def __bool__(self):
        return self.node is not None

    def __str__(self):
        if self.node is None:
            return (f"ember.viz.explain: the backward of all {self.checked} checked nodes agrees with finite "
                    f"differences" + (f" ({self.skipped} not float64, not checked)" if self.skipped else ""))
        where = f"{os.path.basename(self.line[0])}:{self.line[1]}: {self.line[3]}" if self.line else "(unknown line)"
        ins = ", ".join(shape_text(s) for s in self.input_shapes)
        outs = ", ".join(shape_text(s) for s in self.output_shapes)
        text = (f"ember.viz.explain: {self.op} (made at {where}; inputs {ins} -> {outs}) computes a gradient "
                f"that disagrees with finite differences: directional derivative {self.analytic:.6g} from "
                f"backward, {self.numeric:.6g} numerically")
        if self.also:
            text += "; the value also feeds " + ", ".join(n.name() for n in self.also)
        return text

    __repr__ = __str__


def _numpy(t):
    return t.detach().to(D.float64).cpu().numpy()


def _input_shapes(node):
    shapes = []
    for child, nr in node.next_functions:
        if child is None:
            continue
        var = getattr(child, "variable", None)
        if var is not None:
            shapes.append(var.shape)
            continue
        info = getattr(child, "_viz", None)
        if info is not None and info.outputs and nr < len(info.outputs):
            shapes.append(info.outputs[nr][0])
    return shapes


def explain(fn, *inputs, eps=1e-6, atol=1e-6, rtol=1e-4, seed=0):
    """Check every node's backward of fn(*inputs) against finite differences (float64; fn must be
    deterministic). Returns a Report naming the first node that disagrees (`report.node`, `.op`,
    `.line`, `.input_shapes`, `.output_shapes`), or saying that all agree; print it to read it."""
    from .. import random as _random

    mod = __import__("sys").modules.get("ember.nn.modules.module")
    if mod is not None and isinstance(fn, mod.Module):
        fn = copy.deepcopy(fn).double()
    args = []
    for x in inputs:
        if isinstance(x, Tensor) and x._dtype.is_floating_point:
            x = x.detach().to(D.float64).requires_grad_(True)
        args.append(x)
    rng_state = _random.get_rng_state()
    rs = np.random.RandomState(seed)

    def run(capture, perturbed_args=None):
        _random.set_rng_state(rng_state)
        anomaly_state.add_recorder(capture)
        try:
            out = fn(*(perturbed_args or args))
        finally:
            anomaly_state.remove_recorder(capture)
        return [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]

    lines = Recorder(grads=False)
    anomaly_state.add_recorder(lines)
    try:
        first = _Capture(keep=True)
        outs = run(first)
    finally:
        anomaly_state.remove_recorder(lines)
        lines.close()
    weights = [rs.standard_normal(o._data.shape) for o in outs]

    def loss(capture, moved_args=None):
        ys = run(capture, moved_args)
        return sum(float((_numpy(y) * w).sum()) for y, w in zip(ys, weights))

    # Values changed in place after they were made are not checked (the perturbation would
    # land on the first version, the gradient belongs to the last).
    values = [(k, o) for k, (o, version) in enumerate(zip(first.outputs, first.versions))
              if o is not None and o._requires_grad and o._version_value() == version]
    leaves = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
    from ..autograd import grad

    diff = [o for o in outs if o._requires_grad]
    targets = [o for _, o in values] + [a for _, a in leaves]
    seeds = [Tensor._make(w, D.float64).to(device=o.device, dtype=o._dtype) for o, w in zip(outs, weights)
             if o._requires_grad]
    grads = grad(diff, targets, seeds, retain_graph=True, allow_unused=True) if diff else []

    index = {node: k for k, node in enumerate(first.nodes)}
    users = {}  # node -> [(user's index, input slot)]
    for k, node in enumerate(first.nodes):
        for slot, (child, _) in enumerate(node.next_functions):
            if child is not None:
                users.setdefault(child, []).append((k, slot))

    def replay(kind, k, delta, restore=None):
        """A run with the k-th value (or input) moved by delta: (L, the capture)."""
        if kind == "value":
            capture = _Capture(k, delta, restore)
            return loss(capture), capture
        moved = list(args)
        moved[k] = args[k].detach() + Tensor._make(delta, D.float64).to(args[k].device)
        capture = _Capture(restore=restore)
        return loss(capture, moved), capture

    def derivative(kind, k, v):
        """Central difference of L along v at the k-th value or input; and the two runs."""
        (plus, run_plus), (minus, run_minus) = replay(kind, k, eps * v), replay(kind, k, -eps * v)
        return (plus - minus) / (2 * eps), (run_plus, run_minus)

    def disagree(a, b):
        return abs(a - b) > atol + rtol * max(abs(a), abs(b))

    checked = skipped = 0
    order = [("value", k, o, g) for (k, o), g in zip(values, grads[:len(values)])][::-1] + \
        [("input", i, a, g) for (i, a), g in zip(leaves, grads[len(values):])]
    for kind, k, value, g in order:
        if value._dtype is not D.float64:
            skipped += 1
            continue
        checked += 1
        v = rs.standard_normal(value._data.shape)
        analytic = float((_numpy(g) * v).sum()) if g is not None else 0.0
        numeric, runs = derivative(kind, k, v)
        if not disagree(analytic, numeric):
            continue
        source = first.nodes[k] if kind == "value" else value._grad_accumulator()
        found = users.get(source, [])
        if not found:
            continue
        culprit = found[0]
        if len({u for u, _ in found}) > 1:
            culprit = _one_user(found, first, runs, v, eps, loss, disagree) or culprit
        node = first.nodes[culprit[0]]
        return Report(node, checked, skipped, analytic, numeric,
                      [first.nodes[u] for u, _ in found if first.nodes[u] is not node])
    return Report(None, checked, skipped)


def _one_user(found, first, runs, v, eps, loss, disagree):
    """The value has several users: check the gradient each one sent back on its own. An
    unperturbed replay in which only this user's output takes the values it had in the
    perturbed runs moves L through this user alone; backward's share is what the user's hook
    saw it send. None when a user has several outputs (they cannot be set)."""
    by_user = {}
    for u, slot in found:
        by_user.setdefault(u, []).append(slot)
    if any(first.values[u] is None for u in by_user):
        return None
    for u, slots in sorted(by_user.items()):
        sent = first.sent.get(u)
        share = sum(float((_numpy(sent[s]) * v).sum()) for s in slots
                    if sent is not None and s < len(sent) and sent[s] is not None)
        plus, minus = (loss(_Capture(restore={u: run.outputs[u]._data})) for run in runs)
        if disagree(share, (plus - minus) / (2 * eps)):
            return u, slots[0]
    return None
