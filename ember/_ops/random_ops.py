"""Random sampling: rand/randn/randint/randperm/normal/bernoulli/multinomial,
the *_like forms and the in-place fills (uniform_, normal_, bernoulli_, random_,
exponential_).

Numbers come from ember._random's generators, which reproduce torch's CPU
generator: the same seed gives the same values as torch. Values are drawn in
the order torch's TensorIterator visits the elements (memory order), so that
fills of transposed tensors match too. Samples are constants: no graph.
"""
import math

import numpy as np

from .. import _dtype as D
from .. import _random as R
from .._creation import _finish, _shape, empty
from .._device import as_device, xp_of
from .._tensor import Tensor
from ._base import _wrap, tensor_method
from ._inplace import fill_inplace
from .._alloc import torch_alloc_errors

_C_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int", "int64": "long",
            "bool": "bool", "float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}
_TYPE_WORDS = D._SCALAR_TYPE_NAMES
# dtypes whose random_/randint may take 64-bit draws (uniform_int_from_to_distribution)
_WIDE = {"int64", "float64", "float32", "bfloat16"}


# -- helpers -------------------------------------------------------------------------------
def _generator(generator, device):
    if generator is None:
        return R.generator_for(device)
    if not isinstance(generator, R.Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


def _need_float(t, kernel):
    _refuse_non_float(t._dtype, kernel)


def _refuse_non_float(dtype, kernel):
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_TYPE_WORDS[dtype.name]}\'')


def _no_complex(t, kernel):
    if t._dtype.is_complex:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_TYPE_WORDS[t._dtype.name]}\'')


def _real_view(t):
    """A complex tensor's (re, im) pairs as a real tensor sharing its memory (what torch fills)."""
    from .complex_ops import view_as_real

    return view_as_real(t)


def _fill_perm(arr):
    """TensorIterator's visiting order: dims by decreasing stride (None when C order)."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return None
    dims = [d for d in range(arr.ndim)]
    perm = sorted(dims, key=lambda d: -abs(arr.strides[d]) if arr.shape[d] != 1 else 0)
    return None if perm == dims else perm


def _fill(self, sampler, *args):
    """Fill self in place with sampler(n, *args) laid out in torch's visiting order."""
    arr = self._data
    flat = sampler(arr.size, *args)
    perm = _fill_perm(arr)
    if perm is None:
        values = flat.reshape(arr.shape)
    else:
        values = flat.reshape([arr.shape[d] for d in perm]).transpose(np.argsort(perm))
    values = values.astype(arr.dtype, copy=False)
    if type(arr) is not np.ndarray:
        values = xp_of(arr).asarray(values)
    return fill_inplace(self, values)


def _new(size, dtype, device, kernel):
    """An empty tensor of the requested kind, refusing the dtypes torch's kernel refuses."""
    dtype = D.canonical(dtype) or D.get_default_dtype()
    t = empty(*_shape(size), dtype=dtype, device=device)
    if kernel is not None:
        _need_float(t, kernel)
    return t


def _done(t, requires_grad):
    if requires_grad:
        t.requires_grad = True
    return t


def _like_args(input, dtype, device):
    return tuple(input._data.shape), dtype or input._dtype, device if device is not None else input.device


# -- in-place fills ------------------------------------------------------------------------
@tensor_method("uniform_")
def uniform_(self, from_=0, to=1, *, generator=None, **kw):
    """Fill with U[from, to): 24 (float32) or 53 (float64) random bits per value."""
    from_ = kw.pop("from", from_)
    if self._dtype.is_complex:  # torch fills the real and imaginary parts alike
        uniform_(_real_view(self), from_, to, generator=generator)
        return self
    _need_float(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > "
                           f"to={_fmt(to)}")
    g = _generator(generator, self.device)
    name = _sample_name(self._dtype)
    return _fill(self, g.uniform, name, float(from_), float(to))


@tensor_method("normal_")
def normal_(self, mean=0, std=1, *, generator=None):
    if self._dtype.is_complex:  # each part with half the variance, as torch does
        _check_std(std)
        normal_(_real_view(self), mean, std / math.sqrt(2), generator=generator)
        return self
    _need_float(self, "normal_kernel_cpu")
    _check_std(std)
    g = _generator(generator, self.device)
    contiguous = bool(self._data.flags.c_contiguous)
    return _fill(self, g.normal, _sample_name(self._dtype), float(mean), float(std), contiguous)


