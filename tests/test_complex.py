"""Complex tensors against torch: dtypes and promotion, creation, printing, ops,
views of the real and imaginary parts, refusals, and gradients (torch's
conjugate Wirtinger convention)."""
import math

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex32", "complex64", "complex128"]


def cplx(shape, seed=0, dtype=np.complex64):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-2, 2, shape) + 1j * rng.uniform(-2, 2, shape)).astype(dtype)


def same(e, t, rtol=1e-5, atol=1e-6):
    assert isinstance(e, ember.Tensor), type(e)
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (e.dtype, t.dtype)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().resolve_conj().numpy(), rtol=rtol, atol=atol,
                               equal_nan=True)


def same_error(f, exc=Exception, first_line=True):
    """f(torch) and f(ember) raise the same exception class with the same message (its first line)."""
    with pytest.raises(exc) as te:
        f(torch)
    with pytest.raises(type(te.value)) as ee:
        f(ember)
    cut = (lambda text: text.split("\n")[0].strip()) if first_line else (lambda text: text)
    assert cut(str(ee.value)) == cut(str(te.value))


def loss(m, out, up):
    """A real loss of a (possibly complex) output with a fixed upstream weighting."""
    if out.is_complex():
        out = m.view_as_real(out)
    return (out * m.tensor(up, dtype=out.dtype)).sum()


def grad_check(fn, arrays, rtol=1e-4, atol=1e-5):
    """fn(m, *tensors) on ember and torch: same forward, same gradients of a real loss."""
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    et = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_out, e_out = fn(torch, *tt), fn(ember, *et)
    same(e_out, t_out, rtol, atol)
    shape = tuple(t_out.shape) + ((2,) if t_out.is_complex() else ())
    up = np.random.default_rng(1).uniform(-1, 1, shape)
    loss(torch, t_out, up).backward()
    loss(ember, e_out, up).backward()
    for e, t in zip(et, tt):
        same(e.grad, t.grad, rtol, atol)


# -- dtypes and promotion -----------------------------------------------------------------
def test_dtype_objects():
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128 and ember.chalf is ember.complex32
    for name in ("complex32", "complex64", "complex128"):
        e, t = getattr(ember, name), getattr(torch, name)
        assert (e.is_complex, e.is_floating_point, e.is_signed, e.itemsize) == \
               (t.is_complex, t.is_floating_point, t.is_signed, t.itemsize)
        assert repr(e) == "ember." + name
        assert e.to_real().name == str(t.to_real()).split(".")[-1]
        assert e.to_complex() is e
    for name in ("float16", "bfloat16", "float32", "float64"):
        assert getattr(ember, name).to_complex().name == str(getattr(torch, name).to_complex()).split(".")[-1]
    with pytest.raises(RuntimeError, match="Unknown Complex ScalarType for Int"):
        ember.int32.to_complex()
    assert ember.int32.to_real() is ember.int32


def test_promote_types_table():
    for a in DTYPES:
        for b in DTYPES:
            t = torch.promote_types(getattr(torch, a), getattr(torch, b))
            e = ember.promote_types(getattr(ember, a if a != "bool" else "bool"), getattr(ember, b))
            assert e.name == str(t).split(".")[-1], (a, b)


@pytest.mark.parametrize("tdtype", ["int32", "int64", "float16", "bfloat16", "float32", "float64",
                                    "complex64", "complex128"])
def test_result_type(tdtype):
    for zdtype in ["int64", "float16", "float32", "float64", "complex64", "complex128"]:
        for scalar in (1j, 2.5, 3):
            for build in (lambda m, d: m.ones(2, dtype=getattr(m, d)), lambda m, d: m.ones((), dtype=getattr(m, d))):
                t = torch.result_type(build(torch, tdtype), scalar)
                e = ember.result_type(build(ember, tdtype), scalar)
                assert e.name == str(t).split(".")[-1], (tdtype, scalar)
        t = torch.result_type(torch.ones(2, dtype=getattr(torch, tdtype)), torch.ones((), dtype=getattr(torch, zdtype)))
        e = ember.result_type(ember.ones(2, dtype=getattr(ember, tdtype)), ember.ones((), dtype=getattr(ember, zdtype)))
        assert e.name == str(t).split(".")[-1], (tdtype, zdtype)


