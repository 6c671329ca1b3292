"""The backward engine.

As in PyTorch: count, for every node reachable from the roots, how many edges
point at it; then run nodes whose incoming gradients are all in (Kahn's
algorithm), summing gradients that arrive at the same (node, output) pair.
No recursion, so a 100,000-node chain is fine. Each node's saved tensors are
freed as soon as it has run, unless `retain_graph`.
"""
from . import grad_mode
from .graph import AccumulateGrad, _accumulate


def _edge_of(t):
    """(node, output_nr) that receives the gradient of tensor t."""
    if t._grad_fn is not None:
        return t._grad_fn, t._output_nr
    return t._grad_accumulator(), 0


def _dependencies(roots):
    """Number of incoming edges per reachable node, and the nodes in discovery order."""
    deps = {}
    order = []
    stack = [n for n in roots]
    seen = set(id(n) for n in stack)
    for n in stack:
        order.append(n)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                order.append(child)
                stack.append(child)
    return deps, order


def _needed_nodes(order, targets):
    """Nodes from which some target node can be reached (only these must run)."""
    needed = set(targets)
    changed = True
    # Discovery order is a DFS pre-order; iterate in reverse until stable (a
    # node's children come after it in most graphs, so this settles in 1-2 passes).
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            for child, _ in node.next_functions:
                if child is not None and child in needed:
                    needed.add(node)
                    changed = True
                    break
    return needed


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, accumulate=True,
                 allow_unused=False):
    """Backpropagate `grad_tensors` from `tensors`.

    accumulate=True (backward): gradients go into leaves' `.grad` (only into
    `inputs` when given). accumulate=False (autograd.grad): the gradients of
    `inputs` are returned instead, and no `.grad` changes.
    """
    buffers = {}
    roots = []
    for t, g in zip(tensors, grad_tensors):
        node, nr = _edge_of(t)
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
            roots.append(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    deps, order = _dependencies(roots)

    captures = None  # (node, nr) -> index into inputs, when only some inputs matter
    needed = None
    if inputs is not None:
        captures = {}
        for i, t in enumerate(inputs):
            captures.setdefault(_edge_of(t), []).append(i)
        needed = _needed_nodes(order, {n for n, _ in captures})
    results = [None] * len(inputs) if inputs is not None else None

    from .anomaly_mode import anomaly_state, check_nan

    prev_mode = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        ready = [n for n in roots if n not in deps]
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None] * node._n_outputs
            if node._pre_hooks:
                grads = _run_tensor_hooks(node, grads)
            if node._node_pre_hooks:
                for hook in node._node_pre_hooks:
                    new = hook(tuple(grads))
                    if new is not None:
                        grads = list(new)
            if captures is None:
                run = True
            else:
                for nr, g in enumerate(grads):
                    for i in captures.get((node, nr), ()):
                        if accumulate:
                            _accumulate(inputs[i], g)
                        else:
                            results[i] = g
                # Only nodes that lead to a requested input run; leaves' sinks never do
                # (requested leaves were served just above).
                run = not isinstance(node, AccumulateGrad) and any(
                    c is not None and c in needed for c, _ in node.next_functions)
            if run and any(g is not None for g in grads):
                grads = _materialize(node, grads)
                try:
                    out = node._apply(grads)
                except Exception:
                    if node._anomaly_trace is not None:
                        _warn_anomaly(node)
                    raise
                if anomaly_state.enabled:
                    check_nan(node, out)
                if node._hooks:
                    for hook in node._hooks:
                        new = hook(tuple(out), tuple(grads))
                        if new is not None:
                            out = tuple(new)
            else:
                out = ()
            if not retain_graph:
                node._release()
            for i, (child, nr) in enumerate(node.next_functions):
                if child is None:
                    continue
                g = out[i] if i < len(out) else None
                if g is not None:
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * child._n_outputs
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
                left = deps[child] - 1
                deps[child] = left
                if left == 0:
                    ready.append(child)
    finally:
        grad_mode.state.enabled = prev_mode

    if results is not None and not accumulate:
        for r in results:
            if r is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        return tuple(results)
    return None


def _run_tensor_hooks(node, grads):
    grads = list(grads)
    for nr, hooks in node._pre_hooks.items():
        for hook in list(hooks):
            if grads[nr] is None:
                continue
            new = hook(grads[nr])
            if new is not None:
                grads[nr] = new
    return grads


def _materialize(node, grads):
    """Missing gradients of a multi-output node become zeros (when the node wants them)."""
    if node._n_outputs == 1 or all(g is not None for g in grads):
        return grads
    if not getattr(node, "materialize_grads", True) or node._output_meta is None:
        return grads
    from .._creation import zeros

    return [zeros(shape, dtype=dtype, device=device) if g is None else g
            for g, (shape, dtype, device) in zip(grads, node._output_meta)]


def _warn_anomaly(node):
    import warnings

    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{node._anomaly_trace}",
        RuntimeWarning, stacklevel=3,
    )
