"""torch.utils.checkpoint: trade compute for memory. A checkpointed segment keeps only its inputs; its
activations are recomputed (with the random state it first ran with, so dropout masks match) when the
backward pass reaches it.

use_reentrant=True is torch's CheckpointFunction: the forward runs without a graph and the backward runs
its own backward pass over the recomputed segment (so it only works with .backward(), and parameters get
gradients only when some input requires grad). use_reentrant=False records the segment once to learn which
leaves (parameters) it reads, keeps none of its graph, and differentiates the recomputed segment with
respect to the inputs and those leaves, so it also works with autograd.grad and inputs that need no grad.
Known gap: a non-leaf tensor the segment reads from its closure (not an argument) and that the rest of the
graph also uses can be freed by the outer backward before the segment recomputes; pass such tensors as
arguments."""
import sys
import warnings

from .. import autograd
from .._tensor import Tensor
from ..autograd import engine
from ..autograd.function import Function
from ..autograd.graph import AccumulateGrad
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..func import _state as _func_state
from ..func._pytree import tree_flatten, tree_unflatten

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "detach_variable",
           "check_backward_validity", "noop_context_fn", "get_device_states", "set_device_states",
           "set_checkpoint_early_stop", "set_checkpoint_debug_enabled", "DefaultDeviceType"]


class CheckpointError(RuntimeError):
    pass


def noop_context_fn():
    import contextlib

    return contextlib.nullcontext(), contextlib.nullcontext()


class DefaultDeviceType:
    _default_device_type = "cuda"

    @staticmethod
    def set_device_type(device="cuda"):
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type():
        return DefaultDeviceType._default_device_type


_early_stop = [True]
_debug = [False]


def _setting(cell, value):
    """A context manager holding cell[0] = value for its block."""
    import contextlib

    @contextlib.contextmanager
    def ctx():
        old = cell[0]
        cell[0] = value
        try:
            yield
        finally:
            cell[0] = old

    return ctx()


def set_checkpoint_early_stop(enable):
    return _setting(_early_stop, enable)


def set_checkpoint_debug_enabled(enabled):
    return _setting(_debug, enabled)


def detach_variable(inputs):
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(isinstance(inp, Tensor) and inp.requires_grad for inp in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=3)


def _generators(args):
    """The generators the segment may draw from: the CPU one, and each CUDA device's its inputs live on."""
    from .. import _random

    gens = [_random.default_generator]
    for d in {a.device for a in args if isinstance(a, Tensor) and a.device.type == "cuda"}:
        gens.append(_random.generator_for(d))
    return gens


def get_device_states(*args):
    gens = _generators(args)[1:]
    return [g.device for g in gens], [g.get_state() for g in gens]


def set_device_states(devices, states, *, device_type=None):
    from .. import _random, device as _device

    for d, s in zip(devices, states):
        _random.generator_for(_device(d) if not hasattr(d, "type") else d).set_state(s)


class _RngSnapshot:
    """The generator states a segment started with, replayed around its recomputation."""

    def __init__(self, args, enabled):
        self.gens = _generators(args) if enabled else []
        self.states = [g.get_state() for g in self.gens]

    def __enter__(self):
        self.current = [g.get_state() for g in self.gens]
        for g, s in zip(self.gens, self.states):
            g.set_state(s)

    def __exit__(self, *exc):
        for g, s in zip(self.gens, self.current):
            g.set_state(s)


