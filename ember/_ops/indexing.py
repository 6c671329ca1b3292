"""Indexing: `x[key]`, `x[key] = v`, and the gather/scatter/index_*/masked_* family.

`x[key]` follows torch, which follows NumPy with one difference: integers are
applied first (as `select`), so `x[0, :, [1, 2]]` has shape (4, 2) for a
(3, 4, 5) tensor where NumPy would give (2, 4). So a key is split in two:

- the basic part (ints, slices, None, Ellipsis): one NumPy view, a view op
  here too (shares memory and version counter, records `_view_fn`);
- the advanced part (lists, integer arrays/tensors, bool masks), applied on
  that view with NumPy's rules: a copy, `IndexBackward0`, whose gradient
  scatters back with `np.add.at` (repeated indices accumulate).

`x[key] = v` writes through `commit` (see _inplace.py): a view plus `copy_`
for basic keys (CopySlices in the graph), `index_put` for advanced ones.
"""
import re
import warnings
from collections.abc import Sequence as _Sequence

import numpy as np

from .. import _dtype as D
from .._creation import _flat_iter, _python_array
from .._device import xp_of
from .._tensor import Tensor
from ..autograd import grad_mode
from .._autocast import call as _autocast, state as _amp
from .._tensor import _type_name
from ._base import Op, _wrap
from .elementwise import _broadcast_check
from ._inplace import _TYPE_WORDS, _check_broadcast_to, _to_device_of, check_inplace, commit, copy_

_state = grad_mode.state
_INT_INDEX = (D.int64, D.int32, D.int16, D.int8)
_int_types = (int, np.integer)
_FULL = slice(None)


# -- key parsing -------------------------------------------------------------------------
_SEQUENCES = (list, tuple, range, np.ndarray)


def _is_sequence(k):
    """Python's sequence protocol, which torch's indexing asks for (PySequence_Check): lists,
    tuples, ranges, arrays, deques... Strings are sequences too, refused as torch refuses them."""
    return isinstance(k, _SEQUENCES) or isinstance(k, _Sequence) and not isinstance(k, (str, bytes))


def _index_array(t, xp):
    """An index tensor or sequence as an array of integers or bools, with torch's refusals."""
    if isinstance(t, Tensor):
        a, dt = t._data, t._dtype
        if dt is D.bool_ or dt is D.uint8:
            return a.astype(bool, copy=False)
        if dt.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return a
    return xp.asarray(_sequence_index(t))


def _sequence_index(seq):
    """A Python sequence or NumPy array used as an index, as torch's indexing_tensor_from_data
    reads it: bool (and uint8, NumPy's byte) data is a mask, anything else becomes int64
    (floats truncated); tensors inside must be single integers."""
    if isinstance(seq, np.ndarray):
        a = seq
    else:
        if not isinstance(seq, (list, tuple)):
            seq = list(seq)  # range, deque...
        for v in _flat_iter(seq):
            if isinstance(v, Tensor) and (v._data.size != 1 or v._dtype.is_floating_point):
                raise TypeError("only integer tensors of a single element can be converted to an index")
            if isinstance(v, complex):
                raise TypeError("'complex' object cannot be interpreted as an integer")
        a = _python_array(seq)
    kind = a.dtype.kind
    if kind == "b":
        return a
    if a.dtype == np.uint8:
        return a.astype(bool)
    if kind in "iuf" or a.size == 0:
        return a.astype(np.int64, copy=False)
    if kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _parse(x, key):
    """Split `key` into (basic NumPy key, kind, advanced key or None).

    kind names the torch node of the basic part (Select, Slice, Unsqueeze, Alias).
    The advanced key is meant for the array the basic key gives.
    """
    if type(key) is not tuple:
        # torch's legacy rule (NumPy's old one): a short list holding sequences,
        # tensors, slices, None or Ellipsis is a tuple of indices.
        if not isinstance(key, (Tensor, np.ndarray)) and _is_sequence(key) and len(key) < 32 and any(
                k is None or k is Ellipsis or isinstance(k, (slice, Tensor, str)) or _is_sequence(k) for k in key):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
                          "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
                          "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
                          "or a different result", UserWarning, stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    shape = x._data.shape
    ndim = len(shape)
    # Dims each item consumes, to place an Ellipsis and to check the count.
    used = 0
    has_adv = False
    items = []
    for k in key:
        if isinstance(k, Tensor) and k._data.ndim == 0 and not k._dtype.is_floating_point and k._dtype is not D.bool_:
            k = int(k._data)  # a 0-d integer tensor selects, as an int does
        if k is None or k is Ellipsis:
            pass
        elif isinstance(k, (_int_types, slice)) and not isinstance(k, bool):
            used += 1
        else:
            if isinstance(k, bool):
                k = np.asarray(k)
            elif not isinstance(k, Tensor):
                if not _is_sequence(k):
                    _bad_index(k)
                k = _sequence_index(k)  # lists, ranges, arrays: int64 or a bool mask
            mask = isinstance(k, Tensor) and k._dtype in (D.bool_, D.uint8) or \
                isinstance(k, np.ndarray) and k.dtype == bool
            used += (k._data.ndim if isinstance(k, Tensor) else k.ndim) if mask else 1
            has_adv = True
        items.append(k)
    if used > ndim:
        if ndim == 0:
            raise IndexError(_ZERO_DIM_MSG)
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic = []
    adv = [] if has_adv else None
    kind = None
    dim = 0  # dim of x that the next item indexes
    seen_ellipsis = False
    for k in items:
        if k is None:
            basic.append(None)
            kind = "Unsqueeze"
            if has_adv:
                adv.append(_FULL)
        elif k is Ellipsis:
            kind = kind or "Alias"
            if seen_ellipsis:
                # torch moves past the unindexed dims again: anything that still indexes is out of range.
                dim += ndim - used
                continue
            seen_ellipsis = True
            n = ndim - used
            basic.append(Ellipsis)
            dim += n
            if has_adv:
                adv.extend([_FULL] * n)
        elif dim >= ndim:  # only after a second ellipsis
            if isinstance(k, slice) and k == _FULL:
                continue
            raise IndexError(f"index {k} is out of bounds for dimension {dim} with size 0")
        elif isinstance(k, slice):
            if k.step is not None and k.step <= 0:
                raise ValueError("slice step cannot be zero" if k.step == 0 else "step must be greater than zero")
            basic.append(k)
            if k != _FULL or len(items) == 1:
                kind = "Slice"
            if has_adv:
                adv.append(_FULL)
            dim += 1
        elif isinstance(k, _int_types) and not isinstance(k, bool):
            size = shape[dim]
            if k >= size or k < -size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            basic.append(int(k))
            kind = "Select"
            dim += 1
        else:
            a = _index_array(k, xp_of(x._data))
            n = a.ndim if a.dtype == bool else 1
            if a.dtype == bool:
                _check_mask(a, shape, dim)
            basic.extend([_FULL] * n)  # the dims it indexes (none for a scalar bool)
            adv.append(a)
            dim += n
    return tuple(basic), kind or "Alias", (tuple(adv) if has_adv else None)


