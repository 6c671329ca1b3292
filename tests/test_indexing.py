"""x[key], x[key] = v, gather/scatter, index_*, masked_*, take/put, nonzero: against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error, assert_same, make_arrays

FLOATS = ["float32", "float64"]

GET_KEYS = [
    lambda m: 1,
    lambda m: -1,
    lambda m: (slice(None), 0),
    lambda m: (slice(1, None), 0),
    lambda m: slice(None, None, 2),
    lambda m: (slice(None), slice(1, 4, 2), 1),
    lambda m: (None, 0),
    lambda m: (Ellipsis, 1),
    lambda m: (0, Ellipsis, None),
    lambda m: [0, 2, 0],
    lambda m: ([0, 2], [1, 3]),
    lambda m: (0, slice(None), [1, 2]),          # int + slice + list: torch selects first
    lambda m: (slice(None), [0, 1], [2, 2]),
    lambda m: ([[0, 1], [2, 2]], slice(None), 1),
    lambda m: m.tensor([2, 0, 2]),
    lambda m: (m.tensor([1, 1]), slice(None), m.tensor([0, 4])),
    lambda m: m.tensor(1),                       # 0-d integer tensor: a select
    lambda m: (slice(None), m.tensor([True, False, True, True])),
    lambda m: np.array([0, 2]),
    lambda m: [[0, 2], [1, 1]],                  # a list of sequences is a tuple (torch's legacy rule)
    lambda m: [0, slice(1, 3)],
    lambda m: [True, False, True],
    lambda m: (Ellipsis, [0, 3]),
    lambda m: (1, None, slice(None), [0, 1]),
    lambda m: slice(2, 1),                       # empty
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("k", range(len(GET_KEYS)))
def test_getitem_values_and_grads(k, dtype):
    key = GET_KEYS[k]
    check(lambda m, x: x[key(m)], [(3, 4, 5)], dtype=dtype)


def test_getitem_bool_mask_tensor_and_numpy():
    check(lambda m, x: x[x > 0], [(3, 4)])
    check(lambda m, x: x[(x > 0).numpy() if m is torch else (x > 0).numpy()], [(3, 4)], grad=False)
    check(lambda m, x: x[x[:, 0] > 0], [(5, 2)])


def test_getitem_repeated_indices_accumulate_grad():
    check(lambda m, x: x[[0, 0, 0, 2]] * m.tensor([[1.], [2.], [3.], [4.]]), [(3, 2)])


def test_getitem_noncontiguous_and_int_inputs():
    check(lambda m, x: x.t()[1:, [0, 2]], [(3, 4)])
    check(lambda m, x: x[::2, 1], [(5, 3)], dtype="int64")
    check(lambda m, x: x[x], [(4,)], dtype="bool")


def test_getitem_zero_size():
    check(lambda m, x: x[:, 1], [(0, 3)])
    check(lambda m, x: x[m.tensor([], dtype=m.int64)], [(4, 2)])


@pytest.mark.parametrize("k", [0, 1, 2, 4, 5, 6, 7, 8, len(GET_KEYS) - 1])
def test_basic_index_is_view(k):
    x = ember.zeros(3, 4, 5)
    v = x[GET_KEYS[k](ember)]
    assert v._base is x
    v.fill_(7.0)
    t = torch.zeros(3, 4, 5)
    t[GET_KEYS[k](torch)].fill_(7.0)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    assert x._version_value() == v._version_value() == 1


def test_advanced_index_is_copy():
    x = ember.zeros(3, 4)
    v = x[[0, 1]]
    v.fill_(1.0)
    assert float(x.sum()) == 0.0
    assert v._base is None


def test_grad_fn_names():
    for key, name in [(0, "SelectBackward0"), ((slice(None), 0), "SelectBackward0"), (slice(1, None), "SliceBackward0"),
                      (slice(None), "SliceBackward0"), (Ellipsis, "AliasBackward0"), (None, "UnsqueezeBackward0"),
                      ([0, 1], "IndexBackward0")]:
        x = ember.ones(3, 4, requires_grad=True) * 1
        t = torch.ones(3, 4, requires_grad=True) * 1
        assert type(x[key].grad_fn).__name__ == type(t[key].grad_fn).__name__ == name


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3)[5],
    lambda m: m.zeros(3)[-4],
    lambda m: m.zeros(3)[[5]],
    lambda m: m.zeros(3)[m.tensor([5])],
    lambda m: m.zeros(3, 2)[0, 0, 0],
    lambda m: m.zeros(3)[m.tensor([1.0])],
    lambda m: m.zeros(3)[m.tensor([True, False])],
    lambda m: m.zeros(3, 4)[[0, 1], [1, 2, 3]],
    lambda m: m.zeros(3)[::-1],
    lambda m: m.zeros(3)[[0], [1]],
    lambda m: m.tensor(1.0)[0],
    lambda m: m.zeros(3)[1.5],
    lambda m: m.zeros(3)["a"],
])
def test_getitem_errors(fn):
    msg, tmsg = same_error(fn)
    assert msg.split(" ")[:3] == tmsg.split(" ")[:3]


def test_out_of_bounds_message():
    msg, tmsg = same_error(lambda m: m.zeros(3)[5])
    assert msg == tmsg == "index 5 is out of bounds for dimension 0 with size 3"
    msg, tmsg = same_error(lambda m: m.zeros(3)[[5]])
    assert msg == tmsg


# -- setitem --------------------------------------------------------------------------------
SET_CASES = [
    (lambda m: 0, lambda m: 5.0),
    (lambda m: (slice(None), 1), lambda m: m.tensor([1.0, 2.0, 3.0, 4.0, 5.0])),
    (lambda m: slice(0, 2), lambda m: m.tensor([[[9.0]], [[8.0]]])),
    (lambda m: [0, 2], lambda m: 1.5),
    (lambda m: ([0, 2], [1, 1]), lambda m: m.tensor([3.0, 4.0, 5.0, 6.0, 7.0], dtype=m.float64)),
    (lambda m: (0, slice(None), [1, 2]), lambda m: m.ones(4, 2, dtype=m.float64)),
    (lambda m: (Ellipsis, 0), lambda m: m.tensor([1.0, 2.0, 3.0, 4.0], dtype=m.float64)),
    (lambda m: (None, 1), lambda m: 2),
    (lambda m: m.tensor([True, False, True]), lambda m: -1.0),
    (lambda m: (0, 0, 0), lambda m: m.tensor([[2.0]], dtype=m.float64)),  # leading 1s of the value dropped
    (lambda m: [1, 2], lambda m: m.ones(1, 1, 4, 5, dtype=m.float64)),
]


@pytest.mark.parametrize("i", range(len(SET_CASES)))
def test_setitem_values(i):
    key, val = SET_CASES[i]

    def fn(m, x):
        y = x.detach().clone()
        y[key(m)] = val(m)
        return y

    check(fn, [(3, 4, 5)], dtype="float64", grad=False)


@pytest.mark.parametrize("i", range(len(SET_CASES)))
def test_setitem_grads_through_copyslices(i):
    key, val = SET_CASES[i]

    def fn(m, x):
        y = x * 2
        y[key(m)] = val(m)
        return y * y

    check(fn, [(3, 4, 5)], dtype="float64")


def test_setitem_value_requires_grad():
    def fn(m, x, v):
        y = m.zeros(3, 4, dtype=m.float64)
        y[1] = v
        y[[0, 2], 0] = v[:2] * 3
        return y

    check(fn, [(3, 4), (4,)], dtype="float64", requires=[False, True])


def test_setitem_int_tensor_and_dtype_cast():
    def fn(m, x):
        y = x.clone()
        y[0] = 2.7  # truncated into int
        y[1:, 1] = m.tensor([True, False])
        return y

    check(fn, [(3, 2)], dtype="int64")


def test_setitem_mask_from_numpy():
    x = ember.zeros(4)
    x[np.array([True, False, True, False])] = 1.0
    assert x.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_index_add_source_shape_errors_match_torch():
    for src in ((2, 4), (3, 3), (2,), (1, 3), (2, 3, 1)):
        msg, tmsg = same_error(lambda m: m.zeros(5, 3).index_add(0, m.tensor([0, 2]), m.ones(*src)))
        assert msg == tmsg
    same_error(lambda m: m.zeros(5).index_add(0, m.tensor([0, 2]), m.tensor(1.0)))
    msg, tmsg = same_error(lambda m: m.zeros(5, 3).index_add_(1, m.tensor([0]), m.ones(5, 2)))
    assert msg == tmsg


def test_setitem_errors():
    same_error(lambda m: m.zeros(3).__setitem__(slice(0, 2), m.ones(3)))
    same_error(lambda m: m.zeros(3).__setitem__(m.tensor([0, 1]), m.ones(3)))
    same_error(lambda m: m.zeros(3).__setitem__(5, 1.0))
    same_error(lambda m: m.zeros(3, requires_grad=True).__setitem__(0, 1.0))
    for fn in (lambda m: m.zeros(3, dtype=m.float64).__setitem__([0, 1], m.ones(2)),
               lambda m: m.zeros(3, dtype=m.float64).index_put_((m.tensor([0]),), m.ones(1, dtype=m.int64)),
               lambda m: m.zeros(3, dtype=m.float64).index_add_(0, m.tensor([0]), m.ones(1)),
               lambda m: m.zeros(3, dtype=m.float64).index_copy_(0, m.tensor([0]), m.ones(1)),
               lambda m: m.zeros(3, dtype=m.float64).masked_scatter_(m.ones(3) > 0, m.ones(3))):
        msg, tmsg = same_error(fn)
        assert msg == tmsg
    msg, tmsg = same_error(lambda m: m.zeros(3).__setitem__(slice(0, 2), [1.0, 2.0]))
    assert msg == tmsg
    msg, tmsg = same_error(lambda m: m.zeros(3).__setitem__(slice(0, 2), np.ones(2)))
    assert msg == tmsg
    msg, tmsg = same_error(lambda m: m.zeros(3).__setitem__(0, np.float32(2)))
    assert msg == tmsg
    msg, tmsg = same_error(lambda m: m.zeros(3).__setitem__(m.tensor([0, 1]), m.ones(3)))
    assert msg == tmsg


def test_setitem_leaf_under_no_grad():
    for m in (torch, ember):
        x = m.zeros(3, requires_grad=True)
        with m.no_grad():
            x[0] = 1.0
        assert x.tolist() == [1.0, 0.0, 0.0]
        assert x.grad_fn is None


def test_setitem_bumps_version():
    x = ember.zeros(3)
    x[0] = 1.0
    x[[1]] = 2.0
    assert x._version_value() == 2


# -- gather / scatter ---------------------------------------------------------------------------------
IDX = np.array([[0, 1, 1], [2, 0, 0]])


@pytest.mark.parametrize("dtype", FLOATS)
def test_gather(dtype):
    check(lambda m, x: m.gather(x, 1, m.tensor(IDX)), [(2, 4)], dtype=dtype)
    check(lambda m, x: x.gather(0, m.tensor([[0, 1], [1, 0]])), [(3, 5)], dtype=dtype)  # smaller index
    check(lambda m, x: x.t().gather(-1, m.tensor(IDX)), [(4, 2)], dtype=dtype)
    check(lambda m, x: x.gather(0, m.tensor(0)), [()], dtype=dtype)


def test_gather_int_and_empty():
    check(lambda m, x: x.gather(1, m.tensor(IDX)), [(2, 4)], dtype="int64")
    check(lambda m, x: x.gather(1, m.zeros(2, 0, dtype=m.int64)), [(2, 4)])


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3, 2).gather(1, m.tensor([[0, 5]])),
    lambda m: m.zeros(3, 2).gather(1, m.tensor([0, 1])),
    lambda m: m.zeros(3, 2).gather(1, m.tensor([[0.0]])),
    lambda m: m.zeros(3, 2).gather(2, m.tensor([[0]])),
    lambda m: m.zeros(3, 2).scatter(1, m.tensor([[0, 5]]), 1.0),
    lambda m: m.zeros(3, 2).scatter_add(1, m.tensor([[0, 1]]), m.ones(1, 2, dtype=m.float64)),
])
def test_gather_scatter_errors(fn):
    same_error(fn)


@pytest.mark.parametrize("dtype", FLOATS)
def test_scatter(dtype):
    check(lambda m, x, s: x.scatter(1, m.tensor(IDX), s), [(2, 4), (2, 3)], dtype=dtype)
    # A src bigger than index: torch's own backward rejects its gradient shape, so values only.
    check(lambda m, x, s: m.scatter(x, 0, m.tensor([[1, 0, 2]]), s), [(3, 3), (2, 4)], dtype=dtype, grad=False)
    check(lambda m, x: x.scatter(1, m.tensor(IDX), 2.5), [(2, 4)], dtype=dtype)
    check(lambda m, x: x.scatter(1, m.tensor(IDX), value=-1.0), [(2, 4)], dtype=dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_scatter_add(dtype):
    check(lambda m, x, s: x.scatter_add(1, m.tensor(IDX), s), [(2, 4), (2, 3)], dtype=dtype)
    check(lambda m, x, s: m.scatter_add(x, 0, m.tensor([[1, 1, 1]]), s), [(3, 3), (2, 4)], dtype=dtype, grad=False)
    check(lambda m, x, s: x.scatter(1, m.tensor(IDX), s, reduce="add"), [(2, 4), (2, 3)], dtype=dtype, grad=False)


ZERO_D_CASES = [((), (), ()), ((), (1,), (1,)), ((), (1,), ()), ((), (2,), (2,)), ((3,), (), ()), ((3,), (1,), ())]


@pytest.mark.parametrize("shapes", ZERO_D_CASES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_gather_scatter_zero_dim(shapes, dtype):
    """torch reads a 0-d input, index or src as a 1-D tensor of one element."""
    xs, ishape, ss = shapes
    idx = lambda m: m.zeros(ishape, dtype=m.int64)  # noqa: E731
    check(lambda m, x: x.gather(0, idx(m)), [xs], dtype=dtype)
    check(lambda m, x, s: x.scatter_add(0, idx(m), s), [xs, ss], dtype=dtype)
    check(lambda m, x, s: x.scatter(-1, idx(m), s), [xs, ss], dtype=dtype)
    check(lambda m, x: x.scatter(0, idx(m), 1.5), [xs], dtype=dtype)
    check(lambda m, x, s: x.scatter_reduce(0, idx(m), s, "amax"), [xs, ss], dtype=dtype)
    check(lambda m, x, s: x.scatter_reduce(0, idx(m), s, "sum", include_self=False), [xs, ss], dtype=dtype)


@pytest.mark.parametrize("index", [0, [0]])
def test_index_ops_zero_dim(index):
    check(lambda m, x: x.index_select(0, m.tensor(index)), [()], dtype="float64")
    check(lambda m, x, s: x.index_copy(0, m.tensor(index), s), [(), ()], dtype="float64")
    check(lambda m, x: x.index_fill(0, m.tensor(index), 5.0), [()], dtype="float64")
    check(lambda m, x, s: x.index_add(0, m.tensor(0), s, alpha=2), [(), ()], dtype="float64")


def test_zero_dim_scatter_errors():
    same_error(lambda m: m.tensor(2.0).scatter_add(1, m.tensor(0), m.tensor(3.0)))
    same_error(lambda m: m.tensor(2.0).scatter_add(0, m.tensor(1), m.tensor(3.0)))
    same_error(lambda m: m.zeros(2, 3).scatter_add(0, m.tensor(0), m.tensor(3.0)))
    same_error(lambda m: m.tensor(2.0).gather(0, m.zeros(1, 1, dtype=m.int64)))


def test_scatter_inplace():
    def fn(m, x, s):
        y = x * 1
        y.scatter_(1, m.tensor(IDX), s)
        z = x * 1
        z.scatter_add_(1, m.tensor(IDX), s)
        return y + z

    check(fn, [(2, 4), (2, 3)], dtype="float64")


# -- index_* ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_index_select(dtype):
    check(lambda m, x: x.index_select(0, m.tensor([2, 0, 2])), [(3, 4)], dtype=dtype)
    check(lambda m, x: m.index_select(x, -1, m.tensor([1])), [(3, 4)], dtype=dtype)
    check(lambda m, x: x.t().index_select(1, m.tensor(0)), [(3, 4)], dtype=dtype)
    check(lambda m, x: x.index_select(0, m.tensor([], dtype=m.int64)), [(3, 4)], dtype=dtype)
    check(lambda m, x: x.index_select(0, m.tensor([1, 1], dtype=m.int32)), [(3, 4)], dtype="int64")


def test_index_select_errors():
    same_error(lambda m: m.zeros(3).index_select(0, m.tensor([5])))
    same_error(lambda m: m.zeros(3, 2).index_select(0, m.tensor([[0]])))
    same_error(lambda m: m.zeros(3, 2).index_select(2, m.tensor([0])))


@pytest.mark.parametrize("dtype", FLOATS)
def test_index_add_fill_copy(dtype):
    idx = lambda m: m.tensor([0, 2, 0])  # noqa: E731
    check(lambda m, x, s: x.index_add(0, idx(m), s), [(3, 4), (3, 4)], dtype=dtype)
    check(lambda m, x, s: x.index_add(1, m.tensor([1, 0]), s, alpha=2.0), [(3, 4), (3, 2)], dtype=dtype)
    check(lambda m, x: x.index_fill(1, m.tensor([0, 3]), -2.0), [(3, 4)], dtype=dtype)
    check(lambda m, x, s: x.index_copy(0, m.tensor([2, 0]), s), [(3, 4), (2, 4)], dtype=dtype)

    def inplace(m, x, s):
        y = x * 1
        y.index_add_(0, idx(m), s)
        y.index_fill_(1, m.tensor([1]), 0.5)
        y.index_copy_(0, m.tensor([1]), s[:1])
        return y

    check(inplace, [(3, 4), (3, 4)], dtype=dtype)


def test_index_put():
    def fn(m, x, v):
        y = x.index_put((m.tensor([0, 0, 2]),), v, accumulate=True)
        z = x * 1
        z.index_put_((m.tensor([1]), m.tensor([3])), v[0, :1])
        return y + z

    check(fn, [(3, 4), (3, 4)], dtype="float64")


# -- masked -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_masked_fill(dtype):
    check(lambda m, x: x.masked_fill(x > 0, 0.5), [(3, 4)], dtype=dtype)
    check(lambda m, x, r: x.masked_fill(r > 0, -1.0), [(3, 4), (4,)], dtype=dtype, requires=[True, False])
    check(lambda m, x: x.masked_fill(x > 0, m.tensor(2.0)), [(3, 4)], dtype=dtype)

    def inplace(m, x):
        y = x * 1
        y.masked_fill_(x < 0, 0.0)
        return y

    check(inplace, [(3, 4)], dtype=dtype)


def test_masked_fill_value_grad_and_int():
    def fn(m, x, v):
        return x.masked_fill(x > 0, v.sum())

    check(fn, [(3, 4), (2,)], dtype="float64")
    check(lambda m, x: x.masked_fill(x > 0, 7), [(3, 4)], dtype="int64")


def test_masked_errors():
    same_error(lambda m: m.zeros(3).masked_fill(m.tensor([1.0, 0.0, 0.0]), 1.0))
    same_error(lambda m: m.zeros(3).masked_fill(m.tensor([True, False, False]), m.zeros(2)))
    same_error(lambda m: m.zeros(3).masked_fill_(m.tensor([[True], [False]]), 1.0))


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3, 4).masked_fill(m.ones(3, dtype=m.bool), 1.0),
    lambda m: m.zeros(3, 4).masked_fill(m.ones(3, dtype=m.bool), m.tensor(1.0)),
    lambda m: m.zeros(3, 4).masked_fill_(m.ones(3, dtype=m.bool), 1.0),
    lambda m: m.zeros(4).masked_fill_(m.ones(3, 4, dtype=m.bool), 1.0),
    lambda m: m.zeros(3, 4).masked_scatter(m.ones(3, dtype=m.bool), m.ones(12)),
    lambda m: m.zeros(3, 4).masked_select(m.ones(3, dtype=m.bool)),
])
def test_mask_not_broadcasting(fn):
    """torch's RuntimeError and message (the mask is named first out of place, second in place)."""
    msg, tmsg = same_error(fn)
    assert msg == tmsg


