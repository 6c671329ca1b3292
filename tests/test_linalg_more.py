"""The rest of torch.linalg (LU, LDL, triangular solves, Cholesky-based solves, matrix
functions, reflectors) and their torch-level names, against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

FLOATS = ["float32", "float64"]


def _arr(shape, seed=0, dtype="float64"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _spd(n, batch=(), seed=0, dtype="float64"):
    a = _arr(batch + (n, n), seed)
    return (a @ a.swapaxes(-1, -2) + n * np.eye(n)).astype(dtype)


def _tri(n, batch=(), upper=False, seed=0, dtype="float64"):
    a = _arr(batch + (n, n), seed) * 0.3 + 2 * np.eye(n)
    return (np.triu(a) if upper else np.tril(a)).astype(dtype)


def _gradcheck(fn, *arrays):
    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    assert ember.autograd.gradcheck(fn, xs)


# -- LU -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (5, 3), (3, 5), (1, 1), (0, 0)])
def test_lu_factor_and_lu(shape):
    a = _arr(shape, 1)
    check(lambda m, x: m.linalg.lu_factor(x), None, "float64", arrays=[a])
    check(lambda m, x: m.linalg.lu_factor_ex(x), None, "float64", arrays=[a])
    check(lambda m, x: m.linalg.lu(x), None, "float64", arrays=[a])
    check(lambda m, x: m.linalg.lu(x)[1:], None, "float32", arrays=[a.astype("float32")])
    check(lambda m, x: m.lu_unpack(*m.linalg.lu_factor(x)), None, "float64", arrays=[a])
    check(lambda m, x: m.lu(x, get_infos=True), None, "float64", arrays=[a])


def test_lu_gradcheck_and_errors():
    for shape in [(3, 3), (4, 2), (2, 4), (2, 3, 3)]:
        a = _arr(shape, 2)
        _gradcheck(lambda x: ember.linalg.lu(x)[1:], a)
        _gradcheck(lambda x: ember.linalg.lu_factor(x).LU, a)
        _gradcheck(lambda x: ember.linalg.lu(x).U, a)  # one factor only
    same_error(lambda m: m.linalg.lu_factor(m.zeros(2, 2)))
    same_error(lambda m: m.linalg.lu_factor(m.zeros(2, dtype=m.float64)))
    same_error(lambda m: m.linalg.lu_factor(m.zeros(2, 2, dtype=m.int64)))
    e = ember.linalg.lu_factor_ex(ember.zeros(3, 2, 2))
    t = torch.linalg.lu_factor_ex(torch.zeros(3, 2, 2))
    assert_same(e.info, t.info)
    assert_same(e.pivots, t.pivots)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(left, adjoint):
    a, b = _arr((2, 4, 4), 3), _arr((2, 4, 3) if left else (2, 3, 4), 4)

    def fn(m, x, y):
        lu_, piv = m.linalg.lu_factor(x)
        return m.linalg.lu_solve(lu_, piv, y, left=left, adjoint=adjoint)

    check(fn, None, "float64", arrays=[a, b])
    _gradcheck(lambda x, y: fn(ember, x, y), a[0], b[0])
    if left and not adjoint:
        check(lambda m, x, y: m.lu_solve(y, *m.linalg.lu_factor(x)), None, "float64", arrays=[a, b])
        check(lambda m, x, y: y.lu_solve(*m.linalg.lu_factor(x)), None, "float32",
              arrays=[a.astype("float32"), b.astype("float32")])


# -- LDL -------------------------------------------------------------------------------------------------
def test_ldl_factor_solve():
    rng = np.random.default_rng(5)
    for n in (1, 2, 4, 7):
        for trial in range(4):
            a = rng.standard_normal((n, n))
            a = a + a.T
            if trial == 1:
                a[0, 0] = 0  # forces a 2x2 block
            if trial == 2:
                a = np.diag(rng.standard_normal(n)) * 0.01
                a[-1, 0] = a[0, -1] = 3
            check(lambda m, x: m.linalg.ldl_factor_ex(x), None, "float64", arrays=[a], grad=False)
            b = rng.standard_normal((n, 2))
            check(lambda m, x, y: m.linalg.ldl_solve(*m.linalg.ldl_factor_ex(x)[:2], y), None, "float64", arrays=[a, b],
                  grad=False)
    a = _arr((3, 5, 5), 6)
    a = a + a.swapaxes(-1, -2)
    check(lambda m, x: m.linalg.ldl_factor(x), None, "float32", arrays=[a.astype("float32")], grad=False)
    same_error(lambda m: m.linalg.ldl_factor(m.zeros(2, 3)))
    # LD requires grad, as torch's, but neither op has a derivative
    same_error(lambda m: m.linalg.ldl_factor(m.eye(2, requires_grad=True) * 2).LD.sum().backward())
    same_error(lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(m.eye(2) * 2), m.ones(2, 1, requires_grad=True))
               .sum().backward())
    same_error(lambda m: m.geqrf(m.eye(2, requires_grad=True) * 2).a.sum().backward())


# -- triangular -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(dtype, upper, left, unit):
    a = _arr((2, 4, 4), 7, dtype) * 0.3 + 2 * np.eye(4, dtype=dtype)  # read as a triangle: the rest is ignored
    b = _arr((4, 3) if left else (3, 4), 8, dtype)
    check(lambda m, x, y: m.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit), None, dtype,
          arrays=[a, b])


def test_solve_triangular_gradcheck_and_errors():
    a, b = _arr((3, 3), 9) + 3 * np.eye(3), _arr((3, 2), 10)
    _gradcheck(lambda x, y: ember.linalg.solve_triangular(x, y, upper=True), a, b)
    _gradcheck(lambda x, y: ember.linalg.solve_triangular(x, y.mT, upper=False, left=False, unitriangular=True), a, b)
    z = ember.linalg.solve_triangular(ember.zeros(2, 2), ember.ones(2, 1), upper=True)
    assert_same(z, torch.linalg.solve_triangular(torch.zeros(2, 2), torch.ones(2, 1), upper=True))
    same_error(lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(2, 2), upper=True))
    same_error(lambda m: m.linalg.solve_triangular(m.eye(3, dtype=m.int64), m.ones(3, 1), upper=True))
    check(lambda m, x: m.linalg.solve_triangular(x, m.ones(3, 1, dtype=m.int64), upper=True), [(3, 3)], "float32")
    check(lambda m, x, y: m.linalg.solve_triangular(x, y.double(), upper=True), [(3, 3), (3, 1)], "float32")
    same_error(lambda m: m.linalg.solve_triangular(m.ones(2, 3), m.ones(2, 1), upper=True))


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("upper", [True, False])
def test_triangular_solve(transpose, upper):
    a, b = _tri(4, upper=upper, seed=11), _arr((4, 2), 12)
    check(lambda m, y, x: m.triangular_solve(y, x, upper=upper, transpose=transpose), None, "float64",
          arrays=[b, a])
    check(lambda m, y, x: y.triangular_solve(x, upper, transpose, True), None, "float64", arrays=[b, a])


# -- Cholesky-based ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("upper", [True, False])
def test_cholesky_family(upper):
    a = _spd(4, (2,), 13)
    check(lambda m, x: m.linalg.cholesky_ex(x, upper=upper), None, "float64", arrays=[a])
    check(lambda m, x: m.cholesky(x, upper=upper), None, "float64", arrays=[a])
    check(lambda m, x: x.cholesky(upper), None, "float32", arrays=[a.astype("float32")])
    fac = np.linalg.cholesky(a)
    fac = fac.swapaxes(-1, -2) if upper else fac
    b = _arr((2, 4, 3), 14)
    check(lambda m, y, f: m.cholesky_solve(y, f, upper=upper), None, "float64", arrays=[b, fac])
    check(lambda m, y, f: y.cholesky_solve(f, upper), None, "float32",
          arrays=[b.astype("float32"), fac.astype("float32")])
    check(lambda m, f: m.cholesky_inverse(f, upper=upper), None, "float64", arrays=[fac])
    check(lambda m, f: f.cholesky_inverse(upper), None, "float64", arrays=[fac[0]])
    tri = (lambda f: f.triu()) if upper else (lambda f: f.tril())
    _gradcheck(lambda y, f: ember.cholesky_solve(y, tri(f), upper=upper), b[0], fac[0])
    _gradcheck(lambda f: ember.cholesky_inverse(tri(f), upper=upper), fac[1])


def test_cholesky_ex_info():
    a = np.array([[[4.0, 2.0], [2.0, 3.0]], [[1.0, 2.0], [2.0, 1.0]]])
    e, t = ember.linalg.cholesky_ex(ember.tensor(a)), torch.linalg.cholesky_ex(torch.tensor(a))
    assert_same(e.info, t.info)
    assert_same(e.L[0], t.L[0])
    same_error(lambda m: m.linalg.cholesky_ex(m.tensor(a), check_errors=True))


def test_inv_ex_solve_ex():
    a, b = _arr((2, 3, 3), 15), _arr((2, 3, 2), 16)
    check(lambda m, x: m.linalg.inv_ex(x), None, "float64", arrays=[a])
    check(lambda m, x, y: m.linalg.solve_ex(x, y), None, "float64", arrays=[a, b])
    check(lambda m, x, y: m.linalg.solve_ex(x, y.mT, left=False), None, "float32",
          arrays=[a.astype("float32"), b.astype("float32")])
    sing = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    assert_same(ember.linalg.inv_ex(ember.tensor(sing)).info, torch.linalg.inv_ex(torch.tensor(sing)).info)
    assert_same(ember.linalg.solve_ex(ember.tensor(sing), ember.ones(2, 2, 1, dtype=ember.float64)).info,
                torch.linalg.solve_ex(torch.tensor(sing), torch.ones(2, 2, 1, dtype=torch.float64)).info)
    same_error(lambda m: m.linalg.inv_ex(m.tensor(sing), check_errors=True))


# -- matrix functions --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_matrix_exp(dtype):
    check(lambda m, x: m.linalg.matrix_exp(x), [(3, 3)], dtype)
    check(lambda m, x: m.matrix_exp(x * 4), [(2, 4, 4)], dtype)
    check(lambda m, x: x.matrix_exp(), [(1, 1)], dtype)
    check(lambda m, x: m.linalg.matrix_exp(x * 30), [(3, 3)], dtype, tol=dict(rtol=1e-4 if dtype == "float32"
                                                                                else 1e-9, atol=1e-6))
    big = np.array([[0.0, 6.0], [-6.0, 0.0]], dtype)
    check(lambda m, x: m.linalg.matrix_exp(x), None, dtype, arrays=[big])


def test_matrix_exp_gradcheck_and_errors():
    _gradcheck(ember.linalg.matrix_exp, _arr((3, 3), 17))
    x = ember.tensor(_arr((2, 2), 18), requires_grad=True)
    g, = ember.autograd.grad(ember.linalg.matrix_exp(x).sum(), x, create_graph=True)
    tx = torch.tensor(_arr((2, 2), 18), requires_grad=True)
    tg, = torch.autograd.grad(torch.linalg.matrix_exp(tx).sum(), tx, create_graph=True)
    assert_same(g, tg, dict(rtol=1e-9, atol=1e-12))
    assert_same(ember.autograd.grad(g.sum(), x)[0], torch.autograd.grad(tg.sum(), tx)[0], dict(rtol=1e-8, atol=1e-10))
    same_error(lambda m: m.linalg.matrix_exp(m.ones(2, 3)))
    same_error(lambda m: m.linalg.matrix_exp(m.ones(2, 2, dtype=m.int64)))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -3])
def test_matrix_power(n):
    a = _arr((2, 3, 3), 19) + 2 * np.eye(3)
    check(lambda m, x: m.linalg.matrix_power(x, n), None, "float64", arrays=[a])
    check(lambda m, x: x.matrix_power(n), None, "float32", arrays=[a.astype("float32")])
    if n >= 0:
        check(lambda m, x: m.matrix_power(x, n), [(3, 3)], "int64")


def test_matrix_power_errors():
    same_error(lambda m: m.linalg.matrix_power(m.ones(2, 3), 2))
    same_error(lambda m: m.linalg.matrix_power(m.ones(3), 2))
    same_error(lambda m: m.linalg.matrix_power(m.ones(2, 2), 1.5))


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, float("inf"), float("-inf"), "fro", "nuc"])
def test_cond(p):
    # torch's cond for p not in (None, 2, -2) writes into a saved inverse: it has no gradient to compare
    check(lambda m, x: m.linalg.cond(x, p), [(2, 3, 3)], "float64", grad=p in (None, 2, -2))
    if p in (None, 2, -2):
        check(lambda m, x: m.linalg.cond(x, p), [(3, 5)], "float64")
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    if p not in (None, 2, -2):
        check(lambda m, x: m.linalg.cond(x, p), None, "float64", arrays=[sing], grad=False)


def test_tensorinv_tensorsolve():
    a = _arr((4, 6, 8, 3), 20)
    check(lambda m, x: m.linalg.tensorinv(x, ind=2), None, "float64", arrays=[a])
    check(lambda m, x: m.linalg.tensorinv(x.reshape(24, 2, 12), ind=1), None, "float64", arrays=[a])
    b = _arr((4, 6), 21)
    check(lambda m, x, y: m.linalg.tensorsolve(x, y), None, "float64", arrays=[a, b])
    a2 = _arr((6, 4, 8, 3), 22)
    check(lambda m, x, y: m.linalg.tensorsolve(x, y, dims=(0, 2)), None, "float64",
          arrays=[np.moveaxis(a2, 0, 2).copy(), _arr((8, 3), 23)])
    same_error(lambda m: m.linalg.tensorinv(m.ones(2, 3), ind=1))
    same_error(lambda m: m.linalg.tensorinv(m.ones(2, 2), ind=0))
    same_error(lambda m: m.linalg.tensorsolve(m.ones(2, 3, 2), m.ones(2)))


@pytest.mark.parametrize("dtype", FLOATS + ["int64", "int32"])
def test_vander(dtype):
    check(lambda m, x: m.linalg.vander(x), [(4,)], dtype)
    check(lambda m, x: m.linalg.vander(x, N=6), [(2, 3)], dtype)
    # torch.vander's own backward fails (it writes into a saved slice): values only
    check(lambda m, x: m.vander(x), [(4,)], dtype, grad=False)
    check(lambda m, x: m.vander(x, N=3, increasing=True), [(5,)], dtype, grad=False)
    check(lambda m, x: m.vander(x, N=1), [(3,)], dtype)
    check(lambda m, x: m.vander(x, N=0), [(3,)], dtype)
    same_error(lambda m: m.linalg.vander(m.tensor([True, False])))
    same_error(lambda m: m.linalg.vander(m.ones(3), N=1))
    same_error(lambda m: m.vander(m.ones(2, 2)))
    same_error(lambda m: m.vander(m.ones(2), N=-1))


# -- Householder -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (2, 6, 2)])
def test_geqrf_householder_product(shape):
    a = _arr(shape, 24)
    check(lambda m, x: m.geqrf(x), None, "float64", arrays=[a], grad=False)
    h, tau = torch.geqrf(torch.tensor(a))
    check(lambda m, x, t: m.linalg.householder_product(x, t), None, "float64", arrays=[h.numpy(), tau.numpy()])
    check(lambda m, x, t: m.orgqr(x, t), None, "float32", arrays=[h.numpy().astype("float32"),
                                                                  tau.numpy().astype("float32")])
    k = tau.shape[-1]
    check(lambda m, x, t: m.linalg.householder_product(x, t[..., :k - 1]), None, "float64",
          arrays=[h.numpy(), tau.numpy()])
    _gradcheck(ember.linalg.householder_product, h.numpy(), tau.numpy())


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
def test_ormqr(left, transpose):
    a = _arr((5, 3), 25)
    h, tau = torch.geqrf(torch.tensor(a))
    c = _arr((5, 2) if left else (2, 5), 26)
    check(lambda m, x, t, y: m.ormqr(x, t, y, left, transpose), None, "float64", arrays=[h.numpy(), tau.numpy(), c])
    check(lambda m, x, t, y: x.ormqr(t, y, left=left, transpose=transpose), None, "float64",
          arrays=[h.numpy(), tau.numpy(), c])


def test_householder_errors():
    same_error(lambda m: m.linalg.householder_product(m.ones(2, 3), m.ones(2)))
    same_error(lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(3)))
    same_error(lambda m: m.linalg.householder_product(m.ones(3), m.ones(3)))
    same_error(lambda m: m.ormqr(m.ones(3, 2), m.ones(2), m.ones(4, 2)))


# -- torch-level names ---------------------------------------------------------------------------------------
def test_torch_level_names():
    a = _arr((4, 3), 27)
    # singular vectors are defined up to sign (LAPACK builds differ): compare U diag(S) V^T
    check(lambda m, x: (lambda u, s, v: u @ s.diag() @ v.mT)(*m.svd(x)), None, "float64", arrays=[a])
    check(lambda m, x: m.svd(x)[1], None, "float64", arrays=[a])
    check(lambda m, x: m.svd(x, some=False)[1], None, "float64", arrays=[a])
    check(lambda m, x: m.svd(x, compute_uv=False), None, "float64", arrays=[a], grad=False)
    with pytest.warns(UserWarning):
        e = ember.qr(ember.tensor(a))
    t = torch.linalg.qr(torch.tensor(a))
    assert_same(tuple(e), tuple(t))
    check(lambda m, x: m.pinverse(x), None, "float64", arrays=[a])
    check(lambda m, x: x.pinverse(rcond=1e-3), None, "float64", arrays=[a])
    for name in ("solve", "lstsq"):
        same_error(lambda m: getattr(m, name)(m.eye(2), m.eye(2)))
    same_error(lambda m: m.symeig(m.eye(2)))
    same_error(lambda m: m.matrix_rank(m.eye(2)))


def test_svd_pca_lowrank():
    rng = np.random.default_rng(28)
    low = rng.standard_normal((8, 3)) @ rng.standard_normal((3, 6))
    for fn, kw in (("svd_lowrank", dict(q=4)), ("svd_lowrank", dict(q=3, niter=1)), ("pca_lowrank", {}),
                   ("pca_lowrank", dict(q=2, center=False))):
        for a in (low, low.T.copy()):
            res = []
            for m in (torch, ember):
                m.manual_seed(0)
                U, S, V = getattr(m, fn)(m.tensor(a), **kw)
                res.append((S, U @ S.diag() @ V.mT))  # vectors are defined up to sign
            assert_same(res[1], res[0], dict(rtol=1e-8, atol=1e-10))
    x = ember.tensor(low, requires_grad=True)
    ember.svd_lowrank(x, q=3)[1].sum().backward()
    tx = torch.tensor(low, requires_grad=True)
    torch.svd_lowrank(tx, q=3)[1].sum().backward()
    assert_same(x.grad, tx.grad, dict(rtol=1e-6, atol=1e-8))
    same_error(lambda m: m.pca_lowrank(m.ones(3, 2), q=5))


def test_frobenius_nuclear_norm():
    with pytest.warns(UserWarning):
        check(lambda m, a: m.frobenius_norm(a, (1, 2)), [(2, 3, 4)], "float64")
    with pytest.warns(UserWarning):
        check(lambda m, a: m.nuclear_norm(a), [(3, 4)], "float64")
    with pytest.warns(UserWarning):
        check(lambda m, a: m.nuclear_norm(a, (0, 2), keepdim=True), [(3, 2, 4)], "float64")


def test_lobpcg():
    rng = np.random.default_rng(29)
    a = rng.standard_normal((20, 20))
    a = a @ a.T + 20 * np.eye(20)
    b = rng.standard_normal((20, 20))
    b = b @ b.T / 20 + np.eye(20)
    for kw in (dict(k=2), dict(k=3, largest=False), dict(k=2, method="basic"), dict(k=2, B=True),
               dict(k=1, niter=3), dict(k=2, ortho_bparams={"ortho_use_drop": True})):
        res = []
        for m in (torch, ember):
            m.manual_seed(0)  # the same random start
            args = dict(kw, B=m.tensor(b)) if "B" in kw else kw
            E, X = m.lobpcg(m.tensor(a), **args)
            res.append((E, X.abs()))  # eigenvectors up to sign
        assert_same(res[1], res[0], dict(rtol=1e-8, atol=1e-8))
    x0 = _arr((20, 2), 30)
    assert_same(ember.lobpcg(ember.tensor(a), X=ember.tensor(x0))[0], torch.lobpcg(torch.tensor(a), X=torch.tensor(x0))[0],
                dict(rtol=1e-8, atol=1e-8))
    res = []
    for m in (torch, ember):
        m.manual_seed(1)
        res.append(m.lobpcg(m.tensor(np.stack([a, a + np.eye(20)])), k=2)[0])
    assert_same(res[1], res[0], dict(rtol=1e-8, atol=1e-8))
    same_error(lambda m: m.lobpcg(m.eye(5, dtype=m.float64), k=2))


def test_lobpcg_gradient():
    rng = np.random.default_rng(31)
    a = rng.standard_normal((12, 12))
    a = a @ a.T + 12 * np.eye(12)
    w = rng.standard_normal((12, 12))
    for kw in (dict(k=2), dict(k=3, largest=False), dict(k=1, method="basic")):
        grads = []
        for m in (torch, ember):
            m.manual_seed(0)
            x = m.tensor(a, requires_grad=True)
            E, X = m.lobpcg(x, **kw)
            # X X^T does not depend on the eigenvectors' signs (which LAPACK builds choose differently)
            (E.sum() + (X @ X.mT * m.tensor(w)).sum()).backward()
            grads.append(x.grad)
        assert_same(grads[1], grads[0], dict(rtol=1e-6, atol=1e-8))
    same_error(lambda m: m.lobpcg(m.tensor(a, requires_grad=True), k=2, B=m.eye(12, dtype=m.float64))[0].sum()
               .backward())
