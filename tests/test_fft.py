"""torch.fft and stft/istft against torch: values, dtypes, shapes and gradients
(including rfft/irfft's Hermitian halving), n/s/dim/norm handling and errors."""
import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
REAL = RNG.standard_normal((4, 6))
CPLX = REAL + 1j * RNG.standard_normal((4, 6))
REAL_ONLY = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}
ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn", "hfft2", "ihfft2", "hfftn", "ihfftn"]


def numpy_of(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return t.detach().numpy()


def same(e, t, rtol=1e-7, atol=1e-9):
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (e.dtype, t.dtype)
    np.testing.assert_allclose(numpy_of(e), numpy_of(t), rtol=rtol, atol=atol)


def real_loss(m, out, up):
    if out.is_complex():
        out = m.view_as_real(out.resolve_conj() if m is torch else out)
    return (out * m.tensor(up, dtype=out.dtype)).sum()


def check(fn, a, rtol=1e-7, atol=1e-9, grad=True):
    tt = torch.tensor(a, requires_grad=grad)
    et = ember.tensor(a, requires_grad=grad)
    t_out, e_out = fn(torch, tt), fn(ember, et)
    same(e_out, t_out, rtol, atol)
    if grad:
        up = np.random.default_rng(1).standard_normal(tuple(t_out.shape) + ((2,) if t_out.is_complex() else ()))
        real_loss(torch, t_out, up).backward()
        real_loss(ember, e_out, up).backward()
        same(et.grad, tt.grad, rtol, atol)


@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
def test_one_dimensional(name, norm):
    for a in (REAL, CPLX) if name not in REAL_ONLY else (REAL,):
        check(lambda m, x: getattr(m.fft, name)(x, norm=norm), a)
        check(lambda m, x: getattr(m.fft, name)(x, n=5, dim=0, norm=norm), a)  # odd n, padded
        check(lambda m, x: getattr(m.fft, name)(x, n=4, norm=norm), a)  # even n, cropped
        check(lambda m, x: getattr(m.fft, name)(x, n=9, dim=-1, norm=norm), a)


@pytest.mark.parametrize("name", N_D)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_n_dimensional(name, norm):
    for a in (REAL, CPLX) if name not in REAL_ONLY else (REAL,):
        f = getattr(ember.fft, name)
        check(lambda m, x: getattr(m.fft, name)(x, norm=norm), a)
        check(lambda m, x: getattr(m.fft, name)(x, s=(3, 7), norm=norm), a)
        check(lambda m, x: getattr(m.fft, name)(x, s=(5, -1), norm=norm), a)
        check(lambda m, x: getattr(m.fft, name)(x, dim=(0,), norm=norm), a)
        if name.endswith("n"):
            check(lambda m, x: getattr(m.fft, name)(x, s=(4,), dim=(1,), norm=norm), a)
        assert f.__name__ == name


def test_three_dims_and_batches():
    a = RNG.standard_normal((2, 3, 4, 5))
    for name in ("fftn", "rfftn", "irfftn", "hfftn", "ihfftn"):
        check(lambda m, x: getattr(m.fft, name)(x, dim=(1, 2, 3)), a)
        check(lambda m, x: getattr(m.fft, name)(x, s=(4, 6), dim=(3, 1)), a)


def test_dtypes():
    for dtype in ("float32", "float64", "complex64", "complex128", "int64", "int32", "bool"):
        a = np.arange(8).astype(dtype)
        for name in ("fft", "ifft", "fftn", "irfft", "hfft"):
            t = getattr(torch.fft, name)(torch.tensor(a))
            e = getattr(ember.fft, name)(ember.tensor(a))
            same(e, t, rtol=1e-5, atol=1e-5)
        if not dtype.startswith("complex"):
            same(ember.fft.rfft(ember.tensor(a)), torch.fft.rfft(torch.tensor(a)), rtol=1e-5, atol=1e-5)
            same(ember.fft.ihfft(ember.tensor(a)), torch.fft.ihfft(torch.tensor(a)), rtol=1e-5, atol=1e-5)


def test_float32_gradients():
    a = REAL.astype(np.float32)
    check(lambda m, x: m.fft.irfft(m.fft.rfft(x) * 2, n=6), a, rtol=1e-5, atol=1e-5)
    check(lambda m, x: m.fft.fft(x).abs(), a, rtol=1e-5, atol=1e-5)


ERRORS = [
    lambda m: m.fft.fft(m.ones(4, dtype=m.float16)),
    lambda m: m.fft.rfft(m.ones(4, dtype=m.complex64)),
    lambda m: m.fft.ihfft(m.ones(4, dtype=m.complex64)),
    lambda m: m.fft.rfftn(m.ones(4, 4, dtype=m.complex64)),
    lambda m: m.fft.fft(m.ones(4), n=0),
    lambda m: m.fft.irfft(m.ones(1, dtype=m.complex64)),
    lambda m: m.fft.fft(m.ones(4), norm="bad"),
    lambda m: m.fft.fftn(m.ones(4, 4), dim=(0, 0)),
    lambda m: m.fft.fftn(m.ones(4, 4), s=(2, 2, 2)),
    lambda m: m.fft.fftn(m.ones(4, 4), s=(2, 2), dim=(0,)),
    lambda m: m.fft.rfftn(m.ones(4, 4), dim=()),
    lambda m: m.fft.fft(m.ones(4), dim=2),
    lambda m: m.fft.fftfreq(4, dtype=m.int64),
    lambda m: m.fft.fftfreq(4, dtype=m.complex64),
]


def same_error(f, words=lambda text: text):
    """f(torch) and f(ember) raise the same exception class with the same first line (or `words` of it)."""
    with pytest.raises(Exception) as te:
        f(torch)
    with pytest.raises(type(te.value)) as ee:
        f(ember)
    assert words(str(ee.value).split("\n")[0]) == words(str(te.value).split("\n")[0])


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    same_error(ERRORS[k])


def test_frequencies():
    for n in (1, 4, 5, 8):
        for d in (1.0, 0.1, 3):
            same(ember.fft.fftfreq(n, d), torch.fft.fftfreq(n, d), rtol=0, atol=0)
            same(ember.fft.rfftfreq(n, d), torch.fft.rfftfreq(n, d), rtol=0, atol=0)
            same(ember.fft.fftfreq(n, d, dtype=ember.float64), torch.fft.fftfreq(n, d, dtype=torch.float64), 0, 0)
    assert ember.fft.rfftfreq(4, requires_grad=True).requires_grad


def test_shifts():
    a = RNG.standard_normal((4, 5))
    for name in ("fftshift", "ifftshift"):
        for dim in (None, 0, (1,), (0, 1), -1):
            check(lambda m, x: getattr(m.fft, name)(x, dim=dim), a)


def test_out_and_module_names():
    out = ember.empty(0, dtype=ember.complex128)
    r = ember.fft.fft(ember.tensor(CPLX), out=out)
    assert r is out
    same(out, torch.fft.fft(torch.tensor(CPLX)))
    assert ember.fft.Tensor is ember.Tensor
    assert set(ember.fft.common_args) == set(torch.fft.common_args)
    assert set(ember.fft.factory_common_args) == set(torch.fft.factory_common_args)


def test_grad_fn_names():
    x = ember.randn(8, requires_grad=True)
    z = ember.randn(8, dtype=ember.complex64, requires_grad=True)
    xt, zt = torch.randn(8, requires_grad=True), torch.randn(8, dtype=torch.complex64, requires_grad=True)
    for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
        for e, t in ((x, xt), (z, zt)):
            try:
                want = type(getattr(torch.fft, name)(t).grad_fn).__name__
            except RuntimeError:
                continue
            assert type(getattr(ember.fft, name)(e).grad_fn).__name__ == want, name


def test_second_order_gradient():
    for m in (torch, ember):
        x = m.tensor(REAL[0], requires_grad=True)
        y = (m.fft.rfft(x).abs() ** 2).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (gg,) = m.autograd.grad((g * m.tensor(REAL[1])).sum(), x)
        if m is torch:
            tg, tgg = g, gg
    same(g, tg)
    same(gg, tgg)


# -- stft / istft ---------------------------------------------------------------------------------
SIGNAL = np.random.default_rng(2).standard_normal((2, 40))
HANN = np.hanning(12)
STFT_CASES = [
    dict(n_fft=16, return_complex=True),
    dict(n_fft=16, hop_length=5, win_length=12, window=HANN, return_complex=True),
    dict(n_fft=16, center=False, return_complex=True, normalized=True),
    dict(n_fft=16, pad_mode="constant", onesided=False, return_complex=True),
    dict(n_fft=15, hop_length=3, pad_mode="replicate", return_complex=False),
    dict(n_fft=16, pad_mode="circular", return_complex=True),
    dict(n_fft=16, hop_length=4, win_length=8, window=np.hanning(8), center=False, align_to_window=True,
         return_complex=True),
    dict(n_fft=16, win_length=10, center=False, align_to_window=True, return_complex=True),
]


def _stft(m, x, kw):
    kw = dict(kw)
    if "window" in kw:
        kw["window"] = m.tensor(kw["window"])
    return m.stft(x, **kw)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("k", range(len(STFT_CASES)))
def test_stft(k):
    kw = STFT_CASES[k]
    for a in (SIGNAL, SIGNAL[0], SIGNAL + 1j * SIGNAL[::-1]):
        if a.dtype.kind == "c" and not kw["return_complex"]:
            continue
        check(lambda m, x: _stft(m, x, kw), a)
    e = ember.tensor(SIGNAL[0]).stft(16, return_complex=True)
    same(e, torch.tensor(SIGNAL[0]).stft(16, return_complex=True))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("k", [0, 1, 2, 5])
def test_istft(k):
    kw = dict(STFT_CASES[k])
    kw.pop("pad_mode", None)
    kw.pop("return_complex")
    spec = torch.stft(torch.tensor(SIGNAL), window=torch.tensor(kw["window"]) if "window" in kw else None,
                      **{k2: v for k2, v in kw.items() if k2 != "window"}, return_complex=True).numpy()
    for length in (None, 40, 45):
        check(lambda m, s: _istft(m, s, kw, length), spec)
    if k == 0:  # a two-sided complex spectrum back to a complex signal
        two_sided = torch.stft(torch.tensor(SIGNAL + 0.5j), 16, window=torch.ones(16), return_complex=True)
        check(lambda m, s: _istft(m, s, dict(kw, return_complex=True, onesided=False), None), two_sided.numpy())


def _istft(m, s, kw, length):
    kw = dict(kw)
    if "window" in kw:
        kw["window"] = m.tensor(kw["window"])
    return m.istft(s, length=length, **kw)


STFT_ERRORS = [
    lambda m: m.stft(m.ones(40), 16),
    lambda m: m.stft(m.ones(40), 16, center=True, align_to_window=True, return_complex=True),
    lambda m: m.istft(m.ones(9, 5), 16),
    lambda m: m.istft(m.ones(7, 5, dtype=m.complex64), 16),
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("k", range(len(STFT_ERRORS)))
def test_stft_errors(k):
    same_error(STFT_ERRORS[k], lambda text: text.split(":")[-1])  # torch's prefix describes the arguments
