"""Shape and view ops: view, reshape, expand, transpose, permute, squeeze,
unsqueeze, flatten, t, narrow, unfold, split/chunk/unbind, movedim; and the
copying ones: clone, contiguous, repeat, tile, flip, roll, repeat_interleave,
meshgrid, broadcast_tensors. Views share memory (and version counter) with
their base, as in PyTorch; `reshape` copies only when a view is impossible."""
import math
import operator
import warnings

import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._size import Size
from .._tensor import Tensor, _type_name
from ._base import Op, sum_to
from ._inplace import check_inplace
from .indexing import basic_index, index_select
from .joining import cat, stack


def _sizes(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    for a in args:
        if type(a) is not int:  # NumPy and 0-d tensor integers count; floats and strings are refused, as in torch
            return tuple(operator.index(a) for a in args)
    return tuple(args)


def _infer_shape(shape, numel):
    if min(shape, default=0) >= 0:  # the common case: nothing to infer
        if math.prod(shape) == numel:
            return shape
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape [{', '.join(map(str, shape))}] "
                               "because the unspecified dimension size -1 can be any value and is ambiguous")
        if numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


class ViewBackward0(Op):
    is_view = True

    saved_names = ("self_sym_sizes=in_shape",)

    def forward(self, x, shape):
        self.in_shape = x.shape
        out = x.view()
        try:
            out.shape = shape  # raises instead of copying when the strides don't allow a view
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead.") from None
        return out

    def backward(self, g):
        return g.reshape(self.in_shape)


class ReshapeAliasBackward0(ViewBackward0):
    pass


class UnsafeViewBackward0(Op):
    """reshape that had to copy: not a view."""

    saved_names = ("self_sym_sizes=in_shape",)

    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


def view(self, *shape, dtype=None):
    if dtype is not None:
        if shape:
            raise TypeError("view() received an invalid combination of arguments")
        return _view_dtype(self, dtype)
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)):
        from .. import _dtype as D

        if not isinstance(shape[0], D.dtype) and shape[0] not in D._PYTHON_TYPES and not isinstance(shape[0], Tensor):
            raise TypeError(f"view() received an invalid combination of arguments - got ({type(shape[0]).__name__}), "
                            "but expected one of: ...")
        return _view_dtype(self, shape[0])
    shape = _infer_shape(_sizes(shape), self._data.size)
    return ViewBackward0.apply(self, shape=shape)


def _view_dtype(self, dtype):
    """view(dtype): the same memory read as another dtype (a bit-cast; the last dimension scales when the
    element sizes differ, as in torch). Not differentiable, like torch's for differing dtypes."""
    from .. import _dtype as D

    if dtype == self._dtype:
        return self.view(self.shape)
    a = self._data
    new_np = D.np_dtype(dtype)
    old_size, new_size = a.dtype.itemsize, np.dtype(new_np).itemsize
    if old_size != new_size:
        names = D._SCALAR_TYPE_NAMES
        what = f"to view {names[self._dtype.name]} as {names[dtype.name]} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if a.shape[-1] != 1 and a.strides[-1] != old_size:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {a.strides[-1] // old_size}")
        if new_size > old_size and (a.shape[-1] * old_size) % new_size:
            raise RuntimeError(f"self.size(-1) must be divisible by {new_size // old_size} {what}, "
                               f"but got {a.shape[-1]}")
    return Tensor._make(a.view(new_np), dtype)


def reshape(input, *shape):
    shape = _infer_shape(_sizes(shape), input._data.size)
    if shape == input._data.shape or input._data.flags.c_contiguous:
        return ViewBackward0.apply(input, shape=shape)
    probe = input._data.view()
    try:
        probe.shape = shape
    except AttributeError:
        return UnsafeViewBackward0.apply(input, shape=shape)
    return ViewBackward0.apply(input, shape=shape)