def _bad_index(k):
    if isinstance(k, str):
        raise TypeError("new(): invalid data type 'str'")
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                     f"indices (got {type(k).__name__})")


_ZERO_DIM_MSG = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                 "convert a 0-dim tensor to a number")


def _check_mask(mask, shape, dim):
    for i, n in enumerate(mask.shape):
        if dim + i >= len(shape) or shape[dim + i] != n:
            raise IndexError(f"The shape of the mask [{', '.join(map(str, mask.shape))}] at index {i} does not "
                             f"match the shape of the indexed tensor [{', '.join(map(str, shape))}] at index "
                             f"{dim + i}")


def _is_trivial(basic):
    return all(k == _FULL or k is Ellipsis for k in basic)


_NP_BROADCAST = re.compile(r"shapes? ((?:\([0-9, ]*\) ?)+)")


def _torch_index_error(e):
    """NumPy's advanced-indexing IndexError, worded as torch's."""
    msg = str(e)
    if "out of bounds" in msg:
        return IndexError(msg.replace("axis", "dimension"))
    if "shape mismatch" in msg:
        m = _NP_BROADCAST.search(msg)
        shapes = re.findall(r"\(([0-9, ]*)\)", m.group(1)) if m else []
        shapes = ", ".join("[" + ", ".join(p.strip() for p in s.split(",") if p.strip()) + "]" for s in shapes)
        return IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}")
    return IndexError(msg)


# -- basic indexing: a view ------------------------------------------------------------
class _BasicIndex(Op):
    """x[key] for ints, slices, None and Ellipsis: a NumPy view."""

    is_view = True

    def forward(self, x, key):
        self.in_shape = x.shape
        self.key = key
        out = x[key]
        if isinstance(out, np.generic):  # NumPy gives a scalar (a copy) for a full int key
            out = x[key + (Ellipsis,)]
        return out

    def backward(self, g):
        return _BasicIndexGrad.apply(g, shape=self.in_shape, key=self.key)


class SelectBackward0(_BasicIndex):
    pass


class SliceBackward0(_BasicIndex):
    pass


class UnsqueezeBackward0(_BasicIndex):
    pass


class AliasBackward0(_BasicIndex):
    pass


_BASIC_OPS = {"Select": SelectBackward0, "Slice": SliceBackward0, "Unsqueeze": UnsqueezeBackward0,
              "Alias": AliasBackward0}


class _BasicIndexGrad(Op):
    """zeros(shape) with [key] = g: the gradient of a basic index (and its own
    gradient is the basic index again)."""

    def forward(self, g, shape, key):
        self.key = key
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        out[key] = g
        return out

    def backward(self, gg):
        return SliceBackward0.apply(gg, key=self.key)


def basic_index(x, key, kind="Slice"):
    """A view of x by a NumPy basic key (used by narrow, split, select...)."""
    return _BASIC_OPS[kind].apply(x, key=key)


