"""How a built-in op is defined and run.

Each op is one class: `forward` on arrays and `backward` on Tensors, side by
side, as in tinygrad's function.py. The class is named as PyTorch names the
backward node (`MulBackward0`), because its instances are the graph nodes.

    class MulBackward0(Op):
        save_inputs = True
        def forward(self, a, b):          # arrays (or Python scalars) -> array
            return a * b
        def backward(self, g):            # Tensors -> one gradient per input
            a, b = self.saved_tensors
            return g * b, g * a

`Op.apply(*inputs, **params)` runs forward and, when grad mode is on and an
input requires grad, links the node into the graph. Positional arguments are
the op's inputs (Tensors, or Python scalars standing for wrapped numbers);
keyword arguments are plain parameters passed to forward.

Backward formulas are written with ember ops, so `create_graph=True` gives
higher-order gradients, and may return gradients of the broadcast shape and
the computation dtype: `_apply` sums them down to each input's shape and casts
them to its dtype (one helper, not one per op).
"""
import numpy as np

from .. import _dtype as D
from .._alloc import allocation_error
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.anomaly_mode import anomaly_state, record_trace
from ..autograd.graph import Node, _backward_running, _unpack_saved

_state = grad_mode.state
_inference_threads = grad_mode.inference_threads
_from_np = D._BY_NP
_new = object.__new__
_ndarray = np.ndarray


_NO_EDGE = (None, 0)


def _edge(x):
    if isinstance(x, Tensor) and x._requires_grad:
        if x._base is not None and x._base_fn is not x._base._grad_fn:
            _refresh_view(x)
        fn = x._grad_fn
        if fn is not None:
            return (fn, x._output_nr)
        return (x._grad_accumulator(), 0)
    return (None, 0)


def _wrap(array, _inference_threads=_inference_threads):  # a local: cheaper to read than a global
    """A Tensor around an op's output array (NumPy turns 0-d results into scalars)."""
    t = object.__new__(Tensor)
    if type(array) is not np.ndarray:
        if isinstance(array, np.generic) or not hasattr(array, "__cuda_array_interface__"):
            array = np.asarray(array)
    t._data = array
    try:
        t._dtype = _from_np[array.dtype]
    except KeyError:
        t._dtype = D.from_numpy_dtype(array.dtype)
    t._requires_grad = False
    t._grad_fn = None
    if _inference_threads[0] and _state.inference:
        t._inference = True
    return t


def _across_devices(cls, inputs, params):
    """An op whose inputs are on two devices: torch reads a 0-d CPU tensor as a scalar on the
    other device (the op is redone with it moved there); anything else is torch's error.
    None when the inputs share one device (the TypeError was something else)."""
    tensors = [x for x in inputs if isinstance(x, Tensor)]
    devices = list(dict.fromkeys(t.device for t in tensors))
    if len(devices) < 2:
        return None
    devices.sort(key=lambda d: d.type == "cpu")  # torch names the accelerator first
    target = devices[0]
    if all(t.device == target or t.is_cpu and t._data.ndim == 0 for t in tensors):
        return cls.apply(*(x.to(target) if isinstance(x, Tensor) and x.is_cpu else x for x in inputs), **params)
    raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                       f"{devices[0]} and {devices[1]}!")