def broadcast_array(x, shape):
    """x broadcast to `shape` as a read-only view (its elements share memory).

    For NumPy this builds the zero-stride view directly: 8x cheaper than
    np.broadcast_to, which matters in every sum/mean backward."""
    if type(x) is not np.ndarray or not x.flags.c_contiguous:
        return xp_of(x).broadcast_to(x, shape)
    if x.ndim:
        lead = len(shape) - x.ndim
        strides = (0,) * lead + tuple(0 if n == 1 and m != 1 else st
                                      for n, m, st in zip(x.shape, shape[lead:], x.strides))
    else:  # a 0-d gradient (of a full sum or mean) spread over the whole shape
        strides = (0,) * len(shape)
    out = np.ndarray(shape, x.dtype, x, 0, strides)
    out.flags.writeable = False
    return out


def expand_array(x, shape):
    """x expanded to `shape` (valid by construction), as a view of x."""
    lead = len(shape) - x.ndim
    if shape[lead:] == x.shape and shape[:lead].count(1) == lead:
        return x[(None,) * lead] if lead else x.view()  # nothing repeated: a writable view
    return broadcast_array(x, shape)


class ExpandBackward0(Op):
    is_view = True

    def forward(self, x, shape):
        self.in_shape = x.shape
        return expand_array(x, shape)

    def backward(self, g):
        return sum_to(g, self.in_shape)


def expand(self, *sizes):
    sizes = _sizes(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({_type_name(self)}{{[{', '.join(map(str, shape))}]}}, "
                           f"size=[{', '.join(map(str, sizes))}]): the number of sizes provided ({len(sizes)}) "
                           "must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s == -1:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                               f"Tensor sizes: [{', '.join(map(str, shape))}]")
        out.append(s)
    return ExpandBackward0.apply(self, shape=tuple(out))


def expand_as(self, other):
    return expand(self, other._data.shape)


class TransposeBackward0(Op):
    is_view = True

    saved_names = ("dim0=dims[0]", "dim1=dims[1]")

    def forward(self, x, dim0, dim1):
        self.dims = (dim0, dim1)
        return x.swapaxes(dim0, dim1) if x.ndim else x[...]  # a 0-d tensor transposes (0, 0) / (-1, -1)

    def backward(self, g):
        return g.transpose(*self.dims)


def transpose(input, dim0, dim1):
    d0, d1 = input._wrap_dim(dim0), input._wrap_dim(dim1)
    return TransposeBackward0.apply(input, dim0=d0, dim1=d1)


class TBackward0(TransposeBackward0):
    saved_names = ()


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    if input._data.ndim < 2:
        return TBackward0.apply(input, dim0=0, dim1=0) if input._data.ndim == 1 else \
            ViewBackward0.apply(input, shape=())
    return TBackward0.apply(input, dim0=0, dim1=1)


class PermuteBackward0(Op):
    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, g):
        return g.permute(tuple(np.argsort(self.dims)))


def permute(input, *dims):
    dims = _sizes(dims)
    if len(dims) != input._data.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {input._data.ndim} is not equal "
                           f"to len(dims) = {len(dims)}")
    dims = tuple(input._wrap_dim(d) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return PermuteBackward0.apply(input, dims=dims)


class UnsqueezeBackward0(Op):
    is_view = True

    def forward(self, x, dim):
        self.dim = dim
        return x[(slice(None),) * dim + (None,)]

    def backward(self, g):
        return g.squeeze(self.dim)


def unsqueeze(input, dim):
    d = input._wrap_dim(dim, input._data.ndim + 1)
    return UnsqueezeBackward0.apply(input, dim=d)


class SqueezeBackward0(Op):
    is_view = True

    def forward(self, x, dims):
        self.in_shape = x.shape
        return x.squeeze(axis=dims) if dims else x.view()

    def backward(self, g):
        return g.reshape(self.in_shape)


class SqueezeBackward1(SqueezeBackward0):
    pass


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        return SqueezeBackward0.apply(input, dims=dims)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    dims = tuple(d for d in (input._wrap_dim(d) for d in dims) if input._data.ndim and shape[d] == 1)
    return SqueezeBackward1.apply(input, dims=dims)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = input._wrap_dim(start_dim), input._wrap_dim(end_dim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    n = 1
    for x in shape[s:e + 1]:
        n *= x
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def ravel(input):
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    d = input._wrap_dim(dim)
    shape = input._data.shape
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if -1 in sizes:
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    if int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply up to the size "
                           f"of dim {dim} ({shape[d]}) in the input tensor")
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


# -- in-place shape changes (self's metadata changes, not its values) -------------------
def _inplace_view(fn):
    """x.unsqueeze_(d) and friends: self takes the view's array and history."""

    def method(self, *args, **kwargs):
        check_inplace(self)
        out = fn(self, *args, **kwargs)
        self._data = out._data
        if out._requires_grad:
            self._grad_fn, self._output_nr, self._requires_grad = out._grad_fn, out._output_nr, True
        if self._base is not None:
            self._view_fn = out._view_fn
        return self

    method.__name__ = fn.__name__ + "_"
    return method


# -- copies: clone, contiguous ---------------------------------------------------------
class _MemoryFormat:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name


preserve_format = _MemoryFormat("preserve_format")
contiguous_format = _MemoryFormat("contiguous_format")
channels_last = _MemoryFormat("channels_last")
channels_last_3d = _MemoryFormat("channels_last_3d")


class CloneBackward0(Op):
    def forward(self, x, order):
        return x.copy(order=order)

    def backward(self, g):
        return g


def clone(input, *, memory_format=preserve_format):
    """A copy; preserve_format keeps the strides' order (a transposed tensor stays so), as torch does."""
    return CloneBackward0.apply(input, order="C" if memory_format is contiguous_format else "K")


def contiguous(self, memory_format=contiguous_format):
    return self if self._data.flags.c_contiguous else CloneBackward0.apply(self, order="C")


# -- broadcasting ---------------------------------------------------------------------------
def broadcast_shapes(*shapes):
    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    out = []
    for i in range(1, max((len(s) for s in shapes), default=0) + 1):
        n = 1
        for s in shapes:
            if i <= len(s) and s[-i] != 1:
                if n != 1 and s[-i] != n:
                    raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape.  "
                                       f"Mismatch is between {n} and {s[-i]} at non-singleton dimension "
                                       f"{-i}.")
                n = s[-i]
        out.append(n)
    return Size(out[::-1])


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shapes = [t._data.shape for t in tensors]
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(1, ndim + 1):
        n, first = 1, None
        for k, s in enumerate(shapes):
            if i <= len(s) and s[-i] != 1:
                if n != 1 and s[-i] != n:
                    raise RuntimeError(f"The size of tensor a ({n}) must match the size of tensor b ({s[-i]}) "
                                       f"at non-singleton dimension {ndim - i}")
                n = s[-i]
        out.append(n)
    shape = tuple(out[::-1])
    return tuple(ExpandBackward0.apply(t, shape=shape) for t in tensors)