# -- advanced indexing: a copy -------------------------------------------------------
def _key_on_device_of(x, key):
    """torch moves CPU index tensors to the indexed tensor's device; CUDA indices of a CPU tensor are refused."""
    if not isinstance(key, tuple):
        return _key_on_device_of(x, (key,))[0]
    if type(x) is np.ndarray:
        if any(hasattr(k, "__cuda_array_interface__") for k in key):
            raise RuntimeError("indices should be either on cpu or on the same device as the indexed tensor (cpu)")
        return key
    return tuple(xp_of(x).asarray(k) if type(k) is np.ndarray else k for k in key)


class IndexBackward0(Op):
    def forward(self, x, key):
        self.in_shape = x.shape
        key = self.key = _key_on_device_of(x, key)
        try:
            return x[key]
        except IndexError as e:
            raise _torch_index_error(e) from None

    def backward(self, g):
        return IndexPutBackward0.apply(_zeros(g, self.in_shape), g, key=self.key, accumulate=True)


def _zeros(like, shape):
    return Tensor._make(xp_of(like._data).zeros(shape, dtype=like._data.dtype), like._dtype)


def add_rows(out, idx, values):
    """out[idx] += values for a 1-D integer idx along out's first axis, repeated rows
    accumulating (embedding, index_select and index_put backward). On NumPy: rows sorted,
    equal runs summed by one reduceat, one fancy add (np.add.at is ~10x slower)."""
    xp = xp_of(out)
    if xp is not np:
        out.scatter_add(idx, values)  # cupyx.scatter_add: repeated rows accumulate
        return
    if idx.size == 0:
        return
    idx = np.where(idx < 0, idx + out.shape[0], idx) if idx.min() < 0 else idx
    order = np.argsort(idx, kind="stable")
    rows = idx[order]
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    values = np.broadcast_to(values, idx.shape + out.shape[1:])[order]
    lengths = np.diff(np.append(starts, rows.size))
    if lengths.max() > 64:  # long runs: reduceat, whose cost grows with the number of runs
        out[rows[starts]] += np.add.reduceat(values, starts, axis=0)
        return
    # else one fancy add per rank within a run (each touches every row at most once), in order
    rank = np.arange(rows.size) - np.repeat(starts, lengths)
    for r in range(int(lengths.max())):
        sel = rank == r
        out[rows[sel]] += values[sel]


def _row_key(key, out):
    """The axis a key selects rows along when it is (:, ..., :, 1-D int array), else None."""
    if type(key) is not tuple or not key:
        return None
    last = key[-1]
    if not (isinstance(last, np.ndarray) and last.ndim == 1 and last.dtype.kind in "iu"):
        return None
    if any(k is not _FULL for k in key[:-1]) or len(key) > out.ndim:
        return None
    return len(key) - 1


class IndexPutBackward0(Op):
    """x.index_put(key, values, accumulate): a copy of x with x[key] set (or added)."""

    def forward(self, x, values, key, accumulate):
        key = self.key = _key_on_device_of(x, key)
        self.accumulate = accumulate
        out = x.copy()
        if isinstance(values, (bool, int, float)):
            values_arr = values
        else:
            values_arr = _to_device_of(values, x).astype(x.dtype, copy=False)
        try:
            axis = _row_key(key, out) if accumulate and not isinstance(values, (bool, int, float)) else None
            if axis is not None and values_arr.ndim == out.ndim and values_arr.shape[axis] == key[-1].size:
                xp = xp_of(x)
                add_rows(xp.moveaxis(out, axis, 0), key[-1], xp.moveaxis(values_arr, axis, 0))
            elif accumulate:
                xp_of(x).add.at(out, key, values_arr)
            else:
                out[key] = values_arr
        except IndexError as e:
            raise _torch_index_error(e) from None
        except ValueError:
            region = x[key].shape
            raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, np.shape(values)))}] "
                               f"cannot be broadcast to indexing result of shape "
                               f"[{', '.join(map(str, region))}]") from None
        return out

    def backward(self, g):
        grad_self = g if self.accumulate else IndexPutBackward0.apply(g, 0, key=self.key, accumulate=False)
        return grad_self, IndexBackward0.apply(g, key=self.key)


# -- x[key], x[key] = value --------------------------------------------------------------------
def getitem(self, key):
    t = type(key)
    if t is int:  # fast paths: x[i], x[a:b]
        shape = self._data.shape
        if shape and -shape[0] <= key < shape[0]:
            return SelectBackward0.apply(self, key=(key,))
    elif t is slice and self._data.ndim and (key.step is None or key.step > 0):
        return SliceBackward0.apply(self, key=(key,))
    elif t is Tensor and key._dtype in _INT_INDEX and key._data.ndim and self._data.ndim:  # x[idx]
        return IndexBackward0.apply(self, key=(key._data,))
    basic, kind, adv = _parse(self, key)
    if adv is None:
        return _BASIC_OPS[kind].apply(self, key=basic)
    x = self if _is_trivial(basic) else _BASIC_OPS[kind].apply(self, key=basic)
    return IndexBackward0.apply(x, key=adv)


