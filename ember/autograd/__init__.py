"""ember.autograd: backward, grad, custom Functions, grad modes, checks."""
import sys

from .._device import xp_of
from . import grad_mode
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _check_grad_types(grads):
    for g in grads:
        if g is not None and not hasattr(g, "_data"):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")


def _make_grads(outputs, grads, is_grads_batched=False):
    """The initial gradients: given ones checked for shape, or ones for scalar outputs (which must require grad)."""
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if not o._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if o._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not o._dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{o._dtype}")
            data = o._data
            xp = xp_of(data)
            # a 0-d loss (the usual case): array(1) is 3x cheaper than ones(())
            out.append(o._make(xp.ones(data.shape, data.dtype) if data.ndim else xp.array(1, data.dtype), o._dtype))
            continue
        if g._data.shape != o._data.shape and not is_grads_batched:
            from .._size import Size

            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                               f"output[{i}] has a shape of {Size(o._data.shape)}.")
        out.append(g)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate into leaves' .grad the gradients of `tensors` (weighted by grad_tensors)."""
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    _check_grad_types(grads)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_grads(tensors, grads)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (no .grad is changed)."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    _check_grad_types(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, grads, is_grads_batched)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused, materialize_grads)
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False,
                          allow_unused=allow_unused)
    if materialize_grads:
        from .._creation import zeros_like

        result = tuple(zeros_like(t) if r is None else r for t, r in zip(inputs, result))
    return result


def _batched_grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused, materialize_grads):
    """is_grads_batched: the first dim of each grad_output indexes independent backward passes
    (torch runs them under vmap; here one after the other, then stacked)."""
    from .._ops import stack
    from .._creation import zeros_like

    n = grads[0]._data.shape[0]
    rows = [grad(outputs, inputs, [g[b] for g in grads], retain_graph=True if b < n - 1 else retain_graph,
                 create_graph=create_graph, allow_unused=True) for b in range(n)]
    result = []
    for i, t in enumerate(inputs):
        per = [r[i] for r in rows]
        if all(p is None for p in per):
            if not (allow_unused or materialize_grads):
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            result.append(stack([zeros_like(t)] * n) if materialize_grads else None)
        else:
            result.append(stack([zeros_like(t) if p is None else p for p in per]))
    return tuple(result)


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from .._tensor import Tensor

        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Deprecated wrapper: Variable(t, requires_grad) is a new leaf tensor sharing t's memory
    (t itself is left as it was), as torch's; Variable() is an empty tensor."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from .._creation import empty
        from .._tensor import Tensor

        if volatile:
            import warnings

            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        out.requires_grad_(bool(requires_grad))
        return out


def variable(*args, **kwargs):
    """torch.autograd.variable: gone, as in torch."""
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) instead")


def is_tensor_like(inp):
    """True for tensors and for objects whose type defines __torch_function__ (torch.overrides)."""
    from .._tensor import Tensor

    return isinstance(inp, Tensor) or hasattr(inp, "__torch_function__")


class SavedTensor:
    """The type of a tensor a backward node saved. ember's nodes keep plain arrays and expose no
    saved-tensor objects; as in torch, Python code cannot create one."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Trying to create a SavedTensor object from Python is forbidden.")


from ._flags import (enforce_grad_layout_policy, is_multithreading_enabled, is_view_replay_enabled,  # noqa: E402
                     set_multithreading_enabled)
from .engine import ImperativeEngine, run_backward  # noqa: E402

Variable._execution_engine = ImperativeEngine  # queue_callback: code run at the end of a backward pass
from .function import Function, InplaceFunction, NestedIOFunction, once_differentiable  # noqa: E402
from .graph import Node  # noqa: E402
from . import _gradcheck  # noqa: E402
from ._gradcheck import gradcheck, gradgradcheck  # noqa: E402

# As in torch, `autograd.gradcheck` is the function while `from ember.autograd.gradcheck
# import GradcheckError` reads the module.
sys.modules[f"{__name__}.gradcheck"] = _gradcheck

__all__ = ["backward", "grad", "Variable", "Function", "once_differentiable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "Node", "InplaceFunction", "NestedIOFunction", "grad_mode", "variable",
           "is_tensor_like", "SavedTensor", "set_multithreading_enabled", "is_multithreading_enabled",
           "enforce_grad_layout_policy", "is_view_replay_enabled"]


def __getattr__(name):
    # Submodules loaded on first use keep `import ember` fast.
    import importlib.util

    if name in ("functional", "forward_ad", "profiler") and importlib.util.find_spec(f"{__name__}.{name}"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")
