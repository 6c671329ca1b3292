"""Array kernels (module `xp`; they compute in the input's float precision) for torch.special functions NumPy lacks, ported from
PyTorch's ATen/native/Math.h: ndtri, log_ndtr, erfcx, the Bessel functions J0/J1/Y0/Y1 and
K0/K1, Airy Ai, the spherical Bessel j0 and the orthogonal polynomials.

Cephes Math Library: Copyright (c) 2018 Steven Moshier, 3-clause BSD. erfcx: the Faddeeva
package, Copyright (c) 2012 MIT (S. G. Johnson), MIT license. Cephes' scalar branches become
`where` over every element (each branch is computed where it is safe, then selected).
"""
import functools
import math

import numpy as np

from .._ops import _special
from .._ops._gamma import polevl
from . import _cephes_data as C

_SQRT1_2 = math.sqrt(0.5)


def _errstate():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")


# -- ndtri, log_ndtr, erfcx ---------------------------------------------------------------------------
_NDTRI_P0 = (-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
             1.39312609387279679503E1, -1.23916583867381258016E0)
_NDTRI_Q0 = (1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
             -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
             1.59056225126211695515E1, -1.18331621121330003142E0)
_NDTRI_P1 = (4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
             4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
             -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4)
_NDTRI_Q1 = (1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
             1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
             -3.80806407691578277194E-2, -9.33259480895457427372E-4)
_NDTRI_P2 = (3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
             1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
             3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9)
_NDTRI_Q2 = (1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
             2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
             2.89247864745380683936E-6, 6.79019408009981274425E-9)
_EXP_M2 = 0.13533528323661269189  # exp(-2)


def ndtri(xp, y0):
    """The inverse of the standard normal CDF (Cephes ndtri)."""
    with _errstate():
        upper = y0 > 1.0 - _EXP_M2
        y = xp.where(upper, 1.0 - y0, y0)
        yc = y - 0.5
        y2 = yc * yc
        central = (yc + yc * (y2 * polevl(y2, _NDTRI_P0) / polevl(y2, _NDTRI_Q0))) * 2.50662827463100050242
        x = xp.sqrt(-2.0 * xp.log(y))
        x0 = x - xp.log(x) / x
        z = 1.0 / x
        x1 = xp.where(x < 8.0, z * polevl(z, _NDTRI_P1) / polevl(z, _NDTRI_Q1),
                      z * polevl(z, _NDTRI_P2) / polevl(z, _NDTRI_Q2))
        tail = x0 - x1
        tail = xp.where(upper, tail, -tail)
        out = xp.where(y > _EXP_M2, central, tail)
        out = xp.where(y0 == 0, -xp.inf, xp.where(y0 == 1, xp.inf, out))
        return xp.where((y0 < 0) | (y0 > 1) | (y0 != y0), xp.nan, out)


_ERFCX_COEF = np.array(C.ERFCX_COEF)
_ERFCX_OFFSET = np.array(C.ERFCX_OFFSET, dtype=np.float64)


def _erfcx_y100(xp, y100):
    """erfcx on [0, 50] through y = 4 / (4 + x): 100 Chebyshev pieces, one per 0.01 of y."""
    i = xp.clip(y100.astype(np.int64), 0, 99)
    coef = xp.asarray(_ERFCX_COEF)[i]
    t = 2.0 * y100 - xp.asarray(_ERFCX_OFFSET)[i]
    r = coef[..., -1]
    for j in range(coef.shape[-1] - 2, -1, -1):
        r = r * t + coef[..., j]
    return xp.where(y100 >= 100, 1.0, r)  # y = 1: |x| < 4 eps, erfcx within 1e-15 of 1


def erfcx(xp, x):
    """exp(x^2) erfc(x) without overflow (S. G. Johnson's algorithm, as torch)."""
    with _errstate():
        ispi = 0.56418958354775628694807945156
        xx = x * x
        cont = xp.where(x > 5e7, ispi / x, ispi * (xx * (xx + 4.5) + 2) / (x * (xx * (xx + 5) + 3.75)))
        pos = xp.where(x > 50, cont, _erfcx_y100(xp, 400 / (4 + xp.where(x > 50, 0.0, xp.abs(x)))))
        neg = xp.where(x < -26.7, xp.inf, xp.where(x < -6.1, 2 * xp.exp(xx),
                                                      2 * xp.exp(xx) - _erfcx_y100(xp, 400 / (4 - xp.minimum(x, 0.0)))))
        return xp.where(x != x, x, xp.where(x >= 0, pos, neg))