def _value_tensor(value, like):
    """A Tensor or a Python number; torch refuses lists and arrays as values."""
    if isinstance(value, Tensor):
        shape = value._data.shape
        if shape and shape[0] == 1:  # torch drops the value's leading 1s (a [1] value fits a 0-d slot)
            n = 0
            while n < len(shape) and shape[n] == 1:
                n += 1
            value = value.reshape(shape[n:])
        return value
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        return value
    t = type(value)
    name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"
    raise TypeError(f"can't assign a {name} to a {_type_name(like)}")


def _same_dtype(self, source, what):
    """index_put/index_add/index_copy/masked_scatter refuse to cast their source."""
    if isinstance(source, Tensor) and source._dtype is not self._dtype:
        a, b = _TYPE_WORDS[self._dtype.name], _TYPE_WORDS[source._dtype.name]
        raise RuntimeError({
            "index_put": f"Index put requires the source and destination dtypes match, got {a} for the "
                         f"destination and {b} for the source.",
            "index_add": f"index_add_(): self ({a}) and source ({b}) must have the same scalar type",
            "index_copy": f"index_copy_(): self and source expected to have the same dtype, but got (self) {a} "
                          f"and (source) {b}",
            "masked_scatter": f"masked_scatter: expected self and source to have same dtypes but got{a} and {b}",
        }[what])


def setitem(self, key, value):
    basic, kind, adv = _parse(self, key)
    value = _value_tensor(value, self)
    if adv is not None:
        _same_dtype(self, value, "index_put")
    recording = _state.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
                                    or (self._base is not None and self._base._requires_grad))
    if recording:
        target = self if adv is not None and _is_trivial(basic) else _BASIC_OPS[kind].apply(self, key=basic)
        if adv is None:
            copy_(target, value) if isinstance(value, Tensor) else target.fill_(value)
        else:
            commit(target, IndexPutBackward0.apply(target, value, key=adv, accumulate=False))
        return
    check_inplace(self)
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor):
        v = _to_device_of(v, self._data)
    try:
        if adv is None:
            self._data[basic] = v
        else:
            self._data[basic][adv] = v
    except IndexError as e:
        raise _torch_index_error(e) from None
    except ValueError:
        region = self._data[basic].shape if adv is None else self._data[basic][adv].shape
        raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, np.shape(v)))}] cannot "
                           f"be broadcast to indexing result of shape [{', '.join(map(str, region))}]") from None
    self._bump_version()


def index_put(input, indices, values, accumulate=False):
    """input with input[indices] = values (or += when accumulate), out of place."""
    key = tuple(_index_array(i, xp_of(input._data)) for i in indices)
    _same_dtype(input, values, "index_put")
    return IndexPutBackward0.apply(input, values, key=key, accumulate=bool(accumulate))


def index_put_(self, indices, values, accumulate=False):
    return commit(self, index_put(self, indices, values, accumulate))