# -- moving dims ------------------------------------------------------------------------------
def _dim_list(input, dims, what):
    dims = [dims] if isinstance(dims, (int, np.integer)) else list(dims)
    dims = [input._wrap_dim(d) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"movedim: repeated dim in `{what}` ({dims})")
    return dims


def movedim(input, source, destination):
    if isinstance(source, (int, np.integer)) != isinstance(destination, (int, np.integer)):
        raise TypeError("movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__})")
    src = _dim_list(input, source, "source")
    dst = _dim_list(input, destination, "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    if input._data.ndim == 0:  # dims 0 and -1 name the scalar itself
        return PermuteBackward0.apply(input, dims=())
    rest = [d for d in range(input._data.ndim) if d not in src]
    order = [None] * input._data.ndim
    for s, d in zip(src, dst):
        order[d] = s
    it = iter(rest)
    order = [next(it) if o is None else o for o in order]
    return PermuteBackward0.apply(input, dims=tuple(order))


# -- narrow, select, unfold -------------------------------------------------------------
def narrow(input, dim, start, length):
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    start = int(start)
    if start < -size or start > size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return basic_index(input, (slice(None),) * d + (slice(start, start + length),), "Slice")


def select(input, dim, index):
    if input._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    index = int(index)
    if index < -size or index >= size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, input._data.shape))}] at dimension {d}")
    return basic_index(input, (slice(None),) * d + (index,), "Select")


