"""Sorting and selection by order: sort, argsort, msort, topk, kthvalue, unique,
unique_consecutive.

torch's CPU sort is stable whatever `stable` says, with NaN greater than every
number; a descending sort keeps equal elements in their original order. The
gradient of the values goes back to the positions they came from (a scatter).
"""
import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op, _wrap
from ._return_types import return_type

sort_result = return_type("sort")
topk_result = return_type("topk")
kthvalue_result = return_type("kthvalue")


def _argsort(x, axis, descending):
    """Stable argsort; descending sorts the reversed array and reverses back, so that
    ties keep their order and NaNs come first, as in torch."""
    if x.dtype.kind == "c":
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    xp = xp_of(x)
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    idx = xp.argsort(xp.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(idx, axis)


def _scatter_back(g, indices, dim, shape):
    """Zeros of `shape` with g put at `indices` along dim (the gradient of a gather)."""
    from .._creation import zeros

    return zeros(shape, dtype=g._dtype, device=g.device).scatter(dim, indices, g)


class SortBackward0(Op):
    n_diff_outputs = 1

    def forward(self, x, dim, descending):
        self.shape, self.dim = x.shape, dim
        idx = _argsort(x, dim, descending)
        self.indices = idx
        return xp_of(x).take_along_axis(x, idx, axis=dim), idx.astype(np.int64, copy=False)

    def backward(self, g, _=None):
        return _scatter_back(g, _wrap(self.indices), self.dim, self.shape)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    if input._data.ndim == 0:
        input._wrap_dim(dim)
        values, indices = SortBackward0.apply(input.reshape(1), dim=0, descending=descending)
        return sort_result(values.reshape(()), indices.reshape(()))
    d = input._wrap_dim(dim)
    return sort_result(*SortBackward0.apply(input, dim=d, descending=descending))


def _zero_index(like):
    return Tensor._make(xp_of(like._data).zeros((), dtype=np.int64), D.int64)


def argsort(input, dim=-1, descending=False, *, stable=False):
    if input._data.ndim == 0:
        input._wrap_dim(dim)
        return _zero_index(input)
    d = input._wrap_dim(dim)
    return Tensor._make(_argsort(input._data, d, descending).astype(np.int64, copy=False), D.int64)


def msort(input, *, out=None):
    return sort(input, dim=0).values


class TopkBackward0(Op):
    n_diff_outputs = 1

    def forward(self, x, k, dim, largest, sorted):
        if x.dtype.kind == "c":
            raise RuntimeError(" topk does not support complex dtypes on CPU")
        self.shape, self.dim = x.shape, dim
        idx = _topk_indices(x, k, dim, largest, sorted)
        self.indices = idx
        return xp_of(x).take_along_axis(x, idx, axis=dim), idx.astype(np.int64, copy=False)

    def backward(self, g, _=None):
        return _scatter_back(g, _wrap(self.indices), self.dim, self.shape)


# -- topk with torch's tie order -----------------------------------------------------------------------
# torch's CPU topk runs std::nth_element + std::sort (or std::partial_sort when
# k * 64 <= n) on (value, index) pairs, so equal values come out in the order
# those unstable algorithms leave them. A stable sort gives the same answer
# whenever no ties reach the top k; the rows where they do (and every row when
# sorted=False) are redone below with libstdc++'s algorithms, step for step.
_EMULATE_MAX = 1 << 16  # elements: beyond this, ties keep the stable order (speed)


def _topk_indices(x, k, dim, largest, sorted):
    xp = xp_of(x)
    n = x.shape[dim]
    top = xp.take(_argsort(x, dim, largest), xp.arange(k), axis=dim)
    if type(x) is not np.ndarray or k == 0 or n < 2:
        return top
    rows = np.moveaxis(x, dim, -1).reshape(-1, n)
    out = np.moveaxis(top, dim, -1).reshape(-1, k)
    if sorted:
        # ties matter only among the top k values and the first value left out
        head = np.take_along_axis(rows, np.moveaxis(_argsort(x, dim, largest), dim, -1).reshape(-1, n)[:, :k + 1], 1)
        same = head[:, 1:] == head[:, :-1]
        if head.dtype.kind == "f":
            same |= (head[:, 1:] != head[:, 1:]) & (head[:, :-1] != head[:, :-1])
        todo = np.flatnonzero(same.any(axis=1))
    else:
        todo = np.arange(rows.shape[0])
    if todo.size == 0 or todo.size * n > _EMULATE_MAX:
        return top
    out = out.copy()
    for r in todo:
        out[r] = _stl_topk_row(rows[r].tolist(), k, largest, sorted)
    return np.moveaxis(out.reshape(np.moveaxis(top, dim, -1).shape), -1, dim)


def _greater(x, y):  # NaN is the largest value
    return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]


