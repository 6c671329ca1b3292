"""where: elementwise selection between two tensors by a condition."""
import warnings

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor
from . import elementwise as _ew  # a module reference: elementwise imports this module too
from ._base import Op, _wrap
from ._inplace import _TYPE_WORDS


class WhereBackward0(Op):
    """The gradient goes to `a` where cond holds, to `b` elsewhere. Only the condition is
    kept for backward (as in torch: changing a or b in place later does not matter)."""

    def forward(self, a, b, cond, dtype):
        npdt = D.np_dtype(dtype)
        xp = xp_of(cond)
        self.cond = cond
        return xp.where(cond, xp.asarray(a, dtype=npdt) if not hasattr(a, "dtype") else a.astype(npdt, copy=False),
                        xp.asarray(b, dtype=npdt) if not hasattr(b, "dtype") else b.astype(npdt, copy=False))

    def backward(self, g):
        cond = _wrap(self.cond)
        return where(cond, g, 0.0), where(cond, 0.0, g), None


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not {type(condition).__name__}")
    if condition._dtype is D.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed "
                      "in a future version of PyTorch. Use a boolean condition instead.", UserWarning, stacklevel=2)
        condition = condition.to(D.bool_)
    elif condition._dtype is not D.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_TYPE_WORDS[condition._dtype.name]}")
    a, b = _ew._scalar_or_tensor(input), _ew._scalar_or_tensor(other)
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        dt = _ew.binary_dtype(a, b) if isinstance(a, Tensor) else _ew.binary_dtype(b, a)
    else:
        dt = D.result_type(a, b)
    try:
        return WhereBackward0.apply(a, b, condition, dtype=dt)
    except ValueError:
        _ew._broadcast_check(condition, a)
        _ew._broadcast_check(condition, b)
        _ew._broadcast_check(a, b)
        raise


Tensor.where = lambda self, condition, other: where(condition, self, other)

__all__ = ["where"]
