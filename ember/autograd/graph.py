"""Nodes of the backward graph.

A node is what `tensor.grad_fn` returns. Built-in ops (`ember/_ops`) and users'
custom `autograd.Function`s are both nodes of this class, run by the one
engine in `engine.py`. A node holds:

- `next_functions`: one `(node, output_nr)` edge per differentiable input,
  `(None, 0)` for inputs that need no gradient;
- the tensors it saved for backward, each with the version it had when saved,
  so that an in-place change in between is caught when backward unpacks it;
- optional hooks.
"""
import sys
import weakref

import numpy as np

from .. import _tensor as _T  # partly initialised here (it imports autograd): read at call time
from . import grad_mode

_RELEASED = object()
_NOT_TENSOR = object()

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward."
)


class Node:
    """Base of every backward function. Subclasses define `backward(self, *grads)`."""

    next_functions = ()
    _saved = None  # tuple of (tensor, version) pairs, or _RELEASED
    _saved_output = None  # (array, version, dtype, version cell) of a saved output: rebuilt on unpack (no cycle)
    _pre_hooks = None  # {output_nr: [fn]} tensor hooks, run on the incoming gradient
    _retain_hooks = None  # {output_nr: [fn]} retain_grad's hooks: run after the tensor hooks, as in PyTorch
    _hooks = None  # node hooks (register_hook on the node): fn(grad_inputs, grad_outputs)
    _node_pre_hooks = None
    _anomaly_trace = None
    _has_hooks = False  # set by any register_*: the engine's one check for hooks
    _n_outputs = 1
    _output_meta = None  # [(shape, dtype, device)] for outputs whose missing grads must be zeros

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- saved tensors -------------------------------------------------------
    def _save(self, tensors):
        saved = []
        for t in tensors:
            v = getattr(t, "_vcell", _NOT_TENSOR)
            saved.append((t, None if v is _NOT_TENSOR else (0 if v is None else v[0])))
        self._saved = saved

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(_FREED_MSG)
        out = []
        for t, version in saved or ():
            if version is not None and t._version_value() != version:
                _raise_version_error(t, version, t._version_value())
            out.append(t)
        if self._saved_output is not None:
            out.append(self._unpack_output())
        return tuple(out)

    def _unpack_output(self):
        from .._tensor import Tensor

        data, version, dtype, version_cell = self._saved_output
        t = Tensor._make(data, dtype)
        t._requires_grad = True
        t._grad_fn = self
        if version_cell[0] != version:
            _raise_version_error(t, version, version_cell[0])
        return t

    def _release(self):
        """Free the saved tensors (after backward without retain_graph); unpacking them later raises."""
        self._saved = _RELEASED
        self._saved_output = None

    # -- hooks -----------------------------------------------------------------
    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node computed its gradients."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        self._has_hooks = True
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node; it may return replacement gradients."""
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._node_pre_hooks.append(fn)
        self._has_hooks = True
        return _RemovableHandle(self._node_pre_hooks, fn)

    def _add_tensor_pre_hook(self, output_nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, [])
        hooks.append(fn)
        self._has_hooks = True
        return _RemovableHandle(hooks, fn)

    def _add_retain_hook(self, output_nr, fn):
        if self._retain_hooks is None:
            self._retain_hooks = {}
        self._retain_hooks[output_nr] = [fn]
        self._has_hooks = True

    # -- what the engine calls -------------------------------------------------
    def _apply(self, grads):
        """Run backward on the list of output gradients; return one gradient per input edge."""
        out = self.backward(*grads)
        if not isinstance(out, tuple):
            out = (out,)
        return out

    @property
    def metadata(self):
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata


class AccumulateGrad(Node):
    """The sink for a leaf tensor: adds the incoming gradient into `leaf.grad`."""

    _post_hooks = None  # register_post_accumulate_grad_hook: fn(leaf) after accumulating

    def __init__(self, leaf):
        self._leaf_ref = weakref.ref(leaf)
        self.next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def variable(self):
        return self._leaf_ref()

    def _add_post_accumulate_hook(self, fn):
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def _apply(self, grads):
        leaf = self._leaf_ref()
        if leaf is not None:
            _accumulate(leaf, grads[0])
            if self._post_hooks:
                for hook in tuple(self._post_hooks):
                    hook(leaf)
        return ()


def _accumulate(tensor, grad, create_graph=None):
    """tensor.grad += grad, storing a private copy the first time (users zero_() it in place)."""
    if create_graph is None:
        create_graph = grad_mode.state.enabled
    if grad is None:
        return
    old = tensor._grad
    if old is None:
        # A private copy: the incoming gradient may be shared with another
        # leaf's or be a read-only broadcast view. Under create_graph the copy
        # is differentiable, as torch's (CopyBackwards). A gradient that nobody
        # else can reach is adopted as it is, as torch steals it (saves a copy
        # of every parameter's gradient per step).
        if create_graph:
            tensor._grad = _differentiable_copy(grad)
        elif _unshared(grad):
            tensor._grad = grad
        else:
            tensor._grad = _T.Tensor._make(grad._data.copy(), grad._dtype)
    elif create_graph:
        tensor._grad = old + grad
    else:
        try:
            old._data += grad._data if grad._dtype is old._dtype else grad._data.astype(old._data.dtype)
        except ValueError:  # a .grad the user set to a broadcast (read-only) array
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the "
                               "operation.") from None
        old._bump_version()


# References to an incoming gradient when AccumulateGrad runs, if nobody else holds it:
# the engine's `grads` list, the arguments of _accumulate and _unshared, and
# getrefcount's own. Any other holder (another leaf given the same tensor, a hook, the
# caller, another tensor on the same array, a view of it) raises the count, and the
# gradient is copied instead. Python 3.14 may not count references borrowed by a
# frame, so there the gradient is always copied.
_ENGINE_REFS = 4 if sys.version_info < (3, 14) else -1


def _unshared(grad):
    data = grad._data  # held by the tensor, this local and getrefcount: 3
    return (sys.getrefcount(grad) == _ENGINE_REFS and type(data) is np.ndarray and data.base is None
            and sys.getrefcount(data) == 3 and data.flags.writeable and not grad._requires_grad
            and grad._base is None and grad._vcell is None and type(grad) is _T.Tensor)


class CopyBackwards(Node):
    """The node of a gradient copied into .grad under create_graph: passes the gradient through."""

    def name(self):
        return "torch::autograd::CopyBackwards"

    def _apply(self, grads):
        return (grads[0],)


def _differentiable_copy(t):
    copy = t.detach()._copy_array()
    if t._requires_grad:
        node = CopyBackwards()
        node.next_functions = ((t._grad_fn, t._output_nr) if t._grad_fn is not None else (t._grad_accumulator(), 0),)
        copy._vcell = None  # its own memory, its own version counter
        copy._requires_grad = True
        copy._grad_fn = node
    return copy


def _raise_version_error(t, version, now):
    """PyTorch's error for a saved tensor changed in place; it names the op that last wrote it."""
    import re

    from .._tensor import _type_name

    fn = t._grad_fn
    producer = f", which is output {t._output_nr} of {re.sub(r'Backward[0-9]*$', '', fn.name())}," if fn else ""
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{_type_name(t)} [{', '.join(map(str, t._data.shape))}]]{producer} is at version {now}; expected version "
        f"{version} instead. Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class _RemovableHandle:
    """What register_hook returns: `.remove()` takes the hook out again."""

    _next_id = 0

    def __init__(self, hooks, fn):
        self._hooks = hooks
        self._fn = fn
        _RemovableHandle._next_id += 1
        self.id = _RemovableHandle._next_id

    def remove(self):
        try:
            self._hooks.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