def _unfold_array(x, dim, size, step):
    n = (x.shape[dim] - size) // step + 1
    shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
    st = x.strides
    strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
    xp = xp_of(x)
    if xp is np:
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=step >= size)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


class UnfoldBackward0(Op):
    """Windows of `size` every `step` along dim, as a new last dim (a strided view)."""

    is_view = True

    def forward(self, x, dim, size, step):
        self.in_shape, self.params = x.shape, (dim, size, step)
        return _unfold_array(x, dim, size, step)

    def backward(self, g):
        return UnfoldBackwardBackward0.apply(g, shape=self.in_shape, params=self.params)


class UnfoldBackwardBackward0(Op):
    """Sum each window's gradient back into place; for window offset j the
    windows' elements j are distinct, so a strided `+=` per j is exact."""

    def forward(self, g, shape, params):
        dim, size, step = params
        self.params = params
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        n = g.shape[dim]
        for j in range(size):
            key = (slice(None),) * dim + (slice(j, j + step * (n - 1) + 1, step),)
            out[key] += g[..., j]
        return out

    def backward(self, gg):
        dim, size, step = self.params
        return UnfoldBackward0.apply(gg, dim=dim, size=size, step=step)


def unfold(self, dimension, size, step):
    nd = self._data.ndim
    d = self._wrap_dim(dimension) if nd else 0
    cur = self._data.shape[d] if nd else 1
    if size > cur:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {cur} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if not nd:
        return ViewBackward0.apply(self, shape=(size,))
    return UnfoldBackward0.apply(self, dim=d, size=int(size), step=int(step))


# -- split, chunk, unbind, tensor_split --------------------------------------------------
class SplitWithSizesBackward0(Op):
    """Several views along dim, one node (torch's split). Missing output grads
    arrive as zeros (the engine materialises them). Params: dim as given (torch saves it so,
    a negative one shown unsigned), sizes, and split_size (split's int argument, None for sizes)."""

    is_view = True
    saved_names = ("dim=given_dim", "self_sym_sizes=in_shape", "split_sizes=sizes")

    def forward(self, x, dim, sizes, split_size=None):
        self.given_dim, self.split_size, self.sizes, self.in_shape = dim % 2 ** 64, split_size, sizes, x.shape
        self.dim = dim = dim % x.ndim
        lead = (slice(None),) * dim
        out, start = [], 0
        for n in sizes:
            out.append(x[lead + (slice(start, start + n),)])
            start += n
        return tuple(out)

    def backward(self, *grads):
        return cat(grads, self.dim)


class SplitBackward0(SplitWithSizesBackward0):
    saved_names = ("dim=given_dim", "self_sym_sizes=in_shape", "split_size=split_size")


class UnsafeSplitWithSizesBackward0(SplitWithSizesBackward0):
    """torch.unsafe_split_with_sizes: the parts share x's memory but are not tracked as its views
    (nor versioned with it): torch records them so (recurrent cells use them)."""

    is_view = False


class UnsafeSplitBackward0(SplitBackward0):
    is_view = False


def split(tensor, split_size_or_sections, dim=0):
    return _split(tensor, split_size_or_sections, dim, False)


