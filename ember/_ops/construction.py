"""Construction and small utilities: isin, cartesian_prod, combinations, block_diag,
diagflat, diagonal_scatter, unravel_index, renorm, scalar_tensor, frombuffer,
split_with_sizes, index_reduce, torch-level fill/zero_/detach/index_put_, the
predicates (is_same_size, is_nonzero, is_signed, typename, get_device), and Tensor
utilities (sum_to_size, type_as, new, resize_, fill_diagonal_, apply_/map_/map2_).

All differentiable ones are compositions of ember ops (indexing, cat, diagonal views,
scatter_reduce), so their gradients are those ops' gradients.
"""
import itertools
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._creation import _finish
from .._device import as_device, xp_for, xp_of
from .._tensor import Tensor
from ._base import Op, sum_to, tensor_method
from ._inplace import _TYPE_WORDS, check_inference_inplace, check_inplace, commit, inplace_method

__all__ = ["isin", "cartesian_prod", "combinations", "block_diag", "diagflat", "diagonal_scatter", "unravel_index",
           "renorm", "scalar_tensor", "frombuffer", "split_with_sizes", "index_reduce", "index_put_", "fill", "fill_",
           "zero_", "detach", "detach_", "is_same_size", "is_nonzero", "is_signed", "typename", "get_device",
           "resize_as_", "nonzero_static", "tril_indices", "triu_indices"]


