"""Strides and storage: Tensor.stride / storage_offset / dim_order / is_set_to, as_strided (a view with
strides in elements over the tensor's storage, as torch's), as_strided_, as_strided_scatter,
empty_strided, empty_permuted and Tensor.new_empty_strided.

A tensor's storage is the memory block its array lives in: the NumPy array at the end of
its `.base` chain (the CuPy allocation on CUDA), so views of one tensor share a storage
and report torch's offsets. The gradient of as_strided is torch's: the incoming gradient
summed into a storage-shaped buffer at each output element's position, then read back at
the input's positions (divided by how often an overlapping input repeats a position).
"""
import numpy as np

from .. import _dtype as D
from .._device import as_device, xp_for, xp_of
from .._tensor import Tensor
from ._base import Op, _wrap, tensor_method
from ._inplace import check_inplace
from .._alloc import torch_alloc_errors

__all__ = ["as_strided", "as_strided_", "as_strided_scatter", "empty_strided", "empty_permuted", "slice_inverse"]


def _allocation(a):
    """(what owns a's memory: a NumPy array, or CuPy's allocation; a's byte offset into it; its byte size)."""
    if type(a) is np.ndarray:
        base = a
        while True:
            up = base.base
            if type(up).__name__ == "DummyArray":  # what np.lib.stride_tricks.as_strided views through
                up = up.base
            if not isinstance(up, np.ndarray):
                break
            base = up
        start = base.__array_interface__["data"][0]
        return base, a.__array_interface__["data"][0] - start, base.nbytes
    mem = a.data.mem  # CuPy: the allocation behind a's MemoryPointer
    return mem, a.data.ptr - mem.ptr, mem.size


def _strides(a):
    size = a.dtype.itemsize
    return tuple(s // size for s in a.strides)


def _offset(a):
    return _allocation(a)[1] // a.dtype.itemsize


@tensor_method("stride")
def stride(self, dim=None):
    """Element strides: per dim, or the one of `dim`. NumPy gives a size-1 dim it inserted
    (unsqueeze, reshape) stride 0; torch gives it the stride that dim would have if contiguous."""
    s = list(_strides(self._data))
    shape = self._data.shape
    for d in range(len(s) - 1, -1, -1):
        if shape[d] == 1 and s[d] == 0:
            s[d] = s[d + 1] * shape[d + 1] if d + 1 < len(s) else 1
    s = tuple(s)
    return s if dim is None else s[self._wrap_dim(dim)]


@tensor_method("storage_offset")
def storage_offset(self):
    """Where this tensor's first element sits in its storage, in elements."""
    return _offset(self._data)


@tensor_method("dim_order")
def dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (largest stride first; ties keep dim order)."""
    s = stride(self)
    return tuple(sorted(range(len(s)), key=lambda d: -s[d]))


@tensor_method("is_set_to")
def is_set_to(self, tensor):
    """Whether both tensors view the same memory with the same sizes, strides and offset."""
    a, b = self._data, tensor._data
    return (_allocation(a)[0] is _allocation(b)[0] and a.shape == b.shape and stride(self) == stride(tensor)
            and _offset(a) == _offset(b))


def contiguous_strides(shape):
    """The element strides of a contiguous tensor of `shape` (a size-0 or size-1 dim counted as 1)."""
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def _positions(xp, shape, strides, offset):
    """The storage position (in elements) of each element of a strided layout."""
    pos = xp.full(shape, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        pos = pos + (xp.arange(n, dtype=np.int64) * s).reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def _view(a, size, stride, offset):
    """The strided view of a's storage (strides and offset in elements of a's dtype)."""
    xp = xp_of(a)
    item = a.dtype.itemsize
    base = _allocation(a)[0]
    byte_strides = tuple(s * item for s in stride)
    if type(a) is not np.ndarray:  # CuPy: a pointer into the allocation
        ptr = xp.cuda.MemoryPointer(a.data.mem, offset * item)
        return xp.ndarray(size, dtype=a.dtype, memptr=ptr, strides=byte_strides)
    raw = base.reshape(-1, order="A").view(np.uint8)  # the allocation's bytes, still viewing it
    start = raw[offset * item:]
    flat = start[:len(start) - len(start) % item].view(a.dtype)
    return np.lib.stride_tricks.as_strided(flat, size, byte_strides, writeable=_distinct(size, stride))


def _distinct(size, stride):
    """Whether no two elements share memory (NumPy then keeps the view writable, as torch allows)."""
    dims = sorted((abs(s), n) for n, s in zip(size, stride) if n > 1)
    reach = 1
    for s, n in dims:
        if s < reach:
            return False
        reach = s * (n - 1) + reach
    return True


def _check_bounds(a, size, stride, offset):
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"[{', '.join(map(str, stride))}]")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    item = a.dtype.itemsize
    need = 0 if any(n == 0 for n in size) else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    have = _allocation(a)[2] // item
    if need > have:
        raise RuntimeError(f"setStorage: sizes [{', '.join(map(str, size))}], strides [{', '.join(map(str, stride))}],"
                           f" storage offset {offset}, and itemsize {item} requiring a storage size of {need * item} "
                           f"are out of bounds for storage of size {have * item}")


class AsStridedBackward0(Op):
    is_view = True

    def forward(self, x, size, stride, storage_offset):
        self.shape = x.shape
        xp = xp_of(x)
        self.x_pos = _positions(xp, x.shape, _strides(x), _offset(x))
        self.out_pos = _positions(xp, size, stride, storage_offset)
        return _view(x, size, stride, storage_offset)

    def backward(self, g):
        from .._creation import zeros

        xp = xp_of(self.x_pos)
        x_pos, out_pos = self.x_pos, self.out_pos
        if not x_pos.size or not out_pos.size:
            return zeros(self.shape, dtype=g._dtype, device=g.device)
        lo = min(int(x_pos.min()), int(out_pos.min()))  # only the storage span both touch
        span = max(int(x_pos.max()), int(out_pos.max())) + 1 - lo
        buf = zeros(span, dtype=g._dtype, device=g.device).index_add(0, _wrap(out_pos.reshape(-1) - lo),
                                                                       g.reshape(-1))
        grad = buf[_wrap(x_pos - lo)]
        uses = xp.bincount((x_pos - lo).reshape(-1), minlength=span)
        if int(uses.max()) > 1:  # an overlapping input: its repeated elements share the gradient
            grad = grad / _wrap(uses[x_pos - lo].astype(g._data.dtype))
        return grad


def _size_args(size, stride, storage_offset, input):
    size = tuple(int(n) for n in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    offset = _offset(input._data) if storage_offset is None else int(storage_offset)
    return size, stride, offset


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes, element strides and offset."""
    size, stride, offset = _size_args(size, stride, storage_offset, input)
    _check_bounds(input._data, size, stride, offset)
    return AsStridedBackward0.apply(input, size=size, stride=stride, storage_offset=offset)