def test_default_complex_follows_default_float():
    try:
        for d in ("float64", "float32"):
            torch.set_default_dtype(getattr(torch, d))
            ember.set_default_dtype(getattr(ember, d))
            assert ember.tensor(1j).dtype.name == str(torch.tensor(1j).dtype).split(".")[-1]
            assert repr(ember.tensor([1j])) == repr(torch.tensor([1j]))
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def test_finfo_and_can_cast():
    for name in ("complex64", "complex128"):
        e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
        assert (e.eps, e.max, e.tiny, e.bits, e.dtype) == (t.eps, t.max, t.tiny, t.bits, t.dtype)
    assert ember.can_cast(ember.complex64, ember.float64) == torch.can_cast(torch.complex64, torch.float64)
    assert ember.can_cast(ember.float64, ember.complex64) == torch.can_cast(torch.float64, torch.complex64)


# -- creation ----------------------------------------------------------------------------
@pytest.mark.parametrize("data", [1 + 2j, [1j, 2], [[1, 2.5], [3j, 4]], [True, 1j], np.complex128(1 + 1j),
                                  np.array([1j], dtype=np.complex64)])
def test_tensor_from_data(data):
    same(ember.tensor(data), torch.tensor(data))


def test_factories():
    for name in ("complex64", "complex128"):
        e, t = getattr(ember, name), getattr(torch, name)
        same(ember.zeros(2, 3, dtype=e), torch.zeros(2, 3, dtype=t))
        same(ember.ones(2, dtype=e), torch.ones(2, dtype=t))
        same(ember.full((2,), 1 - 2j, dtype=e), torch.full((2,), 1 - 2j, dtype=t))
        same(ember.zeros_like(ember.ones(3), dtype=e), torch.zeros_like(torch.ones(3), dtype=t))
        for shape in ((5,), (3, 7), (40,)):
            torch.manual_seed(3)
            ember.manual_seed(3)
            same(ember.randn(*shape, dtype=e), torch.randn(*shape, dtype=t), rtol=1e-6, atol=1e-7)
            same(ember.rand(*shape, dtype=e), torch.rand(*shape, dtype=t), rtol=1e-6, atol=1e-7)
    same(ember.full((2,), 1j), torch.full((2,), 1j))
    same(ember.zeros(2, dtype=complex), torch.zeros(2, dtype=complex))


def test_complex_and_polar():
    re, im = np.array([1.0, -2.0, 0.5]), np.array([[0.5], [-1.5]])
    same(ember.complex(ember.tensor(re), ember.tensor(im)), torch.complex(torch.tensor(re), torch.tensor(im)))
    same(ember.polar(ember.tensor(re), ember.tensor(im)), torch.polar(torch.tensor(re), torch.tensor(im)))
    for m, exc in ((ember, RuntimeError), (torch, RuntimeError)):
        with pytest.raises(exc, match="Expected object of scalar type Float but got scalar type Double"):
            m.complex(m.ones(2), m.ones(2, dtype=m.float64))
        with pytest.raises(exc, match="Expected both inputs to be Half, Float or Double tensors but got Long"):
            m.complex(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))


def test_complex32_is_a_name_only():
    assert ember.complex32.itemsize == 4
    with pytest.raises(NotImplementedError, match="ComplexHalf"):
        ember.zeros(2, dtype=ember.complex32)


# -- printing -----------------------------------------------------------------------------
@pytest.mark.parametrize("data", [[1 + 2j, 3 - 1j], 1 + 2j, [0.5j, 1e-5 + 3j], [[1e10j, 2], [3, 4]],
                                  [float("nan") + 1j, complex(float("inf"), 1), -0.0j], [1.123456 + 2j],
                                  [[1.5 - 2.25j, -3.125 + 4j], [0j, 1e-3 - 1e-3j]]])
def test_printing(data):
    for d in ("complex64", "complex128"):
        t = torch.tensor(data, dtype=getattr(torch, d))
        e = ember.tensor(data, dtype=getattr(ember, d))
        assert repr(e) == repr(t).replace("torch.", "ember.")


def test_printing_large_and_grad():
    t = torch.arange(2000).to(torch.complex64) * (1 - 0.5j)
    e = ember.arange(2000).to(ember.complex64) * (1 - 0.5j)
    assert repr(e) == repr(t)
    torch.manual_seed(0)
    ember.manual_seed(0)
    t = torch.randn(4, 3, dtype=torch.cfloat, requires_grad=True)
    e = ember.randn(4, 3, dtype=ember.cfloat, requires_grad=True)
    assert repr(e) == repr(t)
    assert repr(ember.zeros(0, dtype=ember.complex64)) == repr(torch.zeros(0, dtype=torch.complex64)).replace(
        "torch.", "ember.")


# -- forward ops ------------------------------------------------------------------------------
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a ** b,
          lambda a, b: b - a, lambda a, b: b / a]