def log_ndtr(xp, x):
    """log of the standard normal CDF (SciPy's split at -1)."""
    with _errstate():
        t = x * _SQRT1_2
        low = xp.log(erfcx(xp, -t) / 2) - t * t
        high = xp.log1p(-_special.erfc(xp, t) / 2)
        return xp.where(x < -1.0, low, high)


# -- Bessel functions of the first and second kind ---------------------------------------------------
def _horner(t, coefs):
    r = t * 0.0
    for c in coefs:
        r = r * t + c
    return r


def _bessel_far(xp, x, k, phase, for_y):
    """The x > 5 asymptotic form shared by J0, J1, Y0, Y1."""
    w = 25.0 / (x * x)
    pp = _horner(w, k["PP"]) / _horner(w, k["PQ"])
    qp = _horner(w, k["QP"]) / _horner(w, k["QQ"])
    s, c = xp.sin(x - phase), xp.cos(x - phase)
    main = (pp * s + 5.0 / x * qp * c) if for_y else (pp * c - 5.0 / x * qp * s)
    return main * 0.797884560802865355879892119868763737 / xp.sqrt(x)


def bessel_j0(xp, x):
    k = C.BESSEL_J0
    with _errstate():
        x = xp.abs(x)
        xx = x * x
        near = (xx - 5.78318596294678452118e+00) * (xx - 3.04712623436620863991e+01) * _horner(xx, k["RP"]) \
            / _horner(xx, k["RQ"])
        near = xp.where(x < 0.00001, 1.0 - xx / 4.0, near)
        return xp.where(x <= 5.0, near, _bessel_far(xp, x, k, 0.785398163397448309615660845819875721, False))


def bessel_j1(xp, x):
    k = C.BESSEL_J1
    with _errstate():
        ax = xp.abs(x)
        xx = ax * ax
        near = _horner(xx, k["RP"]) / _horner(xx, k["RQ"]) * ax * (xx - 1.46819706421238932572e+01) \
            * (xx - 4.92184563216946036703e+01)
        out = xp.where(ax <= 5.0, near, _bessel_far(xp, ax, k, 2.356194490192344928846982537459627163, False))
        return xp.where(x < 0, -out, out)


def bessel_y0(xp, x):
    k = C.BESSEL_Y0
    with _errstate():
        xx = x * x
        near = _horner(xx, k["YP"]) / _horner(xx, k["YQ"]) \
            + 0.636619772367581343075535053490057448 * xp.log(x) * bessel_j0(xp, x)
        near = xp.where(x == 0, -xp.inf, xp.where(x < 0, xp.nan, near))
        return xp.where(x <= 5.0, near, _bessel_far(xp, x, k, 0.785398163397448309615660845819875721, True))


def bessel_y1(xp, x):
    k = C.BESSEL_Y1
    with _errstate():
        xx = x * x
        near = x * (_horner(xx, k["YP"]) / _horner(xx, k["YQ"])) \
            + 0.636619772367581343075535053490057448 * (bessel_j1(xp, x) * xp.log(x) - 1.0 / x)
        near = xp.where(x == 0, -xp.inf, xp.where(x < 0, xp.nan, near))
        return xp.where(x <= 5.0, near, _bessel_far(xp, x, k, 2.356194490192344928846982537459627163, True))


def _modified_k(xp, x, order, scaled):
    """K0 / K1, times exp(x) when scaled: Chebyshev fits on (0, 2] and (2, inf)."""
    k = C.MODIFIED_BESSEL_K0 if order == 0 else C.MODIFIED_BESSEL_K1
    with _errstate():
        a = _special.chbevl(x * x - 2.0, k["A"])
        if order == 0:  # torch's K0 takes log(0.5 * x) with a double 0.5 (float32 x = 1e-45 stays finite)
            half_x = 0.5 * (x if scaled else x.astype(np.float64))
            near = a - xp.log(half_x) * _special.i0(xp, x)
        else:
            near = xp.log(0.5 * x) * _special.i1(xp, x) + a / x
        far = _special.chbevl(8.0 / x - 2.0, k["B"]) / xp.sqrt(x)
        if scaled:
            near = near * xp.exp(x)
        else:
            far = far * xp.exp(-x)
        out = xp.where(x <= 2.0, near, far)
        return xp.where(x == 0, xp.inf, xp.where(x < 0, xp.nan, out))


