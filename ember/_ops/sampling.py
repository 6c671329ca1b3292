"""Counting distributions: poisson and binomial, drawn as torch's CPU kernels draw them
(one element after another from the generator's double uniforms), so a seed gives
torch's values:

    poisson:  lambda >= 10: Hoermann's transformed rejection (PTRS); else products of uniforms
    binomial: count * min(p, 1-p) >= 10: BTRS (Kachitvichyanukul & Schmeiser, as torch
              writes it); else inversion by geometric jumps

Neither has a gradient in torch (poisson's is zero; binomial's is not implemented).
"""
import math

import numpy as np

from .._device import xp_of
from ._base import Op
from ._inplace import _TYPE_WORDS
from .random_ops import _generator

__all__ = ["poisson", "binomial"]


def _uniform(g):
    return float(g.uniform01(1, "float64")[0])


def _poisson_one(lam, g):
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = _uniform(g) - 0.5
            v = _uniform(g)
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x, prod = 0, 1.0
    while True:
        prod *= _uniform(g)
        if prod > enlam:
            x += 1
        else:
            return x


_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
         0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(count, prob, g):
    stddev = math.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor((count + 1) * prob)
    while True:
        u = _uniform(g) - 0.5
        v = _uniform(g)
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        upper = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                 + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(k) - _stirling_tail(count - k))
        if v <= upper:
            return k


def _inversion(count, prob, g):
    geom_sum, num = 0.0, 0
    logprob = math.log1p(-prob)
    while True:
        geom = math.ceil(math.log(_uniform(g)) / logprob)
        geom_sum += geom
        if geom_sum > count:
            return num
        num += 1


def _binomial_one(count, prob, g):
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return count
    if prob <= 0.5:
        return _btrs(count, prob, g) if count * prob >= 10 else _inversion(count, prob, g)
    if prob > 0.5:
        q = 1 - prob
        return count - (_btrs(count, q, g) if count * q >= 10 else _inversion(count, q, g))
    return math.nan  # a NaN probability: torch's sampler falls through to NaN


class PoissonBackward0(Op):
    def forward(self, rates, generator):
        self.shape = rates.shape
        host = rates if type(rates) is np.ndarray else rates.get()
        out = np.array([_poisson_one(float(x), generator) for x in host.reshape(-1)], dtype=host.dtype)
        return xp_of(rates).asarray(out.reshape(host.shape))

    def backward(self, g):
        return g * 0


class BinomialBackward0(Op):
    def forward(self, count, prob, generator):
        host = [a if type(a) is np.ndarray else a.get() for a in (count, prob)]
        c, p = np.broadcast_arrays(*host)
        out = np.array([_binomial_one(float(n), float(q), generator) for n, q in zip(c.reshape(-1), p.reshape(-1))],
                       dtype=host[0].dtype).reshape(c.shape)
        return xp_of(count).asarray(out)

    def backward(self, g):
        raise RuntimeError("derivative for aten::binomial is not implemented")


def poisson(input, generator=None):
    """Samples of Poisson(rate) for each element's rate (same dtype as input)."""
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{_TYPE_WORDS[input._dtype.name]}'")
    if input._data.size and not bool((input._data >= 0).all()):  # NaN is refused too, as ATen's check does
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return PoissonBackward0.apply(input, generator=_generator(generator, input.device))


def binomial(count, prob, generator=None):
    """Samples of Binomial(count, prob), elementwise (count and prob of one float dtype)."""
    for name, t in (("count", count), ("prob", prob)):
        if not t._dtype.is_floating_point:
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                             f"{_TYPE_WORDS[t._dtype.name]}")
    if count._dtype is not prob._dtype:
        raise RuntimeError(f"Found dtype {_TYPE_WORDS[prob._dtype.name]} but expected {_TYPE_WORDS[count._dtype.name]}")
    return BinomialBackward0.apply(count, prob, generator=_generator(generator, count.device))
