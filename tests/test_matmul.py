"""Matrix products against torch: values, dtypes, gradients, node names and errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, make_arrays, same_error

SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
          ((5, 2, 3), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 3), (5, 3, 4)),
          ((5, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (5, 3, 4)), ((0, 3), (3, 2)), ((2, 0), (0, 3))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("sa,sb", SHAPES)
def test_matmul_broadcasting(sa, sb, dtype):
    check(lambda m, a, b: m.matmul(a, b), [sa, sb], dtype=dtype)
    check(lambda m, a, b: a @ b, [sa, sb], dtype=dtype)


@pytest.mark.parametrize("sa,sb,name", [((3,), (3,), "DotBackward0"), ((2, 3), (3,), "MvBackward0"),
                                        ((3,), (3, 4), "SqueezeBackward4"), ((2, 3), (3, 4), "MmBackward0"),
                                        ((5, 2, 3), (5, 3, 4), "UnsafeViewBackward0")])
def test_node_names(sa, sb, name):
    a = ember.ones(sa, requires_grad=True)
    b = ember.ones(sb, requires_grad=True)
    assert type((a @ b).grad_fn).__name__ == name
    assert type(ember.bmm(ember.ones(2, 2, 3, requires_grad=True), ember.ones(2, 3, 1)).grad_fn).__name__ == \
        "BmmBackward0"


def test_mm_bmm_mv_dot():
    check(lambda m, a, b: m.mm(a, b), [(2, 3), (3, 4)])
    check(lambda m, a, b: a.mm(b), [(2, 3), (3, 4)], dtype="float64")
    check(lambda m, a, b: m.bmm(a, b), [(4, 2, 3), (4, 3, 5)])
    check(lambda m, a, b: m.mv(a, b), [(2, 3), (3,)])
    check(lambda m, a, b: m.dot(a, b), [(3,), (3,)])
    check(lambda m, a, b: a.dot(b), [(0,), (0,)])


def test_non_contiguous_inputs():
    check(lambda m, a, b: a.t() @ b.t(), [(3, 2), (4, 3)])
    check(lambda m, a, b: a.transpose(1, 2) @ b.permute(0, 2, 1), [(4, 3, 2), (4, 5, 3)])
    check(lambda m, a, b: m.mm(a.t(), b), [(3, 6), (3, 4)], dtype="float64")


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_integer_matmul(dtype):
    check(lambda m, a, b: a @ b, [(2, 3), (3, 4)], dtype=dtype)
    check(lambda m, a, b: m.dot(a, b), [(5,), (5,)], dtype=dtype)
    check(lambda m, a, b: m.bmm(a, b), [(2, 2, 3), (2, 3, 4)], dtype=dtype)


def test_half_precision():
    check(lambda m, a, b: a @ b, [(4, 8), (8, 3)], dtype="float16")
    check(lambda m, a, b: a @ b, [(4, 8), (8, 3)], dtype="bfloat16")


@pytest.mark.parametrize("fn", [
    lambda m: m.ones(2, 3) @ m.ones(4, 5),
    lambda m: m.mm(m.ones(2, 3), m.ones(4, 5)),
    lambda m: m.ones(3) @ m.ones(4),
    lambda m: m.ones(2, 3) @ m.ones(4),
    lambda m: m.ones(4) @ m.ones(2, 3),
    lambda m: m.ones(5, 2, 3) @ m.ones(5, 4, 3),
    lambda m: m.ones(5, 2, 3) @ m.ones(4, 3, 2),
    lambda m: m.ones(5, 2, 3) @ m.ones(4, 5),
    lambda m: m.dot(m.ones(2, 3), m.ones(2, 3)),
    lambda m: m.dot(m.ones(3), m.ones(3, dtype=m.float64)),
    lambda m: m.ones(3, dtype=m.float64) @ m.ones(3),
    lambda m: m.mm(m.ones(3), m.ones(3, 3)),
    lambda m: m.bmm(m.ones(2, 3), m.ones(3, 3)),
    lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 3)),
    lambda m: m.mv(m.ones(2, 3), m.ones(4)),
    lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64),
    lambda m: m.matmul(m.tensor(1.), m.ones(3)),
    lambda m: m.ones(2, 3, dtype=m.bool) @ m.ones(3, 2, dtype=m.bool),
    lambda m: m.dot(m.ones(3, dtype=m.bool), m.ones(3, dtype=m.bool)),
    lambda m: m.bmm(m.ones(2, 3, 3, dtype=m.bool), m.ones(2, 3, 3, dtype=m.bool)),
    lambda m: m.addmm(m.ones(3, dtype=m.float64), m.ones(2, 3), m.ones(3, 3)),
    lambda m: m.addmm(m.ones(4), m.ones(2, 3), m.ones(3, 3)),
    lambda m: m.outer(m.ones(2, 3), m.ones(3)),
    lambda m: m.einsum("ij,jk", m.ones(2, 3), m.ones(4, 3)),
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3)),
])
def test_errors(fn):
    e, t = same_error(fn)
    assert e.split(":")[0] == t.split(":")[0]
    assert e == t


def test_addmm_family():
    check(lambda m, c, a, b: m.addmm(c, a, b), [(4,), (2, 3), (3, 4)])
    check(lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), [(2, 4), (2, 3), (3, 4)], dtype="float64")
    check(lambda m, c, a, b: c.addmm(a, b, beta=0), [(1, 4), (2, 3), (3, 4)], requires=[False, True, True])
    check(lambda m, c, a, b: m.addmv(c, a, b, alpha=3), [(2,), (2, 3), (3,)])
    check(lambda m, c, a, b: m.baddbmm(c, a, b, beta=2), [(2, 1, 4), (2, 2, 3), (2, 3, 4)])
    check(lambda m, c, a, b: m.addbmm(c, a, b), [(2, 4), (5, 2, 3), (5, 3, 4)])
    check(lambda m, c, a, b: m.addr(c, a, b), [(2, 3), (2,), (3,)])
    c = ember.ones(4, requires_grad=True)
    assert type(ember.addmm(c, ember.ones(2, 3), ember.ones(3, 4)).grad_fn).__name__ == "AddmmBackward0"
    nan = ember.full((2, 4), float("nan"))
    assert not np.isnan(ember.addmm(nan, ember.ones(2, 3), ember.ones(3, 4), beta=0).numpy()).any()


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_addmm_family_integral_scalars(dtype):
    """beta / alpha are cast to an integral operand's type (0.6 -> 0, 1.7 -> 1, 3 -> True)."""
    for beta, alpha in ((0.2, 0.6), (1.7, 2.6), (3, 2), (0, 1)):
        if dtype == "int64":  # torch has no bool matrix products, only bool addr
            check(lambda m, c, a, b: m.addmm(c, a, b, beta=beta, alpha=alpha), [(2, 4), (2, 3), (3, 4)], dtype)
            check(lambda m, c, a, b: m.addmv(c, a, b, beta=beta, alpha=alpha), [(2,), (2, 3), (3,)], dtype)
            check(lambda m, c, a, b: m.baddbmm(c, a, b, beta=beta, alpha=alpha), [(2, 1, 4), (2, 2, 3), (2, 3, 4)],
                  dtype)
            check(lambda m, c, a, b: m.addbmm(c, a, b, beta=beta, alpha=alpha), [(1, 4), (2, 2, 3), (2, 3, 4)], dtype)
        if not isinstance(beta, float):
            check(lambda m, c, a, b: m.addr(c, a, b, beta=beta, alpha=alpha), [(2, 3), (2,), (3,)], dtype)
    msg, _ = same_error(lambda m: m.addr(m.ones(2, 2, dtype=m.int64), m.ones(2, dtype=m.int64),
                                         m.ones(2, dtype=m.int64), beta=0.5))
    assert msg.startswith("For integral input tensors, argument beta must not be a floating point number")