@tensor_method("bernoulli_")
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws: u < p, u a double uniform (float p) or one of p's dtype (tensor p)."""
    _no_complex(self, "bernoulli_tensor_cpu_self_" if isinstance(p, Tensor) else "bernoulli_scalar_cpu_")
    g = _generator(generator, self.device)
    if isinstance(p, Tensor):
        _need_float(p, "bernoulli_tensor_cpu_p_")
        pa = p._data if type(p._data) is np.ndarray else p._data.get()
        pa = np.broadcast_to(pa, self._data.shape)
        name = "float64" if p._dtype is D.float64 else "float32"
        perm = _fill_perm(self._data)
        pflat = pa.ravel() if perm is None else pa.transpose(perm).ravel()
        if np.any((pflat < 0) | (pflat > 1)) or np.isnan(pflat).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        return _fill(self, lambda n: g.uniform01(n, name) < pflat)
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    return _fill(self, g.bernoulli, p)


@tensor_method("exponential_")
def exponential_(self, lambd=1, *, generator=None):
    _need_float(self, "exponential_cpu")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    g = _generator(generator, self.device)
    return _fill(self, g.exponential, float(lambd))


@tensor_method("cauchy_")
def cauchy_(self, median=0, sigma=1, *, generator=None):
    if not self._dtype.is_floating_point:
        names = {**_C_NAMES, "int64": "long int", "int16": "short int"}
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a floating "
                           f"point but you specified {names[self._dtype.name]}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    return _fill(self, _generator(generator, self.device).cauchy, float(median), float(sigma))


@tensor_method("log_normal_")
def log_normal_(self, mean=1, std=2, *, generator=None):
    _need_float(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    return _fill(self, _generator(generator, self.device).log_normal, float(mean), float(std))


@tensor_method("geometric_")
def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    return _fill(self, _generator(generator, self.device).geometric, float(p))


@tensor_method("random_")
def random_(self, from_=None, to=None, *, generator=None, **kw):
    """random_() / random_(to) / random_(from, to): integers drawn as torch draws them."""
    _no_complex(self, "random_kernel_cpu" if from_ is None and to is None else "random_from_to_kernel_cpu")
    if "from" in kw:
        from_ = kw.pop("from")
    elif to is None and from_ is not None:
        from_, to = 0, from_  # random_(to)
    g = _generator(generator, self.device)
    name = self._dtype.name
    if from_ is None and to is None:
        return _fill(self, _full_range_sampler(g, name))
    from_, to = _int_range(from_, to, self._dtype)
    return _fill(self, g.random_from_to, to - from_, from_, name in _WIDE)


def _int_range(from_, to, dtype):
    """random_(from, to)'s bounds as ints (to=None: the dtype's top + 1), with torch's errors."""
    from_ = 0 if from_ is None else int(from_)
    to = _top(dtype) + 1 if to is None else int(to)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    _check_range(from_, to, dtype)
    return from_, to


def _full_range_sampler(g, name):
    """uniform_int_distribution: [0, max] for integers, [0, 2**digits] for floats."""
    if name == "bool":
        return lambda n: (g.random32(n) & np.uint64(1)).astype(bool)
    if name in R.DIGITS:
        mod = (1 << R.DIGITS[name]) + 1
        draw = g.random64 if name == "float64" else g.random32
    else:
        mod = int(np.iinfo(name).max) + 1
        draw = g.random64 if name == "int64" else g.random32
    return lambda n: (draw(n) % np.uint64(mod)).astype(np.int64)


def _top(dtype):
    """The largest value random_ draws for a dtype: its max, or 2**digits for floats."""
    if dtype is D.bool_:
        return 1
    if dtype.is_floating_point:
        return 1 << R.DIGITS[dtype.name]
    return _int_limits(dtype)[1]


_LIMITS = {}  # dtype -> (min, max) of its values, for random_'s bounds (np.iinfo is slow)


def _int_limits(dtype):
    lim = _LIMITS.get(dtype)
    if lim is None:
        info = np.iinfo(D.np_dtype(dtype))
        lim = _LIMITS[dtype] = (int(info.min), int(info.max))
    return lim


def _check_range(from_, to, dtype):
    if dtype.is_floating_point:
        hi = float(np.finfo(np.float32 if dtype is D.bfloat16 else D.np_dtype(dtype)).max)
        lo = -hi
    else:
        hi = _top(dtype)
        lo = 0 if dtype is D.bool_ else _int_limits(dtype)[0]
    if not lo <= from_ <= hi:
        raise RuntimeError(f"from is out of bounds for {_C_NAMES[dtype.name]}")
    if not lo <= to - 1 <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dtype.name]}")


def _check_std(std):
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


