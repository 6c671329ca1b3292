"""The regularized incomplete gamma functions P(a, x) (igamma) and Q(a, x) = 1 - P (igammac)
on float64 arrays, ported from PyTorch's ATen/native/Math.h (which follows SciPy's igam.c:
Cephes, Boost's Lanczos sum, DLMF 8.7.3 / 8.9.2 / 8.11.4 / 8.12.3): the same regimes, series,
continued fraction and uniform asymptotic expansion, each run over the elements in its regime
with per-element stopping (an element that would have left the C loop is frozen)."""
import math

import numpy as np

from . import _gamma
from ._igamma_data import IGAM_D

_MACHEP = 1.11022302462515654042E-16
_MAXLOG = 7.09782712893383996843E2
_MAXITER = 2000
_LANCZOS_G = 6.024680040776729583740234375
_LANCZOS_NUM = (0.006061842346248906525783753964555936883222, 0.5098416655656676188125178644804694509993,
                19.51992788247617482847860966235652136208, 449.9445569063168119446858607650988409623,
                6955.999602515376140356310115515198987526, 75999.29304014542649875303443598909137092,
                601859.6171681098786670226533699352302507, 3481712.15498064590882071018964774556468,
                14605578.08768506808414169982791359218571, 43338889.32467613834773723740590533316085,
                86363131.28813859145546927288977868422342, 103794043.1163445451906271053616070238554,
                56906521.91347156388090791033559122686859)
_LANCZOS_DEN = (1., 66., 1925., 32670., 357423., 2637558., 13339535., 45995730., 105258076., 150917976.,
                120543840., 39916800., 0.)


def _ratevl(xp, x, num, den):
    """num(x) / den(x) (coefficients highest power first), evaluated in 1/x for |x| > 1."""
    big = xp.abs(x) > 1
    y = xp.where(big, 1.0 / x, x)
    n_fwd, d_fwd = _gamma.polevl(y, num), _gamma.polevl(y, den)
    n_rev, d_rev = _gamma.polevl(y, num[::-1]), _gamma.polevl(y, den[::-1])
    return xp.where(big, n_rev / d_rev, n_fwd / d_fwd)  # len(num) == len(den): no power of x left


def _fac(xp, a, x):
    """x^a exp(-x) / Gamma(a), through the Lanczos sum where a ~ x."""
    far = xp.abs(a - x) > 0.4 * xp.abs(a)
    ax = a * xp.log(x) - x - _gamma.lgamma(xp, a)
    direct = xp.where(ax < -_MAXLOG, 0.0, xp.exp(ax))
    fac = a + _LANCZOS_G - 0.5
    res = xp.sqrt(fac / math.e) / _ratevl(xp, a, _LANCZOS_NUM, _LANCZOS_DEN)
    small = (a < 200) & (x < 200)
    numfac = (x - a - _LANCZOS_G + 0.5) / fac
    near = res * xp.where(small, xp.exp(a - x) * (x / fac) ** a,
                          xp.exp(a * (xp.log1p(numfac) - numfac) + x * (0.5 - _LANCZOS_G) / fac))
    return xp.where(far, direct, near)


def _series(xp, a, x):
    """P(a, x) by DLMF 8.11.4."""
    ax = _fac(xp, a, x)
    r, c, ans = a.copy(), xp.ones_like(a), xp.ones_like(a)
    live = xp.ones(a.shape, dtype=bool)
    for _ in range(_MAXITER):
        r = r + 1.0
        c = xp.where(live, c * x / r, c)
        ans = xp.where(live, ans + c, ans)
        live &= ~(c <= _MACHEP * ans)
        if not live.any():
            break
    return xp.where(ax == 0, 0.0, ans * ax / a)


def _upper_series(xp, a, x):
    """Q(a, x) by DLMF 8.7.3 (small x, no cancellation)."""
    fac, total = xp.ones_like(a), xp.zeros_like(a)
    live = xp.ones(a.shape, dtype=bool)
    for n in range(1, _MAXITER):
        fac = fac * (-x / n)
        term = fac / (a + n)
        total = xp.where(live, total + term, total)
        live &= ~(xp.abs(term) <= _MACHEP * xp.abs(total))
        if not live.any():
            break
    logx = xp.log(x)
    return -xp.expm1(a * logx - _gamma.lgamma(xp, 1 + a)) - xp.exp(a * logx - _gamma.lgamma(xp, a)) * total


