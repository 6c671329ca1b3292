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
_backward_running = [0]  # how many engine runs are under way (built-in nodes show saved_tensors only then)
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

    # torch's names for what backward keeps, served as `_saved_<name>` (torchviz and
    # users inspect them); see `_saved_spec` for the forms. Declared once per class,
    # resolved only when asked: nothing more is saved at forward time.
    saved_names = ()
    numbers_are_tensors = False  # a Python-number input stands for a tensor (torch saves it wrapped)

    def name(self):
        return type(self).__name__

    def __init_subclass__(cls, **kwargs):
        # One descriptor per declared name (a class-level __getattr__ would slow every attribute
        # read of every node); what it reads is worked out on first use.
        super().__init_subclass__(**kwargs)
        for entry in cls.__dict__.get("saved_names", ()):
            name = entry.partition("?")[0].partition("=")[0]
            if name:
                setattr(cls, "_saved_" + name, _SavedAttr(name))

    def __dir__(self):
        # Only this class's declared names (not a parent's, nor the internal `_saved_output`).
        return [n for n in super().__dir__() if not n.startswith("_saved_")] + \
            ["_saved_" + k for k in _saved_spec(type(self))]

    def _unpack_input(self, i):
        """The i-th input as saved (version-checked, as torch unpacks it); None for an input not saved."""
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(_FREED_MSG)
        if saved is None or i >= len(saved):
            return None
        t, version = saved[i]
        if version is None:  # a Python number, or None
            if self.numbers_are_tensors and t is not None:
                return _T.Tensor._make(np.asarray(t), None)  # torch's wrapped-number tensor (int64, float64...)
            return _plain(t)
        if t._version_value() != version:
            _raise_version_error(t, version, t._version_value())
        return t

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- saved tensors -------------------------------------------------------
    def _save(self, tensors):
        saved = []
        check = grad_mode.inference_seen[0]
        for t in tensors:
            v = getattr(t, "_vcell", _NOT_TENSOR)
            if check and v is not _NOT_TENSOR and t._inference:
                raise RuntimeError(_INFERENCE_SAVED)
            saved.append((t, None if v is _NOT_TENSOR else (0 if v is None else v[0])))
        self._saved = saved

    @property
    def saved_tensors(self):
        return _unpack_saved(self)

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


def _unpack_saved(node):
    """The saved tensors, checked against changes in place since they were saved."""
    saved = node._saved
    if saved is _RELEASED:
        raise RuntimeError(_FREED_MSG)
    out = []
    for t, version in saved or ():
        if version is not None and t._version_value() != version:
            _raise_version_error(t, version, t._version_value())
        out.append(t)
    if node._saved_output is not None:
        out.append(node._unpack_output())
    return tuple(out)


class _SavedAttr:
    """A node's `_saved_<name>`, served from its class's `saved_names` when read."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __get__(self, node, cls=None):
        if node is None:
            return self
        get = _saved_spec(type(node)).get(self.name)
        if get is None:  # declared by a parent class only
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{self.name}'")
        return get(node)


_SPECS = {}


def _plain(value):
    """A saved argument as torch shows it: sequences as tuples of ints, arrays as tensors."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray) or hasattr(value, "__cuda_array_interface__"):
        return _T.Tensor._make(value)  # an index array kept from a tensor argument (embedding's indices)
    return value