def _fmt(x):
    """Numbers as torch prints them in messages (1.5, -1, 3)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _sample_name(dtype):
    return dtype.name if dtype.name in R.DIGITS else "float32"


# -- factories ----------------------------------------------------------------------------
def _sampled(size, dtype, device, kernel, generator, draw):
    """A new tensor holding draw(g, n, sample dtype name) for its n elements in C order
    (what filling a fresh contiguous tensor in place gives, without the zero fill and the
    in-place write). A complex tensor is filled as torch fills it, through view_as_real: 2n
    real draws, (re, im) pairs. The draws are made on the host (by the device's generator)
    and moved to the device in one copy."""
    dtype = D.canonical(dtype) or D.get_default_dtype()
    device = as_device(device)
    shape = size if all(type(s) is int and s >= 0 for s in size) else _shape(size)
    real = dtype.to_real()
    if kernel is not None:
        _refuse_non_float(real, kernel)
    n = math.prod(shape)
    flat = draw(_generator(generator, device), 2 * n if dtype.is_complex else n, _sample_name(real))
    if dtype.is_complex:
        flat = flat.astype(D.np_dtype(real), copy=False).view(D.np_dtype(dtype))
    t = Tensor._make(flat.reshape(shape).astype(D.np_dtype(dtype), copy=False), dtype)
    return t if device.type == "cpu" else t.to(device)


def _need_size(name, size):
    """torch's parser errors for rand/randn sizes: none given, or not integers (named for `name`)."""
    if not size:  # torch.randn() is refused: its size has no default
        raise TypeError(f"{name}() received an invalid combination of arguments - got (), but expected one of:\n"
                        " * (tuple of ints size, *, torch.Generator generator, Tensor out = None, ...)")
    if not all(type(s) is int for s in size):
        _shape(size, name)


@torch_alloc_errors
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples on [0, 1)."""
    _need_size("rand", size)
    t = _sampled(size, dtype, device, "check_uniform_bounds", generator, R.Generator.uniform01)
    return _finish_out(t, out, requires_grad)


@torch_alloc_errors
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples (Box-Muller)."""
    _need_size("randn", size)
    complex_dtype = (D.canonical(dtype) or D.get_default_dtype()).is_complex
    t = _sampled(size, dtype, device, "normal_kernel_cpu", generator,
                 _complex_normal if complex_dtype else _standard_normal)
    return _finish_out(t, out, requires_grad)


def _standard_normal(g, n, name):
    return g.normal(n, name, 0.0, 1.0)


def _complex_normal(g, n, name):
    """torch's complex randn: each part has half the variance (std 1/sqrt(2))."""
    return g.normal(n, name, 0.0, 1.0 / math.sqrt(2))


@torch_alloc_errors
def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """randint(high, size) or randint(low, high, size): integers on [low, high)."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args.pop()
    if high is None:
        if not args:
            raise TypeError("randint() missing required argument 'high'")
        high = args.pop()
    if args:
        low = args.pop()
    size = (size,) if isinstance(size, int) else (tuple(size),)
    dtype = D.canonical(dtype) or D.int64
    low = 0 if low is None else low

    def draw(g, n, _):
        lo, hi = _int_range(low, high, dtype)
        return g.random_from_to(n, hi - lo, lo, dtype.name in _WIDE)

    t = _sampled(size, dtype, device, None, generator, draw)
    return _finish_out(t, out, requires_grad)


@torch_alloc_errors
def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1, by torch's swap shuffle: for i, swap i with
    i + random32() % (n - i)."""
    dtype = D.canonical(dtype) or D.int64
    t = _sampled((n,), dtype, device, None, generator, _permutation)
    return _finish_out(t, out, requires_grad)


def _permutation(g, n, _):
    """randperm's values: int64, 0..n-1 in the order of torch's swap shuffle."""
    if n < 2:
        return np.zeros(n, np.int64)
    return _swap_shuffle(g.random32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64))