def as_strided_(input, size, stride, storage_offset=None):
    """Restride input itself over its storage."""
    check_inplace(input)
    view = as_strided(input, size, stride, storage_offset)
    input._data = view._data
    if view._grad_fn is not None:
        input._grad_fn, input._output_nr = view._grad_fn, view._output_nr
    return input


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A contiguous copy of input with src written into its as_strided(size, stride, offset) view."""
    from .construction import scatter_into_view
    from .shape import contiguous_format

    out = input.clone(memory_format=contiguous_format)
    return scatter_into_view(out, as_strided(out, size, stride, 0 if storage_offset is None else storage_offset), src)


class SliceInverseBackward0(Op):
    """slice_inverse(x, src, dim, start, end, step): x's storage seen with src's geometry (x being
    src[start:end:step] along dim, this re-makes src from it). Gradients as torch's: x gets the
    slice of g, src the rest of g (slice_scatter of zeros). A view re-made from its base (after an
    in-place change) has no src input: its params carry src's geometry."""

    is_view = True

    def forward(self, x, src=None, *, size, stride, storage_offset, dim, start, end, step):
        self.dim, self.start, self.end, self.step = dim, start, end, step
        return _view(x, size, stride, storage_offset)

    def backward(self, g):
        key = (slice(None),) * self.dim + (slice(self.start, self.end, self.step),)
        gx = g[key]
        if len(self.next_functions) == 1:
            return gx
        from .indexing import slice_scatter
        from .._creation import zeros_like

        gsrc = slice_scatter(g, zeros_like(gx), self.dim, self.start, self.end, self.step) if self.needs_grad(1) \
            else None
        return gx, gsrc


def slice_inverse(input, src, dim=0, start=None, end=None, step=1):
    """The inverse of src.slice(dim, start, end, step) = input: input's storage viewed with src's sizes,
    strides and storage offset (what functionalization uses to re-make a sliced base)."""
    size, stride = tuple(src._data.shape), src.stride()
    offset = _offset(src._data)
    _check_bounds(input._data, size, stride, offset)
    return SliceInverseBackward0.apply(input, src, size=size, stride=stride, storage_offset=offset,
                                       dim=src._wrap_dim(dim), start=start, end=end, step=step)


# -- factories --------------------------------------------------------------------------------------------
@torch_alloc_errors
def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A zero-filled tensor with the given element strides (over a storage just large enough)."""
    from .._creation import _finish

    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    dtype = D.canonical(dtype) or D.get_default_dtype()
    xp = xp_for(as_device(device))
    need = 0 if any(n == 0 for n in size) else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    storage = xp.zeros(max(need, 1), dtype=D.np_dtype(dtype))
    return _finish(_view(storage, size, stride, 0), dtype, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A zero-filled tensor whose memory holds its dims in the order `physical_layout`."""
    from .._creation import zeros

    size, order = tuple(size), tuple(physical_layout)
    if sorted(order) != list(range(len(size))):
        raise RuntimeError(f"Dimension out of range or duplicated in physical_layout: "
                           f"[{', '.join(map(str, order))}]")
    t = zeros([size[d] for d in order], dtype=dtype, device=device, requires_grad=requires_grad)
    inverse = tuple(int(i) for i in np.argsort(order))
    t._data = t._data.transpose(inverse)
    return t


@tensor_method("new_empty_strided")
def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                      pin_memory=False):
    return empty_strided(size, stride, dtype=dtype or self._dtype, device=device or self.device,
                         requires_grad=requires_grad)


Tensor.as_strided = as_strided
Tensor.as_strided_ = as_strided_
Tensor.as_strided_scatter = as_strided_scatter
Tensor.slice_inverse = slice_inverse
