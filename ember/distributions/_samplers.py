"""torch's CPU samplers for the gamma family, element by element on ember's generator (the same
stream as torch's), so that a seed gives torch's numbers; and the reparameterised gradients of gamma
and Dirichlet samples (ATen's Distributions.h/.cpp, rewritten on NumPy). Poisson and binomial
samples are the core's ember.poisson and ember.binomial.

Each sampler walks the output in memory order and draws what ATen's `cpu_serial_kernel` draws:
double uniforms (53 bits of a 64-bit draw) and double normals (Box-Muller, the second value of a
pair cached in the generator). The draws are serial, so they run on the host; CUDA tensors take
their device's generator and go there and back.
"""
import math

import numpy as np

import ember
from ember import _random as R
from ember._device import xp_of
from ember._ops._base import Op

_M53 = (1 << 53) - 1
_F32_THIRD = float(np.float32(1.0) / np.float32(3.0))  # 1.0f / 3.0f, as ATen writes it
_F32_0331 = float(np.float32(0.0331))
_F32_TINY = float(np.finfo(np.float32).tiny)
_F64_TINY = float(np.finfo(np.float64).tiny)


class _Stream:
    """Scalar draws from a Generator, in the order ATen's samplers make them.

    Raw 32-bit words are read ahead in blocks (one NumPy call each, instead of one per draw);
    `close()` then puts the generator exactly where the words actually used leave it (the state
    before, advanced by that count), so later draws continue torch's stream."""

    def __init__(self, generator, expected_words):
        self.g = generator
        self._bits = generator._bits
        self._start = self._bits.state
        self._block = max(64, expected_words)
        self._words = []
        self._used = 0

    def _word(self):
        if self._used == len(self._words):
            self._words += self._bits.random_raw(self._block).tolist()
        w = self._words[self._used]
        self._used += 1
        return w

    def uniform(self):
        hi = self._word()
        return (((hi << 32) | self._word()) & _M53) * 2.0 ** -53

    def normal(self):
        g = self.g
        if g._normal is not None:
            value, g._normal = g._normal, None
            return value
        u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        g._normal = r * math.sin(theta)
        return r * math.cos(theta)

    def close(self):
        self._bits.state = self._start
        for start in range(0, self._used, 1 << 20):
            self._bits.random_raw(min(1 << 20, self._used - start))


def _draws(device, n, words_each):
    """A _Stream on the device's generator, reading ahead about words_each words per value."""
    return _Stream(R.generator_for(device), n * words_each + 64)


def _host(array):
    return array if type(array) is np.ndarray else array.get()


def _gamma_constants(alpha):
    """Per element, in ATen's precision (alpha's dtype for the few steps done in scalar_t, double
    after): the boost exponent 1/alpha (None where alpha >= 1; 0 where alpha == 0, whose sample
    is 0) and Marsaglia & Tsang's d = alpha' - 1/3 and c = 1/sqrt(9 d) for alpha' = alpha (+ 1
    when boosted)."""
    one = alpha.dtype.type(1)
    with np.errstate(divide="ignore"):
        boost = (one / alpha).astype(np.float64)
    small = alpha < 1
    boosted = np.where(small, alpha + one, alpha)
    d = (boosted - alpha.dtype.type(_F32_THIRD)) if alpha.dtype == np.float32 else boosted - _F32_THIRD
    d = d.astype(np.float64)
    c = 1.0 / np.sqrt(9.0 * d)
    return [b if sm else None for b, sm in zip(boost.tolist(), small.tolist())], d.tolist(), c.tolist()


def _gamma_one(boost, d, c, s):
    """ATen's sample_gamma: Marsaglia & Tsang (2000), boosted for alpha < 1 by u^(1/alpha)."""
    scale = 1.0
    if boost is not None:
        if boost == math.inf:  # alpha == 0
            return 0.0
        scale *= (1.0 - s.uniform()) ** boost
    while True:
        while True:
            x = s.normal()
            y = 1.0 + c * x
            if not y <= 0:  # (a NaN y, from an invalid alpha, leaves as in ATen; the sample is then NaN)
                break
        v = y * y * y
        u = 1.0 - s.uniform()
        xx = x * x
        if u < 1.0 - _F32_0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _gamma_draws(alpha, device):
    """Gamma(alpha, 1) draws for a host array, as doubles in memory order."""
    flat = np.ascontiguousarray(alpha).ravel()
    boosts, ds, cs = _gamma_constants(flat)
    s = _draws(device, flat.size, 5)
    try:
        return np.array([_gamma_one(b, d, c, s) for b, d, c in zip(boosts, ds, cs)], dtype=np.float64)
    finally:
        s.close()


