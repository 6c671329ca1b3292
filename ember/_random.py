"""Random number generators: PyTorch's CPU generator, re-created on NumPy.

torch's CPU generator is a 32-bit Mersenne Twister (mt19937) seeded with
init_genrand(seed & 0xffffffff). NumPy's `MT19937` bit generator is the same
engine, so its `random_raw()` gives torch's raw 32-bit stream once its key is
set as torch sets it; a 64-bit draw is two 32-bit draws, the first one high.

On top of the raw stream, the samplers below follow ATen's CPU kernels
(aten/src/ATen/core/DistributionsHelper.h, TransformationHelper.h and
native/cpu/DistributionTemplates.h) step by step, so that the same seed gives
the same numbers as torch:

- uniform: float32 keeps 24 bits of a 32-bit draw, float64 53 bits of a
  64-bit draw: u = (bits & (2**d - 1)) * 2**-d, then fma(u, to - from, from)
  (ATen's `u * (to - from) + from`, contracted to an FMA by the compiler);
- normal, >= 16 contiguous elements: uniforms for the whole tensor, then
  Box-Muller on blocks of 16 (u1 = 1 - x[0:8], u2 = x[8:16]); a ragged tail
  re-draws the last 16 values. float32 uses ATen's AVX2 path, whose log and
  sincos are Cephes polynomials (avx_mathfun.h), mirrored here in float32;
- normal, otherwise: one double Box-Muller pair per two values, the second
  value cached in the generator for the next call, as torch does;
- integers: a 32-bit draw (64-bit for ranges >= 2**32) modulo the range.
"""
import math
import os

import numpy as np
from numpy.random.bit_generator import ISeedSequence

from ._device import as_device

DEFAULT_SEED = 67280421310721  # c10::detail::default_rng_seed_val
_STATE_BYTES = 5056  # sizeof(CPUGeneratorImplState), the layout of torch.get_rng_state()
_N = 624  # mt19937 state words

_f32 = np.float32
_f64 = np.float64
_u64 = np.uint64
# Mantissa digits per floating dtype name: how many random bits a uniform keeps.
DIGITS = {"float32": 24, "float64": 53, "float16": 11, "bfloat16": 8}
_MASK = {d: _u64((1 << d) - 1) for d in DIGITS.values()}
_SCALE = {d: _f32(2.0 ** -d) for d in DIGITS.values()}
_M53 = (1 << 53) - 1
# Rows of 16 values that normal() transforms at a time: small enough that the
# temporaries come from the heap rather than fresh pages and stay in cache.
_CHUNK_ROWS = 1024
_CHUNK = 1 << 16  # values per chunk of the other samplers (see Generator._in_chunks)


class _Unseeded(ISeedSequence):
    """A seed sequence for bit generators whose state is set right after (manual_seed): it
    spares NumPy's default seeding from OS entropy, a quarter of a millisecond per generator."""

    def generate_state(self, n_words, dtype=np.uint32):
        return np.zeros(n_words, dtype)


_UNSEEDED = _Unseeded()


def _os_seed():
    """A 64-bit seed from the OS's random source (torch's getNonDeterministicRandom)."""
    return int.from_bytes(os.urandom(8), "little")


def _unpack_seed(seed):
    """torch's seed rules: int(seed), any value in [-2**63, 2**64), negatives wrap."""
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