def test_masked_ops_broadcast_input_against_mask():
    check(lambda m, x: x.masked_fill(m.ones(2, 3, dtype=m.bool).tril(), 2.0), [(3,)], dtype="float64")
    check(lambda m, x, s: x.masked_scatter(m.ones(2, 3, dtype=m.bool).tril(), s), [(3,), (6,)], dtype="float64")


@pytest.mark.parametrize("dtype", FLOATS)
def test_masked_select_and_scatter(dtype):
    check(lambda m, x: x.masked_select(x > 0), [(3, 4)], dtype=dtype)
    check(lambda m, x, r: m.masked_select(x, r > 0), [(3, 4), (4,)], dtype=dtype, requires=[True, False])
    check(lambda m, x, s: x.masked_scatter(x > 0, s), [(3, 4), (4, 4)], dtype=dtype)


# -- take / put / nonzero ------------------------------------------------------------------------
def test_take_put():
    check(lambda m, x: m.take(x, m.tensor([[0, 5], [11, 5]])), [(3, 4)])
    check(lambda m, x: x.t().take(m.tensor([1, -1])), [(3, 4)])
    same_error(lambda m: m.arange(6).take(m.tensor([10])))

    def put(m, x, s):
        y = x * 1
        y.put_(m.tensor([0, 7]), s)
        return y + x.put(m.tensor([1, 1]), s, accumulate=True)

    check(put, [(3, 4), (2,)], dtype="float64")


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_nonzero(dtype):
    check(lambda m, x: m.nonzero(x), [(3, 4)], dtype=dtype, grad=False)
    check(lambda m, x: x.nonzero(as_tuple=True), [(3, 4)], dtype=dtype, grad=False)
    check(lambda m, x: m.nonzero(x), [(0, 2)], dtype=dtype, grad=False)
    check(lambda m, x: m.argwhere(x), [(5,)], dtype=dtype, grad=False)
    check(lambda m, x: m.where(x), [(5,)], dtype=dtype, grad=False)