@pytest.mark.parametrize("k", range(len(BINARY)))
def test_binary_ops(k):
    f = BINARY[k]
    z, w = cplx((3, 4)), cplx((4,), seed=1)
    r = np.random.default_rng(2).uniform(0.5, 2, (3, 1)).astype(np.float32)
    cases = [(ember.tensor(z), ember.tensor(w), torch.tensor(z), torch.tensor(w)),
             (ember.tensor(z), ember.tensor(r), torch.tensor(z), torch.tensor(r)),
             (ember.tensor(r), ember.tensor(w.astype(np.complex128)), torch.tensor(r), torch.tensor(w.astype(np.complex128)))]
    for ea, eb, ta, tb in cases:
        same(f(ea, eb), f(ta, tb), rtol=1e-4)
    for s in (2, 1.5, 1 - 1j, 3j):
        same(f(ember.tensor(z), s), f(torch.tensor(z), s), rtol=1e-4)
        same(f(ember.tensor(r), s), f(torch.tensor(r), s), rtol=1e-4)


UNARY = ["neg", "abs", "angle", "sgn", "exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp2",
         "expm1", "log2", "log10", "log1p", "rsqrt", "reciprocal", "square", "asin", "acos", "atan", "sigmoid",
         "conj", "conj_physical", "isreal", "isnan", "isfinite", "sum", "mean", "prod", "var", "std", "norm"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops(name):
    z = cplx((2, 3)).astype(np.complex128)
    same(getattr(ember, name)(ember.tensor(z)), getattr(torch, name)(torch.tensor(z)), rtol=1e-6)


def test_real_input_forms():
    x = np.array([-1.5, 0.0, 2.0, np.nan], dtype=np.float32)
    for name in ("angle", "sgn", "isreal", "real", "conj", "conj_physical"):
        same(getattr(ember, name)(ember.tensor(x)), getattr(torch, name)(torch.tensor(x)))
    same(ember.angle(ember.tensor([-1, 2])), torch.angle(torch.tensor([-1, 2])))
    e = ember.ones(2)
    assert ember.real(e) is e and ember.conj(e) is e
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
        e.imag


def test_matmul_and_reductions():
    a, b = cplx((3, 4)), cplx((4, 2), seed=1)
    same(ember.vdot(ember.tensor(a[0]), ember.tensor(b[:, 0])), torch.vdot(torch.tensor(a[0]), torch.tensor(b[:, 0])))
    same(ember.dot(ember.tensor(a[0]), ember.tensor(b[:, 0])), torch.dot(torch.tensor(a[0]), torch.tensor(b[:, 0])))
    same(ember.tensor(a) @ ember.tensor(b), torch.tensor(a) @ torch.tensor(b), rtol=1e-4)
    same(ember.tensor(a).sum(0), torch.tensor(a).sum(0))
    same(ember.tensor(a).mean(1), torch.tensor(a).mean(1))
    same(ember.tensor(a).sum(dtype=ember.complex128), torch.tensor(a).sum(dtype=torch.complex128))


def test_conversions_and_methods():
    z = cplx((2, 3))
    e, t = ember.tensor(z), torch.tensor(z)
    same(e.cdouble(), t.cdouble())
    same(ember.ones(2).cfloat(), torch.ones(2).cfloat())
    same(ember.ones(2, dtype=ember.int64).to(ember.complex64), torch.ones(2, dtype=torch.int64).to(torch.complex64))
    same(e.bool(), t.bool())
    with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
        r = e.float()
    same(r, t.float())
    assert e[0, 1].item() == t[0, 1].item() and isinstance(e[0, 1].item(), complex)
    assert complex(e[0, 0]) == complex(t[0, 0])
    with pytest.raises(RuntimeError, match="value cannot be converted to type double without overflow"):
        float(e[0, 0])
    assert e.is_complex() and ember.is_complex(e) and not ember.ones(2).is_complex()
    assert not e.is_conj() and not e.conj().is_conj() and not e.is_neg()
    assert e.resolve_conj() is e and e.resolve_neg() is e
    same(e.H, t.H)
    same(e.mH, t.mH)
    same(e.mT, t.mT)
    same(e.adjoint(), t.adjoint())
    with pytest.raises(RuntimeError, match="tensor.H is only supported on matrices"):
        ember.ones(2, 3, 4).H
    c = e.clone()
    assert c.conj_physical_() is c and ember.conj_physical_(c) is c
    same(c, t)


# -- views ------------------------------------------------------------------------------------
def test_real_imag_are_writable_views():
    z = cplx((2, 3))
    for m in (ember, torch):
        x = m.tensor(z)
        x.real[0, 0] = 5.0
        x.imag.mul_(2)
        x.real = m.zeros(3)
        if m is ember:
            e = x
        else:
            t = x
    same(e, t)


def test_view_as_real_and_complex_share_memory():
    z = cplx((2, 3))
    for m in (ember, torch):
        x = m.tensor(z)
        r = m.view_as_real(x)
        r[0, 1, 1] = 7.0
        c = m.view_as_complex(r)
        c[1, 2] = 1 - 1j
        if m is ember:
            e = (x, r, c)
        else:
            t = (x, r, c)
    for a, b in zip(e, t):
        same(a, b)
    same(ember.view_as_complex(ember.ones(3, 2)), torch.view_as_complex(torch.ones(3, 2)))
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match="Tensor must have a last dimension of size 2"):
            m.view_as_complex(m.ones(3))
        with pytest.raises(RuntimeError, match="Tensor must have a last dimension with stride 1"):
            m.view_as_complex(m.ones(2, 3).t())
        with pytest.raises(RuntimeError, match="view_as_real is only supported for complex tensors"):
            m.view_as_real(m.ones(2))