class Generator:
    """torch.Generator: a seeded random stream (mt19937, torch's CPU generator).

    `device` records where the tensors it fills live; the numbers themselves
    always come from this CPU stream, so a seed gives the same values everywhere.
    """

    def __init__(self, device="cpu"):
        self._device = as_device(device)
        self._bits = np.random.MT19937(_UNSEEDED)
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        seed = _unpack_seed(seed)
        self._seed = seed
        # NumPy's legacy seeding is the reference init_genrand (RandomState's), leaving pos = 624
        self._bits._legacy_seeding(seed & 0xFFFFFFFF)
        self._normal = None  # the cached second value of a Box-Muller pair
        return self

    def seed(self):
        """Seed from the OS with a fresh 64-bit value (as torch's CPU generator) and return it."""
        s = _os_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as torch's 5056-byte ByteTensor (CPUGeneratorImplState layout)."""
        st = self._bits.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_BYTES, np.uint8)
        head = np.array([self._seed], "<u8").tobytes() + np.array([_N + 1 - pos, 1], "<i4").tobytes() \
            + np.array([0 if pos == _N else pos], "<u8").tobytes()
        buf[:24] = np.frombuffer(head, np.uint8)
        buf[24:24 + 8 * _N] = np.frombuffer(st["key"].astype("<u8").tobytes(), np.uint8)
        if self._normal is not None:  # legacy normal_y / normal_is_valid hold the cached double
            buf[5024:5032] = np.frombuffer(np.array([self._normal], "<f8").tobytes(), np.uint8)
            buf[5040:5044] = np.frombuffer(np.array([1], "<i4").tobytes(), np.uint8)
        from ._tensor import Tensor
        from . import _dtype as D

        return Tensor._make(buf, D.uint8)

    def set_state(self, new_state):
        from ._tensor import Tensor
        from . import _dtype as D

        if not isinstance(new_state, Tensor) or new_state._dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        buf = np.ascontiguousarray(new_state.numpy(force=True))
        if buf.size != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size 5056 but found the input RNG state "
                               f"size to be {buf.size}")
        seed = int(buf[:8].view("<u8")[0])
        left = int(buf[8:12].view("<i4")[0])
        key = buf[24:24 + 8 * _N].view("<u8").astype(np.uint32)
        self._seed = seed
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N + 1 - left}}
        valid = int(buf[5040:5044].view("<i4")[0])
        self._normal = float(buf[5024:5032].view("<f8")[0]) if valid else None
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"

    # -- raw streams --------------------------------------------------------------------
    def random32(self, n):
        """n 32-bit draws (uint64 array), torch's generator->random()."""
        return self._bits.random_raw(n)

    def random64(self, n):
        """n 64-bit draws: two 32-bit draws each, the first one the high word."""
        r = self._bits.random_raw(2 * n)
        return (r[0::2] << _u64(32)) | r[1::2]

    # -- samplers on a flat count, in the order torch fills -------------------------------
    def _in_chunks(self, n, sampler, *args):
        """sampler(n, *args) for a large n, made _CHUNK values at a time. Each value takes its
        own draws from the stream in order, so the values are the same; the temporaries stay
        small (heap blocks in cache rather than fresh pages of a large array)."""
        first = sampler(_CHUNK, *args)
        out = np.empty(n, first.dtype)
        out[:_CHUNK] = first
        for i in range(_CHUNK, n, _CHUNK):
            out[i:i + _CHUNK] = sampler(min(_CHUNK, n - i), *args)
        return out

    def uniform01(self, n, dtype_name):
        """n values of at::uniform_real_distribution(0, 1): float32 or float64 arrays."""
        if n > _CHUNK:
            return self._in_chunks(n, self.uniform01, dtype_name)
        d = DIGITS[dtype_name]
        if d == 53:
            return (self.random64(n) & _MASK[53]).astype(np.float64) * 2.0 ** -53
        # d-bit integers and power-of-two scaling are exact in float32
        r = self._bits.random_raw(n)
        np.bitwise_and(r, _MASK[d], out=r)
        return np.multiply(r, _SCALE[d], dtype=_f32)

    def uniform(self, n, dtype_name, low, high):
        """at::uniform_real_distribution(low, high) in the dtype's accumulate type."""
        if n > _CHUNK:
            return self._in_chunks(n, self.uniform, dtype_name, low, high)
        u = self.uniform01(n, dtype_name)
        if low == 0 and high == 1:
            return u  # fma(u, 1, 0) == u
        if u.dtype == np.float64:
            return fma64(u, high - low, low)
        low, high = _f32(low), _f32(high)
        return _fma_to(u, u, float(high - low), low, np.empty(n, _f64))

    def normal(self, n, dtype_name, mean, std, contiguous=True):
        """n values of torch's normal_ kernel (see the module docstring)."""
        if n >= 16 and contiguous:
            return self._normal_fill(n, dtype_name, mean, std)
        return self._normal_serial(n, mean, std)

    def _normal_fill(self, n, dtype_name, mean, std):
        data = self.uniform01(n, dtype_name)
        nblk = n // 16
        out = np.empty(n, data.dtype)
        transform = _box_muller16_avx2 if dtype_name == "float32" else _box_muller16
        blocks, rows = data[:nblk * 16].reshape(nblk, 16), out[:nblk * 16].reshape(nblk, 16)
        for r in range(0, nblk, _CHUNK_ROWS):  # chunks keep the temporaries small and in cache
            rows[r:r + _CHUNK_ROWS] = transform(blocks[r:r + _CHUNK_ROWS], mean, std)
        if n % 16:
            tail = self.uniform01(16, dtype_name)
            out[n - 16:] = transform(tail.reshape(1, 16), mean, std).ravel()
        return out

    def _normal_serial(self, n, mean, std):
        """at::normal_distribution<double>, one value at a time, with the cached pair half."""
        vals = np.empty(n, np.float64)
        start = 0
        if n and self._normal is not None:
            vals[0] = self._normal
            self._normal = None
            start = 1
        m = n - start
        if m:
            pairs = (m + 1) // 2
            if pairs <= 16:
                both = self._box_muller_pairs(pairs)
            else:
                u = self.uniform01(2 * pairs, "float64")
                u1, u2 = u[0::2], u[1::2]
                r = np.sqrt(-2.0 * np.log1p(-u2))
                theta = 2.0 * np.pi * u1
                both = np.empty(2 * pairs)
                both[0::2] = r * np.cos(theta)
                both[1::2] = r * np.sin(theta)
            vals[start:] = both[:m]
            if m % 2:
                self._normal = float(both[m])
        return fma64(vals, float(std), float(mean))

    def _box_muller_pairs(self, pairs):
        """The few-values form of _normal_serial's pairs: the same double operations on Python
        floats (libm's log1p/cos/sin, which NumPy's float64 loops call too) without the
        per-call cost of a dozen tiny array operations."""
        d = self._bits.random_raw(4 * pairs).tolist()
        both = []
        for k in range(0, 4 * pairs, 4):
            u1 = (((d[k] << 32) | d[k + 1]) & _M53) * 2.0 ** -53
            u2 = (((d[k + 2] << 32) | d[k + 3]) & _M53) * 2.0 ** -53
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            both += (r * math.cos(theta), r * math.sin(theta))
        return both

    def bernoulli(self, n, p):
        """n draws of torch's bernoulli_ with a float p: u < p for double uniforms u = k * 2**-53,
        compared as integers (k < ceil(p * 2**53), exact) without making the doubles."""
        if n > _CHUNK:
            return self._in_chunks(n, self.bernoulli, p)
        r = self._bits.random_raw(2 * n)
        k = r[0::2] & _u64((1 << 21) - 1)  # the high word's bits that survive the 53-bit mask
        k <<= _u64(32)
        k |= r[1::2]
        return k < _u64(math.ceil(p * 2.0 ** 53))

    def random_from_to(self, n, range_, base, wide):
        """uniform_int_from_to_distribution: (draw % range) + base, as int64 values.
        `wide`: the dtype may take 64-bit draws (int64, float64, float32, bfloat16)."""
        if wide and range_ >= 1 << 32:
            v = self.random64(n) % _u64(range_)
        else:
            v = self.random32(n) % _u64(range_)
        return v.astype(np.int64) + np.int64(base)

    def exponential(self, n, lambd):
        """at::exponential_distribution<double>: -1/lambda * log1p(-u)."""
        u = self.uniform01(n, "float64")
        return (-1.0 / lambd) * np.log1p(-u)

    def cauchy(self, n, median, sigma):
        """at::cauchy_distribution<double>: median + sigma * tan(pi * (u - 1/2))."""
        u = self.uniform01(n, "float64")
        return median + sigma * np.tan(np.pi * (u - 0.5))

    def log_normal(self, n, mean, std):
        """at::lognormal_distribution<double>: exp of a serial double normal."""
        return np.exp(self._normal_serial(n, mean, std))

    def geometric(self, n, p):
        """at::geometric_distribution<double>: ceil(log(u) / log1p(-p))."""
        u = self.uniform01(n, "float64")
        return np.ceil(np.log(u) / np.log1p(-p))