def test_nonzero_zero_dim():
    for v in (0.0, 3.0):
        assert_same(ember.tensor(v).nonzero(), torch.tensor(v).nonzero())
        assert_same(ember.tensor(v).nonzero(as_tuple=True), torch.tensor(v).nonzero(as_tuple=True))


# -- gradcheck in float64 ------------------------------------------------------------------------------
def _leaf(shape, seed=0):
    a, = make_arrays([shape], "float64", seed=seed)
    return ember.tensor(a, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: x[1:, [0, 2, 2]],
    lambda x: x[x.detach() > 0],
    lambda x: x.gather(1, ember.tensor(IDX)),
    lambda x: x.index_select(1, ember.tensor([3, 0, 3])),
    lambda x: x.masked_fill(x.detach() > 0, 1.0),
    lambda x: x.scatter_add(1, ember.tensor(IDX), x[:, :3] * 1),
    lambda x: x.take(ember.tensor([0, 0, 7])),
])
def test_gradcheck(fn):
    assert ember.autograd.gradcheck(fn, (_leaf((2, 4)),))
    assert ember.autograd.gradgradcheck(fn, (_leaf((2, 4)),))


# -- random keys: get, set, and gradients of both, against torch ------------------------------------------
def _random_key(rng, m, shape):
    key = []
    for d in range(rng.randrange(1, 4)):
        size = shape[min(d, len(shape) - 1)]
        c = rng.randrange(8)
        if c == 0:
            key.append(rng.randrange(-size, size))
        elif c == 1:
            key.append(slice(rng.choice([None, rng.randrange(-size - 1, size + 1)]),
                             rng.choice([None, rng.randrange(-size - 1, size + 1)]), rng.choice([None, 1, 2, 3])))
        elif c == 2:
            key.append(None)
        elif c == 3:
            key.append(Ellipsis)
        elif c == 4:
            key.append([rng.randrange(-size, size) for _ in range(rng.randrange(0, 4))])
        elif c == 5:
            key.append(m.tensor([rng.random() > 0.5 for _ in range(size)]))
        elif c == 6:
            key.append(m.tensor([rng.randrange(-size, size) for _ in range(2)]))
        else:
            key.append(slice(None))
    return tuple(key)