# -- gather / scatter ----------------------------------------------------------------------------
def _check_index(index, name):
    """The index of a gather / scatter as an int32/int64 tensor (torch accepts an empty index of any dtype)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._dtype is not D.int64 and index._dtype is not D.int32:
        if index._data.size:
            raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
        return index.to(D.int64)
    return index


def _check_gather_shapes(name, input, dim, index, src=None):
    if not index._data.size:  # torch checks nothing more for an empty index
        return
    nd = max(input._data.ndim, 1)
    if max(index._data.ndim, 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    ishape = input._data.shape or (1,)
    xshape = index._data.shape or (1,)
    for d in range(nd):
        if d != dim and xshape[d] > ishape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(xshape)} to be no "
                               f"larger than self {list(ishape)} apart from dimension {dim}")
        if src is not None and xshape[d] > (src._data.shape or (1,))[d]:
            raise RuntimeError(f"Expected index {list(xshape)} to be no larger than src "
                               f"{list(src._data.shape)} apart from dimension {dim}")
    if index._data.size:
        size = ishape[dim]
        hi, lo = int(index._data.max()), int(index._data.min())
        if hi >= size or lo < -size or lo < 0:
            bad = hi if hi >= size else lo
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _grid(index, dim):
    """The full NumPy key addressing input[..., index[...], ...] along dim."""
    xp = xp_of(index)
    nd = index.ndim
    key = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1)) for i, n in enumerate(index.shape)]
    key[dim] = index
    return tuple(key)


def _region(index):
    """The leading block of a src tensor that an index of this shape reads."""
    return tuple(slice(0, n) for n in index.shape)


def _fit_grad(grad, index, shape):
    """A gradient for src's leading block, zero-padded to src's full shape."""
    if grad._data.shape == shape:
        return grad
    return _BasicIndexGrad.apply(grad, shape=shape, key=_region(index))


def _scatter_add_into(out, key, values):
    """out[key] += values, repeated positions accumulating (scatter_add, gather's backward). A dense
    scatter on NumPy (values at least a quarter of out) is one bincount over flat positions, summed in
    float64 and rounded once (np.add.at runs ~15x slower there); a sparse one stays np.add.at."""
    xp = xp_of(out)
    if (xp is np and out.dtype.kind == "f" and out.dtype.itemsize >= 4 and values.size > 4096
            and 4 * values.size >= out.size):
        flat = np.ravel_multi_index(np.broadcast_arrays(*key), out.shape).ravel()
        out += np.bincount(flat, weights=np.ascontiguousarray(values).ravel(),
                           minlength=out.size).reshape(out.shape)
        return
    xp.add.at(out, key, values)


class GatherBackward0(Op):
    def forward(self, x, index, dim):
        self.in_shape, self.index, self.dim = x.shape, index, dim
        return x[_grid(index, dim)] if index.size else xp_of(x).empty(index.shape, dtype=x.dtype)

    def backward(self, g):
        return ScatterAddBackward0.apply(_zeros(g, self.in_shape), g, index=self.index, dim=self.dim)


class ScatterAddBackward0(Op):
    def forward(self, x, src, index, dim):
        self.src_shape, self.index, self.dim = src.shape, index, dim
        out = x.copy()
        if index.size:
            _scatter_add_into(out, _grid(index, dim), src[_region(index)])
        return out

    def backward(self, g):
        grad_src = GatherBackward0.apply(g, index=self.index, dim=self.dim)
        return g, _fit_grad(grad_src, self.index, self.src_shape)


class ScatterBackward0(Op):
    """scatter with a src tensor; ScatterBackward1: with a scalar value."""

    def forward(self, x, src, index, dim):
        self.index, self.dim = index, dim
        out = x.copy()
        if hasattr(src, "shape"):
            self.src_shape = src.shape
            src = src[_region(index)]
        if index.size:
            out[_grid(index, dim)] = src
        return out

    def backward(self, g):
        grad_self = ScatterBackward1.apply(g, 0, index=self.index, dim=self.dim)
        if self.next_functions[1][0] is None:
            return grad_self, None
        grad_src = GatherBackward0.apply(g, index=self.index, dim=self.dim)
        return grad_self, _fit_grad(grad_src, self.index, self.src_shape)


class ScatterBackward1(ScatterBackward0):
    pass


def _as_1d(fn, shape, input, dim, index, *rest, **kwargs):
    """gather/scatter/index_* with a 0-d input, index or src: torch reads each as a 1-D tensor of
    one element; the result takes `shape` (the input's for scatters, the index's for gather)."""
    one = [t.reshape(1) if isinstance(t, Tensor) and t._data.ndim == 0 else t for t in (input, index) + rest]
    return fn(one[0], dim, one[1], *one[2:], **kwargs).reshape(shape)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    index = _check_index(index, "gather")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0 or index._data.ndim == 0:
        return _as_1d(gather, index._data.shape, input, d, index)
    _check_gather_shapes("gather", input, d, index)
    return GatherBackward0.apply(input, index=index._data, dim=d)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    index = _check_index(index, "scatter")
    if src is None:
        src = value
    if reduce is not None:
        if reduce == "multiply":
            raise NotImplementedError("ember: scatter(reduce='multiply') is not supported")
        if reduce != "add":
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        if not isinstance(src, Tensor):
            src = Tensor._make(xp_of(input._data).full(index._data.shape, src, dtype=input._data.dtype), input._dtype)
        return scatter_add(input, dim, index, src)
    d = input._wrap_dim(dim)
    if input._data.ndim == 0 or index._data.ndim == 0 or isinstance(src, Tensor) and src._data.ndim == 0:
        return _as_1d(scatter, input._data.shape, input, d, index, src)
    if isinstance(src, Tensor):
        _check_gather_shapes("scatter", input, d, index, src)
        if src._dtype is not input._dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        return ScatterBackward0.apply(input, src, index=index._data, dim=d)
    _check_gather_shapes("scatter", input, d, index)
    return ScatterBackward1.apply(input, src, index=index._data, dim=d)


def scatter_add(input, dim, index, src):
    index = _check_index(index, "scatter_add")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0 or index._data.ndim == 0 or src._data.ndim == 0:
        return _as_1d(scatter_add, input._data.shape, input, d, index, src)
    _check_gather_shapes("scatter_add", input, d, index, src)
    if src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterAddBackward0.apply(input, src, index=index._data, dim=d)


_REDUCE_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


class ScatterReduceBackward0(Op):
    """out = self with src's elements reduced into out[index] along dim
    (sum, prod, mean, amax, amin; include_self=False: the old values there do not count)."""

    save_inputs = True
    save_output = True

    def forward(self, x, src, index, dim, reduce, include_self):
        self.index, self.dim, self.reduce, self.include_self = index, dim, reduce, include_self
        xp = xp_of(x)
        key = _grid(index, dim)
        out = x.copy()
        if not include_self:
            out[key] = _reduce_identity(reduce, x.dtype)
        getattr(xp, _REDUCE_UFUNC[reduce]).at(out, key, src[_region(index)])
        if reduce == "mean":
            count = xp.ones(x.shape, dtype=x.dtype)
            if not include_self:
                count[key] = 0
            xp.add.at(count, key, 1)
            self.count = count
            out = out // count if x.dtype.kind in "iu" else out / count
        return out

    def backward(self, g):
        # torch's formulas (derivatives.yaml); prod assumes no zeros among the reduced values.
        x, src, result = self.saved_tensors
        dim, index = self.dim, _wrap(self.index)
        keep_self = 1.0 if self.include_self else (~_touched(x, self.index, dim)).to(g.dtype)
        src_part = _region_of(src, self.index)
        if self.reduce in ("sum", "mean"):
            if self.reduce == "mean":
                g = g / _wrap(self.count)
            grad_self, grad_src = g * keep_self, g.gather(dim, index)
        elif self.reduce == "prod":
            gr = g * result
            grad_self, grad_src = gr / x * keep_self, gr.gather(dim, index) / src_part
        else:  # amax / amin: the values equal to the result share its gradient evenly
            self_hit = (x == result).to(g.dtype) * keep_self
            src_hit = (src_part == result.gather(dim, index)).to(g.dtype)
            share = g / self_hit.scatter_add(dim, index, src_hit)
            grad_self, grad_src = share * self_hit, share.gather(dim, index) * src_hit
        return grad_self, _fit_grad(grad_src, self.index, src._data.shape)


def _reduce_identity(reduce, npdt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if npdt.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if npdt.kind == "b":
        return reduce == "amin"
    info = np.iinfo(npdt)
    return info.min if reduce == "amax" else info.max


def _touched(x, index, dim):
    """A bool mask of the positions of x that index writes to."""
    mask = xp_of(x._data).zeros(x._data.shape, dtype=bool)
    mask[_grid(index, dim)] = True
    return _wrap(mask)


def _region_of(src, index):
    return src if src._data.shape == index.shape else basic_index(src, _region(index))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    index = _check_index(index, "scatter_reduce")
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0 or index._data.ndim == 0 or src._data.ndim == 0:
        return _as_1d(scatter_reduce, input._data.shape, input, d, index, src, reduce, include_self=include_self)
    _check_gather_shapes("scatter_reduce", input, d, index, src)
    if src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterReduceBackward0.apply(input, src, index=index._data, dim=d, reduce=reduce,
                                        include_self=bool(include_self))


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    # On a clone: the op saves its input for backward, and commit overwrites self.
    return commit(self, scatter_reduce(self.clone(), dim, index, src, reduce, include_self=include_self))


def take_along_dim(input, indices, dim=None, *, out=None):
    """gather, with input and indices broadcast against each other except along dim."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = input._wrap_dim(dim)
    if input._data.ndim != indices._data.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input._data.ndim} dimensions for input, and {indices._data.ndim} dimensions "
                           "for indices")
    shape = [max(a, b) for a, b in zip(input._data.shape, indices._data.shape)]
    ishape, xshape = list(shape), list(shape)
    ishape[d], xshape[d] = input._data.shape[d], indices._data.shape[d]
    if isinstance(indices, Tensor) and indices._data.size and indices._dtype.category == D._INT:
        # torch wraps negative indices along dim (not in the flattened dim=None form)
        indices = indices + (indices < 0).to(indices.dtype) * input._data.shape[d]
    x = input if tuple(ishape) == input._data.shape else input.expand(ishape)
    i = indices if tuple(xshape) == indices._data.shape else indices.expand(xshape)
    return gather(x, d, i)


