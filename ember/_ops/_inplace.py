"""In-place ops: write a result into an existing tensor and keep the graph right.

Every in-place op (`add_`, `x[i] = v`, `uniform_`...) ends in `commit`:

1. PyTorch's checks: no in-place change of a leaf that requires grad (or of a
   view of one) while grad mode is on; the result must fit self's shape and be
   castable to self's dtype.
2. The data is written into self's array (views write through to their base)
   and the version counter is bumped, so saved tensors notice.
3. History: self now comes out of the result's node. If self is a view, its
   base's history becomes `CopySlices` (base with the view's region
   replaced), as in PyTorch's CopySlices, and the view is re-made from it.
   Other views of the same base are re-made when next used (`_refresh_view`
   in _base.py). Not done: a view of a base that did not require grad when
   the view was made does not start requiring grad when the base does later
   (torch's does).

Also here: copy_ (broadcasts src, casts to self's dtype, differentiable
w.r.t. src), fill_ and zero_.
"""
import numpy as np

from .. import _dtype as D
from .._creation import checked_scalar
from .._device import xp_of
from .._tensor import Tensor, _dtype_str
from ..autograd import grad_mode
from ._base import Op, _edge

_state = grad_mode.state

_TYPE_WORDS = D._SCALAR_TYPE_NAMES  # c10's names of the dtypes ("Float", "ComplexDouble"), as errors print them


def check_inference_inplace(self):
    """An inference tensor may change in place only inside inference mode, as in torch."""
    if self._inference and not _state.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                           "clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")


def check_inplace(self, result_dtype=None, result_shape=None):
    """PyTorch's refusals for an in-place op on `self`, before anything is written."""
    check_inference_inplace(self)
    if _state.enabled:
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = self._base
        if base is not None and base._requires_grad and base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    data = self._data
    if (not data.flags.writeable if type(data) is np.ndarray
            else any(s == 0 and n > 1 for n, s in zip(data.shape, data.strides))):
        # NumPy marks broadcast (expanded) views read-only: several elements share one memory cell.
        # CuPy's are writable, so there a stride 0 across a dim of size > 1 is the sign (torch's test).
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")
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
        for t in (self, self._base):
            if t is not None and t._retains_grad:
                t._attach_retain_hook()  # retain_grad follows the tensor to its new grad_fn, as in torch
    return self


def _rebase_history(self, result):
    base = self._base
    if base is None:
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
            self._output_nr = result._output_nr
            self._requires_grad = True
        return
    node = CopySlices.__new__(CopySlices)
    node.next_functions = (_edge(base), _edge(result))
    node._in_meta = ((base._data.shape, base._dtype), (self._data.shape, result._dtype))
    node.view_fn = self._view_fn
    old = base._grad_fn, base._output_nr, base._requires_grad
    base._grad_fn, base._output_nr, base._requires_grad = node, 0, True
    try:
        with grad_mode.enable_grad():
            remade = self._view_fn(base)  # the view now comes out of the new base history
    except RuntimeError:  # a view torch cannot rebase (an output of unbind/split)
        base._grad_fn, base._output_nr, base._requires_grad = old
        raise
    self._grad_fn = remade._grad_fn
    self._output_nr = remade._output_nr
    self._requires_grad = True
    self._base_fn = node


class CopySlices(Op):
    """base' = base with view_fn(base) replaced by the result: the gradient of the
    region goes to the result, the rest to the old base."""

    holomorphic = False  # exact for complex gradients as written (view_fn may take x.imag: no conj rule)

    def backward(self, g):
        # A constant 0/1 mask keeps the formula differentiable (create_graph=True).
        xp = g.xp
        complex_ = g._dtype.is_complex
        keep = Tensor._make(xp.full(g._data.shape, 1 + 1j if complex_ else 1, dtype=g._data.dtype), g._dtype)
        with grad_mode.no_grad():
            self.view_fn(keep)._data[...] = 0
        if complex_:  # the view may hold single components (x.real, x.imag): mask (re, im) pairs
            from .complex_ops import view_as_complex, view_as_real

            mask = Tensor._make(keep._data[..., None].view(keep._data.real.dtype), keep._dtype.to_real())
            return view_as_complex(view_as_real(g) * mask), self.view_fn(g)
        return g * keep, self.view_fn(g)


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


# -- copy_, fill_, zero_ --------------------------------------------------------------
class CopyBackwards(Op):
    """self.copy_(src): src broadcast to self's shape and cast to self's dtype.
    The old value of self gets a zero gradient, src the (summed) incoming one."""

    def forward(self, dst, src, npdt):
        return xp_of(dst).broadcast_to(_to_device_of(src, dst), dst.shape).astype(npdt)

    def backward(self, g):
        return g * 0, g


def _to_device_of(src, dst):
    """src's array on dst's device (NumPy <-> CuPy) when they differ."""
    if type(src) is type(dst) or not hasattr(src, "shape"):
        return src
    if type(dst) is np.ndarray:
        return src.get()
    return xp_of(dst).asarray(src)


def _check_broadcast_to(src_shape, shape):
    if len(src_shape) > len(shape):
        raise RuntimeError(f"output with shape [{', '.join(map(str, shape))}] doesn't match the broadcast shape "
                           f"[{', '.join(map(str, src_shape))}]")
    for i in range(1, len(src_shape) + 1):
        if src_shape[-i] != shape[-i] and src_shape[-i] != 1:
            raise RuntimeError(f"The size of tensor a ({shape[-i]}) must match the size of tensor b "
                               f"({src_shape[-i]}) at non-singleton dimension {len(shape) - i}")


def copy_(self, src, non_blocking=False):
    """Copy src into self, broadcasting src and casting to self's dtype (differentiable w.r.t. src)."""
    if not isinstance(src, Tensor):
        if not isinstance(src, (bool, int, float)):
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
        return fill_inplace(self, src)
    shape = self._data.shape
    if src._data.shape != shape:
        _check_broadcast_to(src._data.shape, shape)
    if _state.enabled and (src._requires_grad or self._requires_grad
                           or (self._base is not None and self._base._requires_grad)):
        return commit(self, CopyBackwards.apply(self, src, npdt=self._data.dtype))
    check_inplace(self)
    if src._data is not self._data:
        self._data[...] = _to_device_of(src._data, self._data)
    self._bump_version()
    return self


def fill_(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if value._requires_grad and _state.enabled:
            return copy_(self, value)
        value = value.item()
    return fill_inplace(self, checked_scalar(value, self._dtype))


def zero_(self):
    return fill_inplace(self, 0)


Tensor.copy_ = copy_
Tensor.fill_ = fill_
Tensor.zero_ = zero_

__all__ = ["commit", "check_inplace", "inplace_method", "fill_inplace", "CopySlices", "_dtype_str"]
