"""Custom autograd Functions, run by the same engine as built-in ops.

    class Exp(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

The ctx is the graph node itself (as in PyTorch): a `<Name>Backward` node
made for each Function subclass.
"""
import functools

from . import grad_mode
from .anomaly_mode import anomaly_state, record_trace
from .graph import Node

_CORE = []


def _core():
    """(Tensor, _edge), imported on first use: this module loads before them."""
    if not _CORE:
        from .._ops._base import _edge
        from .._tensor import Tensor

        _CORE.extend((Tensor, _edge))
    return _CORE


class FunctionCtx:
    """What forward/setup_context can tell backward (mixed into the node class)."""

    materialize_grads = True
    _dirty = ()
    _non_differentiable = ()

    def save_for_backward(self, *tensors):
        from .._tensor import Tensor

        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self._save(tensors)  # freed after backward, like built-in ops' saved tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """Graph node of a custom Function; also the `ctx` its methods receive."""

    _forward_cls = None

    def __repr__(self):
        return f"<ember.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def apply(self, *grads):
        return self._forward_cls.backward(self, *grads)

    def _apply(self, grads):
        from .._ops._base import sum_to

        fn = self._forward_cls
        if self.materialize_grads:
            grads = [g if g is not None else _zeros(meta) for g, meta in zip(grads, self._output_meta)]
        result = fn.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self.needs_input_grad)
        if len(result) != n_args:
            if len(result) > n_args and all(r is None for r in result[n_args:]):
                result = result[:n_args]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                                   f"{n_args}, got {len(result)})")
        out = []
        for pos, (shape, dtype) in zip(self._tensor_positions, self._in_meta):
            g = result[pos]
            if g is not None:
                if not hasattr(g, "_data"):
                    raise TypeError(f"function {self.name()} returned a gradient different than None at position "
                                    f"{pos + 1}, but the corresponding forward input was not a Variable")
                if g._data.shape != shape:
                    try:
                        g = sum_to(g, shape) if _expandable(shape, g._data.shape) else None
                    except Exception:
                        g = None
                    if g is None:
                        raise RuntimeError(
                            f"Function {self.name()} returned an invalid gradient at index {pos} - got "
                            f"[{', '.join(map(str, result[pos]._data.shape))}] but expected shape compatible with "
                            f"[{', '.join(map(str, shape))}]")
                if g._dtype is not dtype:
                    g = g.to(dtype)
            out.append(g)
        return out


def _expandable(shape, to):
    if len(shape) > len(to):
        return False
    for a, b in zip(reversed(shape), reversed(to)):
        if a != b and a != 1:
            return False
    return True


def _zeros(meta):
    from .._creation import zeros

    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


class _FunctionMeta(type):
    """Gives each Function subclass its own node class, named `<Name>Backward`."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn(f"{type(self).__name__} should not be instantiated. Methods on autograd functions are all "
                      "static, so you should invoke them on the class itself. Instantiating an autograd function "
                      "will raise an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
                           "autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor, _edge = _core()
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        is_tensor = [isinstance(a, Tensor) for a in args]
        ctx.needs_input_grad = tuple(t and a._requires_grad for a, t in zip(args, is_tensor))
        uses_setup = cls.setup_context is not Function.setup_context
        state = grad_mode.state
        enabled = state.enabled
        state.enabled = False  # forward runs untracked (a plain flag flip: this is a hot path)
        try:
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            state.enabled = enabled
        record = enabled and any(ctx.needs_input_grad)
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        tensor_inputs = [a for a, t in zip(args, is_tensor) if t]
        if record:
            ctx._tensor_positions = [i for i, t in enumerate(is_tensor) if t]
            ctx.next_functions = tuple(_edge(a) for a in tensor_inputs)
            ctx._in_meta = tuple((a._data.shape, a._dtype) for a in tensor_inputs)
        wrapped = []
        non_diff = {id(t) for t in ctx._non_differentiable}
        dirty = {id(t) for t in ctx._dirty}
        metas = []
        for i, o in enumerate(outputs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            if id(o) in dirty:
                if record and o._requires_grad and o._grad_fn is None:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
                out = o
            elif any(o is a for a in tensor_inputs) or o._grad_fn is not None or o._requires_grad:
                # An input returned as is, or a tensor with history made under
                # no_grad: the output is a fresh alias owned by this node.
                out = Tensor._make(o._data, o._dtype)
                out._vcell = o._version_counter
            else:
                out = o
            metas.append((out._data.shape, out._dtype, out.device))
            if record and id(o) not in non_diff and out._dtype.is_floating_point:
                out._grad_fn = ctx
                out._output_nr = i
                out._requires_grad = True
            wrapped.append(out)
        if record:
            ctx._n_outputs = len(outputs)
            ctx._output_meta = metas if len(metas) == len(outputs) else \
                [(o._data.shape, o._dtype, o.device) if isinstance(o, Tensor) else ((), None, None) for o in outputs]
            if anomaly_state.tracing:
                record_trace(ctx, wrapped[0] if single else None)
        return wrapped[0] if single else tuple(wrapped)


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    """Run backward under no_grad; differentiating its result again raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.state.enabled:
            return outputs
        requires = any(getattr(a, "_requires_grad", False) for a in args)
        if not requires:
            return outputs
        from .._ops._base import _edge

        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err = _OnceDifferentiableBackward()
        err.next_functions = tuple(_edge(a) for a in args if hasattr(a, "_data"))
        marked = []
        for o in outs:
            if o is not None and hasattr(o, "_data") and o._dtype.is_floating_point:
                from .._tensor import Tensor

                o = Tensor._make(o._data, o._dtype)
                o._requires_grad = True
                o._grad_fn = err
            marked.append(o)
        return marked[0] if single else tuple(marked)

    return wrapper


class _OnceDifferentiableBackward(Node):
    def _apply(self, grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")