modified_bessel_k0 = functools.partial(_modified_k, order=0, scaled=False)
modified_bessel_k1 = functools.partial(_modified_k, order=1, scaled=False)
scaled_modified_bessel_k0 = functools.partial(_modified_k, order=0, scaled=True)
scaled_modified_bessel_k1 = functools.partial(_modified_k, order=1, scaled=True)


def spherical_bessel_j0(xp, x):
    """sin(x) / x, by its Taylor series below |x| = 1/2; 0 at +-inf."""
    with _errstate():
        xx = x * x
        series = 1.0 + xx * (-1.0 / 6.0 + xx * (1.0 / 120.0 + xx * (-1.0 / 5040.0 + xx * (
            1.0 / 362880.0 + xx * (-1.0 / 39916800.0 + xx * (1.0 / 6227020800.0))))))
        out = xp.where(xp.abs(x) < 0.5, series, xp.sin(x) / x)
        return xp.where(xp.isinf(x), 0.0, out)


def airy_ai(xp, x):
    """Airy Ai (Cephes airy): asymptotic forms below -2.09 and above 2.09, power series between
    (the series runs until its terms fall under float64 epsilon)."""
    k = C.AIRY_AI
    eps = np.finfo(np.float64).eps
    with _errstate():
        # x < -2.09: oscillating asymptotic form
        ax = xp.abs(x)
        z = 1.0 / (2.0 * ax * xp.sqrt(ax) / 3.0)
        zz = z * z
        afn, afd = _horner(zz, k["AFN"]), _horner(zz, k["AFD"])
        agn, agd = _horner(zz, k["AGN"]), _horner(zz, k["AGD"])
        t = 2.0 * ax * xp.sqrt(ax) / 3.0 + 0.25 * math.pi
        low = 5.64189583547756286948e-01 / xp.sqrt(xp.sqrt(ax)) * (xp.sin(t) * (1.0 + zz * afn / afd)
                                                                   - xp.cos(t) * (z * agn / agd))
        # x >= 2.09: decaying asymptotic form
        zeta = 2.0 * ax * xp.sqrt(ax) / 3.0
        high = 5.64189583547756286948e-01 * (_horner(1.0 / zeta, k["AN"]) / _horner(1.0 / zeta, k["AD"])) \
            / (2.0 * xp.sqrt(xp.sqrt(ax)) * xp.exp(zeta))
        # the power series (every element, with x clipped where it is not used)
        xs = xp.where((x >= -2.09) & (x <= 8.3203353), x, 0.0)
        f, g, kk = xp.ones_like(xs), xs.copy(), 1.0
        m, n, zc = xp.ones_like(xs), xs.copy(), xs * xs * xs
        live = xp.ones(xs.shape, dtype=bool)
        while live.any():
            m = m * zc
            kk += 1.0
            m = m / kk
            n = n * zc
            kk += 1.0
            n = n / kk
            m = m / kk
            f = xp.where(live, f + m, f)
            kk += 1.0
            n = n / kk
            g = xp.where(live, g + n, g)
            live &= xp.abs(m / f) > eps
        series = 0.355028053887817239260 * f - 0.258819403792806798405 * g
        out = xp.where(x < -2.09, low, xp.where(x >= 2.09, high, series))
        out = xp.where(x > 103.892, 0.0, out)
        return xp.where(xp.isinf(x) | (x != x), xp.nan, out)


# -- orthogonal polynomials ---------------------------------------------------------------------------
def _recurrence(xp, x, n, p0, p1, step):
    """P_n(x) for per-element n >= 2 by the three-term recurrence P_{k+1} = step(k, P_k, P_{k-1}),
    stopped per element at its n (or once P_k is NaN, as torch)."""
    p, q = p0 * xp.ones_like(x), p1
    top = int(n.max()) if n.size else 0
    for k in range(1, top):
        live = (k < n) & (q == q)
        r = step(k, q, p)
        p = xp.where(live, q, p)
        q = xp.where(live, r, q)
    return q


def _select(xp, n, x, cases, general):
    """Torch's early returns, in order: [(mask, value)], then the general value."""
    out = general
    for mask, value in reversed(cases):
        out = xp.where(mask, value, out)
    return out


