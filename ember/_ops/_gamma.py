"""Gamma-family kernels on arrays (module `xp`): lgamma, digamma, trigamma,
polygamma and the Hurwitz zeta function.

Ported from the Cephes Math Library (Copyright (c) 2018, Steven Moshier,
3-clause BSD) as PyTorch's ATen/native/Math.h uses it, in the same working
precision, with poles and infinities exactly as in torch. Every dtype computes in
float64 and rounds once: torch's float32 kernels compute in float32 and lose up to
tens of ulp to cancellation (digamma near its root, zeta and trigamma for negative
x); ours are correctly rounded up to an ulp, so they agree with torch to within
torch's own error. Cephes' scalar
loops become masked array loops: every element runs the same steps as in C,
and an element that would have returned early is frozen.
"""
import math

import numpy as np

_LOGPI = 1.14472988584940017414
_LS2PI = 0.91893853320467274178  # log(sqrt(2 pi))


def polevl(x, coefs):
    """coefs[0] x^n + ... + coefs[n] (Horner; Cephes' polevl)."""
    r = x * 0 + coefs[0]
    for c in coefs[1:]:
        r = r * x + c
    return r


def p1evl(x, coefs):
    """x^n + coefs[0] x^(n-1) + ... (Cephes' p1evl: leading coefficient 1)."""
    r = x + coefs[0]
    for c in coefs[1:]:
        r = r * x + c
    return r


# -- lgamma ------------------------------------------------------------------------------------
_LG_A = (8.11614167470508450300E-4, -5.95061904284301438324E-4, 7.93650340457716943945E-4,
         -2.77777777730099687205E-3, 8.33333333333331927722E-2)
_LG_B = (-1.37825152569120859100E3, -3.88016315134637840924E4, -3.31612992738871184744E5,
         -1.16237097492762307383E6, -1.72173700820839662146E6, -8.53555664245765465627E5)
_LG_C = (-3.51815701436523470549E2, -1.70642106651881159223E4, -2.20528590553854454839E5,
         -1.13933444367982507207E6, -2.53252307177582951285E6, -2.01889141433532773231E6)


def _lgamma_stirling(xp, x):
    """x >= 13: Stirling's series."""
    with np.errstate(over="ignore", invalid="ignore"):
        q = (x - 0.5) * xp.log(x) - x + _LS2PI
        p = 1.0 / (x * x)
        small = xp.where(x >= 1000.0, ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
                                       + 0.0833333333333333333333) / x, polevl(p, _LG_A) / x)
        return xp.where(x > 1.0e8, q, q + small)


def _lgamma_mid(xp, x):
    """-34 <= x < 13: shift x into [2, 3) with the recurrence (Cephes: u = x - n with
    z = (x-1)...(x-n) from above, u = x + m with z = 1 / (x (x+1)...(x+m-1)) from below),
    then a rational fit there. The step counts come from floor(x), one product per step."""
    fl = xp.floor(x)
    n = xp.maximum(fl - 2.0, 0.0)
    m = xp.maximum(2.0 - fl, 0.0)
    m = xp.where((m > 0) & (x + (m - 1.0) >= 2.0), m - 1.0, m)  # x + k rounds up to 2 (x = -1e-20)
    z = xp.ones_like(x)
    for k in range(1, int(n.max()) + 1 if n.size else 1):
        z = z * xp.where(k <= n, x - k, 1.0)
    down = z
    z = xp.ones_like(x)
    for k in range(int(m.max()) if m.size else 0):
        z = z * xp.where(k < m, x + k, 1.0)
    pole = (x <= 0) & (x == fl)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = down / z
        u = xp.where(n > 0, x - n, x + m)
        t = u - 2.0
        r = xp.log(xp.abs(z)) + xp.where(u == 2.0, 0.0, t * polevl(t, _LG_B) / p1evl(t, _LG_C))
    return xp.where(pole, xp.inf, r)


def lgamma(xp, x):
    """log|Gamma(x)|: +inf at the poles (0 and the negative integers) and at +-inf."""
    dtype = x.dtype
    x = x.astype(np.float64)
    out = xp.full(x.shape, xp.nan)
    big = x >= 13.0
    out[big] = _lgamma_stirling(xp, x[big])
    mid = (x >= -34.0) & (x < 13.0)
    out[mid] = _lgamma_mid(xp, x[mid])
    neg = x < -34.0  # reflection: lgamma(x) = log(pi / |x sin(pi x)|) - lgamma(-x)
    q = -x[neg]
    w = _lgamma_stirling(xp, q)
    pfl = xp.floor(q)
    z = q - pfl
    z = xp.where(z > 0.5, pfl + 1.0 - q, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = q * xp.sin(math.pi * z)
        r = _LOGPI - xp.log(z) - w
    out[neg] = xp.where((pfl == q) | (z == 0.0), xp.inf, r)
    # Near 0, lgamma(x) = -log|x| - euler_gamma x + ...: the recurrence's 1/x would overflow.
    tiny = (xp.abs(x) < 2.0 ** -60) & (x != 0)
    with np.errstate(divide="ignore"):
        out[tiny] = -xp.log(xp.abs(x[tiny]))
    out[x > 2.556348e305] = xp.inf  # Cephes' MAXLGM: the result overflows
    return out.astype(dtype, copy=False)


# -- digamma, trigamma ---------------------------------------------------------------------------
_PSI_10 = 2.25175258906672110764
_PSI_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
          -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
          8.33333333333333333333E-2)


