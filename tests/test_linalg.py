"""ember.linalg against torch.linalg: values, gradients, gradcheck, errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, make_arrays, same_error


def well_conditioned(*shape, seed=0):
    """Random square matrices plus a multiple of the identity (far from singular)."""
    a = make_arrays([shape], "float64", seed=seed)[0]
    return a + 4 * np.eye(shape[-1])


def spd(*shape, seed=0):
    a = make_arrays([shape], "float64", seed=seed)[0]
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 0)])
def test_inv_det(dtype, shape):
    a = well_conditioned(*shape)
    check(lambda m, x: m.linalg.inv(x), [shape], dtype=dtype, arrays=[a])
    check(lambda m, x: m.inverse(x), [shape], dtype=dtype, arrays=[a])
    check(lambda m, x: x.inverse(), [shape], dtype=dtype, arrays=[a])
    check(lambda m, x: m.linalg.det(x), [shape], dtype=dtype, arrays=[a])
    check(lambda m, x: m.det(x), [shape], dtype=dtype, arrays=[a])
    check(lambda m, x: m.logdet(x), [shape], dtype=dtype, arrays=[a])
    check(lambda m, x: tuple(m.linalg.slogdet(x)), [shape], dtype=dtype, arrays=[a - 8 * np.eye(shape[-1])])


def test_node_names():
    a = ember.tensor(well_conditioned(3, 3), requires_grad=True)
    names = {"LinalgInvExBackward0": ember.linalg.inv(a), "LinalgDetBackward0": ember.det(a),
             "LinalgSolveExBackward0": ember.linalg.solve(a, ember.ones(3, 2, dtype=ember.float64)),
             "LinalgVectorNormBackward0": ember.linalg.norm(a), "LinalgCholeskyExBackward0":
                 ember.linalg.cholesky(a @ a.mT), "LinalgQrBackward0": ember.linalg.qr(a).Q,
             "LinalgSvdBackward0": ember.linalg.svd(a).U, "LinalgEighBackward0": ember.linalg.eigh(a).eigenvectors,
             "LinalgPinvBackward0": ember.linalg.pinv(a)}
    for name, t in names.items():
        assert type(t.grad_fn).__name__ == name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_solve(dtype):
    a = well_conditioned(3, 3)
    check(lambda m, x, b: m.linalg.solve(x, b), [(3, 3), (3, 2)], dtype=dtype, arrays=[a, make_arrays([(3, 2)])[0]])
    check(lambda m, x, b: m.linalg.solve(x, b), [(3, 3), (3,)], dtype=dtype, arrays=[a, make_arrays([(3,)])[0]])
    a2 = well_conditioned(2, 3, 3)
    check(lambda m, x, b: m.linalg.solve(x, b), [(2, 3, 3), (2, 3)], dtype=dtype,
          arrays=[a2, make_arrays([(2, 3)])[0]])
    check(lambda m, x, b: m.linalg.solve(x, b), [(2, 3, 3), (3, 4)], dtype=dtype,
          arrays=[a2, make_arrays([(3, 4)])[0]])
    check(lambda m, x, b: m.linalg.solve(x, b, left=False), [(3, 3), (2, 3)], dtype=dtype,
          arrays=[a, make_arrays([(2, 3)])[0]])


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_pinv_lstsq_rank(shape):
    check(lambda m, x: m.linalg.pinv(x), [shape], dtype="float64")
    check(lambda m, x: m.linalg.pinv(x), [shape], dtype="float32")
    check(lambda m, x: m.linalg.matrix_rank(x), [shape], dtype="float64")
    s = spd(3, 3)
    check(lambda m, x: m.linalg.pinv(x, hermitian=True), [(3, 3)], dtype="float64", arrays=[s])
    low_rank = np.outer(np.arange(1., 4), np.arange(1., 5))
    check(lambda m, x: m.linalg.matrix_rank(x), [(3, 4)], dtype="float64", arrays=[low_rank])
    check(lambda m, x: m.linalg.pinv(x), [(3, 4)], dtype="float64", arrays=[low_rank], grad=False)


def test_lstsq():
    for sa, sb in [((5, 3), (5, 2)), ((4, 4), (4, 1)), ((2, 5, 3), (2, 5, 2))]:
        check(lambda m, a, b: tuple(m.linalg.lstsq(a, b)), [sa, sb], dtype="float64")
        check(lambda m, a, b: m.linalg.lstsq(a, b).solution, [sa, sb], dtype="float32")
    r = ember.linalg.lstsq(ember.ones(4, 3), ember.ones(4, 2))
    assert r._fields == ("solution", "residuals", "rank", "singular_values")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cholesky(dtype):
    check(lambda m, x: m.linalg.cholesky(x), [(3, 3)], dtype=dtype, arrays=[spd(3, 3)])
    check(lambda m, x: m.linalg.cholesky(x, upper=True), [(2, 3, 3)], dtype=dtype, arrays=[spd(2, 3, 3)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 4, 3)])
def test_qr(dtype, shape):
    check(lambda m, x: tuple(m.linalg.qr(x)), [shape], dtype=dtype)
    check(lambda m, x: m.linalg.qr(x, mode="r").R, [shape], dtype=dtype, grad=False)
    check(lambda m, x: tuple(m.linalg.qr(x, mode="complete")), [shape], dtype=dtype, grad=False)


def test_qr_wide():
    check(lambda m, x: tuple(m.linalg.qr(x)), [(3, 5)], dtype="float64")


def _svd_invariants(m, x, full=False):
    """Sign-invariant functions of the SVD (singular vectors are defined up to sign)."""
    u, s, vh = m.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    return s, (u[..., :k] * s.unsqueeze(-2)) @ vh[..., :k, :], u[..., :, :1] * vh[..., :1, :]


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_svd(shape):
    check(lambda m, x: _svd_invariants(m, x), [shape], dtype="float64")
    check(lambda m, x: _svd_invariants(m, x), [shape], dtype="float32")
    check(lambda m, x: (m.linalg.svd(x).U.abs(), m.linalg.svd(x).Vh.abs()), [shape], dtype="float64", grad=False)
    check(lambda m, x: m.linalg.svdvals(x), [shape], dtype="float64")


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(uplo):
    check(lambda m, x: m.linalg.eigh(x, UPLO=uplo).eigenvalues, [(4, 4)], dtype="float64")
    check(lambda m, x: m.linalg.eigvalsh(x, UPLO=uplo), [(2, 3, 3)], dtype="float32")
    # eigenvectors are defined up to sign: compare V diag(w) V^T and |V|
    check(lambda m, x: (lambda r: (r.eigenvectors * r.eigenvalues.unsqueeze(-2)) @ r.eigenvectors.mT)(
        m.linalg.eigh(x, UPLO=uplo)), [(4, 4)], dtype="float64")
    check(lambda m, x: m.linalg.eigh(x, UPLO=uplo).eigenvectors.abs(), [(4, 4)], dtype="float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_vector_norm(dtype):
    for ord in (2, 1, 3, 0.5, float("inf"), float("-inf"), 0, -1):
        check(lambda m, x: m.linalg.vector_norm(x, ord), [(3, 4)], dtype=dtype)
        check(lambda m, x: m.linalg.vector_norm(x, ord, dim=1, keepdim=True), [(3, 4)], dtype=dtype)
    check(lambda m, x: m.linalg.vector_norm(x, dim=(0, 2)), [(2, 3, 4)], dtype=dtype)
    check(lambda m, x: m.linalg.vector_norm(x), [()], dtype=dtype)
    check(lambda m, x: m.linalg.vector_norm(x * 0), [(3,)], dtype=dtype)
    check(lambda m, x: m.linalg.vector_norm(x, dtype=m.float64), [(3,)], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_torch_norm_is_vector_norm(dtype):
    """torch.norm is linalg.vector_norm for a numeric p (over any dims) or 'fro' over at most two
    dims, and linalg.matrix_norm for another string: one implementation serves all three."""
    for p in (2, 1, 3, 0.5, 0, float("inf"), -float("inf"), -1):
        check(lambda m, x: (m.norm(x, p), m.linalg.vector_norm(x, p), x.norm(p, dim=(0, 1))), [(3, 4)], dtype=dtype)
    check(lambda m, x: m.norm(x, "fro", dim=1, keepdim=True), [(3, 4)], dtype=dtype)
    check(lambda m, x: m.dist(x[0], x[1], 3), [(2, 4)], dtype=dtype)
    check(lambda m, x: m.linalg.vector_norm(x, 2, dim=1), [(0, 3)], dtype=dtype)  # nothing to sum: zeros
    check(lambda m, x: m.linalg.vector_norm(x, float("inf"), dim=1), [(0, 3)], dtype=dtype)
    check(lambda m, x: x.norm(dim=0), [()], dtype=dtype)


def test_torch_norm_matrix_strings():
    check(lambda m, x: m.norm(x, "nuc"), [(3, 4)], dtype="float64")
    check(lambda m, x: m.norm(x, "nuc", dim=(1, 2), keepdim=True), [(2, 3, 4)], dtype="float64")
    e, t = same_error(lambda m: m.norm(m.ones(2, 3, 4), "fro", dim=(0, 1, 2)))
    assert e == t


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")])
def test_matrix_norm(ord):
    check(lambda m, x: m.linalg.matrix_norm(x, ord), [(3, 4)], dtype="float64")
    check(lambda m, x: m.linalg.matrix_norm(x, ord, keepdim=True), [(2, 3, 4)])
    check(lambda m, x: m.linalg.matrix_norm(x, ord, dim=(0, 2)), [(3, 2, 4)], dtype="float64")
    check(lambda m, x: m.linalg.norm(x, ord), [(3, 4)], dtype="float64")


def test_norm_dispatch():
    check(lambda m, x: m.linalg.norm(x), [(2, 3, 4)])
    check(lambda m, x: m.linalg.norm(x, 3), [(4,)])
    check(lambda m, x: m.linalg.norm(x, dim=1), [(2, 3, 4)])
    check(lambda m, x: m.linalg.norm(x, dim=(1, 2)), [(2, 3, 4)])
    check(lambda m, x: m.linalg.norm(x, "nuc", dim=(0, 1)), [(3, 4, 2)], dtype="float64")


def test_linalg_error_class():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


SING = np.diag([1.0, 1.0, 0.0])


@pytest.mark.parametrize("fn", [
    lambda m: m.linalg.inv(m.tensor(SING)),
    lambda m: m.linalg.inv(m.stack([m.eye(3, dtype=m.float64), m.tensor(SING)])),
    lambda m: m.linalg.inv(m.tensor([[1., 2.], [2., 4.]])),
    lambda m: m.linalg.inv(m.ones(2, 3)),
    lambda m: m.linalg.inv(m.ones(3)),
    lambda m: m.inverse(m.ones(3)),
    lambda m: m.linalg.inv(m.ones(3, 3, dtype=m.long)),
    lambda m: m.linalg.det(m.ones(2, 3)),
    lambda m: m.linalg.solve(m.tensor(SING), m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.solve(m.eye(3), m.ones(4)),
    lambda m: m.linalg.cholesky(-m.eye(3)),
    lambda m: m.linalg.cholesky(m.diag(m.tensor([1., -1, 1]))),
    lambda m: m.linalg.cholesky(m.ones(2, 3)),
    lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.long)),
    lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.long), dtype=m.float64),
    lambda m: m.linalg.vector_norm(m.ones(3), dtype=m.long),
    lambda m: m.linalg.vector_norm(m.ones(3), "fro"),
    lambda m: m.linalg.vector_norm(m.zeros(0, 3), float("inf"), dim=0),
    lambda m: m.linalg.vector_norm(m.zeros(2, 0), -1.5, dim=(0, 1)),
    lambda m: m.linalg.vector_norm(m.zeros(0, 3), -1),
    lambda m: m.norm(m.ones(2, 3), "abc"),
    lambda m: m.norm(m.ones(3, dtype=m.long)),
    lambda m: m.linalg.eigh(m.ones(2, 3)),
    lambda m: m.linalg.svd(m.ones(3)),
    lambda m: m.linalg.qr(m.ones(3)),
    lambda m: m.linalg.matrix_norm(m.ones(3)),
    lambda m: m.linalg.matrix_norm(m.ones(3, 3), ord=3),
])
def test_errors(fn):
    e, t = same_error(fn)
    assert e == t


GRADCHECK_CASES = [
    (lambda a: ember.linalg.inv(a), [well_conditioned(3, 3)]),
    (lambda a: ember.linalg.det(a), [well_conditioned(2, 3, 3)]),
    (lambda a: ember.linalg.slogdet(a).logabsdet, [well_conditioned(3, 3)]),
    (lambda a, b: ember.linalg.solve(a, b), [well_conditioned(3, 3), make_arrays([(3, 2)], "float64")[0]]),
    (lambda a: ember.linalg.pinv(a), [make_arrays([(4, 3)], "float64")[0]]),
    (lambda a: ember.linalg.pinv(a), [make_arrays([(2, 4)], "float64")[0]]),
    (lambda a: ember.linalg.cholesky(a @ a.mT + 3 * ember.eye(3, dtype=ember.float64)),
     [make_arrays([(3, 3)], "float64")[0]]),
    (lambda a: ember.linalg.cholesky(a @ a.mT + 3 * ember.eye(3, dtype=ember.float64), upper=True),
     [make_arrays([(3, 3)], "float64")[0]]),
    (lambda a: tuple(ember.linalg.qr(a)), [make_arrays([(4, 3)], "float64")[0]]),
    (lambda a: tuple(ember.linalg.qr(a)), [make_arrays([(3, 5)], "float64")[0]]),
    (lambda a: _svd_invariants(ember, a), [make_arrays([(4, 3)], "float64")[0]]),
    (lambda a: _svd_invariants(ember, a), [make_arrays([(2, 4)], "float64")[0]]),
    (lambda a: ember.linalg.svdvals(a), [make_arrays([(3, 3)], "float64")[0]]),
    (lambda a: (lambda r: (r.eigenvalues, r.eigenvectors * r.eigenvectors[..., :1, :].sign()))(
        ember.linalg.eigh(a + a.mT)), [make_arrays([(3, 3)], "float64")[0]]),
    (lambda a: ember.linalg.vector_norm(a, 3, dim=0), [make_arrays([(3, 2)], "float64")[0]]),
    (lambda a: ember.linalg.vector_norm(a), [make_arrays([(3, 2)], "float64")[0]]),
    (lambda a: ember.linalg.vector_norm(a, float("inf")), [make_arrays([(3, 2)], "float64")[0]]),
    (lambda a: ember.linalg.matrix_norm(a, "nuc"), [make_arrays([(3, 2)], "float64")[0]]),
    (lambda a: ember.linalg.matrix_norm(a, 2), [make_arrays([(3, 2)], "float64")[0]]),
    (lambda a: ember.linalg.matrix_norm(a, 1), [make_arrays([(3, 2)], "float64")[0]]),
    (lambda a, b: ember.linalg.lstsq(a, b).solution, [make_arrays([(5, 3), (5, 2)], "float64")[0],
                                                      make_arrays([(5, 2)], "float64", seed=3)[0]]),
]


@pytest.mark.parametrize("fn,arrays", GRADCHECK_CASES)
def test_gradcheck(fn, arrays):
    from ember.autograd import gradcheck

    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    assert gradcheck(fn, xs)


@pytest.mark.parametrize("fn,arrays", GRADCHECK_CASES[:8])
def test_gradgradcheck(fn, arrays):
    from ember.autograd import gradgradcheck

    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    assert gradgradcheck(fn, xs)