# -- floating-point helpers ---------------------------------------------------------------
def fma32(a, b, c):
    """float32 a*b + c with one rounding: the float64 product of two floats is exact."""
    return (a.astype(np.float64) * np.float64(b) + np.float64(c)).astype(_f32) if np.ndim(c) == 0 else \
        (a.astype(np.float64) * b + c.astype(np.float64)).astype(_f32)


def _split(a):
    t = 134217729.0 * a  # Dekker's split: 2**27 + 1
    hi = t - (t - a)
    return hi, a - hi


def fma64(a, b, c):
    """float64 a*b + c with (almost always) one rounding, from error-free transforms:
    the exact product p + e (Dekker) and the exact sum s + t (Knuth)."""
    if np.ndim(c) == 0 and b == 1.0 and c == 0.0:
        return a
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b if getattr(b, "ndim", 0) else np.float64(b))  # b may be an array (NumPy or CuPy)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def _box_muller16(x, mean, std):
    """ATen's normal_fill_16 on rows of 16 uniforms, in the rows' dtype."""
    dt = x.dtype.type
    u1 = dt(1) - x[:, :8]
    u2 = x[:, 8:]
    radius = np.sqrt(dt(-2) * np.log(u1))
    theta = dt(2.0 * np.pi) * u2
    out = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], 1)
    if dt is np.float64:
        return fma64(out, float(std), float(mean))
    return (out * dt(std) + dt(mean)).astype(dt)