def test_tensordot_broadcasts_size_one_contracted_dims():
    check(lambda m, a, b: m.tensordot(a, b, dims=([0, 1], [2, 0])), [(1, 1, 1), (2, 1, 2)], "float64")
    check(lambda m, a, b: m.tensordot(a, b, dims=([0], [1])), [(3, 2), (4, 1)], "float64")


def test_outer_inner_kron_tensordot():
    check(lambda m, a, b: m.outer(a, b), [(3,), (4,)])
    check(lambda m, a, b: a.ger(b), [(3,), (4,)])
    check(lambda m, a, b: m.inner(a, b), [(2, 3), (4, 3)])
    check(lambda m, a, b: m.inner(a, b), [(), (4, 3)])
    check(lambda m, a, b: m.kron(a, b), [(2, 3), (4, 2)])
    check(lambda m, a, b: m.kron(a, b), [(3,), (2, 2)])
    check(lambda m, a, b: m.tensordot(a, b), [(2, 3, 4), (3, 4, 5)])
    check(lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)])
    check(lambda m, a, b: m.tensordot(a, b, dims=0), [(2,), (3,)])
    check(lambda m, *xs: m.linalg.multi_dot(xs), [(2, 3), (3, 4), (4, 5)])
    check(lambda m, *xs: m.chain_matmul(*xs), [(2, 3), (3, 4), (4, 5)])


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]), ("ij,ij->ij", [(2, 3), (2, 3)]), ("ij->ji", [(2, 3)]),
    ("ijk,ikl,ilm->ijm", [(2, 2, 3), (2, 3, 4), (2, 4, 2)]), ("ij,k->ij", [(2, 3), (4,)]), ("iij->j", [(2, 2, 3)]),
    # a label of size 1 in one operand broadcasts against the others (gradients expanded or summed)
    ("ij,jk->ik", [(2, 1), (4, 3)]), ("ij,jk->ik", [(2, 4), (1, 3)]), ("ij,ij->i", [(2, 1), (2, 3)]),
    ("ij,j->i", [(2, 1), (3,)]), ("i,i->", [(1,), (3,)]), ("ij,kj->ik", [(2, 1), (4, 3)]),
    ("bij,bjk->bik", [(1, 2, 3), (4, 3, 5)]), ("ij,jk->k", [(2, 1), (4, 3)]), ("ii,i->i", [(1, 1), (3,)]),
])
def test_einsum(eq, shapes):
    check(lambda m, *xs: m.einsum(eq, *xs), shapes, dtype="float64")
    check(lambda m, *xs: m.einsum(eq, list(xs)), shapes)