def _continued_fraction(xp, a, x):
    """Q(a, x) by DLMF 8.9.2."""
    big, biginv = 4.503599627370496e15, 2.22044604925031308085e-16
    ax = _fac(xp, a, x)
    y = 1.0 - a
    z = x + y + 1.0
    c = 0.0
    pkm2, qkm2, pkm1, qkm1 = xp.ones_like(a), x.copy(), x + 1.0, z * x
    ans = pkm1 / qkm1
    live = xp.ones(a.shape, dtype=bool)
    for _ in range(_MAXITER):
        c += 1.0
        y = y + 1.0
        z = z + 2.0
        yc = y * c
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        nz = qk != 0
        r = pk / xp.where(nz, qk, 1.0)
        t = xp.where(nz, xp.abs((ans - r) / r), 1.0)
        ans = xp.where(live & nz, r, ans)
        scale = xp.where(xp.abs(pk) > big, biginv, 1.0)
        pkm2, pkm1, qkm2, qkm1 = pkm1 * scale, pk * scale, qkm1 * scale, qk * scale
        live &= ~(t <= _MACHEP)
        if not live.any():
            break
    return xp.where(ax == 0, 0.0, ans * ax)


def _asymptotic(xp, a, x, lower):
    """P (lower) or Q by the uniform asymptotic expansion DLMF 8.12.3/8.12.4 (a large, x ~ a)."""
    from . import _special

    sgn = -1.0 if lower else 1.0
    lam = x / a
    sigma = (x - a) / a
    root = xp.sqrt(-2 * (xp.log1p(sigma) - sigma))
    eta = xp.where(lam > 1, root, xp.where(lam < 1, -root, 0.0))
    res = 0.5 * _special.erfc(xp, sgn * eta * xp.sqrt(a / 2))
    etapow = [xp.ones_like(a)]
    for _ in range(24):
        etapow.append(etapow[-1] * eta)
    total, afac = xp.zeros_like(a), xp.ones_like(a)
    absold = xp.full(a.shape, xp.inf)
    live = xp.ones(a.shape, dtype=bool)
    for k in range(25):
        ck = xp.full(a.shape, IGAM_D[k][0])
        inner = xp.ones(a.shape, dtype=bool)
        for n in range(1, 25):
            term = IGAM_D[k][n] * etapow[n]
            ck = xp.where(inner, ck + term, ck)
            inner &= ~(xp.abs(term) < _MACHEP * xp.abs(ck))
        term = ck * afac
        absterm = xp.abs(term)
        live &= ~(absterm > absold)
        total = xp.where(live, total + term, total)
        live &= ~(absterm < _MACHEP * xp.abs(total))
        absold = absterm
        afac = afac / a
        if not live.any():
            break
    return res + sgn * xp.exp(-0.5 * a * eta * eta) * total / xp.sqrt(2 * np.float32(math.pi).item() * a)


def _apply(xp, out, mask, fn, *arrays):
    if mask.any():
        out[mask] = fn(xp, *[v[mask] for v in arrays])


def _upper_rest(xp, a, x):
    """Q(a, x) outside the asymptotic regime (calc_igammac's last branches)."""
    out = xp.empty_like(a)
    with np.errstate(divide="ignore"):
        p_first = xp.where(x > 1.1, x < a, xp.where(x <= 0.5, -0.4 / xp.log(x) < a, x * 1.1 < a))
    cf = (x > 1.1) & ~p_first
    _apply(xp, out, p_first, lambda xp, a, x: 1.0 - _series(xp, a, x), a, x)
    _apply(xp, out, cf, _continued_fraction, a, x)
    _apply(xp, out, ~p_first & ~cf, _upper_series, a, x)
    return out


def incomplete_gamma(xp, a, x, upper):
    """P(a, x), or Q(a, x) when `upper`, elementwise over the broadcast of a and x (float64)."""
    a, x = xp.broadcast_arrays(xp.asarray(a, dtype=np.float64), xp.asarray(x, dtype=np.float64))
    shape = a.shape
    a, x = a.ravel(), x.ravel()
    out = xp.full(a.shape, xp.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        one, zero = (0.0, 1.0) if upper else (1.0, 0.0)
        bad = (x < 0) | (a < 0) | (a != a) | (x != x)
        a0 = ~bad & (a == 0)
        out[a0 & (x > 0)] = one  # P(0, x) = 1 for x > 0
        x0 = ~bad & ~a0 & (x == 0)
        out[x0] = zero
        ainf = ~bad & ~a0 & ~x0 & xp.isinf(a)
        out[ainf & ~xp.isinf(x)] = zero
        xinf = ~bad & ~a0 & ~x0 & ~ainf & xp.isinf(x)
        out[xinf] = one
        rest = ~(bad | a0 | x0 | ainf | xinf)
        r = xp.abs(x - a) / xp.where(rest, a, 1.0)
        asym = rest & (((a > 20) & (a < 200) & (r < 0.3)) | ((a > 200) & (r < 4.5 / xp.sqrt(a))))
        _apply(xp, out, asym, lambda xp, a, x: _asymptotic(xp, a, x, not upper), a, x)
        rest &= ~asym
        if upper:
            _apply(xp, out, rest, _upper_rest, a, x)
        else:
            via_q = rest & (x > 1.0) & (x > a)
            _apply(xp, out, via_q, lambda xp, a, x: 1.0 - _upper_rest(xp, a, x), a, x)
            _apply(xp, out, rest & ~via_q, _series, a, x)
    return out.reshape(shape)