def _less(x, y):
    return (x[0] == x[0] and y[0] != y[0]) or x[0] < y[0]


def _stl_topk_row(values, k, largest, sorted):
    n = len(values)
    q = [(v, j) for j, v in enumerate(values)]
    comp = _greater if largest else _less
    if k * 64 <= n:
        _partial_sort(q, 0, k, n, comp)
    else:
        _nth_element(q, 0, k - 1, n, comp)
        if sorted:
            _std_sort(q, 0, k - 1, comp)
    return [j for _, j in q[:k]]


# libstdc++'s nth_element, sort and partial_sort (bits/stl_algo.h, stl_heap.h).


def _lg(n):
    return n.bit_length() - 1


def _move_median_to_first(q, result, a, b, c, comp):
    if comp(q[a], q[b]):
        if comp(q[b], q[c]):
            q[result], q[b] = q[b], q[result]
        elif comp(q[a], q[c]):
            q[result], q[c] = q[c], q[result]
        else:
            q[result], q[a] = q[a], q[result]
    elif comp(q[a], q[c]):
        q[result], q[a] = q[a], q[result]
    elif comp(q[b], q[c]):
        q[result], q[c] = q[c], q[result]
    else:
        q[result], q[b] = q[b], q[result]


def _unguarded_partition(q, first, last, pivot, comp):
    while True:
        while comp(q[first], q[pivot]):
            first += 1
        last -= 1
        while comp(q[pivot], q[last]):
            last -= 1
        if not first < last:
            return first
        q[first], q[last] = q[last], q[first]
        first += 1


def _partition_pivot(q, first, last, comp):
    mid = first + (last - first) // 2
    _move_median_to_first(q, first, first + 1, mid, last - 1, comp)
    return _unguarded_partition(q, first + 1, last, first, comp)


def _linear_insert(q, last, comp):
    val = q[last]
    nxt = last - 1
    while comp(val, q[nxt]):
        q[last] = q[nxt]
        last = nxt
        nxt -= 1
    q[last] = val


def _insertion_sort(q, first, last, comp):
    if first == last:
        return
    for i in range(first + 1, last):
        if comp(q[i], q[first]):
            val = q[i]
            q[first + 1:i + 1] = q[first:i]
            q[first] = val
        else:
            _linear_insert(q, i, comp)


def _push_heap(q, base, hole, top, value, comp):
    parent = (hole - 1) // 2
    while hole > top and comp(q[base + parent], value):
        q[base + hole] = q[base + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[base + hole] = value


def _adjust_heap(q, base, hole, length, value, comp):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(q[base + child], q[base + child - 1]):
            child -= 1
        q[base + hole] = q[base + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        q[base + hole] = q[base + child - 1]
        hole = child - 1
    _push_heap(q, base, hole, top, value, comp)


def _make_heap(q, first, last, comp):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(q, first, parent, length, q[first + parent], comp)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(q, first, last, result, comp):
    value = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, value, comp)


def _heap_select(q, first, middle, last, comp):
    _make_heap(q, first, middle, comp)
    for i in range(middle, last):
        if comp(q[i], q[first]):
            _pop_heap(q, first, middle, i, comp)


def _sort_heap(q, first, last, comp):
    while last - first > 1:
        last -= 1
        _pop_heap(q, first, last, last, comp)


def _partial_sort(q, first, middle, last, comp):
    _heap_select(q, first, middle, last, comp)
    _sort_heap(q, first, middle, comp)


def _nth_element(q, first, nth, last, comp):
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last, comp)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last, comp)


def _introsort_loop(q, first, last, depth, comp):
    while last - first > 16:
        if depth == 0:
            _partial_sort(q, first, last, last, comp)
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, comp)
        _introsort_loop(q, cut, last, depth, comp)
        last = cut


