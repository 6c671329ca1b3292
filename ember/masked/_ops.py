"""torch.masked's operations on strided tensors, as torch.masked._ops defines them: masked-out
elements are replaced by the operation's identity (0 for sum, -inf for amax, ...) and the
ordinary ember reduction runs; mean / var / std divide by the count of masked-in elements.
Gradients are those of the ember ops (torch's are those of its ops: the same formulas)."""
import math

import ember

_SMALL_INTS = ("uint8", "bool", "int8", "int16", "int32")


def _reduction_identity(op_name, input, *args):
    """The identity value of a reduction on input's dtype (a 0-d tensor), or None when undefined."""
    dtype, device = input.dtype, input.device
    op_name = op_name.rsplit(".", 1)[-1]
    if op_name in ("sum", "cumsum"):
        return ember.tensor(0, dtype=dtype, device=device)
    if op_name in ("prod", "cumprod"):
        return ember.tensor(1, dtype=dtype, device=device)
    if op_name in ("amax", "argmax", "logaddexp", "logsumexp", "amin", "argmin"):
        low = op_name not in ("amin", "argmin")
        if dtype.is_floating_point:
            return ember.tensor(-math.inf if low else math.inf, dtype=dtype, device=device)
        if op_name == "logsumexp" and dtype.is_complex:
            return ember.tensor(complex(-math.inf, 0), dtype=dtype, device=device)
        if dtype.is_signed or dtype == ember.uint8:
            info = ember.iinfo(dtype)
            return ember.tensor(info.min if low else info.max, dtype=dtype, device=device)
    elif op_name in ("mean", "var", "std"):
        return None
    elif op_name == "norm":
        if (args[0] if args else 2) == -math.inf:
            return ember.tensor(math.inf, dtype=dtype, device=device)
        return ember.tensor(0, dtype=dtype, device=device)
    elif op_name == "median":
        return ember.tensor(math.nan, dtype=dtype if dtype.is_floating_point else ember.float32, device=device)
    raise NotImplementedError(f"identity of {op_name} on {dtype} input")


def _canonical_dim(dim, ndim):
    """dim as a sorted tuple of non-negative dims (None or () for all)."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    ndim = max(ndim, 1)
    dims = []
    for d in (dim,) if isinstance(dim, int) else dim:
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if d >= ndim or d < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {d})")
        dims.append(d % ndim)
    return tuple(sorted(dims))


def _where(mask, input, fill_value):
    return ember.where(mask, input, fill_value)


def _input_mask(input, *args, **kwargs):
    """The mask broadcast to input's shape, as bool."""
    mask = kwargs.get("mask")
    if mask is None:
        raise ValueError("_input_mask requires explicit mask")
    if mask.shape != input.shape:
        if mask.ndim > input.ndim:
            raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality higher than of the "
                             "input)")
        mask = ember.broadcast_to(mask.clone(), input.shape)
    return mask.to(dtype=ember.bool)


def _output_mask(op, input, *args, **kwargs):
    """Which outputs of a masked reduction (any masked-in element) or normalization are defined."""
    name = op.__name__
    if name in ("softmax", "log_softmax", "softmin", "normalize", "cumsum", "cumprod"):
        return _input_mask(input, *args, **kwargs)
    if name == "norm" and args:
        args = args[1:]
    dim = args[0] if args else kwargs.get("dim")
    mask = _input_mask(input, *args, **kwargs)
    return mask.any(_canonical_dim(dim, input.ndim), keepdim=bool(kwargs.get("keepdim", False))) \
        if input.ndim else mask


def _combine(op_name, input, mask, *args):
    """input with its masked-out elements replaced by op's identity."""
    if mask is None:
        return input
    return _where(_input_mask(input, mask=mask), input, _reduction_identity(op_name, input, *args))