def standard_gamma_array(alpha, device):
    """torch._standard_gamma on a host array (float32 or float64), in the array's dtype."""
    tiny = _F32_TINY if alpha.dtype == np.float32 else _F64_TINY
    out = _gamma_draws(alpha, device).astype(alpha.dtype)
    return np.fmax(out, tiny).reshape(alpha.shape)  # std::max(tiny, sample): tiny for NaN too


def dirichlet_array(alpha, device):
    """torch._sample_dirichlet: double gamma draws normalised along the last dim."""
    # ATen samples in double here, whatever alpha's dtype
    gamma = np.fmax(_gamma_draws(alpha.astype(np.float64), device), _F64_TINY).reshape(alpha.shape)
    ret = (gamma / gamma.sum(-1, keepdims=True)).astype(alpha.dtype)
    info = np.finfo(alpha.dtype)
    return np.clip(ret, info.tiny, np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0)))


# -- reparameterised gradients ---------------------------------------------------------------------
def _digamma(x):
    return ember.digamma(ember.from_numpy(np.asarray(x, dtype=np.float64))).numpy()


def _polyval(coefs, x):
    result = coefs[-1]
    for c in reversed(coefs[:-1]):
        result = c + x * result
    return result


_GAMMA_GRAD_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07]])


def standard_gamma_grad_array(alpha, x):
    """d x / d alpha for x ~ Gamma(alpha, 1) at fixed cdf: -(d cdf / d alpha) / pdf (ATen's
    standard_gamma_grad_one, vectorised: a Taylor series for small x, Rice's saddle point
    expansion for large alpha, a bivariate rational approximation otherwise)."""
    dtype = x.dtype
    alpha, x = np.broadcast_arrays(alpha.astype(np.float64), x.astype(np.float64))
    with np.errstate(all="ignore"):
        # x < 0.8: series of the regularised incomplete gamma function and its alpha derivative
        numer = np.ones_like(x)
        denom = alpha.copy()
        series1 = numer / denom
        series2 = numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = x ** alpha
        gamma_pdf = x ** (alpha - 1) * np.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = (np.log(x) - _digamma(alpha)) * gamma_cdf - pow_x_alpha * series2
        small = -gamma_cdf_alpha / gamma_pdf
        small = np.where(np.isnan(small), 0.0, small)
        # alpha > 8: saddle point, with a polynomial at x close to alpha
        near_numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
        near_numer_2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha
                        + alpha * (107 + 3600 * x))
        near = near_numer_1 * near_numer_2 / (1244160 * (alpha * alpha) * (alpha * alpha))
        sq = np.sqrt(8 * alpha)
        term2 = sq / (alpha - x)
        term3 = (x - alpha - alpha * np.log(x / alpha)) ** -1.5
        term23 = np.where(x < alpha, term2 - term3, term2 + term3)
        term1 = np.log(x / alpha) * term23 - np.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        far = -stirling * (x * term1) / sq
        large = np.where((0.9 * alpha <= x) & (x <= 1.1 * alpha), near, far)
        # otherwise: rational approximation in u = log(x / alpha), v = log(alpha)
        u = np.log(x / alpha)
        v = np.log(alpha)
        coef_v = [_GAMMA_GRAD_UV[0, i] + u * (_GAMMA_GRAD_UV[1, i] + u * _GAMMA_GRAD_UV[2, i]) for i in range(8)]
        p = _polyval(coef_v[0:4], v)
        q = _polyval(coef_v[4:8], v)
        rational = np.exp(p / q)
        out = np.where(x < 0.8, small, np.where(alpha > 8.0, large, rational))
    return out.astype(dtype)


