"""Joining: cat (concat, concatenate), stack, hstack, vstack, dstack,
column_stack, atleast_1d/2d/3d.

cat promotes the inputs' dtypes as torch does (all operands count as tensors)
and, like torch, skips 1-D empty tensors whatever the other inputs' shapes
(a legacy rule kept for old code that started from `torch.tensor([])`).
"""
from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op
from .indexing import basic_index


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


class CatBackward0(Op):
    def forward(self, *arrays, dim, dtype, keep):
        self.dim, self.keep = dim, keep
        self.sizes = [a.shape[dim] for a in arrays] if keep is None else \
            [a.shape[dim] if k else 0 for a, k in zip(arrays, keep)]
        if keep is not None:
            arrays = [a for a, k in zip(arrays, keep) if k]
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        return xp_of(arrays[0]).concatenate(arrays, axis=dim, dtype=npdt, casting="unsafe")

    def backward(self, g):
        lead = (slice(None),) * self.dim
        out, start = [], 0
        for i, n in enumerate(self.sizes):
            if self.keep is not None and not self.keep[i]:  # a skipped empty input: an empty gradient
                out.append(Tensor._make(xp_of(g._data).zeros((0,), dtype=g._data.dtype), g._dtype))
                continue
            out.append(basic_index(g, lead + (slice(start, start + n),), "Slice"))
            start += n
        return tuple(out)


def _scan(tensors, name):
    """One pass over cat/stack's inputs: type checks, the promoted dtype, and
    whether all shapes are equal (the common case, which needs no more checks)."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = tuple(tensors)
    dtype = shape = None
    same = True
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        if dtype is None:
            dtype, shape = t._dtype, t._data.shape
            continue
        if t._dtype is not dtype:
            dtype = D.promote_types(dtype, t._dtype)
        if same and t._data.shape != shape:
            same = False
    return tensors, dtype, same


def cat(tensors, dim=0, *, out=None):
    if _amp.active: return _autocast("cat", cat, tensors, dim, out=out)  # noqa: E701
    tensors, dtype, same = _scan(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    keep = None
    ref = tensors[0]
    if not same:
        keep = tuple(not (t._data.ndim == 1 and t._data.shape[0] == 0) for t in tensors)
        if all(keep) or not any(keep):  # nothing to skip (only 1-D empties join into one)
            keep = None
        else:
            ref = tensors[keep.index(True)]
    for i, t in enumerate(tensors if not same else tensors[:1]):
        if not t._data.shape:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = ref._wrap_dim(dim)
    if not same:
        _check_cat_shapes(tensors, keep, ref._data.shape, d)
    return CatBackward0.apply(*tensors, dim=d, dtype=dtype, keep=keep)


def _check_cat_shapes(tensors, keep, rshape, d):
    for i, t in enumerate(tensors):
        shape = t._data.shape
        if shape == rshape or (keep is not None and not keep[i]):
            continue
        if len(shape) != len(rshape):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(rshape)} and {len(shape)}")
        for k, (a, b) in enumerate(zip(rshape, shape)):
            if k != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                                   f"got size {b} for tensor number {i} in the list.")


class StackBackward0(Op):
    def forward(self, *arrays, dim, dtype):
        self.dim = dim
        npdt = dtype.np if dtype.np is not None else D.np_dtype(dtype)
        key = (slice(None),) * dim + (None,)  # concatenating unsqueezed views beats np.stack's overhead
        return xp_of(arrays[0]).concatenate([(a if a.dtype == npdt else a.astype(npdt))[key] for a in arrays],
                                            axis=dim)

    def backward(self, g):
        lead = (slice(None),) * self.dim
        return tuple(basic_index(g, lead + (i,), "Select") for i in range(g._data.shape[self.dim]))


def stack(tensors, dim=0, *, out=None):
    if _amp.active: return _autocast("stack", stack, tensors, dim, out=out)  # noqa: E701
    tensors, dtype, same = _scan(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    if not same:
        for i, t in enumerate(tensors[1:], 1):
            if t._data.shape != shape:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"[{', '.join(map(str, shape))}] at entry 0 and "
                                   f"[{', '.join(map(str, t._data.shape))}] at entry {i}")
    d = tensors[0]._wrap_dim(dim, len(shape) + 1)
    return StackBackward0.apply(*tensors, dim=d, dtype=dtype)


def atleast_1d(*tensors):
    return _atleast(tensors, lambda t: t.reshape(1) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    def fix(t):
        nd = t._data.ndim
        return t.reshape(1, 1) if nd == 0 else t.unsqueeze(0) if nd == 1 else t

    return _atleast(tensors, fix)


def atleast_3d(*tensors):
    def fix(t):
        nd = t._data.ndim
        if nd == 0:
            return t.reshape(1, 1, 1)
        if nd == 1:
            return t.reshape(1, -1, 1)
        return t.unsqueeze(-1) if nd == 2 else t

    return _atleast(tensors, fix)


def _atleast(tensors, fix):
    if len(tensors) == 1:
        if isinstance(tensors[0], Tensor):
            return fix(tensors[0])
        return tuple(fix(t) for t in tensors[0])
    return tuple(fix(t) for t in tensors)


def hstack(tensors, *, out=None):
    tensors = [atleast_1d(t) for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors and tensors[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    return cat([atleast_2d(t) for t in _tensor_list(tensors, "vstack")], 0)


def dstack(tensors, *, out=None):
    return cat([atleast_3d(t) for t in _tensor_list(tensors, "dstack")], 2)


def column_stack(tensors, *, out=None):
    tensors = _tensor_list(tensors, "column_stack")
    return cat([t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors], 1)


concat = concatenate = cat
row_stack = vstack

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
           "atleast_1d", "atleast_2d", "atleast_3d"]