def _sum_dtype(input, dtype):
    return dtype or (ember.int64 if str(input.dtype).split(".")[-1] in _SMALL_INTS else input.dtype)


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = _sum_dtype(input, dtype)
    return ember.sum(_combine("sum", input, mask), _canonical_dim(dim, input.ndim), bool(keepdim), dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    result = _combine("prod", input, mask).to(dtype=_sum_dtype(input, dtype))
    for d in reversed(_canonical_dim(dim, input.ndim)):
        result = result.prod(dim=d, keepdim=bool(keepdim))
    return result


def cumsum(input, dim, *, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return ember.cumsum(_combine("sum", input, mask), _canonical_dim(dim, input.ndim)[0], dtype=dtype).to(dtype=dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return ember.cumprod(_combine("prod", input, mask), _canonical_dim(dim, input.ndim)[0], dtype=dtype).to(dtype=dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _combine("amax", input, mask)
    return ember.amax(x, _canonical_dim(dim, x.ndim), bool(keepdim)).to(dtype=dtype or input.dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _combine("amin", input, mask)
    return ember.amin(x, _canonical_dim(dim, x.ndim), bool(keepdim)).to(dtype=dtype or input.dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return ember.argmax(_combine("argmax", input, mask), dim, bool(keepdim)).to(dtype=dtype or input.dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return ember.argmin(_combine("argmin", input, mask), dim, bool(keepdim)).to(dtype=dtype or input.dtype)


def _count_and_total(input, dim, keepdim, dtype, mask):
    """(number of masked-in elements, their sum) over dim."""
    if mask is None:
        count = sum(ember.ones(input.shape, dtype=ember.int64, device=input.device), dim, keepdim=keepdim)
        return count, sum(input, dim, keepdim=keepdim, dtype=dtype)
    inmask = _input_mask(input, mask=mask)
    return inmask.sum(dim=dim, keepdim=bool(keepdim)), sum(input, dim, keepdim=keepdim, dtype=dtype, mask=inmask)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    source = "Optional" if dtype is not None else "Input"
    dtype = dtype or input.dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"mean(): Could not infer output dtype. {source} dtype must be either a floating point or "
                         f"complex dtype. Got: {dtype}")
    count, total = _count_and_total(input, dim, keepdim, dtype, mask)
    return total / count


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    d = _canonical_dim(dim, input.ndim)[0]
    is_float = input.dtype.is_floating_point
    if not is_float:
        input = input.to(dtype=ember.float32)
    output = ember.nanmedian(_combine("median", input, mask), d, keepdim).values
    if is_float:
        return output
    if not ember.isnan(output).any():
        return output.to(dtype=dtype)
    raise ValueError("masked median expects no fully masked out rows if dtype is not floating point")


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _combine("logsumexp", input, mask)
    return ember.logsumexp(x, _canonical_dim(dim, input.ndim), keepdim=keepdim).to(dtype=dtype or input.dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    return ember.logaddexp(_combine("logaddexp", input, input_mask),
                           _combine("logaddexp", other, other_mask)).to(dtype=dtype or input.dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _combine("norm", input, mask, ord)
    return ember.linalg.vector_norm(x, ord, _canonical_dim(dim, input.ndim), bool(keepdim), dtype=dtype or input.dtype)


def _std_var(input, dim, unbiased, *, correction_opt, keepdim, dtype, mask, take_sqrt):
    if unbiased is not None and correction_opt is not None:
        raise AssertionError("Only one of unbiased and correction may be given")
    correction = 1.0 if unbiased is None else (1.0 if unbiased else 0.0)
    if correction_opt is not None:
        correction = float(correction_opt)
    if dtype is None:
        dtype = input.dtype if input.dtype.is_floating_point or input.dtype.is_complex else ember.float32
    compute = dtype if dtype.is_floating_point or dtype.is_complex else ember.float32
    count, sample_total = _count_and_total(input, dim, True, dtype, mask)
    x = input - sample_total / count
    inmask = None if mask is None else _input_mask(input, mask=mask)
    total = sum(x * x.conj(), dim, keepdim=keepdim, dtype=compute, mask=inmask)
    if not keepdim:
        count = count.reshape(total.shape)
    if correction != 0:
        count = count.to(compute.to_real() if compute.is_complex else compute) - correction
        count = ember.maximum(count, count.new_zeros([]))
    output = (total / count).to(dtype=dtype)
    return ember.sqrt(output) if take_sqrt else output


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction_opt=correction, keepdim=keepdim, dtype=dtype, mask=mask,
                    take_sqrt=False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction_opt=correction, keepdim=keepdim, dtype=dtype, mask=mask,
                    take_sqrt=True)


def softmax(input, dim, *, dtype=None, mask=None):
    return ember.nn.functional.softmax(_combine("amax", input, mask), _canonical_dim(dim, input.ndim)[0],
                                       dtype=dtype or input.dtype)


def log_softmax(input, dim, *, dtype=None, mask=None):
    return ember.nn.functional.log_softmax(_combine("amax", input, mask), _canonical_dim(dim, input.ndim)[0],
                                           dtype=dtype or input.dtype)


def softmin(input, dim, *, dtype=None, mask=None):
    return ember.nn.functional.softmin(_combine("amin", input, mask), _canonical_dim(dim, input.ndim)[0],
                                       dtype=dtype or input.dtype)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    dtype = dtype or input.dtype
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    return _combine("sum", input, mask) / ember.maximum(nrm, nrm.new_full([], eps))