def _get_set(m, key, shape):
    x = m.tensor(np.arange(60.0).reshape(shape), requires_grad=True)
    y = (x * 1)[key]
    if y.numel():
        (y * y).sum().backward()
    v = m.tensor(np.arange(float(y.numel())).reshape(tuple(y.shape)) + 100, requires_grad=True)
    x2 = m.tensor(np.arange(60.0).reshape(shape), requires_grad=True)
    w = x2 * 2
    w[key] = v * 3
    (w * w).sum().backward()
    return y, x.grad, w, x2.grad, v.grad


def test_random_keys_against_torch():
    import random
    import warnings

    rng = random.Random(1)
    shape = (4, 3, 5)
    compared = 0
    for _ in range(300):
        state = rng.getstate()
        out = []
        for m in (torch, ember):
            rng.setstate(state)
            key = _random_key(rng, m, shape)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out.append(_get_set(m, key, shape))
            except (IndexError, RuntimeError, ValueError, TypeError) as e:
                out.append(type(e))
        t, e = out
        if isinstance(t, type) or isinstance(e, type):
            assert t == e, (key, t, e)
            continue
        for a, b in zip(e, t):
            if b is None:
                assert a is None, key
            else:
                assert_same(a, b, what=str(key))
        compared += 1
    assert compared > 200