def digamma(xp, x):
    """psi(x) = d/dx lgamma(x), as torch's calc_digamma: -inf/+inf at -+0, NaN at the negative
    integers, the reflection formula below 0, the recurrence up to 10, then the asymptotic series."""
    dtype = x.dtype
    x = x.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        neg = x < 0
        # pi / tan(pi r) with r = x's fractional part: tan(pi r) is more accurate than tan(pi x)
        refl = math.pi / xp.tan(math.pi * xp.where(neg, xp.fmod(x, 1.0), 0.5))
        xr = xp.where(neg, 1.0 - x, x)
        # push x up to >= 10: result = -sum_{k < n} 1 / (x + k), n steps of the recurrence
        n = xp.where(xr < 10, xp.ceil(10 - xr), 0.0)
        result = xp.zeros_like(xr)
        for k in range(10):
            result = result - xp.where(k < n, 1.0 / (xr + k), 0.0)
        xr = xr + n
        z = 1.0 / (xr * xr)
        y = xp.where(xr < 1.0e17, z * polevl(z, _PSI_A), 0.0)
        out = xp.where(xr == 10, result + _PSI_10, result + xp.log(xr) - 0.5 / xr - y)
        out = xp.where(neg, out - refl, out)
        out = xp.where(neg & (x == xp.trunc(x)), xp.nan, out)
        out = xp.where(x == 0, xp.copysign(xp.inf, -x), out)
    return out.astype(dtype, copy=False)


def trigamma(xp, x):
    """psi'(x), as torch's trigamma: reflection below 1/2, six recurrence steps, then the series."""
    dtype = x.dtype
    x = x.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        low = x < 0.5
        s = xp.sin(math.pi * x)
        result = xp.where(low, -(math.pi * math.pi) / (s * s), 0.0)
        x = xp.where(low, 1.0 - x, x)
        for _ in range(6):
            result = result + 1.0 / (x * x)
            x = x + 1.0
        ixx = 1.0 / (x * x)
        result = result + (1.0 + 1.0 / (2.0 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x
        result = xp.where(low, -result, result)
    return result.astype(dtype, copy=False)


# -- Hurwitz zeta, polygamma ----------------------------------------------------------------------
_MACHEP = 1.11022302462515654042E-16
_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)


def zeta(xp, x, q):
    """Hurwitz zeta(x, q) = sum_k (k + q)^-x, in float64 (torch's CPU accumulate type):
    direct sum until the terms are negligible or q + k > 9, then Euler-Maclaurin."""
    x, q = xp.broadcast_arrays(xp.asarray(x, dtype=np.float64), xp.asarray(q, dtype=np.float64))
    x, q = x.ravel(), q.ravel()
    out = xp.full(x.shape, xp.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        special = (x == 1) | (x < 1) | ((q <= 0) & ((q == xp.floor(q)) | (x != xp.floor(x))))
        out[x == 1] = xp.inf
        out[(x > 1) & (q <= 0) & (q == xp.floor(q))] = xp.inf
        idx = xp.nonzero(~special)[0]
        xs, a = x[idx], q[idx]
        s = a ** -xs
        b = xp.zeros_like(s)
        i = 0
        live = xp.ones(idx.shape, dtype=bool)  # still in the direct sum
        pending = live.copy()  # not returned yet
        while live.any():
            i += 1
            a = xp.where(live, a + 1.0, a)
            b = xp.where(live, a ** -xs, b)
            s = xp.where(live, s + b, s)
            done = live & (-_MACHEP * s < b) & (b < _MACHEP * s)
            out[idx[done]] = s[done]
            pending &= ~done
            live &= ~done & ((i < 9) | (a <= 9.0))
        # the rest: the Euler-Maclaurin tail
        idx, xs, s, b, w = idx[pending], xs[pending], s[pending], b[pending], a[pending]
        s = s + b * w / (xs - 1.0)
        s = s - 0.5 * b
        aa = xp.ones_like(s)
        k = 0.0
        live = xp.ones(idx.shape, dtype=bool)
        for coef in _ZETA_A:
            aa = aa * (xs + k)
            b = b / w
            t = aa * b / coef
            s = xp.where(live, s + t, s)
            live &= ~(xp.abs(t / s) < _MACHEP)
            k += 1.0
            aa = aa * (xs + k)
            b = b / w
            k += 1.0
        out[idx] = s
    return out


def polygamma(xp, n, x):
    """The n-th derivative of digamma: digamma, trigamma, then (-1)^(n+1) n! zeta(n + 1, x)."""
    if n == 0:
        return digamma(xp, x)
    if n == 1:
        return trigamma(xp, x)
    # n! and zeta(n + 1, x) each rounded to x's precision (float32 for half types) before the
    # product, as torch multiplies them: where one overflows and the other underflows the
    # result is NaN there too (n! is inf past n = 170 in float64, past 34 in float32).
    ct = np.float64 if x.dtype == np.float64 else np.float32
    with np.errstate(over="ignore", invalid="ignore"):
        fact = ct(np.exp(np.float64(math.lgamma(n + 1.0))))
        z = zeta(xp, float(n + 1), x).reshape(x.shape).astype(ct)
        return (ct(1 if n % 2 else -1) * fact * z).astype(x.dtype, copy=False)