# Cephes logf's polynomial, float32 constants held as Python floats (float64 operands).
_LOG_P = [float(_f32(v)) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                                   1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                                   3.3333331174E-1)]


def _fma_to(out, a, b, c, t):
    """out = float32(a * b + c) for float32 values a, b, c (the compiler's FMA), through
    float64, where the product is exact. t is a float64 scratch array of out's shape; b is
    best a float64 array or a Python float (float32 ones are converted at every call), and
    all numpy calls write into existing arrays, which is what makes the kernels fast."""
    np.copyto(t, a)
    np.multiply(t, b, out=t)
    np.add(t, c, out=t)
    np.copyto(out, t, casting="same_kind")
    return out


_MIN_NORMAL = float(np.array(0x00800000, np.int32).view(_f32))
_HALF_BITS = int(np.array(0.5, _f32).view(np.int32))


def _log256(x, t):
    """avx_mathfun's log256_ps (Cephes logf) in float32, FMAs where the compiler fuses them.
    Overwrites x (float32) and the float64 scratch t."""
    np.maximum(x, _f32(_MIN_NORMAL), out=x)
    bits = x.view(np.int32)
    e = (bits >> 23).astype(_f32)
    e -= _f32(0x7F)
    e += _f32(1)
    bits &= ~0x7F800000
    bits |= _HALF_BITS  # x is now the mantissa, in [0.5, 1)
    small = x < _f32(0.707106781186547524)
    xs = x * small  # x where small, else +0
    x -= _f32(1)
    x += xs
    e -= small
    z = x * x
    x64 = x.astype(_f64)
    y = np.empty_like(x)
    _fma_to(y, x64, _LOG_P[0], _LOG_P[1], t)
    for p in _LOG_P[2:]:
        _fma_to(y, y, x64, p, t)
    y *= x
    _fma_to(y, y, z.astype(_f64), e * _f32(-2.12194440e-4), t)
    z *= _f32(0.5)
    y -= z
    x += y
    e *= _f32(0.693359375)  # exact (9-bit constant, small integer e): the FMA is a plain add
    x += e
    return x