def _split(tensor, split_size_or_sections, dim, unsafe):
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = tensor._wrap_dim(dim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        n = int(split_size_or_sections)
        if n < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={n}")
        if n == 0:
            if size:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
            sizes = (0,)
        else:
            sizes = (n,) * (size // n) + ((size % n,) if size % n else ())
            sizes = sizes or (0,)
        return (UnsafeSplitBackward0 if unsafe else SplitBackward0).apply(tensor, dim=dim, sizes=sizes, split_size=n)
    sizes = tuple(int(s) for s in split_size_or_sections)
    if sum(sizes) != size or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                           f"dimension {d}), but got split_sizes=[{', '.join(map(str, sizes))}]")
    return (UnsafeSplitWithSizesBackward0 if unsafe else SplitWithSizesBackward0).apply(tensor, dim=dim, sizes=sizes)


def chunk(input, chunks, dim=0):
    return _chunk(input, chunks, dim, False)


def _chunk(input, chunks, dim, unsafe):
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._data.shape[input._wrap_dim(dim)]
    return _split(input, max(-(-size // chunks), 1), dim, unsafe) if size else _split(input, [0] * chunks, dim, unsafe)


def tensor_split(input, indices_or_sections, dim=0):
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections._data.ndim == 0:
        indices_or_sections = int(indices_or_sections.item())
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(size, k)
        bounds, start = [], 0
        for i in range(k):
            start += q + (i < r)
            bounds.append(start)
        bounds = bounds[:-1]
    else:
        bounds = [int(b) for b in indices_or_sections]
    lead = (slice(None),) * d
    edges = [0] + bounds + [size]
    return tuple(basic_index(input, lead + (slice(a, max(a, b)),), "Slice") for a, b in zip(edges, edges[1:]))


class UnbindBackward0(Op):
    is_view = True

    def forward(self, x, dim):
        self.dim = dim
        if dim:
            x = xp_of(x).moveaxis(x, dim, 0)
        return tuple(x[i, ...] for i in range(x.shape[0]))

    def backward(self, *grads):
        return stack(grads, self.dim)


def unbind(input, dim=0):
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return UnbindBackward0.apply(input, dim=d)


def _split_along(name, input, indices_or_sections, dim, min_dims):
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {nd} dimensions!")
    if isinstance(indices_or_sections, (int, np.integer)):
        size = input._data.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    return _split_along("hsplit", input, indices_or_sections, 1 if input._data.ndim > 1 else 0, 1)


def vsplit(input, indices_or_sections):
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


# -- copies: repeat, tile, flip, roll, repeat_interleave, meshgrid --------------------------
class RepeatBackward0(Op):
    def forward(self, x, repeats):
        self.in_shape, self.repeats = x.shape, repeats
        lead = len(repeats) - x.ndim
        return xp_of(x).tile(x.reshape((1,) * lead + x.shape), repeats)

    def backward(self, g):
        # Output dim i of size r*n is (r, n): sum over the r copies.
        shape = (1,) * (len(self.repeats) - len(self.in_shape)) + tuple(self.in_shape)
        split = []
        for r, n in zip(self.repeats, shape):
            split += [r, n]
        return g.reshape(split).sum(tuple(range(0, 2 * len(shape), 2))).reshape(self.in_shape)


def repeat(self, *sizes):
    sizes = _sizes(sizes)
    if len(sizes) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"[{', '.join(map(str, sizes))}]")
    return RepeatBackward0.apply(self, repeats=sizes)


def tile(input, dims):
    dims = _sizes((dims,))
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


def _distinct_dims(input, dims):
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(input._wrap_dim(d) for d in dims)
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


class FlipBackward0(Op):
    def forward(self, x, dims):
        self.dims = dims
        return xp_of(x).flip(x, axis=dims).copy() if dims else x.copy()

    def backward(self, g):
        return FlipBackward0.apply(g, dims=self.dims)


def flip(input, *args, dims=None):
    # torch.flip(x, dims), x.flip(0, 1), x.flip((0, 1)) and dims= are all accepted
    dims = dims if dims is not None else args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    D.refuse_limited(input._dtype, "flip_cpu")
    return FlipBackward0.apply(input, dims=_distinct_dims(input, dims) if input._data.ndim else ())


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class RollBackward0(Op):
    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return xp_of(x).roll(x, shifts, axis=dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if self.dims is not None else -self.shifts
        return RollBackward0.apply(g, shifts=neg, dims=self.dims)


def roll(input, shifts, dims=None):
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            shifts = tuple(shifts)
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            shifts = shifts[0]
        return RollBackward0.apply(input, shifts=int(shifts), dims=None)
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    return RollBackward0.apply(input, shifts=shifts, dims=tuple(input._wrap_dim(d) for d in dims))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of dims (from the first towards the second)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = input._wrap_dim(dims[0]), input._wrap_dim(dims[1])
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return flip(input, (d1,)).transpose(d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(input, (d0,)).transpose(d0, d1)
    return clone(input)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along dim) repeated; an index_select, as in torch."""
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts
        counts = input._data
        xp = xp_of(counts)
        return Tensor._make(xp.repeat(xp.arange(counts.shape[0], dtype=np.int64), counts), input._dtype)
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = input._wrap_dim(dim)
    n = input._data.shape[d] if input._data.ndim else 1
    xp = xp_of(input._data)
    if isinstance(repeats, Tensor):
        counts = repeats._data.reshape(-1)
        if counts.size not in (1, n):
            raise RuntimeError("repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size({d}) = {n}")
        if counts.size and int(counts.min()) < 0:
            raise RuntimeError("repeats can not be negative")
    else:
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        counts = int(repeats)
    idx = Tensor._make(xp.repeat(xp.arange(n, dtype=np.int64), counts))
    return index_select(input if input._data.ndim else input.reshape(1), d, idx)


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    sizes = [t._data.size for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for i, t in enumerate(tensors):
        pos = order.index(i)
        view_shape = [1] * len(tensors)
        view_shape[pos] = sizes[i]
        out.append(expand(reshape(t, tuple(view_shape)), shape))
    return tuple(out)


Tensor.view = view
Tensor.view_as = lambda self, other: view(self, other._data.shape)
Tensor.reshape = reshape


def _reshape_function(input, shape):
    """torch.reshape(input, shape): a Tensor and one sequence of sizes (the method takes sizes as *args)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"reshape(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"reshape(): argument 'shape' (position 2) must be tuple of ints, not {type(shape).__name__}")
    return reshape(input, shape)


_reshape_function.__name__ = "reshape"
PUBLIC = {"reshape": _reshape_function}
Tensor.reshape_as = lambda self, other: reshape(self, other._data.shape)
Tensor.expand = expand
Tensor.expand_as = expand_as
Tensor.transpose = transpose
Tensor.swapaxes = Tensor.swapdims = transpose
Tensor.t = t
Tensor.T = property(lambda self: permute(self, tuple(range(self._data.ndim - 1, -1, -1))))
Tensor.mT = property(lambda self: transpose(self, -2, -1))
Tensor.permute = permute
Tensor.unsqueeze = unsqueeze
Tensor.squeeze = squeeze
Tensor.flatten = flatten
Tensor.unflatten = unflatten
Tensor.ravel = ravel
Tensor.unsqueeze_ = _inplace_view(unsqueeze)
Tensor.squeeze_ = _inplace_view(squeeze)
Tensor.t_ = _inplace_view(t)
Tensor.transpose_ = _inplace_view(transpose)
Tensor.clone = clone
Tensor.contiguous = contiguous
Tensor.broadcast_to = broadcast_to
Tensor.movedim = Tensor.moveaxis = movedim
Tensor.narrow = narrow
Tensor.select = select
Tensor.unfold = unfold
Tensor.split = split
Tensor.chunk = chunk
Tensor.tensor_split = tensor_split
Tensor.unbind = unbind
Tensor.repeat = repeat
Tensor.tile = tile
Tensor.flip = flip
Tensor.fliplr = fliplr
Tensor.flipud = flipud
Tensor.roll = roll
Tensor.repeat_interleave = repeat_interleave
Tensor.rot90 = rot90
Tensor.hsplit = hsplit
Tensor.vsplit = vsplit
Tensor.dsplit = dsplit

moveaxis = movedim
swapaxes = swapdims = transpose

__all__ = ["view", "reshape", "expand", "transpose", "t", "permute", "unsqueeze", "squeeze", "flatten", "unflatten",
           "expand_as", "clone", "broadcast_shapes", "broadcast_to", "broadcast_tensors", "movedim", "moveaxis",
           "swapaxes", "swapdims", "narrow", "select", "split", "chunk", "tensor_split", "unbind", "tile", "flip",
           "fliplr", "flipud", "roll", "repeat_interleave", "meshgrid", "rot90", "hsplit", "vsplit", "dsplit",
           "ravel", "preserve_format", "contiguous_format", "channels_last", "channels_last_3d"]
