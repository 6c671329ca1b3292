"""Shape and view ops: view, reshape, expand, transpose, permute, squeeze,
unsqueeze, flatten, t. Views share memory (and version counter) with their
base, as in PyTorch; `reshape` copies only when a view is impossible."""
import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ._base import Op


def _sizes(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _infer_shape(shape, numel):
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
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


class ViewBackward0(Op):
    is_view = True

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

    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


def view(self, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)):
        return _view_dtype(self, shape[0])
    shape = _infer_shape(_sizes(shape), self._data.size)
    return ViewBackward0.apply(self, shape=shape)


def _view_dtype(self, dtype):
    raise RuntimeError("ember does not support reinterpreting a tensor as another dtype with view(dtype)")


def reshape(input, *shape):
    shape = _infer_shape(_sizes(shape), input._data.size)
    if shape == input._data.shape:
        return ViewBackward0.apply(input, shape=shape)
    probe = input._data.view()
    try:
        probe.shape = shape
    except AttributeError:
        return UnsafeViewBackward0.apply(input, shape=shape)
    return ViewBackward0.apply(input, shape=shape)


class ExpandBackward0(Op):
    is_view = True

    def forward(self, x, shape):
        self.in_shape = x.shape
        return xp_of(x).broadcast_to(x, shape)

    def backward(self, g):
        from ._base import sum_to

        return sum_to(g, self.in_shape)


def expand(self, *sizes):
    sizes = _sizes(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
                           "the number of sizes provided ({}) must be greater or equal to the number of dimensions "
                           "in the tensor ({})".format(len(sizes), len(shape)))
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

    def forward(self, x, dim0, dim1):
        self.dims = (dim0, dim1)
        return x.swapaxes(dim0, dim1)

    def backward(self, g):
        return g.transpose(*self.dims)


def transpose(input, dim0, dim1):
    d0, d1 = input._wrap_dim(dim0), input._wrap_dim(dim1)
    return TransposeBackward0.apply(input, dim0=d0, dim1=d1)


class TBackward0(TransposeBackward0):
    pass


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
        return np.expand_dims(x, dim) if type(x) is np.ndarray else x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])

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


def unflatten(input, dim, sizes):
    d = input._wrap_dim(dim)
    shape = input._data.shape
    sizes = tuple(sizes)
    if -1 in sizes:
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


Tensor.view = view
Tensor.view_as = lambda self, other: view(self, other._data.shape)
Tensor.reshape = reshape
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
Tensor.ravel = lambda self: reshape(self, (-1,))

__all__ = ["view", "reshape", "expand", "transpose", "t", "permute", "unsqueeze", "squeeze", "flatten", "unflatten", "expand_as"]
