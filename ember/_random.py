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
import os

import numpy as np

from ._device import as_device

DEFAULT_SEED = 67280421310721  # c10::detail::default_rng_seed_val
_STATE_BYTES = 5056  # sizeof(CPUGeneratorImplState), the layout of torch.get_rng_state()
_N = 624  # mt19937 state words

_f32 = np.float32
_u64 = np.uint64
# Mantissa digits per floating dtype name: how many random bits a uniform keeps.
DIGITS = {"float32": 24, "float64": 53, "float16": 11, "bfloat16": 8}
_MASK = {d: _u64((1 << d) - 1) for d in DIGITS.values()}
_SCALE = {d: _f32(2.0 ** -d) for d in DIGITS.values()}


def _init_genrand(seed32):
    """The mt19937 key for a 32-bit seed (the reference init_genrand)."""
    key = [seed32]
    for j in range(1, _N):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


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
        self._bits = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        seed = _unpack_seed(seed)
        self._seed = seed
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _init_genrand(seed & 0xFFFFFFFF), "pos": _N}}
        self._normal = None  # the cached second value of a Box-Muller pair
        return self

    def seed(self):
        """Seed from the OS with a fresh 53-bit value (as torch's) and return it."""
        s = int.from_bytes(os.urandom(8), "little") & ((1 << 53) - 1)
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
    def uniform01(self, n, dtype_name):
        """n values of at::uniform_real_distribution(0, 1): float32 or float64 arrays."""
        d = DIGITS[dtype_name]
        if d == 53:
            return (self.random64(n) & _MASK[53]).astype(np.float64) * 2.0 ** -53
        # d-bit integers and power-of-two scaling are exact in float32
        return (self._bits.random_raw(n) & _MASK[d]).astype(_f32) * _SCALE[d]

    def uniform(self, n, dtype_name, low, high):
        """at::uniform_real_distribution(low, high) in the dtype's accumulate type."""
        u = self.uniform01(n, dtype_name)
        if low == 0 and high == 1:
            return u  # fma(u, 1, 0) == u
        if u.dtype == np.float64:
            return fma64(u, high - low, low)
        low, high = _f32(low), _f32(high)
        return fma32(u, high - low, low)

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
        if nblk:
            out[:nblk * 16] = transform(data[:nblk * 16].reshape(nblk, 16), mean, std).ravel()
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
            u = self.uniform01(2 * pairs, "float64")
            u1, u2 = u[0::2], u[1::2]
            r = np.sqrt(-2.0 * np.log1p(-u2))
            theta = 2.0 * np.pi * u1
            both = np.stack([r * np.cos(theta), r * np.sin(theta)], 1).ravel()
            vals[start:] = both[:m]
            if m % 2:
                self._normal = float(both[m])
        return fma64(vals, float(std), float(mean))

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
    bh, bl = _split(np.float64(b))
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


_LOG_P = [_f32(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                            1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                            3.3333331174E-1)]


def _fma(a, b, c):
    return fma32(a, b, c) if np.ndim(c) == 0 else (a.astype(np.float64) * b + c).astype(_f32)


def _log256(x):
    """avx_mathfun's log256_ps (Cephes logf) in float32, FMAs where the compiler fuses them."""
    x = np.maximum(x, np.array(0x00800000, np.int32).view(_f32))
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_f32) + _f32(1)
    x = ((bits & ~0x7F800000) | np.array(0.5, _f32).view(np.int32)).view(_f32)
    small = x < _f32(0.707106781186547524)
    x = (x - _f32(1)) + np.where(small, x, _f32(0))
    e = e - small.astype(_f32)
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma(y, x, p)
    y = y * x
    y = _fma(y, z, e * _f32(-2.12194440e-4))
    y = y - z * _f32(0.5)
    x = x + y
    return _fma(e, _f32(0.693359375), x)


def _sincos256(x):
    """avx_mathfun's sincos256_ps (Cephes sinf/cosf) in float32, for x >= 0."""
    j = (x * _f32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_f32)
    sin_neg = (j & 4) != 0
    cos_neg = (~(j - 2) & 4) != 0
    use_sin_poly = (j & 2) == 0
    x = _fma(y, _f32(-0.78515625), x)
    x = _fma(y, _f32(-2.4187564849853515625e-4), x)
    x = _fma(y, _f32(-3.77489497744594108e-8), x)
    z = x * x
    yc = _fma(np.full_like(z, _f32(2.443315711809948E-005)), z, _f32(-1.388731625493765E-003))
    yc = _fma(yc, z, _f32(4.166664568298827E-002))
    yc = yc * z
    yc = _fma(yc, z, -(z * _f32(0.5))) + _f32(1)
    ys = _fma(np.full_like(z, _f32(-1.9515295891E-4)), z, _f32(8.3321608736E-3))
    ys = _fma(ys, z, _f32(-1.6666654611E-1))
    ys = _fma(ys * z, x, x)
    s = np.where(use_sin_poly, ys, yc)
    c = np.where(use_sin_poly, yc, ys)
    return np.where(sin_neg, -s, s), np.where(cos_neg, -c, c)


def _box_muller16_avx2(x, mean, std):
    """ATen's normal_fill_16_AVX2 on rows of 16 float32 uniforms."""
    u1 = _f32(1) - x[:, :8]
    radius = np.sqrt(_f32(-2) * _log256(u1))
    s, c = _sincos256(_f32(2.0 * np.pi) * x[:, 8:])
    out = np.concatenate([radius * c, radius * s], 1)
    return fma32(out, _f32(std), _f32(mean))


default_generator = Generator()
# Generators of other devices (cuda:N), made on first use; manual_seed seeds them too.
_device_generators = {}


def generator_for(device):
    """The default generator for a device: torch's CPU one, or one per CUDA device."""
    if device.type == "cpu":
        return default_generator
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