_DIRICHLET_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _beta_grad_alpha_small(x, alpha, beta):
    """Taylor expansion of the Beta(alpha, beta) reparameterised gradient for x near 0."""
    factor = _digamma(alpha) - _digamma(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * (i - beta) * x / i
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    result = x * (1 - x) ** -beta * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_beta_small(x, alpha, beta):
    factor = _digamma(alpha + beta) - _digamma(beta)
    numer = np.ones_like(x)
    betas = np.ones_like(x)
    dbetas = np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    result = -(1 - x) ** (1 - beta) * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_alpha_mid(x, alpha, beta):
    """Rice saddle point expansion for large alpha and beta."""
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = np.sqrt(2 * alpha / beta) * total ** 1.5 * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * np.log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = (beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x))) ** -1.5
    term1234 = term1 + term2 * (term3 + np.where(x < mean, term4, -term4))
    far = stirling * prefactor * term1234
    return np.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


def dirichlet_grad_array(x, alpha, total):
    """torch._dirichlet_grad: the Beta(alpha, total - alpha) reparameterised gradient of each
    coordinate, -(d cdf / d alpha) / pdf / (1 - x) (ATen's dirichlet_grad_one, vectorised)."""
    dtype = x.dtype
    x, alpha, total = (a.astype(np.float64) for a in np.broadcast_arrays(x, alpha, total))
    beta = total - alpha
    boundary = total * x * (1 - x)
    with np.errstate(all="ignore"):
        near0 = _beta_grad_alpha_small(x, alpha, beta)
        near1 = -_beta_grad_beta_small(1 - x, beta, alpha)
        mid = _beta_grad_alpha_mid(x, alpha, beta)
        u = np.log(x)
        a = np.log(alpha) - u
        b = np.log(total) - a
        pow_u = [np.ones_like(u), u, u * u]
        pow_a = [np.ones_like(a), a, a * a]
        p = np.zeros_like(x)
        q = np.zeros_like(x)
        for i in range(3):
            for j in range(3):
                ua = pow_u[i] * pow_a[j]
                p = p + ua * _polyval(list(_DIRICHLET_C[0, i, j]), b)
                q = q + ua * _polyval(list(_DIRICHLET_C[1, i, j]), b)
        approx = x * (_digamma(total) - _digamma(alpha)) / beta
        rational = p / q * approx
        out = np.where((x <= 0.5) & (boundary < 2.5), near0,
                       np.where((x >= 0.5) & (boundary < 0.75), near1,
                                np.where((alpha > 6) & (beta > 6), mid, rational)))
    return out.astype(dtype)


# -- ops ------------------------------------------------------------------------------------------
def _host_of(t):
    return _host(t.detach()._data)


def _on_device_of(array, like):
    """A tensor holding host `array` where tensor `like` lives."""
    out = ember.from_numpy(array)
    return out if like.is_cpu else out.to(like.device)


class StandardGammaBackward0(Op):
    """torch._standard_gamma: Gamma(alpha, 1) samples; the gradient is the implicit
    reparameterisation d x / d alpha."""

    save_inputs = True
    save_output = True

    def forward(self, alpha, device):
        return xp_of(alpha).asarray(standard_gamma_array(_host(alpha), device))

    def backward(self, g):
        alpha, x = self.saved_tensors
        return g * _on_device_of(standard_gamma_grad_array(_host_of(alpha), _host_of(x)), g)


class _DirichletBackward(Op):
    """torch._sample_dirichlet with the reparameterised gradient of torch's _Dirichlet function."""

    save_inputs = True
    save_output = True

    def forward(self, concentration, device):
        return xp_of(concentration).asarray(dirichlet_array(_host(concentration), device))

    def backward(self, g):
        concentration, x = self.saved_tensors
        total = concentration.sum(-1, True).expand_as(concentration)
        grad = dirichlet_grad_array(_host_of(x), _host_of(concentration), _host_of(total))
        return _on_device_of(grad, g) * (g - (x * g).sum(-1, True))


def standard_gamma(concentration):
    return StandardGammaBackward0.apply(concentration, device=concentration.device)


def sample_dirichlet(concentration):
    return _DirichletBackward.apply(concentration, device=concentration.device)
