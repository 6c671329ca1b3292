"""The backward engine.

As in PyTorch: count, for every node reachable from the roots, how many edges
point at it; then run nodes whose incoming gradients are all in (Kahn's
algorithm), summing gradients that arrive at the same (node, output) pair.
No recursion, so a 100,000-node chain is fine. Each node's saved tensors are
freed as soon as it has run, unless `retain_graph`.

Per node, in order (PyTorch's order): tensor hooks of its outputs (then the
retain_grad ones), node pre-hooks, the node's backward, node post-hooks.
"""
import gc

from . import grad_mode
from .anomaly_mode import anomaly_state, check_nan
from .graph import AccumulateGrad, _accumulate, _backward_running

_state = grad_mode.state
# Final callbacks (queue_callback), one list per backward under way: run when that backward's graph is done
# (DistributedDataParallel waits for its gradient all-reduces there).
_callbacks = []


def queue_callback(fn):
    """Run fn() once the backward pass now running has finished (torch's Variable._execution_engine)."""
    if not _callbacks:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _callbacks[-1].append(fn)


class ImperativeEngine:
    """torch.autograd.Variable._execution_engine: the hook to queue a callback at the end of backward."""

    queue_callback = staticmethod(queue_callback)


def _edge_of(t):
    """(node, output_nr) that receives the gradient of tensor t."""
    fn = t._grad_fn
    if fn is not None:
        return fn, t._output_nr
    return t._grad_accumulator(), 0


def _dependencies(roots):
    """Number of incoming edges of every node reachable from the roots (iterative DFS)."""
    deps = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is None:
                continue
            if child in deps:
                deps[child] += 1
            else:
                deps[child] = 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    return deps


def _needed_nodes(roots, deps, targets):
    """Nodes from which some target can be reached: only these must run for autograd.grad/inputs=."""
    # Kahn order from the roots; walking it backwards, a node is needed when a child is.
    left = dict(deps)
    order = []
    ready = [n for n in roots if n not in left]
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                left[child] -= 1
                if left[child] == 0:
                    ready.append(child)
    needed = set(targets)
    for node in reversed(order):
        if node not in needed:
            for child, _ in node.next_functions:
                if child in needed:
                    needed.add(node)
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
    deps = _dependencies(roots)

    captures = needed = results = None
    if inputs is not None:
        captures = {}  # (node, output_nr) -> indices into inputs
        for i, t in enumerate(inputs):
            captures.setdefault(_edge_of(t), []).append(i)
        needed = _needed_nodes(roots, deps, {n for n, _ in captures})
        results = [None] * len(inputs)

    prev_mode = _state.enabled
    _state.enabled = create_graph
    _backward_running[0] += 1
    check_anomaly = anomaly_state.enabled
    # The engine makes no reference cycles (its temporaries die by reference counting), so
    # Python's cyclic collector has nothing to find here; pausing it saves its repeated
    # scans of a large live graph (a 100,000-node chain backpropagates ~2x faster).
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    _callbacks.append([])
    try:
        ready = [n for n in roots if n not in deps]
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * node._n_outputs
            plain = not node._has_hooks and node._n_outputs == 1 and node._anomaly_trace is None
            if node._has_hooks:
                grads = _run_pre_hooks(node, grads)
            edges = node.next_functions
            out = ()
            if captures is not None and not _capture(node, grads, captures, needed, inputs, results, accumulate):
                pass  # this node leads to no requested input
            elif plain and not check_anomaly:
                if grads[0] is not None:
                    out = node._apply(grads)  # the common case: no hooks, one output
            elif any(g is not None for g in grads):
                out = _call(node, grads, check_anomaly)
            if not retain_graph and (node._saved is not None or node._saved_output is not None):
                node._release()
            if out is None or len(out) != len(edges):
                out = _padded(out, len(edges))
            sinks = None
            for (child, nr), g in zip(edges, out):
                if child is None:
                    continue
                if g is not None:
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * child._n_outputs
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
                left = deps[child] - 1
                deps[child] = left
                if left == 0:
                    if type(child) is AccumulateGrad:
                        sinks = [child] if sinks is None else sinks + [child]
                    else:
                        ready.append(child)
            if sinks is not None:
                # A leaf's gradient is accumulated as soon as it is complete (torch gives AccumulateGrad the
                # highest priority): its post-accumulate hooks (DDP's bucket all-reduces) fire early.
                ready.extend(sinks)
            # Drop this node's gradients now: AccumulateGrad may adopt a gradient
            # nobody else holds (see graph._accumulate), so none may linger here.
            grads = out = g = None
        final = _callbacks[-1]
        while final:  # a callback may queue another
            final.pop(0)()
    finally:
        _callbacks.pop()
        _state.enabled = prev_mode
        _backward_running[0] -= 1
        if collecting:
            gc.enable()

    if results is not None and not accumulate:
        if not allow_unused:
            for i, r in enumerate(results):
                if r is None:
                    raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                       "graph. Set allow_unused=True if this is the desired behavior.")
        return tuple(results)
    return None