def _called_from_grad():
    """True inside autograd.grad or backward(inputs=...): the engine frame that runs this backward says so.
    A reentrant checkpoint cannot serve those (its inner backward accumulates into .grad)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is engine.run_backward.__code__:
            return not frame.f_locals.get("accumulate", True) or frame.f_locals.get("inputs") is not None
        frame = frame.f_back
    return False


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.rng = _RngSnapshot(args, preserve_rng_state)
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if _called_from_grad():
            raise RuntimeError("When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                               "passing an `inputs` parameter to .backward(). To resolve this error, you can either "
                               "set use_reentrant=False, or call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        detached = detach_variable(tuple(inputs))
        with ctx.rng, enable_grad():
            outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in detached)


def _graph_leaves(outputs, stop):
    """The leaves requiring grad that outputs' graph reaches, not passing through the edges in stop."""
    seen, leaves, todo = set(), {}, [o.grad_fn for o in outputs if o.grad_fn is not None]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            v = node.variable
            if v is not None and id(v) not in stop:
                leaves[id(v)] = v
            continue
        for child, nr in node.next_functions:
            if child is not None and (id(child), nr) not in stop:
                todo.append(child)
    return list(leaves.values())


class _NonReentrant(Function):
    """The checkpointed segment as one graph node: inputs are the segment's tensor inputs and the leaves it
    reads; backward recomputes the segment and differentiates it against them."""

    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        ctx.save_for_backward(*tensors)
        return tuple(o.detach() if isinstance(o, Tensor) else o for o in state["flat"])

    @staticmethod
    def backward(ctx, *grads):
        st = ctx.state
        saved = ctx.saved_tensors
        n_args = len(st["arg_pos"])
        args = list(st["args"])
        higher = is_grad_enabled()  # create_graph: the recomputation stays linked to the real inputs
        for pos, t in zip(st["arg_pos"], saved[:n_args]):
            if higher and t.requires_grad:
                args[pos] = t.view_as(t)
            else:
                args[pos] = t.detach().requires_grad_(t.requires_grad)
        targets = [args[p] for p in st["arg_pos"]] + list(saved[n_args:])
        with st["rng"], enable_grad():
            out = st["function"](*args, **st["kwargs"])
        flat = tree_flatten(out)[0]
        pairs = [(o, g) for o, g in zip(flat, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        wanted = [i for i, t in enumerate(targets) if t.requires_grad]
        got = [None] * len(targets)
        if pairs and wanted:
            res = autograd.grad([o for o, _ in pairs], [targets[i] for i in wanted], [g for _, g in pairs],
                                allow_unused=True, create_graph=higher, retain_graph=True)
            for i, g in zip(wanted, res):
                got[i] = g
        return (None,) + tuple(got)


def _checkpoint_without_reentrant(function, preserve, args, kwargs):
    if _func_state.reverse_level[0]:  # torch's non-reentrant checkpoint is saved tensor hooks, which these refuse
        raise RuntimeError("torch.func.{grad, vjp, jacrev, hessian} don't yet support saved tensor hooks. Please "
                           "open an issue with your use case.")
    rng = _RngSnapshot(args, preserve)
    with enable_grad():
        out = function(*args, **kwargs)
    flat, spec = tree_flatten(out)
    arg_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    stop = set()
    for i in arg_pos:
        a = args[i]
        stop.add(id(a))
        if a.requires_grad:
            stop.add((id(a.grad_fn), a.output_nr) if a.grad_fn is not None else (id(a._grad_accumulator()), 0))
    leaves = _graph_leaves([o for o in flat if isinstance(o, Tensor) and o.requires_grad], stop)
    state = {"function": function, "kwargs": kwargs, "args": list(args), "arg_pos": arg_pos, "rng": rng,
             "flat": flat}
    if not is_grad_enabled():
        return tree_unflatten([o.detach() if isinstance(o, Tensor) else o for o in flat], spec)
    new_flat = _NonReentrant.apply(state, *[args[i] for i in arg_pos], *leaves)
    state["flat"] = None  # the segment's graph dies here: only its inputs are kept
    del out, flat
    return tree_unflatten(list(new_flat), spec)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """function(*args, **kwargs), keeping only its inputs; its activations are recomputed in backward."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
                      "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    return _checkpoint_without_reentrant(function, preserve, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` chunks, checkpointing all but the last."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
                      "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input

        return forward

    from ..nn import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
