"""add_graph's GraphDef: the autograd graph of one model call, as TensorBoard's Graphs tab shows it.

torch traces the model with TorchScript; ember has no tracer, so the graph is the one autograd records:
one node per backward node (named after its forward op, `aten::addmm` for AddmmBackward0), one per
parameter (named as in named_parameters) and IO nodes for the inputs and outputs. The inputs are given
requires_grad so that their uses appear in the graph. GraphDef { node = 1 { name = 1; op = 2; input = 3;
attr = 5 } versions = 4 { producer = 1 } }.
"""
import re

from .writer import _f_bytes, _f_int


def _attr_string(key, value):
    """map<string, AttrValue> entry with AttrValue { s = 2 }."""
    return _f_bytes(5, _f_bytes(1, key) + _f_bytes(2, _f_bytes(2, value)))


def _node(name, op, inputs=(), attr=""):
    return _f_bytes(1, _f_bytes(1, name) + _f_bytes(2, op) + b"".join(_f_bytes(3, i) for i in inputs)
                    + _attr_string("attr", attr))


def _is_parameter_transpose(fn, children, names):
    """Whether grad_fn fn is the transpose (TBackward0) of one named parameter."""
    if type(fn).__name__ != "TBackward0" or len(children) != 1:
        return False
    variable = getattr(children[0], "variable", None)
    return variable is not None and id(variable) in names and not names[id(variable)].startswith("input/")


def graph(model, args):
    """The serialized GraphDef of model(*args)."""
    from ... import autograd
    from ..._tensor import Tensor

    if not isinstance(args, (tuple, list)):
        args = (args,)
    scope = type(model).__name__
    inputs = [a.detach().requires_grad_(a.is_floating_point()) if isinstance(a, Tensor) else a for a in args]
    with autograd.enable_grad():
        outputs = model(*inputs)
    if isinstance(outputs, Tensor):
        outputs = (outputs,)
    names = {id(p): f"{scope}/{n}" for n, p in model.named_parameters()}
    for i, a in enumerate(inputs):
        if isinstance(a, Tensor):
            names[id(a)] = f"input/input.{i}"
    nodes, seen, counts = [], {}, {}

    def visit(fn):
        """The node name of grad_fn fn (added with everything it depends on, depth first, iteratively)."""
        stack = [(fn, False)]
        while stack:
            f, expanded = stack.pop()
            if id(f) in seen and not expanded:
                continue
            variable = getattr(f, "variable", None)
            if variable is not None:  # a leaf: a parameter or an input
                name = names.get(id(variable), f"{scope}/tensor")
                if id(f) not in seen:
                    seen[id(f)] = name
                    if not name.startswith("input/"):
                        nodes.append(_node(name, "prim::GetAttr", attr=f"{tuple(variable.shape)}"))
                continue
            children = [c for c, _ in f.next_functions if c is not None]
            if not expanded:
                stack.append((f, True))
                stack.extend((c, False) for c in children if id(c) not in seen)
                continue
            if _is_parameter_transpose(f, children, names):
                # F.linear records addmm(bias, x, t(weight)) as torch's autograd does; torch's traced graph
                # has no transpose there (aten::linear takes the weight itself), so the weight feeds addmm
                seen[id(f)] = seen[id(children[0])]
                continue
            op = re.sub(r"Backward\d*$", "", type(f).__name__)
            k = counts[op] = counts.get(op, -1) + 1
            name = f"{scope}/{op}_{k}" if k else f"{scope}/{op}"
            seen[id(f)] = name
            nodes.append(_node(name, "aten::" + op.lower(), [seen[id(c)] for c in children if id(c) in seen]))
        return seen[id(fn)]

    for i, a in enumerate(inputs):
        if isinstance(a, Tensor):
            nodes.append(_node(f"input/input.{i}", "IO Node", attr=f"{tuple(a.shape)}"))
    for i, out in enumerate(outputs):
        if isinstance(out, Tensor) and out.grad_fn is not None:
            nodes.append(_node(f"output/output.{i}", "IO Node", [visit(out.grad_fn)], attr=f"{tuple(out.shape)}"))
    return b"".join(nodes) + _f_bytes(4, _f_int(1, 22))