class Op(Node):
    """A built-in differentiable op. See the module docstring."""

    save_inputs = False  # keep the inputs for backward (their versions are checked)
    save_output = False  # keep the output for backward (rebuilt on unpack: no cycle)
    differentiable = True  # False: outputs never require grad (comparisons, argmax...)
    is_view = False  # the output shares memory with input 0
    n_diff_outputs = None  # multi-output ops: how many leading outputs are differentiable
    grads_in_input_shape = False  # backward returns each gradient in its input's shape (reductions)
    # Complex gradients follow torch's convention (the conjugate Wirtinger derivative): for a
    # holomorphic op, grad_in = conj(f'(z)) * g. Formulas are written for real numbers (g * f'(x));
    # for a complex incoming gradient `_apply` runs them as conj(formula(conj(g))), which is
    # exactly that. Ops that are not holomorphic (abs, angle, real, conj...) set this False and
    # handle complex gradients themselves.
    holomorphic = True

    def forward(self, *args, **params):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError(f"the derivative for '{type(self).__name__}' is not implemented.")

    @property
    def saved_tensors(self):
        # Backward formulas read it (while the engine runs); outside backward a built-in node
        # has no `saved_tensors`, as torch's (its saved values are the `_saved_<name>`
        # attributes): tools such as torchviz tell built-in nodes from custom Functions' by it.
        if not _backward_running[0]:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'saved_tensors'")
        return _unpack_saved(self)

    def needs_grad(self, i):
        """Whether input i gets a gradient (backward formulas skip the others' work)."""
        return self.next_functions[i][0] is not None

    @classmethod
    def apply(cls, *inputs, **params):
        node = _new(cls)
        # One pass: unwrap arrays and see whether any input requires grad.
        arrays = []
        requires = False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x._data)
                if x._requires_grad:
                    requires = True
            else:
                arrays.append(x)
        try:
            out = node.forward(*arrays, **params)
        except MemoryError as e:
            raise allocation_error(e) from None
        except TypeError:  # NumPy and CuPy arrays do not mix: inputs on two devices?
            retry = _across_devices(cls, inputs, params)
            if retry is None:
                raise
            return retry
        if type(out) is tuple:
            return node._finish_many(out, inputs)
        # The output Tensor, made inline (this is the hottest path in ember).
        result = _new(Tensor)
        if type(out) is not _ndarray:
            if isinstance(out, np.generic) or not hasattr(out, "__cuda_array_interface__"):
                out = np.asarray(out)
        result._data = out
        try:
            result._dtype = _from_np[out.dtype]
        except KeyError:
            result._dtype = D.from_numpy_dtype(out.dtype)
        result._grad_fn = None
        if cls.is_view:
            _mark_view(result, inputs[0], node, params)
        if not (requires and _state.enabled and cls.differentiable and result._dtype._differentiable):
            # As in torch, a view made under no_grad of a tensor requiring grad still requires grad (a leaf).
            result._requires_grad = requires and cls.is_view and not _state.enabled
            if _inference_threads[0] and _state.inference and not cls.is_view:  # a view is an inference tensor when its base is
                result._inference = True
            return result
        return node._record(inputs, result)

    def _record(self, inputs, result):
        """Make this node the grad_fn of `result`, computed from `inputs` (the tail of apply;
        the arithmetic operators' fast path calls it directly)."""
        self._link(inputs, result)
        if self.save_output:
            cell = result._vcell = [0]
            self._saved_output = (result._data, 0, result._dtype, cell)
        result._requires_grad = True
        result._grad_fn = self
        return result

    def _link(self, inputs, result=None):
        """Record the graph edges, the saved inputs and, for `_apply`, the shape and dtype of
        each input whose gradient must be reduced or cast. An input with the output's shape
        and dtype needs neither (its gradient comes out in that shape and dtype), and a node
        all of whose inputs are so gets `_in_meta = None`: its backward needs no fix-up."""
        edges = []
        meta = []
        fix = result is None
        if not fix:
            shape, dtype = result._data.shape, result._dtype
        for x in inputs:
            if isinstance(x, Tensor):
                if x._requires_grad:
                    if x._base is not None and x._base_fn is not x._base._grad_fn:
                        _refresh_view(x)
                    fn = x._grad_fn
                    edges.append((fn, x._output_nr) if fn is not None else (x._grad_accumulator(), 0))
                    xshape = x._data.shape
                    if fix or xshape != shape and not self.grads_in_input_shape or x._dtype is not dtype:
                        fix = True
                        meta.append((xshape, x._dtype))
                    else:
                        meta.append(None)
                    continue
            meta.append(None)
            edges.append(_NO_EDGE)
        self.next_functions = tuple(edges)
        self._in_meta = meta if fix else None
        if self.save_inputs:
            self._save(inputs)
        if anomaly_state.tracing:
            record_trace(self, result)

    def _finish_many(self, outs, inputs):
        """Multi-output ops (split, max with dim, sort...): one node, several outputs."""
        results = tuple(_wrap(o) for o in outs)
        n_diff = len(results) if self.n_diff_outputs is None else self.n_diff_outputs
        if self.is_view:
            for i, r in enumerate(results[:n_diff]):
                _mark_view(r, inputs[0], self, i)
        if not (_state.enabled and self.differentiable
                and any(isinstance(x, Tensor) and x._requires_grad for x in inputs)):
            if self.is_view and not _state.enabled and inputs[0]._requires_grad:
                for r in results[:n_diff]:
                    r._requires_grad = True  # views made under no_grad, as in torch
            return results
        self._link(inputs)
        self._n_outputs = n_diff
        self._output_meta = [(r._data.shape, r._dtype, r.device) for r in results[:n_diff]]
        for i, r in enumerate(results[:n_diff]):
            if r._dtype._differentiable:
                r._requires_grad = True
                r._grad_fn = self
                r._output_nr = i
        return results

    def _apply(self, grads):
        g0 = grads[0]
        if g0 is not None and g0._dtype.is_complex and self.holomorphic:
            out = _conj_grads(self.backward(*[g if g is None else g.conj() for g in grads]))
        else:
            out = self.backward(*grads)
        if type(out) is not tuple:
            out = (out,)
        meta = self._in_meta
        if meta is None:
            return out
        fixed = []
        for g, m in zip(out, meta):
            if g is None or m is None:  # no gradient, or one that needs no fix-up
                fixed.append(g)
                continue
            shape, dtype = m
            if g._data.shape != shape:
                g = sum_to(g, shape)
            if g._dtype is not dtype:
                # A real input of a complex computation gets the real part (torch's handle_r_to_c).
                g = (g.real if g._dtype.is_complex and not dtype.is_complex else g).to(dtype)
            fixed.append(g)
        return fixed