def _sincos256(x, t):
    """avx_mathfun's sincos256_ps (Cephes sinf/cosf) in float32, for x >= 0. Overwrites x and t.
    The branches' selections and sign flips are done on the bits, as the AVX code does."""
    j = (x * _f32(1.27323954473516)).astype(np.int32)
    j += 1
    j &= ~1
    # x - y * pi/4 in three parts; y <= 8, so y * DP1 and y * DP2 (8- and 11-bit constants) are
    # exact in float32 and their FMAs are plain subtractions
    y = j.astype(_f32)
    x -= y * _f32(0.78515625)
    x -= y * _f32(2.4187564849853515625e-4)
    _fma_to(x, y, float(_f32(-3.77489497744594108e-8)), x, t)
    z = x * x
    z64 = z.astype(_f64)
    yc = np.empty_like(x)
    _fma_to(yc, z64, float(_f32(2.443315711809948E-005)), _f32(-1.388731625493765E-003), t)
    _fma_to(yc, yc, z64, _f32(4.166664568298827E-002), t)
    yc *= z
    hz = z * _f32(0.5)
    np.negative(hz, out=hz)
    _fma_to(yc, yc, z64, hz, t)
    yc += _f32(1)
    ys = np.empty_like(x)
    _fma_to(ys, z64, float(_f32(-1.9515295891E-4)), _f32(8.3321608736E-3), t)
    _fma_to(ys, ys, z64, _f32(-1.6666654611E-1), t)
    ys *= z
    _fma_to(ys, ys, x.astype(_f64), x, t)
    # s = ys where (j & 2) == 0 else yc, c the other one: a bit blend with mask m.
    yci, ysi = yc.view(np.int32), ys.view(np.int32)
    m = j & 2
    m -= 2
    m >>= 31  # all ones where (j & 2) == 0
    d = yci ^ ysi
    s = d & m
    s ^= yci
    c = s ^ d
    sign = j & 4  # sin is negative where j & 4
    sign <<= 29
    s ^= sign
    j -= 2
    np.invert(j, out=j)
    j &= 4  # cos is negative where ~(j - 2) & 4
    j <<= 29
    c ^= j
    return s.view(_f32), c.view(_f32)


def _box_muller16_avx2(x, mean, std):
    """ATen's normal_fill_16_AVX2 on rows of 16 float32 uniforms."""
    t = np.empty(x[:, :8].shape, _f64)
    u1 = _f32(1) - x[:, :8]
    radius = _log256(u1, t)
    radius *= _f32(-2)
    np.sqrt(radius, out=radius)
    s, c = _sincos256(_f32(2.0 * np.pi) * x[:, 8:], t)
    out = np.empty(x.shape, _f32)
    np.multiply(radius, c, out=out[:, :8])
    np.multiply(radius, s, out=out[:, 8:])
    if std == 1 and mean == 0:
        out += _f32(0)  # fma(out, 1, 0): exact, but -0 becomes +0
        return out
    return _fma_to(out, out, float(_f32(std)), _f32(mean), np.empty(x.shape, _f64))



default_generator = Generator()
# torch seeds its default CPU generator from the OS at start-up: initial_seed() differs from
# run to run until manual_seed (a new Generator() still starts from DEFAULT_SEED).
default_generator.seed()
# Generators of other devices (cuda:N), made on first use; manual_seed seeds them too.
_device_generators = {}


def generator_for(device):
    """The default generator for a device: torch's CPU one, or one per CUDA device."""
    if device.type == "cpu":
        return default_generator
    if device.index is None:  # "cuda": the current CUDA device's
        from ._device import _import_cupy, device as _dev

        device = _dev(device.type, _import_cupy().cuda.runtime.getDevice())
    g = _device_generators.get(device)
    if g is None:
        g = _device_generators[device] = Generator(device)
        g.manual_seed(default_generator.initial_seed())
    return g


def manual_seed(seed):
    """Seed every default generator (CPU and each CUDA device) and return the CPU one."""
    seed = int(seed)
    default_generator.manual_seed(seed)
    for g in _device_generators.values():
        g.manual_seed(seed)
    return default_generator


def seed():
    s = default_generator.seed()
    for g in _device_generators.values():
        g.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)