# -- refusals --------------------------------------------------------------------------------
REFUSED = [lambda m, z: z < z, lambda m, z: z >= 1, lambda m, z: z.max(), lambda m, z: z.max(0),
           lambda m, z: z.min(), lambda m, z: z.amax(), lambda m, z: z.argmax(), lambda m, z: z.clamp(0, 1),
           lambda m, z: z.floor(), lambda m, z: z.ceil(), lambda m, z: z.trunc(), lambda m, z: z.sign(),
           lambda m, z: z.relu(), lambda m, z: z.erf(), lambda m, z: m.maximum(z, z), lambda m, z: z % 2,
           lambda m, z: z.fmod(2), lambda m, z: z.atan2(z), lambda m, z: z // z, lambda m, z: z & z,
           lambda m, z: z.frac(), lambda m, z: z.sort(), lambda m, z: z.argsort(), lambda m, z: z.topk(1),
           lambda m, z: z[None] @ m.ones(3, 1), lambda m, z: z.clone().abs_(), lambda m, z: m.tensor([1j], dtype=m.float32),
           lambda m, z: z.softmax(-1)]


@pytest.mark.parametrize("k", range(len(REFUSED)))
def test_refusals(k):
    z = cplx((3,))
    same_error(lambda m: REFUSED[k](m, m.tensor(z)))


def test_requires_grad_and_implicit_grad():
    z = ember.tensor([1j], requires_grad=True)
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for real scalar outputs"):
        z.sum().backward()