def _scatter_into(input, src, key):
    """input with input[key] = src, out of place (select_scatter, slice_scatter)."""
    out = input.clone()
    out[key] = src
    return out


def select_scatter(input, src, dim, index):
    d = input._wrap_dim(dim)
    return _scatter_into(input, src, (slice(None),) * d + (int(index),))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    d = input._wrap_dim(dim)
    return _scatter_into(input, src, (slice(None),) * d + (slice(start, end, step),))


# -- index_select / index_add / index_fill / index_copy ---------------------------------------
def _check_vector_index(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 3) must be Tensor, not {type(index).__name__}")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if index._dtype is not D.int64 and index._dtype is not D.int32:
        cls, message = _INDEX_DTYPE_ERRORS.get(name, (IndexError, f"{name}(): Expected dtype int32/int64 for index"))
        raise cls(message.format(_TYPE_WORDS[index._dtype.name]))
    return index._data.reshape(-1)


# torch's error for an index of the wrong dtype, per function (each kernel words its own).
_INDEX_DTYPE_ERRORS = {
    "index_select": (RuntimeError, "index_select(): Expected dtype int32 or int64 for index"),
    "index_add": (RuntimeError, "index_add_(): Expected dtype int32/int64 for index but got: {}"),
    "index_copy": (RuntimeError, "index_copy_(): Expected a long tensor for index, but got {}"),
    "index_fill": (IndexError, "index_fill_(): Expected dtype int64 for index."),
}


