"""In-place ops: write a result into an existing tensor and keep the graph right.

Every in-place op (`add_`, `x[i] = v`, `uniform_`...) ends in `commit`:

1. PyTorch's checks: no in-place change of a leaf that requires grad (or of a
   view of one) while grad mode is on; the result must fit self's shape and be
   castable to self's dtype.
2. The data is written into self's array (views write through to their base)
   and the version counter is bumped, so saved tensors notice.
3. History: self now comes out of the result's node. If self is a view, its
   base's history becomes `CopySlicesBackward` (base with the view's region
   replaced), as in PyTorch's CopySlices, and the view is re-made from it.
"""
from .. import _dtype as D
from .._tensor import Tensor, _dtype_str
from ..autograd import grad_mode
from ._base import Op, _edge

_state = grad_mode.state

_TYPE_WORDS = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def check_inplace(self, result_dtype=None, result_shape=None):
    """PyTorch's refusals for an in-place op on `self`, before anything is written."""
    if _state.enabled:
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = self._base
        if base is not None and base._requires_grad and base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if result_dtype is not None and result_dtype is not self._dtype and not D.can_cast(result_dtype, self._dtype):
        raise RuntimeError(f"result type {_TYPE_WORDS[result_dtype.name]} can't be cast to the desired output "
                           f"type {_TYPE_WORDS[self._dtype.name]}")
    if result_shape is not None and tuple(result_shape) != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, result_shape))}]")


def commit(self, result):
    """Make `self` hold `result` (a Tensor of self's shape), in place. Returns self."""
    check_inplace(self, result._dtype, result._data.shape)
    data = result._data
    if data is not self._data:
        self._data[...] = data if data.dtype == self._data.dtype else data.astype(self._data.dtype)
    self._bump_version()
    if _state.enabled and (result._requires_grad or (self._base is not None and self._base._requires_grad)):
        _rebase_history(self, result)
    return self


def _rebase_history(self, result):
    base = self._base
    if base is None:
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
            self._output_nr = result._output_nr
            self._requires_grad = True
        return
    if self._view_fn is None:
        raise RuntimeError("ember cannot record an in-place change of this view for autograd; "
                           "use an out-of-place op or clone() first")
    node = CopySlicesBackward.__new__(CopySlicesBackward)
    node.next_functions = (_edge(base), _edge(result))
    node._in_meta = ((base._data.shape, base._dtype), (self._data.shape, self._dtype))
    node.view_fn = self._view_fn
    base._grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    # The view now comes out of the new base history.
    with grad_mode.enable_grad():
        remade = self._view_fn(base)
    self._grad_fn = remade._grad_fn
    self._output_nr = remade._output_nr
    self._requires_grad = True


class CopySlicesBackward(Op):
    """base' = base with view_fn(base) replaced by the result: the gradient of the
    region goes to the result, the rest to the old base."""

    def backward(self, g):
        grad_base = g.clone()
        with grad_mode.no_grad():
            region = self.view_fn(grad_base)
            region._data[...] = 0
        grad_result = self.view_fn(g)
        return grad_base, grad_result

    def name(self):
        return "CopySlices"


def inplace_method(op_fn):
    """Build `x.op_(...)` from the out-of-place `op(x, ...)` (compute, then commit)."""

    def method(self, *args, **kwargs):
        return commit(self, op_fn(self, *args, **kwargs))

    method.__name__ = op_fn.__name__ + "_"
    method.__doc__ = f"In-place version of `{op_fn.__name__}`."
    return method


def fill_inplace(self, array):
    """Overwrite self's data with an array (random fills, zero_, fill_): no graph input."""
    check_inplace(self)
    self._data[...] = array
    self._bump_version()
    if _state.enabled and self._base is not None and self._base._requires_grad:
        # Filling a region of a tracked tensor cuts the region's gradient.
        _rebase_history(self, Tensor._make(self._data, self._dtype))
    elif _state.enabled and self._grad_fn is not None:
        # Still a tracked tensor, whose old history now receives zeros.
        node = FillBackward0.__new__(FillBackward0)
        node.next_functions = (_edge(self),)
        node._in_meta = ((self._data.shape, self._dtype),)
        self._grad_fn = node
        self._output_nr = 0
    return self


class FillBackward0(Op):
    def backward(self, g):
        return g * 0


__all__ = ["commit", "check_inplace", "inplace_method", "fill_inplace", "CopySlicesBackward", "_dtype_str"]
