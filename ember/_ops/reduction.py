"""Reductions: sum, mean, prod, std/var, max/min/amax/amin, argmax/argmin,
logsumexp, cumsum/cumprod, norm/dist, all/any, count_nonzero.

`dim` may be None, an int or a sequence of ints; `keepdim` keeps reduced dims
as size 1. Gradients expand back over the reduced dims (`expand_reduced`).
Where several elements tie for a max/min, the gradient goes as torch sends it:
max(dim)/min(dim) to the returned index, the full max()/min() and amax/amin
split evenly among the ties.
"""
import builtins
import math
import operator
import warnings

import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _base
from ._opmath import half_in_float32
from ._base import Op, _wrap
from ._inplace import _TYPE_WORDS, inplace_method
from ._return_types import return_type
from .shape import ExpandBackward0, expand_array
from .elementwise import _out, maximum, minimum
from .selection import where

_state = grad_mode.state


def normalize_dims(t, dim):
    """dim argument -> a sorted tuple of non-negative dims (all dims for None)."""
    nd = t._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(nd))
    if isinstance(dim, (int, np.integer)):
        d = t._wrap_dim(int(dim))
        return (d,) if nd else ()  # a 0-d tensor takes dim 0 or -1 and has nothing to reduce
    if not isinstance(dim, (tuple, list)):  # a string would iterate as characters
        raise TypeError(f"argument 'dim' must be tuple of ints, not {type(dim).__name__}")
    dims = tuple(t._wrap_dim(operator.index(d)) for d in dim)
    if not nd:
        return ()
    if len(set(dims)) != len(dims):
        d = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def expand_reduced(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to `shape`."""
    if not keepdim and dims and g._data.ndim:  # a 0-d gradient expands as it is
        kept = list(g._data.shape)
        for d in dims:
            kept.insert(d, 1)
        g = g.reshape(tuple(kept))
    # The shape is valid by construction: skip expand()'s argument checks (a backward hot path).
    if not _state.enabled:
        # No graph to record (backward without create_graph): the expanded array
        # alone; nobody else sees this temporary, so no view bookkeeping.
        return _wrap(expand_array(g._data, tuple(shape)))
    return ExpandBackward0.apply(g, shape=tuple(shape))


def _count(shape, dims):
    """How many elements a reduction over `dims` (None: all) combines."""
    if dims is None:
        return math.prod(shape)
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _type_word(t):
    return _TYPE_WORDS[t._dtype.name]


max_result = return_type("max")
min_result = return_type("min")


# -- sum and mean ---------------------------------------------------------------------------
def _accumulate_sum(x, dims, keepdim):
    # float16/bfloat16 accumulate in float32, as torch does, then round once.
    if D.is_half(x.dtype):
        return x.sum(axis=dims, keepdims=keepdim, dtype=np.float32).astype(x.dtype)
    return x.sum(axis=dims, keepdims=keepdim)


class SumBackward0(Op):
    """Sum over all dims (SumBackward0) or some dims (the node is renamed SumBackward1)."""

    grads_in_input_shape = True  # expand_reduced gives back the input's shape

    saved_names = ("self_sym_sizes=shape",)

    def forward(self, x, dims, keepdim, dtype):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        return _accumulate_sum(x, dims, keepdim)

    def backward(self, g):
        return expand_reduced(g, self.shape, self.dims, self.keepdim)


class SumBackward1(SumBackward0):
    saved_names = ("dim=dims", "keepdim=keepdim", "self_sym_sizes=shape")


def _int_to_long(t, dtype):
    """The accumulation dtype of sum/prod/cumsum/cumprod: bools and ints become int64."""
    if dtype is not None:
        return D.canonical(dtype)
    if not t._dtype._differentiable:
        return D.int64
    return None


def _sum_dims(g, dims, keepdim):
    if not _state.enabled:  # no graph to record (backward without create_graph): the array sum alone
        return _wrap(_accumulate_sum(g._data, dims, keepdim))
    return SumBackward1.apply(g, dims=dims, keepdim=keepdim, dtype=None)


_base._sum_dims = _sum_dims  # sum_to (undoing broadcasting in every backward) calls it


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dim is None and dtype is None and out is None and input._dtype.is_floating_point:
        return SumBackward0.apply(input, dims=None, keepdim=keepdim, dtype=None)  # the common loss.sum()
    if dtype is not None:
        D.refuse_limited(D.canonical(dtype), "sum_cpu")
    dims = normalize_dims(input, dim)
    cls = SumBackward0 if dim is None else SumBackward1
    return _out(cls.apply(input, dims=dims, keepdim=keepdim, dtype=_int_to_long(input, dtype)), out)


class MeanBackward0(Op):
    grads_in_input_shape = True  # expand_reduced gives back the input's shape

    saved_names = ("self_sym_numel=n", "self_sym_sizes=shape")

    @half_in_float32
    def forward(self, x, dims, keepdim, dtype):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        self.n = n = _count(x.shape, dims)
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        s = _accumulate_sum(x, dims, keepdim)
        return (s / n).astype(x.dtype, copy=False) if n else s * np.nan

    def backward(self, g):
        return expand_reduced(g / self.n, self.shape, self.dims, self.keepdim)


class MeanBackward1(MeanBackward0):
    saved_names = ("dim=dims", "keepdim=keepdim", "self_sym_numel=n", "self_sym_sizes=shape")


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is None and not input._dtype._differentiable:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_type_word(input)}")
    if dtype is not None and not D.canonical(dtype)._differentiable:
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                           f"complex dtype. Got: {_TYPE_WORDS.get(D.canonical(dtype).name, D.canonical(dtype).name)}")
    if dim is None and dtype is None and out is None:
        return MeanBackward0.apply(input, dims=None, keepdim=keepdim, dtype=None)  # the common loss.mean()
    dims = normalize_dims(input, dim)
    cls = MeanBackward0 if dim is None else MeanBackward1
    return _out(cls.apply(input, dims=dims, keepdim=keepdim, dtype=D.canonical(dtype)), out)


# -- prod -------------------------------------------------------------------------------------
class ProdBackward0(Op):
    """d prod / d x_i = product of the others. Zeros are handled without dividing by them:
    no zero in the slice: prod / x_i; one zero: the product of the non-zeros at the zero,
    0 elsewhere; two or more: 0 everywhere. The output is saved, as torch saves it: changing
    it in place before backward is refused."""

    save_inputs = True
    save_output = True

    # no half_in_float32: torch's prod multiplies in the half type itself
    def forward(self, x, dims, keepdim, dtype):
        self.dims, self.keepdim = dims, keepdim
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        return x.prod(axis=dims, keepdims=keepdim)

    def backward(self, g):
        x, result = self.saved_tensors
        dims, shape, keepdim = self.dims, x._data.shape, self.keepdim
        g = expand_reduced(g, shape, dims, keepdim)
        zero = x == 0
        nonzero = where(zero, 1.0, x)
        zeros = zero.sum(dim=dims, keepdim=True)
        one_zero = where(zero, _prod_keep(nonzero, dims), 0.0)  # the product of the others at the zero
        return g * where(zeros == 0, expand_reduced(result, shape, dims, keepdim) / nonzero,
                         where(zeros == 1, one_zero, 0.0))


def _prod_keep(x, dims):
    for d in dims:
        x = x.prod(d, keepdim=True)
    return x


class ProdBackward1(ProdBackward0):
    pass


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if _amp.active: return _autocast("prod", prod, input, dim, keepdim, dtype=dtype, out=out)  # noqa: E701
    dt = _int_to_long(input, dtype)
    if dim is None:
        return _out(ProdBackward0.apply(input, dims=tuple(range(input._data.ndim)), keepdim=False, dtype=dt), out)
    dims = normalize_dims(input, input._wrap_dim(dim))
    return _out(ProdBackward1.apply(input, dims=dims, keepdim=keepdim, dtype=dt), out)


# -- var and std ------------------------------------------------------------------------------
def _correction(name, unbiased, correction):
    if correction is not None:
        if unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments - got (correction=, unbiased=), "
                            "but expected one of: (tuple of ints dim, bool unbiased = True, bool keepdim = False) or "
                            "(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)")
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(name, input, dim, unbiased, keepdim, correction):
    """Parse both signatures: var(x, dim, unbiased, keepdim, *, correction) and var(x, unbiased)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(dim, bool):  # var(x, False): the old unbiased-only form
        dim, unbiased = None, dim
    if unbiased is not None and not isinstance(unbiased, (bool, np.bool_)):
        # torch's parser: a positional int there is no `unbiased` (correction is keyword-only)
        raise TypeError(f"{name}() received an invalid combination of arguments - got unbiased="
                        f"{type(unbiased).__name__}, but expected one of: (Tensor input, tuple of ints dim, "
                        "bool unbiased = True, bool keepdim = False) or (Tensor input, tuple of ints dim = None, *, "
                        "Number correction = None, bool keepdim = False)")
    if not input._dtype._differentiable:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = normalize_dims(input, dim)
    c = _correction(name, unbiased, correction)
    dof = _count(input._data.shape, dims) - c
    if dof <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return dims, keepdim, builtins.max(0, dof)


class VarBackward0(Op):
    """var = sum((x - mean)^2) / (N - correction); d var / dx = 2 (x - mean) / (N - correction)."""

    save_inputs = True
    root = False  # std: the square root, taken before the result is rounded to float32

    @half_in_float32
    def forward(self, x, dims, keepdim, dof):
        self.dims, self.keepdim, self.dof = dims, keepdim, dof
        single = x.dtype == np.float32
        if single:  # torch's CPU kernel accumulates float32 in double
            x = x.astype(np.float64)
        d = x - x.sum(axis=dims, keepdims=True) / _count(x.shape, dims)
        if d.dtype.kind == "c":  # |d|^2: the variance of complex numbers is real
            d = xp_of(d).abs(d)
        v = (d * d).sum(axis=dims, keepdims=keepdim) / dof
        if self.root:
            v = xp_of(v).sqrt(v)
        return v.astype(np.float32 if single else d.dtype, copy=False)

    def backward(self, g):
        x, = self.saved_tensors
        g = expand_reduced(g, x._data.shape, self.dims, self.keepdim)
        return g * (2.0 / self.dof if self.dof else math.inf) * (x - x.mean(self.dims, keepdim=True))


class StdBackward0(Op):
    """std = sqrt(var): d std / dx = (x - mean) / ((N - correction) std), 0 where std = 0 (torch)."""

    save_inputs = True
    save_output = True
    root = True
    forward = VarBackward0.forward

    def backward(self, g):
        x, y = self.saved_tensors
        g = expand_reduced(where(y == 0, 0.0, g / (y * 2)), x._data.shape, self.dims, self.keepdim)
        return g * (2.0 / self.dof if self.dof else math.inf) * (x - x.mean(self.dims, keepdim=True))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance with Bessel's correction by default (correction=1, or unbiased=True)."""
    dims, keepdim, dof = _var_args("var", input, dim, unbiased, keepdim, correction)
    return _out(VarBackward0.apply(input, dims=dims, keepdim=keepdim, dof=dof), out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    dims, keepdim, dof = _var_args("std", input, dim, unbiased, keepdim, correction)
    return _out(StdBackward0.apply(input, dims=dims, keepdim=keepdim, dof=dof), out)


def _float_moments(name, input):
    if isinstance(input, Tensor) and not input._dtype._differentiable:
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over the same dims."""
    _float_moments("var_mean", input)
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, mean(input, None if isinstance(dim, bool) else dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _float_moments("std_mean", input)
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, mean(input, None if isinstance(dim, bool) else dim, keepdim)


# -- max, min, amax, amin, argmax, argmin ---------------------------------------------------------
def _check_nonempty(name, input, dims, dim_given):
    if input._data.size:
        return
    if not dim_given:
        if name.startswith("arg"):
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _even_split(g, x, y, dims, keepdim):
    """The gradient of a max/min shared evenly by the elements equal to the result."""
    shape = x._data.shape
    y = expand_reduced(y, shape, dims, keepdim)
    tie = (x == y) | (x.isnan() & y.isnan())
    count = tie.sum(dim=dims, keepdim=True)
    return where(tie, expand_reduced(g, shape, dims, keepdim) / count, 0.0)


class AmaxBackward0(Op):
    save_inputs = True
    save_output = True
    fn = "max"
    nan_ties = False  # amax/amin: torch's scale_grad_by_count, (g / count) * (x == y): NaN over a NaN slice

    def forward(self, x, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        return getattr(x, self.fn)(axis=dims, keepdims=keepdim)

    def backward(self, g):
        x, y = self.saved_tensors
        if self.nan_ties:
            return _even_split(g, x, y, self.dims, self.keepdim)
        shape = x._data.shape
        tie = x == expand_reduced(y, shape, self.dims, self.keepdim)
        return expand_reduced(g, shape, self.dims, self.keepdim) / tie.sum(dim=self.dims, keepdim=True) * tie


class AminBackward0(AmaxBackward0):
    fn = "min"


class MaxBackward1(AmaxBackward0):
    """max() over all elements (torch's evenly_distribute_backward: a NaN result goes to the NaNs)."""

    nan_ties = True


class MinBackward1(AminBackward0):
    nan_ties = True


class MaxBackward0(Op):
    """max(dim) -> (values, indices): the gradient goes to the returned index."""

    n_diff_outputs = 1
    fn, reduce = "argmax", "max"

    def forward(self, x, dim, keepdim):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        # The max (min) and the first index holding it; both pick NaN where there is one.
        idx = getattr(x, self.fn)(axis=dim, keepdims=True)
        values = getattr(x, self.reduce)(axis=dim, keepdims=keepdim)
        self.idx = idx
        return values, (idx if keepdim else idx.squeeze(dim)).astype(np.int64, copy=False)

    def backward(self, g, _=None):
        xp = xp_of(self.idx)
        n = self.shape[self.dim]
        positions = xp.arange(n).reshape((n,) + (1,) * (len(self.shape) - self.dim - 1))
        chosen = _wrap(positions == self.idx)
        return where(chosen, expand_reduced(g, self.shape, (self.dim,), self.keepdim), 0.0)


class MinBackward0(MaxBackward0):
    fn, reduce = "argmin", "min"


def _refuse_complex(input, kernel):
    """torch has no complex (nor uint16/32/64) kernel for these reductions."""
    if input._dtype._unordered:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_WORDS[input._dtype.name]}'")


def _extreme(name, full_cls, dim_cls, pair, result_type, input, dim, keepdim, other):
    if other is not None or isinstance(dim, Tensor):
        return pair(input, dim if other is None else other)
    if input._dtype.is_complex:
        if dim is not None and name != "median":
            raise RuntimeError(f"{name}(): does not support complex input")
        _refuse_complex(input, "median_cpu" if name == "median" else f"{name}_all")
    if input._dtype._limited:
        _refuse_complex(input, "median_cpu" if name == "median" else f"{name}_all" if dim is None else f"{name}_cpu")
    if dim is None:
        if name != "median":  # median() of no elements is NaN in torch
            _check_nonempty(name, input, (), False)
        return full_cls.apply(input, dims=tuple(range(input._data.ndim)), keepdim=False)
    d = input._wrap_dim(dim)
    _check_nonempty(name, input, (d,), True)
    if input._data.ndim == 0:
        return result_type(*dim_cls.apply(input.reshape(1), dim=0, keepdim=False))
    return result_type(*dim_cls.apply(input, dim=d, keepdim=keepdim))


def max(input, dim=None, keepdim=False, *, out=None, other=None):
    """max(x): the largest element; max(x, dim): (values, indices); max(x, y): maximum(x, y)."""
    r = _extreme("max", MaxBackward1, MaxBackward0, maximum, max_result, input, dim, keepdim, other)
    return r if out is None else _pair_out(r, out)


def min(input, dim=None, keepdim=False, *, out=None, other=None):
    r = _extreme("min", MinBackward1, MinBackward0, minimum, min_result, input, dim, keepdim, other)
    return r if out is None else _pair_out(r, out)


class MedianBackward0(AmaxBackward0):
    """median() over all elements: the lower of the two middle values (torch's rule), NaN if
    any; the gradient is split evenly among elements equal to it, as for max()."""

    nan_ties = True

    def forward(self, x, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        flat = x.reshape(-1)
        xp = xp_of(x)
        if flat.size == 0:  # torch: the median of no elements is NaN (the lowest value for integers)
            return xp.asarray(xp.nan if flat.dtype.kind in "fc" else np.iinfo(x.dtype).min, dtype=x.dtype)
        if bool(xp.isnan(flat).any()) if flat.dtype.kind == "f" else False:
            return xp.asarray(xp.nan, dtype=x.dtype)
        return xp.sort(flat)[(flat.size - 1) // 2]


class MedianBackward1(MaxBackward0):
    """median(dim) -> (values, indices): the gradient goes to the returned index."""

    def forward(self, x, dim, keepdim):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        xp = xp_of(x)
        k = (x.shape[dim] - 1) // 2
        # A stable argsort puts NaN last; a NaN in a row makes that row's median NaN.
        order = xp.argsort(x, axis=dim, kind="stable")
        idx = xp.take(order, [k], axis=dim)
        if x.dtype.kind == "f":
            nan_first = xp.argmax(xp.isnan(x), axis=dim, keepdims=True)
            has_nan = xp.isnan(x).any(axis=dim, keepdims=True)
            idx = xp.where(has_nan, nan_first, idx)
        self.idx = idx
        values = xp.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)


median_result = return_type("median")


def median(input, dim=None, keepdim=False, *, out=None):
    """median(x): the lower median of all elements; median(x, dim): (values, indices)."""
    r = _extreme("median", MedianBackward0, MedianBackward1, None, median_result, input, dim, keepdim, None)
    return r if out is None else _pair_out(r, out)


def _pair_out(result, out):
    """out= for max/min: a tensor, or a (values, indices) pair with dim."""
    if isinstance(result, tuple):
        return type(result)(_out(result[0], out[0]), _out(result[1], out[1]))
    return _out(result, out)


def amax(input, dim=(), keepdim=False, *, out=None):
    dims = normalize_dims(input, dim)
    _refuse_complex(input, "max_values_cpu")
    _check_nonempty("amax", input, dims, dim not in ((), None, []))
    return _out(AmaxBackward0.apply(input, dims=dims, keepdim=keepdim), out)


def amin(input, dim=(), keepdim=False, *, out=None):
    dims = normalize_dims(input, dim)
    _refuse_complex(input, "min_values_cpu")
    _check_nonempty("amin", input, dims, dim not in ((), None, []))
    return _out(AminBackward0.apply(input, dims=dims, keepdim=keepdim), out)


class _ArgExtreme(Op):
    differentiable = False

    def forward(self, x, fn, dim, keepdim):
        xp = xp_of(x)
        if dim is None:
            i = getattr(xp, fn)(x.reshape(-1))
            return xp.asarray(i, dtype=np.int64).reshape((1,) * x.ndim if keepdim else ())
        return getattr(xp, fn)(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


def _arg(name, input, dim, keepdim):
    if input._dtype is D.bool_ or input._dtype.is_complex:
        raise RuntimeError(f"{name}(): does not support {'bool' if input._dtype is D.bool_ else 'complex'} input")
    D.refuse_limited(input._dtype, f"{name}_cpu")
    if dim is None:
        _check_nonempty(name, input, (), False)
        return _ArgExtreme.apply(input, fn=name, dim=None, keepdim=keepdim)
    d = input._wrap_dim(dim)
    _check_nonempty(name, input, (d,), True)
    if input._data.ndim == 0:
        return _ArgExtreme.apply(input, fn=name, dim=None, keepdim=False)
    return _ArgExtreme.apply(input, fn=name, dim=d, keepdim=keepdim)


def argmax(input, dim=None, keepdim=False):
    """Index of the first largest element (NaN counts as the largest), flattened if dim is None."""
    return _arg("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _arg("argmin", input, dim, keepdim)


# -- logsumexp ----------------------------------------------------------------------------------
class LogsumexpBackward0(Op):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m = max (0 where m is infinite);
    gradient g * exp(x - result)."""

    save_inputs = True
    save_output = True

    @half_in_float32
    def forward(self, x, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        if x.dtype.kind in "biu":
            x = x.astype(D.np_dtype(D._default[0]))
        xp = xp_of(x)
        if x.size == 0:
            return xp.log(xp.exp(x).sum(axis=dims, keepdims=keepdim))
        m = x.max(axis=dims, keepdims=True)
        m = xp.where(xp.isinf(m), 0, m).astype(x.dtype, copy=False)
        out = xp.log(xp.exp(x - m).sum(axis=dims, keepdims=True)) + m
        return out if keepdim else out.squeeze(dims)

    def backward(self, g):
        x, y = self.saved_tensors
        shape = x._data.shape
        return expand_reduced(g, shape, self.dims, self.keepdim) * (x - expand_reduced(y, shape, self.dims, self.keepdim)).exp()


def logsumexp(input, dim, keepdim=False, *, out=None):
    return _out(LogsumexpBackward0.apply(input, dims=normalize_dims(input, dim), keepdim=keepdim), out)


# -- cumsum and cumprod --------------------------------------------------------------------------
def _reverse_cumsum(t, dim):
    """sum over j >= i along dim, without a flip: total - cumsum + t."""
    return t.sum(dim, keepdim=True) - t.cumsum(dim) + t


class CumsumBackward0(Op):
    @half_in_float32
    def forward(self, x, dim, dtype):
        self.dim = dim
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        return xp_of(x).cumsum(x, axis=dim, dtype=x.dtype) if x.ndim else x.copy()

    def backward(self, g):
        return _reverse_cumsum(g, self.dim) if g._data.ndim else g


class CumprodBackward0(Op):
    """d y_j / d x_i = prod_{k <= j, k != i} x_k for j >= i. Before the first zero of a slice
    that is sum_{j >= i} g_j y_j / x_i; at the first zero z it is sum_{j >= z} g_j y'_j with
    y' the cumprod with x_z set to 1; after it, 0."""

    save_inputs = True
    save_output = True

    @half_in_float32
    def forward(self, x, dim, dtype):
        self.dim = dim
        if dtype is not None:
            x = x.astype(D.np_dtype(dtype), copy=False)
        return xp_of(x).cumprod(x, axis=dim, dtype=x.dtype) if x.ndim else x.copy()

    def backward(self, g):
        x, y = self.saved_tensors
        if not g._data.ndim:
            return g
        d = self.dim
        zero = x == 0
        zeros_so_far = zero.cumsum(d)
        before = zeros_so_far == 0
        first_zero = zero & (zeros_so_far == 1)
        a = _reverse_cumsum(g * y, d) / where(zero, 1.0, x)
        y1 = where(first_zero, 1.0, x).cumprod(d)
        b = _reverse_cumsum(g * y1, d)
        return where(before, a, where(first_zero, b, 0.0))


def cumsum(input, dim, *, dtype=None, out=None):
    return _out(CumsumBackward0.apply(input, dim=input._wrap_dim(dim), dtype=_int_to_long(input, dtype)), out)


def cumprod(input, dim, *, dtype=None, out=None):
    return _out(CumprodBackward0.apply(input, dim=input._wrap_dim(dim), dtype=_int_to_long(input, dtype)), out)


# -- norm and dist -------------------------------------------------------------------------------
class LinalgVectorNormBackward0(Op):
    """||x||_p = (sum |x|^p)^(1/p); p = inf/-inf: max/min |x|; p = 0: count of non-zeros.
    Gradient (torch's norm_backward): x |x|^(p-2) g / ||x||^(p-1), 0 where the norm is 0;
    for p = +-inf, sign(x) g shared evenly by the elements that reach the norm."""

    save_inputs = True
    save_output = True

    @half_in_float32
    def forward(self, x, p, dims, keepdim):
        self.p, self.dims, self.keepdim = p, dims, keepdim
        xp = xp_of(x)
        a = xp.abs(x)
        if p == 2:
            return xp.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
        if p == 1:
            return a.sum(axis=dims, keepdims=keepdim)
        if p == math.inf:
            return a.max(axis=dims, keepdims=keepdim)
        if p == -math.inf:
            return a.min(axis=dims, keepdims=keepdim)
        if p == 0:
            return (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
        pp = a.dtype.type(p)  # a NumPy scalar: ml_dtypes would turn a Python float into float32
        return (a ** pp).sum(axis=dims, keepdims=keepdim) ** (1 / pp)

    def backward(self, g):
        x, y = self.saved_tensors
        p, dims, keepdim, shape = self.p, self.dims, self.keepdim, x._data.shape
        if p == 0:
            return None  # torch leaves the gradient undefined (x.grad stays None)
        if p == 1:
            return expand_reduced(g, shape, dims, keepdim) * x.sgn()
        if p in (math.inf, -math.inf):
            return x.sgn() * _even_split(g, x.abs(), y, dims, keepdim)
        g = expand_reduced(g, shape, dims, keepdim)
        y = expand_reduced(y, shape, dims, keepdim)
        if p == 2:
            return x * where(y == 0, 0.0, g / y)
        if p < 1:
            scaled = where(x == 0, 0.0, x.sgn() * x.abs().pow(p - 1))
        else:
            scaled = x * x.abs().pow(p - 2)
        return scaled * where(y == 0, 0.0, g / y.pow(p - 1))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.vector_norm, which torch.norm and dist call too: the ord-norm of x over dim
    (all elements if None), computed in `dtype` if given."""
    if not x._dtype._differentiable:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_type_word(x)}")
    if isinstance(ord, (str, bool)) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    if dtype is not None:
        dtype = D.canonical(dtype)
        if not dtype.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                               f"{_TYPE_WORDS[dtype.name]}")
        x = x.to(dtype)
    p = float(ord)
    dims = normalize_dims(x, dim)
    if (p < 0 or p == math.inf) and not x._data.size:  # max/min over nothing: no identity
        if dim is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty tensor because the "
                               "operation does not have an identity")
        empty = next((d for d in dims if x._data.shape[d] == 0), None)
        if empty is not None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on the dimension {empty}because "
                               "this dimension is empty and the operation does not have an identity")
    return _out(LinalgVectorNormBackward0.apply(x, p=p, dims=dims, keepdim=keepdim), out)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm, as torch's own: a numeric p (or 'fro' over at most two dims) is
    linalg.vector_norm, any other string p is linalg.matrix_norm."""
    dims = (dim,) if isinstance(dim, (int, np.integer)) else dim
    if not isinstance(p, str):
        return vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype, out=out)
    if p == "fro" and (dims is None or len(dims) <= 2):
        return vector_norm(input, 2.0, dims, keepdim, dtype=dtype, out=out)
    return matrix_norm(input, p, list(range(input.ndim)) if dims is None else dims, keepdim, dtype=dtype, out=out)


def dist(input, other, p=2):
    """||input - other||_p."""
    return vector_norm(input - other, p)


# -- all, any, count_nonzero ----------------------------------------------------------------------
class _Test(Op):
    differentiable = False

    def forward(self, x, fn, dims, keepdim):
        out = getattr(x, fn)(axis=dims, keepdims=keepdim)
        return out.astype(np.uint8) if x.dtype == np.uint8 else out  # torch keeps uint8 for uint8


def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element (over dim) is non-zero; uint8 input gives uint8."""
    return _out(_Test.apply(input, fn="all", dims=normalize_dims(input, dim), keepdim=keepdim), out)


def any(input, dim=None, keepdim=False, *, out=None):
    return _out(_Test.apply(input, fn="any", dims=normalize_dims(input, dim), keepdim=keepdim), out)


class _CountNonzero(Op):
    differentiable = False

    def forward(self, x, dims):
        return xp_of(x).count_nonzero(x, axis=dims).astype(np.int64, copy=False)


def count_nonzero(input, dim=None):
    return _CountNonzero.apply(input, dims=normalize_dims(input, dim))


for _fn in (sum, mean, prod, std, var, max, min, median, amax, amin, argmax, argmin, logsumexp, cumsum, cumprod, norm,
            dist, all, any, count_nonzero):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.cumsum_ = inplace_method(cumsum)
Tensor.cumprod_ = inplace_method(cumprod)


def hash_tensor(input, dim=None, *, keepdim=False, mode=0, out=None):
    """torch.hash_tensor: the xor of the elements' 64-bit patterns (floats as float64, integers and bool as
    int64), as uint64, over all elements or the dims given."""
    if mode != 0:
        raise RuntimeError(f"Unknown hash_tensor mode: {mode}")
    dt = input._dtype
    if dt.is_complex or dt in D._LIMITED:
        raise NotImplementedError(f"\"xor_sum_cpu\" not implemented for '{_TYPE_WORDS[dt.name]}'")
    if dim is None or isinstance(dim, (list, tuple)) and not dim:
        if input.numel() == 0:
            raise RuntimeError("hash_tensor: Expected reduction dim to be specified for input.numel() == 0. Specify "
                               "the reduction dim with the 'dim' argument.")
    dims = normalize_dims(input, dim)
    for d in dims:
        if input._data.shape[d] == 0:
            raise IndexError(f"hash_tensor: Expected reduction dim {d} to have non-zero size.")
    x = input._data
    xp = xp_of(x)
    bits = x.astype(np.float64 if dt.is_floating_point else np.int64).view(np.uint64)
    h = xp.bitwise_xor.reduce(bits, axis=dims, keepdims=keepdim) if dims else bits.copy()
    return _out(_wrap(xp.asarray(h, dtype=np.uint64)), out)


Tensor.hash_tensor = hash_tensor

from ..linalg._norms import matrix_norm  # noqa: E402 - linalg builds on this module

__all__ = ["sum", "mean", "prod", "std", "var", "std_mean", "var_mean", "max", "min", "median", "amax", "amin",
           "argmax",
           "argmin", "logsumexp", "cumsum", "cumprod", "norm", "dist", "all", "any", "count_nonzero",
           "hash_tensor"]