def _along(dim, index):
    return (_FULL,) * dim + (index,)


class IndexSelectBackward0(Op):
    def forward(self, x, index, dim):
        self.in_shape = x.shape
        self.key = _along(dim, index)
        if index.size and (int(index.max()) >= max(x.shape[dim] if x.ndim else 1, 0)
                           or int(index.min()) < -(x.shape[dim] if x.ndim else 1)):
            raise IndexError("index out of range in self")
        return x[self.key] if x.ndim else x.reshape(1)[index].reshape(index.shape if index.ndim else ())

    def backward(self, g):
        return IndexPutBackward0.apply(_zeros(g, self.in_shape), g, key=self.key, accumulate=True)


def index_select(input, dim, index, *, out=None):
    idx = _check_vector_index(index, "index_select")
    if idx.size and int(idx.min()) < 0:  # torch takes no negative indices here (NumPy would wrap them)
        raise IndexError("index out of range in self")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return _as_1d(index_select, (), input, d, index)
    if index._data.ndim == 0 and input._data.ndim:
        return basic_index(IndexSelectBackward0.apply(input, idx, dim=d), _along(d, slice(0, 1)))
    return IndexSelectBackward0.apply(input, idx, dim=d)


def index_add(input, dim, index, source, *, alpha=1):
    idx = _check_vector_index(index, "index_add")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return _as_1d(index_add, (), input, d, index, source, alpha=alpha)
    _same_dtype(input, source, "index_add")
    _check_index_add_source(input, d, idx, source)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= input._data.shape[d]):
        raise IndexError("index out of range in self")
    src = source if alpha == 1 else source * alpha
    return IndexPutBackward0.apply(input, src, key=_along(d, idx), accumulate=True)


def _check_index_add_source(input, d, idx, source):
    """torch's checks: source has self's shape except along dim, where it has one slice per index
    (else NumPy would broadcast a (1, n) source silently)."""
    xs, ss = input._data.shape, source._data.shape
    if not ss:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    if len(ss) != len(xs) or any(a != b for i, (a, b) in enumerate(zip(xs, ss)) if i != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = [{', '.join(map(str, xs))}] source.shape = [{', '.join(map(str, ss))}]")
    if ss[d] != idx.size:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({ss[d]}), for dim: {d}")


def index_fill(input, dim, index, value):
    idx = _check_vector_index(index, "index_fill")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return _as_1d(index_fill, (), input, d, index, value=value)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        if not value._requires_grad:
            value = value.item()
        elif idx.size:
            # each filled element counts once in the value's gradient, however often index repeats it
            n = input._data.shape[d]
            if -n <= int(idx.min()) and int(idx.max()) < n:
                idx = xp_of(idx).unique(idx % n)
    return IndexPutBackward0.apply(input, value, key=_along(d, idx), accumulate=False)


def index_copy(input, dim, index, source):
    if _amp.active: return _autocast("index_copy", index_copy, input, dim, index, source)  # noqa: E701
    idx = _check_vector_index(index, "index_copy")
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return _as_1d(index_copy, (), input, d, index, source)
    n = input._data.shape[d]
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(idx[(idx < 0) | (idx >= n)][0])
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {n}")
    _same_dtype(input, source, "index_copy")
    return IndexPutBackward0.apply(input, source, key=_along(d, idx), accumulate=False)


# -- masked ops -------------------------------------------------------------------------------------
def _check_mask_dtype(mask, name):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._dtype is not D.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{_dtype_word(mask._dtype)}")


def _dtype_word(dt):
    from .._tensor import _dtype_str

    return {"uint8": "unsigned char", "int8": "signed char", "int16": "short"}.get(dt.name, _dtype_str(dt))


class MaskedFillBackward0(Op):
    def forward(self, x, mask, value):
        self.mask = mask
        xp = xp_of(x)
        v = value.astype(x.dtype) if hasattr(value, "dtype") else value
        out = xp.where(mask, v, x)
        return out if out.dtype == x.dtype else out.astype(x.dtype)

    def backward(self, g):
        mask = _wrap(self.mask)
        # A 0-d value tensor gets the sum of the gradient where it was filled in.
        value_grad = (g * mask).sum() if self.next_functions[2][0] is not None else None
        return masked_fill(g, mask, 0), None, value_grad


def masked_fill(input, mask, value):
    _check_mask_dtype(mask, "masked_fill_")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        if not (value._requires_grad and _state.enabled):
            value = value.item()
    try:
        return MaskedFillBackward0.apply(input, mask, value)
    except ValueError:
        _broadcast_check(mask, input)  # torch's RuntimeError for shapes that do not broadcast, mask named first
        raise


def masked_fill_(self, mask, value):
    _check_broadcast_to(mask._data.shape, self._data.shape)  # the mask must fit self: torch's order of words
    return commit(self, masked_fill(self, mask, value))


def masked_select(input, mask, *, out=None):
    if isinstance(mask, Tensor) and mask._dtype is not D.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    _check_mask_dtype(mask, "masked_select:")
    x, m = _broadcast_with_mask(input, mask)
    return IndexBackward0.apply(x, key=(m,))


def _broadcast_with_mask(input, mask):
    """input (a Tensor) and mask (an array) broadcast against each other, as torch's masked ops do."""
    try:
        shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        _broadcast_check(mask, input)
        raise
    x = input if input._data.shape == shape else input.expand(shape)
    m = mask._data if mask._data.shape == shape else xp_of(mask._data).broadcast_to(mask._data, shape)
    return x, m


class MaskedScatterBackward0(Op):
    def forward(self, x, mask, source):
        self.mask = mask
        self.source_shape = source.shape
        out = x.copy()
        n = int(mask.sum())
        if n > source.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out[mask] = source.reshape(-1)[:n]
        return out

    def backward(self, g):
        mask = self.mask
        picked = IndexBackward0.apply(g, key=(mask,))
        n = int(np.prod(self.source_shape))
        flat = _BasicIndexGrad.apply(picked, shape=(n,), key=(slice(0, picked._data.size),))
        return masked_fill(g, _wrap(mask), 0), None, flat.reshape(self.source_shape)


def masked_scatter(input, mask, source):
    _check_mask_dtype(mask, "masked_scatter_")
    _same_dtype(input, source, "masked_scatter")
    x, m = _broadcast_with_mask(input, mask)
    return MaskedScatterBackward0.apply(x, m, source)


# -- take / put / nonzero -----------------------------------------------------------------------------
def take(input, index):
    if index._dtype is not D.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_TYPE_WORDS[index._dtype.name]}")
    idx = _check_flat_index(index, input._data.size)
    return IndexBackward0.apply(input.reshape(-1), key=(idx,))