def _std_sort(q, first, last, comp):
    if first == last:
        return
    _introsort_loop(q, first, last, _lg(last - first) * 2, comp)
    if last - first > 16:
        _insertion_sort(q, first, first + 16, comp)
        for i in range(first + 16, last):
            _linear_insert(q, i, comp)
    else:
        _insertion_sort(q, first, last, comp)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The k largest (or smallest) elements along dim and their indices."""
    D.refuse_limited(input._dtype, "topk_cpu")
    x = input if input._data.ndim else input.reshape(1)
    d = x._wrap_dim(dim)
    if k < 0 or k > x._data.shape[d]:
        raise RuntimeError("selected index k out of range")
    values, indices = TopkBackward0.apply(x, k=k, dim=d, largest=largest, sorted=sorted)
    if input._data.ndim == 0 and k == 1:
        values, indices = values.reshape(()), indices.reshape(())
    return topk_result(values, indices)


class KthvalueBackward0(Op):
    n_diff_outputs = 1

    def forward(self, x, k, dim, keepdim):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        xp = xp_of(x)
        idx = xp.take(_argsort(x, dim, False), [k - 1], axis=dim)
        self.indices = idx
        values = xp.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)

    def backward(self, g, _=None):
        if not self.keepdim:
            g = g.unsqueeze(self.dim)
        return _scatter_back(g, _wrap(self.indices), self.dim, self.shape)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The k-th smallest element along dim (1-based) and its index."""
    x = input if input._data.ndim else input.reshape(1)
    d = x._wrap_dim(dim)
    n = x._data.shape[d]
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    values, indices = KthvalueBackward0.apply(x, k=k, dim=d, keepdim=keepdim or input._data.ndim == 0)
    if input._data.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return kthvalue_result(values, indices)


# -- unique -------------------------------------------------------------------------------------------
class Unique2Backward0(Op):
    """unique's values have a node whose backward torch does not implement."""

    n_diff_outputs = 1

    def forward(self, x, dim, consecutive):
        xp = xp_of(x)
        if consecutive:
            return _unique_consecutive(xp, x, dim)
        values, inverse, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=dim)
        if dim is None:
            inverse = inverse.reshape(x.shape)
        else:
            inverse = inverse.reshape(-1)
        return values, inverse.astype(np.int64, copy=False), counts.astype(np.int64, copy=False)

    def backward(self, *grads):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


def _unique_consecutive(xp, x, dim):
    """Runs of equal elements (or slices along dim) -> one each, with inverse and counts."""
    if dim is None:
        flat = x.reshape(-1)
        change = flat[1:] != flat[:-1]
    else:
        moved = xp.moveaxis(x, dim, 0)
        flat = moved
        change = (moved[1:] != moved[:-1]).reshape(max(moved.shape[0] - 1, 0), -1).any(axis=1)
    n = flat.shape[0]
    starts = xp.concatenate([xp.zeros(min(n, 1), dtype=bool), change]) if n else xp.zeros(0, dtype=bool)
    group = xp.cumsum(starts)
    first = xp.flatnonzero(xp.concatenate([xp.ones(min(n, 1), dtype=bool), change])) if n else \
        xp.zeros(0, dtype=np.int64)
    counts = xp.diff(xp.concatenate([first, xp.asarray([n])]))
    values = flat[first] if dim is None else xp.moveaxis(moved[first], 0, dim)
    inverse = group.reshape(x.shape) if dim is None else group
    return values, inverse.astype(np.int64, copy=False), counts.astype(np.int64, copy=False)


def _unique_results(input, dim, consecutive, return_inverse, return_counts):
    if dim is not None:
        dim = input._wrap_dim(dim)
    values, inverse, counts = Unique2Backward0.apply(input, dim=dim, consecutive=consecutive)
    if not return_inverse and not return_counts:
        return values
    out = (values,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Distinct elements (or slices along dim), sorted, with optional inverse and counts."""
    return _unique_results(input, dim, False, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    return _unique_results(input, dim, True, return_inverse, return_counts)


Tensor.sort = sort
Tensor.argsort = argsort
Tensor.msort = msort
Tensor.topk = topk
Tensor.kthvalue = kthvalue
Tensor.unique = unique
Tensor.unique_consecutive = unique_consecutive

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive"]