def _capture(node, grads, captures, needed, inputs, results, accumulate):
    """With `inputs=` (backward) or autograd.grad: hand requested gradients over as they
    arrive. Returns whether the node must still run (it leads to another requested input)."""
    for nr, g in enumerate(grads):
        for i in captures.get((node, nr), ()):
            if accumulate:
                if g is None:
                    continue
                if type(node) is AccumulateGrad:
                    node._apply([g])  # with its post-accumulate hooks
                else:
                    _accumulate(inputs[i], g)
            else:
                results[i] = g
    # Leaves' sinks never run here (requested leaves were served just above).
    return type(node) is not AccumulateGrad and any(c in needed for c, _ in node.next_functions)


def _call(node, grads, check_anomaly):
    """Run one node's backward (with anomaly checks and post-hooks); one gradient per edge."""
    if node._n_outputs != 1:
        grads = _materialize(node, grads)
    try:
        out = node._apply(grads)
    except Exception:
        if node._anomaly_trace is not None:
            _warn_anomaly(node)
        raise
    if check_anomaly:
        check_nan(node, out)
    if node._hooks is not None:
        for hook in tuple(node._hooks):
            new = hook(tuple(out), tuple(grads))
            if new is not None:
                out = _checked_tuple(hook, new, len(out))
    return out


def _padded(out, n):
    """Gradients for n edges: what the node returned, None for the rest."""
    out = list(out or ())
    return out[:n] + [None] * (n - len(out))


def _run_pre_hooks(node, grads):
    """Tensor hooks of the node's outputs, then retain_grad's, then the node's pre-hooks."""
    grads = list(grads)
    for table in (node._pre_hooks, node._retain_hooks):
        if table is None:
            continue
        for nr, hooks in table.items():
            for hook in tuple(hooks):
                g = grads[nr]
                if g is None:
                    continue
                new = hook(g)
                if new is not None:
                    grads[nr] = _checked_grad(hook, new, g)
    for hook in tuple(node._node_pre_hooks or ()):
        new = hook(tuple(grads))
        if new is not None:
            grads = list(_checked_tuple(hook, new, len(grads)))
    return grads


def _hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)


def _checked_grad(hook, new, old):
    """A tensor hook's replacement gradient must keep the gradient's type and size (as in PyTorch)."""
    if not hasattr(new, "_data"):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new._dtype is not old._dtype:
        from .._tensor import _type_name

        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was {_type_name(old)} got "
                           f"{_type_name(new)})")
    if new._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return new


def _checked_tuple(hook, new, n):
    if not isinstance(new, (tuple, list)):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != n:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got {len(new)}, "
                           f"but expected {n})")
    return tuple(new)


def _materialize(node, grads):
    """Missing gradients of a multi-output node become zeros (when the node wants them)."""
    if all(g is not None for g in grads):
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