def _check_flat_index(index, n):
    """take/put's indices into the n elements of the flattened input (negative ones count from the end)."""
    idx = index._data
    if idx.size and (int(idx.max()) >= n or int(idx.min()) < -n):
        bad = int(idx.max()) if int(idx.max()) >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return idx


def put(input, index, source, accumulate=False):
    _check_flat_index(index, input._data.size)
    if index._data.size != source._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    flat = IndexPutBackward0.apply(input.reshape(-1), source.reshape(-1), key=(index._data.reshape(-1),),
                                   accumulate=bool(accumulate))
    return flat.reshape(input._data.shape)


def put_(self, index, source, accumulate=False):
    return commit(self, put(self, index, source, accumulate))


def nonzero(input, *, out=None, as_tuple=False):
    xp = xp_of(input._data)
    data = input._data
    if as_tuple:
        idx = xp.nonzero(data if data.ndim else data.reshape(1))
        return tuple(Tensor._make(i.astype(np.int64, copy=False), D.int64) for i in idx)
    idx = xp.nonzero(data) if data.ndim else ()
    if not data.ndim:
        n = int(bool(data))
        return Tensor._make(xp.zeros((n, 0), dtype=np.int64), D.int64)
    return Tensor._make(xp.stack(idx, axis=1).astype(np.int64, copy=False), D.int64)


def argwhere(input):
    return nonzero(input)


# -- Tensor methods ---------------------------------------------------------------------------------------------
def _inplace(fn):
    def method(self, *args, **kwargs):
        return commit(self, fn(self, *args, **kwargs))

    method.__name__ = fn.__name__ + "_"
    return method


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
Tensor.index_put = index_put
Tensor.index_put_ = index_put_
Tensor.gather = gather
Tensor.scatter = scatter
Tensor.scatter_ = _inplace(scatter)
Tensor.scatter_add = scatter_add
Tensor.scatter_add_ = _inplace(scatter_add)
Tensor.scatter_reduce = scatter_reduce
Tensor.scatter_reduce_ = scatter_reduce_
Tensor.take_along_dim = take_along_dim
Tensor.select_scatter = select_scatter
Tensor.slice_scatter = slice_scatter
Tensor.index_select = index_select
Tensor.index_add = index_add
Tensor.index_add_ = _inplace(index_add)
Tensor.index_fill = index_fill
Tensor.index_fill_ = _inplace(index_fill)
Tensor.index_copy = index_copy
Tensor.index_copy_ = _inplace(index_copy)
Tensor.masked_fill = masked_fill
Tensor.masked_fill_ = masked_fill_
Tensor.masked_select = masked_select
Tensor.masked_scatter = masked_scatter
Tensor.masked_scatter_ = _inplace(masked_scatter)
Tensor.take = take
Tensor.put = put
Tensor.put_ = put_
Tensor.nonzero = nonzero
Tensor.argwhere = argwhere

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "take_along_dim", "select_scatter", "slice_scatter",
           "index_select", "index_add", "index_fill", "index_copy", "index_put", "masked_fill", "masked_select",
           "masked_scatter", "take", "put", "nonzero", "argwhere"]
