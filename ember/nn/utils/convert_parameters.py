"""Flatten parameters into one vector and back."""
from ..._ops._base import _wrap
from ..._tensor import Tensor


def parameters_to_vector(parameters):
    """One 1-D tensor of all parameters, in order (differentiable)."""
    if isinstance(parameters, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(parameters).__name__}")
    from ... import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of vec into the parameters' data (no graph)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = _wrap(vec._data[pointer:pointer + n].reshape(param._data.shape)).to(param.dtype)
        pointer += n