def _conj_grads(out):
    if type(out) is not tuple:
        return out if out is None else out.conj()
    return tuple(g if g is None else g.conj() for g in out)


def sum_to(g, shape):
    """Sum a broadcast gradient back down to `shape` (undoes broadcasting)."""
    gshape = g._data.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    ones = tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    if not ones:  # only leading dims to drop: one sum gives the shape
        return _sum_dims(g, tuple(range(lead)), False) if lead else g
    g = _sum_dims(g, tuple(range(lead)) + ones, True)
    return g.reshape(shape) if lead else g


def _sum_dims(g, dims, keepdim):
    """g summed over `dims` (sorted, valid by construction): the SumBackward1 op without
    sum()'s argument handling. reduction.py, which imports this module, sets it."""
    raise NotImplementedError


def _mark_view(result, base, node, params):
    """The output of a view op shares memory and the version counter with its base,
    and records how to re-make it from the root base (`_view_fn`, for CopySlices).
    Multi-output views (split, unbind) get an int `params` (the output index):
    torch refuses to record in-place changes of those, and so does their view_fn."""
    root = base._base if base._base is not None else base
    if base._inference:
        result._inference = True
    result._base = root
    result._vcell = root._version_counter
    if base._vcell is not root._vcell:
        base._vcell = root._vcell
    result._view_fn = _ViewFn(type(node), params, base._view_fn if base._base is not None else None)
    result._base_fn = root._grad_fn


def _refresh_view(view):
    """The base's history changed in place (x.mul_(2), x[1] = v) after `view` was
    made: re-make the view from the base, so its gradient flows through the change
    (torch regenerates such views' grad_fn the same way)."""
    root = view._base
    remade = view._view_fn(root, stale=True)
    view._base_fn = root._grad_fn
    view._grad_fn, view._output_nr, view._requires_grad = remade._grad_fn, remade._output_nr, remade._requires_grad


class _ViewFn:
    """root -> the view: the parent view's function, then this op with its params."""

    __slots__ = ("op", "params", "parent")

    def __init__(self, op, params, parent):
        self.op, self.params, self.parent = op, params, parent

    def __call__(self, root, stale=False):
        if self.parent is not None:
            root = self.parent(root, stale)
        if type(self.params) is int:
            name = self.op.__name__.split("Backward")[0]  # torch says "Output 0 of Unbind"
            what = "its base or another view of its base has been modified inplace" if stale else \
                "is being modified inplace"
            raise RuntimeError(
                f"Output {self.params} of {name} is a view and {what}. This view is "
                "the output of a function that returns multiple views. Such functions do not allow the output "
                "views to be modified inplace. You should replace the inplace operation by an out-of-place one.")
        return self.op.apply(root, **self.params)


# -- functions and methods -------------------------------------------------------------
def tensor_method(*names):
    """Attach a function to Tensor under the given method names."""

    def deco(fn):
        for name in names:
            setattr(Tensor, name, fn)
        return fn

    return deco
