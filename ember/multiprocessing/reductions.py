"""Pickling tensors between processes through shared memory (torch.multiprocessing.reductions)."""
from multiprocessing.reduction import ForkingPickler

import numpy as np

from .. import _dtype as D, _shared_memory
from .._tensor import Tensor
from ..nn.parameter import Parameter


def _rebuild_tensor(cls, segment, shape, strides, dtype_name, requires_grad, take_over=False):
    dtype = D._BY_NAME[dtype_name]
    npdt = D.np_dtype(dtype)
    if segment is None:  # an empty tensor: there is no memory to share
        array = np.empty(shape, npdt)
    else:
        array = _shared_memory.attach(*segment, shape, strides, npdt, take_over)
    if cls is Parameter:
        return Parameter(Tensor._make(array, dtype), requires_grad=requires_grad)
    return Tensor._make(array, dtype, requires_grad=requires_grad)


def reduce_tensor(tensor):
    """Move the tensor to shared memory (as torch does when it is sent) and send where it is."""
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError(
            "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does not support "
            "crossing process boundaries.  If you just want to transfer the data, call detach() on the tensor "
            "before serializing (e.g., putting it on the queue).")
    if not isinstance(tensor._data, np.ndarray):  # CUDA: sent by value (no CUDA IPC here)
        return tensor.__reduce_ex__(2)
    tensor.share_memory_()
    data = tensor._data
    segment = _shared_memory.segment_of(data)
    take_over = segment is not None and _shared_memory.hand_over(segment[0])
    return (_rebuild_tensor, (type(tensor), segment, data.shape, data.strides, tensor.dtype.name,
                              tensor.requires_grad, take_over))


def init_reductions():
    for cls in (Tensor, Parameter):
        ForkingPickler.register(cls, reduce_tensor)