def test_inplace_and_reflected_matmul():
    a = ember.ones(2, 2)
    b = ember.full((2, 2), 2.0)
    a @= b
    assert a.tolist() == [[4.0, 4.0], [4.0, 4.0]]


def test_matmul_with_ndarray():
    """Tensor @ ndarray is NumPy's matmul wrapped back into a Tensor (NumPy's promotion, no graph);
    ndarray @ Tensor, and @ with a list or a NumPy scalar, raise TypeError: both as in torch."""
    for arr in (np.full((2, 3), 2.0, dtype=np.float32), np.ones((2,), dtype=np.float64), np.ones(2, dtype=np.int64)):
        t, e = torch.ones(2, 2) @ arr, ember.ones(2, 2) @ arr
        assert isinstance(e, ember.Tensor) and e.grad_fn is None
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    same_error(lambda m: m.ones(2, 2, requires_grad=True) @ np.ones((2, 2)))
    same_error(lambda m: np.ones((2, 2), dtype=np.float32) @ m.ones(2, 2))
    same_error(lambda m: m.ones(2, 2) @ [[1.0, 1.0], [1.0, 1.0]])
    same_error(lambda m: np.float64(2) @ m.ones(2, 2))


def test_rmatmul_called_directly():
    check(lambda m, a, b: a.__rmatmul__(b), [(3, 4), (2, 3)])
    check(lambda m, a, b: b.__rmatmul__(a), [(4,), (4,)])


def test_double_backward():
    check(lambda m, a, b: m.autograd.grad((a @ b).pow(2).sum(), a, create_graph=True)[0], [(2, 3), (3, 4)],
          dtype="float64")


GRADCHECK_CASES = [
    (lambda a, b: a @ b, [(2, 3), (3, 4)]), (lambda a, b: a @ b, [(3,), (3,)]),
    (lambda a, b: a @ b, [(2, 3), (3,)]), (lambda a, b: a @ b, [(3,), (3, 2)]),
    (lambda a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)]), (lambda a, b: ember.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    (lambda c, a, b: ember.addmm(c, a, b, beta=0.5, alpha=2), [(2,), (3, 3), (3, 2)]),
    (lambda a, b: ember.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    (lambda a, b: ember.einsum("ii,ij->j", a, b), [(3, 3), (3, 2)]),
    (lambda a, b: ember.einsum("ij,jk->ik", a, b), [(2, 1), (4, 3)]),
    (lambda a, b: ember.tensordot(a, b, 1), [(2, 3), (3, 4)]),
    (lambda a, b: ember.kron(a, b), [(2, 2), (2, 3)]),
]


@pytest.mark.parametrize("fn,shapes", GRADCHECK_CASES)
def test_gradcheck(fn, shapes):
    from ember.autograd import gradcheck, gradgradcheck

    xs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in make_arrays(shapes, "float64")]
    assert gradcheck(fn, xs)
    assert gradgradcheck(fn, xs)