def chebyshev_t(xp, x, n):
    with _errstate():
        two_x = x + x
        rec = _recurrence(xp, x, n, 1.0, x, lambda k, q, p: two_x * q - p)
        trig = xp.cos(n * xp.arccos(xp.clip(x, -1, 1)))
        return _select(xp, n, x, [(n < 0, 0.0), (xp.abs(x) == 1, xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0)),
                                  ((n > 6) & (xp.abs(x) < 1), trig), (n == 0, 1.0), (n == 1, x)], rec)


def chebyshev_u(xp, x, n, limit=8):
    with _errstate():
        two_x = x + x
        rec = _recurrence(xp, x, n, 1.0, two_x, lambda k, q, p: two_x * q - p)
        th = xp.arccos(xp.clip(x, -1, 1))
        trig = xp.where(xp.sin(th) != 0, xp.sin((n + 1) * th) / xp.sin(th), (n + 1) * xp.cos((n + 1) * th) / x)
        return _select(xp, n, x, [(n < 0, 0.0), (xp.abs(x) == 1, xp.where((x > 0) | (n % 2 == 0), n + 1.0, -(n + 1.0))),
                                  ((n > limit) & (xp.abs(x) < 1), trig), (n == 0, 1.0), (n == 1, two_x)], rec)


def chebyshev_v(xp, x, n, limit=8):
    with _errstate():
        two_x = x + x
        rec = _recurrence(xp, x, n, 1.0, two_x - 1.0, lambda k, q, p: two_x * q - p)
        th = xp.arccos(xp.clip(x, -1, 1))
        odd = xp.where(n % 2 == 0, n + n + 1.0, -(n + n + 1.0))
        trig = xp.where(xp.sin(th / 2) != 1, xp.cos((n + 0.5) * th) / xp.cos(th / 2), odd)
        return _select(xp, n, x, [(n < 0, 0.0), (xp.abs(x) == 1, xp.where(x > 0, 1.0, odd)),
                                  ((n > limit) & (xp.abs(x) < 1), trig), (n == 0, 1.0), (n == 1, two_x - 1.0)], rec)


def chebyshev_w(xp, x, n, limit=8):
    with _errstate():
        two_x = x + x
        rec = _recurrence(xp, x, n, 1.0, two_x + 1.0, lambda k, q, p: two_x * q - p)
        th = xp.arccos(xp.clip(x, -1, 1))
        ends = xp.where(x > 0, n + n + 1.0, xp.where(n % 2 == 0, 1.0, -1.0))
        trig = xp.where(xp.cos(th / 2) != 1, xp.sin((n + 0.5) * th) / xp.sin(th / 2), ends)
        return _select(xp, n, x, [(n < 0, 0.0), (xp.abs(x) == 1, ends),
                                  ((n > limit) & (xp.abs(x) < 1), trig), (n == 0, 1.0), (n == 1, two_x + 1.0)], rec)


def shifted(fn, **kw):
    """The shifted polynomial P*(x) = P(2x - 1)."""
    return lambda xp, x, n: fn(xp, x + x - 1.0, n, **kw)


def hermite_h(xp, x, n, limit=512):
    with _errstate():
        two_x = x + x
        rec = _recurrence(xp, x, n, 1.0, two_x, lambda k, q, p: two_x * q - (2 * k) * p)
        return _select(xp, n, x, [(n < 0, 0.0), (n == 0, 1.0), (n == 1, two_x), (n > limit, xp.nan)], rec)


def hermite_he(xp, x, n, limit=512):
    with _errstate():
        rec = _recurrence(xp, x, n, 1.0, x, lambda k, q, p: x * q - k * p)
        return _select(xp, n, x, [(n < 0, 0.0), (n == 0, 1.0), (n == 1, x), (n > limit, xp.nan)], rec)


def laguerre_l(xp, x, n):
    with _errstate():
        rec = _recurrence(xp, x, n, 1.0, 1.0 - x, lambda k, q, p: (((k + k) + (1.0 - x)) * q - k * p) / (k + 1))
        return _select(xp, n, x, [(n < 0, 0.0), (xp.abs(x) == 0, 1.0), (n == 0, 1.0), (n == 1, 1.0 - x)], rec)


def legendre_p(xp, x, n):
    with _errstate():
        rec = _recurrence(xp, x, n, 1.0, x, lambda k, q, p: ((k + k + 1) * x * q - k * p) / (k + 1))
        return _select(xp, n, x, [(n < 0, 0.0), (xp.abs(x) == 1, xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0)),
                                  (n == 0, 1.0), (n == 1, x)], rec)