def _swap_shuffle(z):
    """The permutation left by swapping positions i and i + z[i] for i = 0, 1, ... (z[i] < n - i).

    Small n: the swaps themselves. Large n, without a Python loop: call cur[i] the value
    at position i just before swap i. Swap i moves cur[i] to its target j[i] = i + z[i];
    as later swaps only touch positions >= their own index, position i holds at time i
    the value that the last earlier swap aimed at i moved there, or i itself:
        cur[i] = cur[prev[i]] (prev[i] = last k < i with j[k] == i), or i if there is none,
    a forest of pointers resolved by pointer doubling. Position i finally holds what
    swap i fetched from j[i]: cur[k] for the last k < i with j[k] == j[i], else j[i]."""
    n = len(z) + 1
    if n < 400:
        perm = list(range(n))
        for i, d in enumerate(z.tolist()):
            j = i + d
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm)
    i = np.arange(n)
    j = i.copy()
    j[:-1] += z.astype(np.int64)  # a last no-op swap n-1 <-> n-1 makes the formula cover position n-1
    # Swaps grouped by target, in swap order within a group (unique keys j * n + i).
    js, order = np.divmod(np.sort(j * n + i), n)
    same = js[1:] == js[:-1]
    before = np.full(n, -1)  # the previous swap with the same target
    before[order[1:][same]] = order[:-1][same]
    last = np.full(n, -1)  # the last swap aiming at each position
    ends = np.append(np.flatnonzero(~same), n - 1)
    last[js[ends]] = order[ends]
    prev = np.where(j == i, before, last)  # swap i aims at i only if it is the last to do so
    cur = np.where(prev >= 0, prev, i)
    while True:
        nxt = cur[cur]
        if (nxt == cur).all():
            break
        cur = nxt
    return np.where(before >= 0, cur[before], j)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """normal(mean, std) with tensor or float mean/std, or normal(mean, std, size)."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), "
                            "but expected (Tensor mean, Tensor std) or (float mean, float std, tuple of ints size)")
        t = _new((size,) if isinstance(size, int) else (tuple(size),), dtype, device, "normal_kernel_cpu")
        return _finish_out(normal_(t, mean, std, generator=generator), out, requires_grad)
    if st and bool((std._data < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    # torch: a standard (or 0-mean) normal sample, then .mul_(std).add_(mean) in its dtype
    src = mean if mt else std
    shape = np.broadcast_shapes(mean._data.shape, std._data.shape) if mt and st else src._data.shape
    t = _new((shape,), src._dtype, src.device, "normal_kernel_cpu")
    normal_(t, 0, 1 if st else std, generator=generator)
    data, npdt = t._data, t._data.dtype
    if st:
        data = (data * std._data).astype(npdt, copy=False)
    data = (data + (mean._data if mt else npdt.type(mean))).astype(npdt, copy=False)
    return _finish_out(_wrap(data), out, False)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probabilities `input` (or the float p), of input's dtype."""
    t = _new((input._data.shape,), input._dtype, input.device, None)
    bernoulli_(t, input if p is None else p, generator=generator)
    return _finish_out(t, out, False)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of `input` (unnormalized probabilities).

    Without replacement (or one sample), torch's exponential race: the top
    num_samples of p / q with q ~ Exp(1). With replacement, a binary search of
    a double uniform in each row's normalized cumulative sums."""
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TYPE_WORDS[input._dtype.name]}")
    if input._data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = input._data.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    g = _generator(generator, input.device)
    p = input._data if input.is_cpu else input._data.get()
    rows = p.reshape(-1, n_cat)
    if not replacement or num_samples == 1:
        if not (np.isfinite(rows).all() and (rows >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(-1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = g.exponential(rows.size, 1.0).astype(rows.dtype).reshape(rows.shape)
        score = rows / q
        if num_samples == 1:
            idx = score.argmax(-1)[:, None]
        else:
            idx = np.argsort(-score, axis=-1, kind="stable")[:, :num_samples]
    else:
        idx = _multinomial_replacement(rows, num_samples, g)
    idx = idx.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64)
    result = _wrap(idx if input.is_cpu else xp_of(input._data).asarray(idx))
    return _finish_out(result, out, False)


def _multinomial_replacement(rows, num_samples, g):
    acc = np.float32 if rows.dtype != np.float64 else np.float64
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for i, row in enumerate(rows.astype(acc)):
        if (row < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
        if not np.isfinite(row).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
        cum = np.cumsum(row)  # sequential, in the row's precision, as torch
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = cum / total
        cum[-1] = 1
        u = g.uniform01(num_samples, "float64")
        out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out


def _finish_out(t, out, requires_grad):
    if out is not None:
        if not isinstance(out, Tensor):
            raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
        if out._data.shape != t._data.shape:
            out._data = np.empty(t._data.shape, out._data.dtype) if out.is_cpu else \
                xp_of(out._data).empty(t._data.shape, out._data.dtype)
        fill_inplace(out, t._data)
        return out
    return _done(t, requires_grad)


# -- *_like -------------------------------------------------------------------------------
def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dtype, device = _like_args(input, dtype, device)
    return rand(shape, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dtype, device = _like_args(input, dtype, device)
    return randn(shape, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """randint_like(input, high) or randint_like(input, low, high)."""
    if high is None:
        low, high = 0, low
    shape, dtype, device = _like_args(input, dtype, device)
    return randint(low, high, shape, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


# -- methods ------------------------------------------------------------------------------
@tensor_method("bernoulli")
def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


@tensor_method("multinomial")
def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


Generator = R.Generator
default_generator = R.default_generator
manual_seed = R.manual_seed
seed = R.seed
initial_seed = R.initial_seed
get_rng_state = R.get_rng_state
set_rng_state = R.set_rng_state

__all__ = ["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "rand_like", "randn_like",
           "randint_like", "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state"]
