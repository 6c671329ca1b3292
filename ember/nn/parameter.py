"""nn.Parameter: a Tensor that a Module registers as one of its parameters."""
from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor sharing `data`'s memory, requiring grad by default.

    Assigning one to a Module attribute registers it (see Module.__setattr__)."""

    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        p = object.__new__(cls)
        p._data = data._data
        p._dtype = data._dtype
        p._grad_fn = None
        p._requires_grad = False
        p.requires_grad = requires_grad  # torch's check: only float tensors may require grad
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy(), self._dtype), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (Tensor._make(self._data, self._dtype), self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)