# -- tril_indices / triu_indices --------------------------------------------------------------------
def _tri_indices(name, lower, row, col, offset, dtype, device):
    """The (2, n) row / column indices of a row x col matrix's lower (upper) triangle from diagonal
    `offset`, in row-major order, as torch lists them."""
    dtype = D.canonical(dtype) or D.int64
    if dtype.category != D._INT:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_TYPE_WORDS[dtype.name]}'")
    if row < 0 or col < 0:
        raise RuntimeError(f"{'row' if row < 0 else 'col'} must be non-negative, got{row if row < 0 else col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return _finish(xp_for(as_device(device)).asarray(np.stack([r, c]).astype(D.np_dtype(dtype))), dtype, False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices("tril_indices", True, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices("triu_indices", False, row, col, offset, dtype, device)


# -- isin -------------------------------------------------------------------------------------------
class _IsIn(Op):
    differentiable = False

    def forward(self, elements, test, invert):
        xp = xp_of(elements)
        return xp.isin(elements, test, invert=invert)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` is in `test_elements` (either may be a scalar)."""
    from .._creation import tensor

    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got (elements and test_elements both "
                        "scalars)")
    like = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(elements, Tensor):
        elements = tensor(elements, device=like.device)
    test = test_elements._data if isinstance(test_elements, Tensor) else test_elements
    return _IsIn.apply(elements, xp_of(elements._data).asarray(test).reshape(-1), invert=bool(invert))


# -- products and combinations ------------------------------------------------------------------------
def cartesian_prod(*tensors):
    """All tuples of one element from each 1-D tensor, as rows (itertools.product order)."""
    from .joining import stack
    from .shape import meshgrid

    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape [{', '.join(map(str, t._data.shape))}]")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-D tensor's elements, as rows (itertools order)."""
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape [{', '.join(map(str, input._data.shape))}]")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty(0)  # off the graph, as torch's
    n = input._data.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(n), r)), dtype=np.int64).reshape(-1, r)
    from .._creation import tensor

    return input[tensor(idx, device=input.device)]


def block_diag(*tensors):
    """The tensors (0-, 1- or 2-D, read as matrices) along the diagonal of one matrix."""
    from .._creation import zeros
    from .joining import cat

    mats = []
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if nd > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has {nd} "
                               "dimensions")
        mats.append(t.reshape(1, 1) if nd == 0 else t.reshape(1, -1) if nd == 1 else t)
    if not mats:
        return zeros(1, 0)
    dtype = mats[0]._dtype
    for m in mats[1:]:
        dtype = D.promote_types(dtype, m._dtype)
    width = sum(m._data.shape[1] for m in mats)
    rows, before = [], 0
    for m in mats:
        h, w = m._data.shape
        parts = [zeros(h, before, dtype=dtype, device=m.device), m.to(dtype),
                 zeros(h, width - before - w, dtype=dtype, device=m.device)]
        rows.append(cat(parts, 1))
        before += w
    return cat(rows, 0)


# -- diagonals ------------------------------------------------------------------------------------------
def diagflat(input, offset=0):
    """The flattened input on a diagonal of a square matrix."""
    from .misc import diag

    return diag(input.reshape(-1), offset)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input with src written on the given diagonal."""
    out = input.clone()
    return scatter_into_view(out, out.diagonal(offset, dim1, dim2), src)


def scatter_into_view(out, region, src):
    """src copied into `region`, a view of `out` (the *_scatter ops); returns out."""
    if region._data.shape != src._data.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"[{', '.join(map(str, src._data.shape))}], slice size = "
                           f"[{', '.join(map(str, region._data.shape))}]")
    region.copy_(src)
    return out


# -- indices --------------------------------------------------------------------------------------------
def unravel_index(indices, shape):
    """Flat indices -> a tuple of coordinate tensors for `shape` (torch's: floor-divide, then modulo)."""
    from .._creation import tensor

    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices)}")
    if indices._dtype.is_floating_point or indices._dtype is D.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices._dtype}")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    elif not isinstance(shape, (tuple, list)) or not all(isinstance(s, (int, np.integer)) for s in shape):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coefs = list(reversed(list(itertools.accumulate(reversed(shape[1:] + (1,)), lambda a, b: a * b))))
    dev = indices.device
    coords = indices.unsqueeze(-1).floor_divide(tensor(coefs, dtype=D.int64, device=dev)) % \
        tensor(shape, dtype=D.int64, device=dev)
    return tuple(coords.unbind(-1))


def nonzero_static(input, *, size, fill_value=-1):
    """nonzero(input) cut or padded with fill_value to exactly `size` rows."""
    from .indexing import nonzero
    from .joining import cat

    idx = nonzero(input)
    n = idx._data.shape[0]
    if n >= size:
        return idx[:size]
    pad = idx.new_full((size - n, idx._data.shape[1]), fill_value)
    return cat([idx, pad], 0)


def split_with_sizes(input, split_sizes, dim=0):
    from .shape import split

    return split(input, list(split_sizes), dim)


# -- renorm -----------------------------------------------------------------------------------------------
def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice along `dim` whose p-norm exceeds maxnorm scaled to norm maxnorm (/(norm + 1e-7))."""
    from .elementwise import _out
    from .reduction import vector_norm
    from .selection import where

    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"renorm_out\" not implemented for '{_TYPE_WORDS[input._dtype.name]}'")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input._data.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input._data.ndim} dimensions")
    d = input._wrap_dim(dim)
    others = tuple(i for i in range(input._data.ndim) if i != d)
    norm = vector_norm(input, p, others, True)
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return _out(input * factor, out)


# -- factories ----------------------------------------------------------------------------------------------
def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor holding s (the default float dtype unless given, whatever s is)."""
    from .._creation import full

    if isinstance(s, Tensor):
        s = s.item()
    return full((), s, dtype=D.canonical(dtype) or D.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor sharing the memory of an object with the buffer protocol."""
    from .._creation import _finish

    dtype = D.canonical(dtype)
    size = np.dtype(D.np_dtype(dtype)).itemsize
    view = memoryview(buffer)
    length = view.nbytes
    if length <= 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count <= 0 and (length - offset) % size:
        raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a multiple "
                         f"of element size ({size})")
    n = (length - offset) // size if count < 0 else count
    if offset + n * size > length:
        raise ValueError(f"requested buffer length ({n} * {size} bytes) after offset ({offset} bytes) must not be "
                         f"greater than actual buffer length ({length} bytes)")
    if view.readonly:
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                      "means you can write to the underlying (supposedly non-writable) buffer using the tensor. You "
                      "may want to copy the buffer to protect its data or make it writable before converting it to "
                      "a tensor. This type of warning will be suppressed for the rest of this program.",
                      UserWarning, stacklevel=2)
    arr = np.frombuffer(buffer, dtype=D.np_dtype(dtype), count=n, offset=offset)
    return _finish(arr, dtype, requires_grad)


# -- index_reduce, index_put_ -------------------------------------------------------------------------------
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """input with source's slices combined (prod, mean, amax or amin) into the slices index names."""
    from .indexing import scatter_reduce

    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if index._dtype not in (D.int64, D.int32):
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{_TYPE_WORDS[index._dtype.name]}")
    if index._data.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    idx = index.reshape(-1)
    d = input._wrap_dim(dim)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_reduce_(): self ({input._dtype.name.capitalize()}) and source "
                           f"({source._dtype.name.capitalize()}) must have the same scalar type")
    if input._data.ndim == 0:
        return index_reduce(input.reshape(1), 0, index, source.reshape(-1), reduce,
                            include_self=include_self).reshape(())
    n = idx._data.shape[0]
    if source._data.ndim != input._data.ndim or source._data.shape[d] != n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({n}) should be equal to source.size(dim): "
                           f"({source._data.shape[d] if source._data.ndim else 1}), for dim: {d}")
    view = [1] * source._data.ndim
    view[d] = n
    spread = idx.reshape(view).expand(source._data.shape)
    return scatter_reduce(input, d, spread, source, reduce, include_self=include_self)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return commit(self, index_reduce(self.clone(), dim, index, source, reduce, include_self=include_self))


def index_put_(input, indices, values, accumulate=False):
    return input.index_put_(indices, values, accumulate)


# -- torch-level forms of Tensor methods ------------------------------------------------------------------
def fill(input, value):
    """A new tensor of input's shape filled with value (zero gradient for input, as torch's)."""
    return input.clone().fill_(value)


def fill_(input, value):
    return input.fill_(value)


def zero_(input):
    return input.zero_()


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def get_device(input):
    return input.get_device()


def is_same_size(input, other):
    return input._data.shape == other._data.shape


def is_nonzero(input):
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def is_signed(input):
    return input._dtype.is_signed


def typename(obj):
    """'torch.FloatTensor' for a tensor; module.qualname for anything else, as torch.typename."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# -- Tensor utilities -----------------------------------------------------------------------------------------
@tensor_method("sum_to_size")
def sum_to_size(self, *size):
    """Sum self down to `size`, which self must be expandable from (undoing a broadcast)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    size = tuple(int(s) for s in size)
    shape = self._data.shape
    ok = len(size) <= len(shape) and all(s == n or s == 1 for s, n in zip(size[::-1], shape[::-1]))
    if not ok:
        raise RuntimeError(f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
                           f"{{[{', '.join(map(str, shape))}]}}.")
    if not size:  # torch's sum_to answers an empty size with tensor.sum(): bool/int -> int64
        return self.sum()
    return sum_to(self, size)


@tensor_method("type_as")
def type_as(self, other):
    return self.to(dtype=other._dtype, device=other.device)


@tensor_method("new")
def new(self, *args, device=None, other=None):
    """The legacy constructor with self's dtype and device: new(sizes...), new(sequence), new(),
    new(other=tensor) (torch's parser names that form's argument)."""
    from .._creation import _legacy_new

    if other is not None:
        args = (other,) + args
    return _legacy_new(Tensor, self._dtype, args, self.device if device is None else device)


@tensor_method("resize_")
def resize_(self, *sizes, memory_format=None):
    """Reshape in place to `sizes`; elements beyond the old count are zeros, as fresh memory."""
    from .._creation import _shape

    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    check_inference_inplace(self)
    shape = _shape(sizes, "resize_")
    n = math.prod(shape)
    flat = self._data.reshape(-1)
    if n == flat.size:
        self._data = flat.reshape(shape)
    else:
        data = xp_of(flat).zeros(n, dtype=flat.dtype)
        keep = min(n, flat.size)
        data[:keep] = flat[:keep]
        self._data = data.reshape(shape)
    self._bump_version()
    return self


@tensor_method("resize_as_")
def resize_as_(self, the_template, memory_format=None):
    return resize_(self, the_template._data.shape)


@tensor_method("resize")
def resize(self, *sizes):
    """Deprecated in torch: a new tensor of self's elements in another shape of the same size."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return self.contiguous().view(*sizes)


@tensor_method("resize_as")
def resize_as(self, tensor):
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return self.contiguous().view(tensor._data.shape)


@tensor_method("swapaxes_", "swapdims_")
def swapaxes_(self, axis0, axis1):
    return self.transpose_(axis0, axis1)


@tensor_method("fill_diagonal_")
def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal; a tall matrix restarts every n + 1 rows with wrap)."""
    from .._creation import tensor

    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = min(shape)
    if len(shape) == 2 and wrap and shape[0] > shape[1] + 1:
        rows = [i for i in range(shape[0]) if i % (shape[1] + 1) < shape[1]]
        cols = [i % (shape[1] + 1) for i in rows]
        key = (tensor(rows), tensor(cols))
    else:
        key = tuple(tensor(list(range(n))) for _ in shape)
    self[key] = fill_value
    return self


def _python_map(self, fn, *others):
    """Run a Python callable elementwise on the host, then write the results into self."""
    check_inplace(self)
    host = [t._data if type(t._data) is np.ndarray else t._data.get() for t in (self,) + others]
    if others:
        host = np.broadcast_arrays(*host)
        if host[0].shape != self._data.shape:
            raise RuntimeError("map_: the other tensors must broadcast to self's shape")
    out = np.array([fn(*vals) for vals in zip(*(h.reshape(-1).tolist() for h in host))],
                   dtype=self._data.dtype).reshape(self._data.shape)
    self._data[...] = out if type(self._data) is np.ndarray else xp_of(self._data).asarray(out)
    self._bump_version()
    return self


@tensor_method("apply_")
def apply_(self, callable):
    """self[i] = callable(self[i]) for each element (CPU tensors, as in torch)."""
    if self.device.type != "cpu":
        raise TypeError("apply_ is only implemented on CPU tensors")
    return _python_map(self, callable)


@tensor_method("map_")
def map_(self, other, callable):
    """self[i] = callable(self[i], other[i]), other broadcast to self's shape."""
    return _python_map(self, callable, other)


@tensor_method("map2_")
def map2_(self, x, y, callable):
    return _python_map(self, callable, x, y)


for _fn in (isin, diagflat, diagonal_scatter, renorm, index_reduce, split_with_sizes, nonzero_static):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.renorm_ = inplace_method(renorm)
Tensor.index_reduce_ = index_reduce_
Tensor.is_same_size = is_same_size
Tensor.is_nonzero = is_nonzero
Tensor.is_signed = is_signed