def _saved_spec(cls):
    """{torch name: getter(node)} from `cls.saved_names`, built once per class. Entries:
    - "self", "other", ...: the saved inputs, in input order ("" skips an input);
    - "result": the saved output;
    - "<input>_sym_sizes" / "_sym_strides" / "_sym_numel" / "_sym_argsize_<d>": from that saved input;
    - "name=attr" or "name=attr:default": the node's attribute `attr` (a Python literal default
      when the op only sets it sometimes); "geom[0]" and "geom.kernel" reach inside one;
    - any of these + "?<input>": only saved (by torch) when that input needs a gradient."""
    spec = _SPECS.get(cls)
    if spec is not None:
        return spec
    import ast

    spec = {}
    inputs = {}  # input name -> its index among the op's inputs
    n_inputs = 0
    conditions = {}
    for entry in cls.saved_names:
        entry, _, when = entry.partition("?")
        if when:
            conditions[entry] = when
        if "=" in entry:
            name, attr = entry.split("=", 1)
            attr, sep, default = attr.partition(":")
            default = ast.literal_eval(default) if sep else None
            spec[name] = lambda node, path=_path(attr), d=default, f=_TORCH_FORM.get(name, _plain): \
                f(_follow(node, path, d))
        elif entry == "result":
            spec[entry] = _saved_result
        elif "_sym_" in entry and entry.split("_sym_")[0] in inputs:
            base, what = entry.split("_sym_")
            spec[entry] = _SYM[what.split("_")[0]](inputs[base], what)
        else:
            if entry:
                inputs[entry] = n_inputs
                spec[entry] = lambda node, i=n_inputs: node._unpack_input(i)
            n_inputs += 1
    for name, when in conditions.items():
        # torch saves it only when that input needs a gradient (what is not saved reads None,
        # or () for a list of sizes)
        spec[name] = lambda node, get=spec[name], i=inputs[when], empty=None if name in inputs else (): \
            get(node) if node.next_functions[i][0] is not None else empty
    _SPECS[cls] = spec
    return spec


def _saved_result(node):
    if node._saved is _RELEASED:
        raise RuntimeError(_FREED_MSG)
    return node._unpack_output() if node._saved_output is not None else None


def _path(attr):
    """"geom[0]" -> ["geom", 0]; "geom.kernel" -> ["geom", "kernel"]: where an argument lies in a node."""
    return [int(p) if p.isdigit() else p for p in attr.replace("]", "").replace("[", ".").split(".")]


def _follow(node, path, default):
    value = getattr(node, path[0], default)
    for step in path[1:]:
        value = value[step] if type(step) is int else getattr(value, step)
    return value


def _unsigned(index):
    """torch shows a saved int64 index (ignore_index=-100, padding_idx None) as unsigned."""
    return (-1 if index is None else int(index)) % 2 ** 64


# Arguments that torch saves in another form than ember keeps them.
_TORCH_FORM = {
    "reduction": lambda r: {"none": 0, "mean": 1, "sum": 2}.get(r, r),
    "ignore_index": _unsigned,
    "padding_idx": _unsigned,
    "padding": lambda pads: tuple(p[0] if isinstance(p, tuple) else p for p in pads),  # ember keeps (lo, hi)
}

_SYM = {
    "sizes": lambda i, what: lambda node: tuple(node._unpack_input(i)._data.shape),
    "strides": lambda i, what: lambda node: tuple(node._unpack_input(i).stride()),
    "numel": lambda i, what: lambda node: int(node._unpack_input(i)._data.size),
    "argsize": lambda i, what: lambda node: int(node._unpack_input(i)._data.shape[int(what.rsplit("_", 1)[1])]),
}


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


_INFERENCE_SAVED = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                    "mode in computation tracked by autograd. To work around this, you can make a clone to get a "
                    "normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                    "`torch.inference_mode()`.")


def _accumulate(tensor, grad, create_graph=None):
    """tensor.grad += grad, storing a private copy the first time (users zero_() it in place)."""
    if create_graph is None:
        create_graph = grad_mode.state.enabled
    if grad is None:
        return
    if tensor._grad_dtype is not None:  # the leaf's grad_dtype was set: its .grad is cast to it (None: kept)
        want = tensor._grad_dtype[0]
        if want is not None and grad._dtype is not want:
            grad = grad.to(want)
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
    return (sys.getrefcount(grad) == _ENGINE_REFS and data.base is None and sys.getrefcount(data) == 3
            and (data.flags.writeable if type(data) is np.ndarray else hasattr(data, "__cuda_array_interface__"))
            and not grad._requires_grad
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