# -- gradients ----------------------------------------------------------------------------------
GRADS = {
    "abs": (lambda m, z: m.abs(z), 1),
    "angle": (lambda m, z: m.angle(z), 1),
    "real": (lambda m, z: z.real * 3, 1),
    "imag": (lambda m, z: z.imag * 3, 1),
    "mul": (lambda m, z, w: z * w, 2),
    "div": (lambda m, z, w: z / w, 2),
    "exp": (lambda m, z: m.exp(z), 1),
    "log": (lambda m, z: m.log(z), 1),
    "sqrt": (lambda m, z: m.sqrt(z), 1),
    "sin": (lambda m, z: m.sin(z), 1),
    "tanh": (lambda m, z: m.tanh(z), 1),
    "pow": (lambda m, z: z ** 3, 1),
    "pow_tensor": (lambda m, z, w: z ** w, 2),
    "rpow": (lambda m, z: 2 ** z, 1),
    "reciprocal": (lambda m, z: 1 / z, 1),
    "view_as_real": (lambda m, z: m.view_as_real(z), 1),
    "sum": (lambda m, z: z.sum(0), 1),
    "mean": (lambda m, z: z.mean(), 1),
    "matmul": (lambda m, z, w: z @ w.mT, 2),
    "sgn": (lambda m, z: m.sgn(z), 1),
    "conj": (lambda m, z: m.conj(z) * z.sin(), 1),
    "abs_squared": (lambda m, z: (z * z.conj()).real, 1),
    "var": (lambda m, z: z.var(1), 1),
    "norm": (lambda m, z: z.norm(), 1),
    "prod": (lambda m, z: z.prod(1), 1),
    "H": (lambda m, z: z.mH @ z, 1),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients(name):
    fn, n = GRADS[name]
    grad_check(fn, [cplx((2, 3), seed=s).astype(np.complex128) for s in range(n)], rtol=1e-7, atol=1e-9)


def test_gradients_mixed_real_and_complex():
    r = np.random.default_rng(5).uniform(-2, 2, (2, 3))
    z = cplx((2, 3)).astype(np.complex128)
    grad_check(lambda m, x, w: x * w, [r, z])
    grad_check(lambda m, x, w: (x + 1j) / w, [r, z])
    grad_check(lambda m, x, y: m.complex(x, y), [r, r * 2])
    grad_check(lambda m, x, y: m.polar(x, y), [r, r * 2])
    grad_check(lambda m, x: m.view_as_complex(x), [r.reshape(3, 2)])
    grad_check(lambda m, x: x.to(m.complex128) * (1 + 2j), [r])
    grad_check(lambda m, z: z.to(m.float64) * 3, [z])


# -- linalg.eig ------------------------------------------------------------------------------------
def _aligned(ve, vt):
    """ve with each eigenvector's phase turned to vt's (eigenvectors are defined up to a phase)."""
    k = np.abs(vt).argmax(-2)[..., None, :]
    ph = np.take_along_axis(ve, k, -2) / np.take_along_axis(vt, k, -2)
    np.testing.assert_allclose(np.abs(ph), 1, rtol=1e-10)
    return ve / ph


@pytest.mark.parametrize("shape,is_complex", [((3, 3), False), ((2, 4, 4), False), ((3, 3), True)])
def test_linalg_eig(shape, is_complex):
    rng = np.random.default_rng(7)
    a = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if is_complex else 0)
    tt, et = torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)
    (lt, vt), (le, ve) = torch.linalg.eig(tt), ember.linalg.eig(et)
    same(le, lt, rtol=1e-10, atol=1e-12)
    assert ve.dtype is le.dtype and ve.shape == tuple(vt.shape)
    np.testing.assert_allclose(_aligned(ve.detach().numpy(), vt.detach().numpy()), vt.detach().numpy(),
                               rtol=1e-8, atol=1e-10)
    # losses that do not depend on the eigenvectors' phases, as torch requires
    up, w = rng.standard_normal(tuple(lt.shape) + (2,)), rng.standard_normal(tuple(vt.shape))
    for m, L, V, x in ((torch, lt, vt, tt), (ember, le, ve, et)):
        ((m.view_as_real(L) * m.tensor(up)).sum() + (V.abs() * m.tensor(w)).sum()).backward()
    same(et.grad, tt.grad, rtol=1e-7, atol=1e-9)
    grad_check(lambda m, x: m.linalg.eigvals(x), [a])
    assert type(le.grad_fn).__name__ == type(lt.grad_fn).__name__


def test_eig_errors():
    for f in (lambda m: m.eig(m.ones(2, 2)), lambda m: m.ones(2, 2).eig(), lambda m: m.linalg.eig(m.ones(2, 3)),
              lambda m: m.linalg.eig(m.ones(2, 2, dtype=m.int64)), lambda m: m.linalg.eigvals(m.ones(2))):
        same_error(f, RuntimeError, first_line=False)


def test_random_fills():
    for m in (torch, ember):
        m.manual_seed(4)
        x = m.zeros(5, 3, dtype=m.complex64)
        x.normal_(1, 2)
        y = m.zeros(7, dtype=m.complex128).uniform_(-1, 2)
        if m is torch:
            tx, ty = x, y
    same(x, tx, rtol=1e-6, atol=1e-6)
    same(y, ty, rtol=1e-12, atol=1e-12)
    for f in (lambda m: m.zeros(2, dtype=m.cfloat).bernoulli_(), lambda m: m.zeros(2, dtype=m.cfloat).random_()):
        same_error(f, NotImplementedError, first_line=False)


def test_inplace_on_real_and_imag_views_gradients():
    z = cplx((2, 2)).astype(np.complex128)
    w = np.arange(8.0).reshape(2, 2, 2)
    for change in (lambda b: b.imag.mul_(2), lambda b: b.real.__setitem__((0, 0), 5.0), lambda b: b.real.add_(1),
                   lambda b: b[1].mul_(1j)):
        grads = []
        for m in (torch, ember):
            a = m.tensor(z, requires_grad=True)
            b = a * 1
            change(b)
            (m.view_as_real(b) * m.tensor(w)).sum().backward()
            grads.append(a.grad)
        same(grads[1], grads[0])


def test_save_load_with_torch(tmp_path):
    z = cplx((2, 3))
    ember.save({"z": ember.tensor(z)}, tmp_path / "e.pt")
    same(ember.load(tmp_path / "e.pt")["z"], torch.load(tmp_path / "e.pt")["z"])
    torch.save(torch.tensor(z.astype(np.complex128)), tmp_path / "t.pt")
    same(ember.load(tmp_path / "t.pt"), torch.load(tmp_path / "t.pt"))