# -- scatter_reduce, take_along_dim, select_scatter, slice_scatter ---------------------------------------------
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    idx = lambda m: m.tensor([[0, 0, 1], [1, 1, 0], [2, 0, 0]])  # noqa: E731
    check(lambda m, x, s: x.scatter_reduce(0, idx(m), s, reduce, include_self=include_self),
          [(3, 3), (3, 3)], dtype="float64")
    check(lambda m, x, s: m.scatter_reduce(x, 1, idx(m), s, reduce, include_self=include_self),
          [(3, 4), (3, 3)], dtype="float32")

    def inplace(m, x, s):
        y = x * 1
        y.scatter_reduce_(0, idx(m), s, reduce, include_self=include_self)
        return y

    check(inplace, [(3, 3), (3, 3)], dtype="float64")


def test_scatter_reduce_ints_and_ties():
    idx = lambda m: m.tensor([[0, 0, 1], [1, 1, 0]])  # noqa: E731
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        check(lambda m, x, s: x.scatter_reduce(0, idx(m), s, reduce), [(2, 3), (2, 3)], dtype="int64")

    def ties(m, x):
        s = m.ones(2, 3, dtype=m.float64) * x.max().detach()
        return x.scatter_reduce(0, idx(m), s, "amax")

    check(ties, [(2, 3)], dtype="float64", arrays=[np.array([[1.0, 5.0, 5.0], [5.0, 2.0, 0.0]])])
    same_error(lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "median"))


def test_take_along_dim():
    check(lambda m, x: m.take_along_dim(x, m.tensor([[0], [2]]), 1), [(2, 3)])
    check(lambda m, x: m.take_along_dim(x, m.tensor([0, 5])), [(2, 3)])
    check(lambda m, x: x.take_along_dim(m.tensor([[0]]), 0), [(2, 3)])
    check(lambda m, x: m.take_along_dim(x, m.tensor([[2, 1, 0], [0, 0, 1], [1, 2, 2], [0, 1, 2]]), 1), [(4, 3)])
    check(lambda m, x: m.take_along_dim(x, m.tensor([[1], [0]]), 1), [(1, 3)])  # input broadcast


def test_select_slice_scatter():
    check(lambda m, x, s: m.select_scatter(x, s, 1, 0), [(3, 4), (3,)])
    check(lambda m, x, s: x.slice_scatter(s, dim=1, start=1, step=2), [(3, 4), (3, 2)])
    check(lambda m, x, s: m.slice_scatter(x, s), [(3, 4), (3, 4)])
