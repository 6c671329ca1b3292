"""Shape and view ops against torch: values, dtypes, gradients, errors, views vs copies."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, make_arrays, same_error

FLOATS = ["float32", "float64"]

CASES = {
    "view": (lambda m, x: x.view(4, -1), [(2, 3, 4)]),
    "view_tuple": (lambda m, x: x.view((6, 4)), [(2, 3, 4)]),
    "view_0d": (lambda m, x: x.view(1, 1), [()]),
    "reshape_copy": (lambda m, x: x.transpose(0, 2).reshape(-1), [(2, 3, 4)]),
    "reshape": (lambda m, x: m.reshape(x, (3, 8)), [(2, 3, 4)]),
    "reshape_as": (lambda m, x: x.reshape_as(m.zeros(4, 6)), [(2, 3, 4)]),
    "reshape_empty": (lambda m, x: x.reshape(5, 0, 2), [(0, 3)]),
    "expand": (lambda m, x: x.expand(2, 3, -1), [(3, 1)]),
    "expand_as": (lambda m, x: x.expand_as(m.zeros(2, 3, 4)), [(1, 4)]),
    "transpose": (lambda m, x: m.transpose(x, 0, -1), [(2, 3, 4)]),
    "swapaxes": (lambda m, x: m.swapaxes(x, 1, 2), [(2, 3, 4)]),
    "t": (lambda m, x: x.t(), [(3, 4)]),
    "t_1d": (lambda m, x: m.t(x), [(3,)]),
    "T": (lambda m, x: x.T, [(3, 4)]),
    "mT": (lambda m, x: x.mT, [(2, 3, 4)]),
    "permute": (lambda m, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "permute_neg": (lambda m, x: m.permute(x, (-1, 0, 1)), [(2, 3, 4)]),
    "squeeze": (lambda m, x: x.squeeze(), [(1, 3, 1)]),
    "squeeze_dim": (lambda m, x: x.squeeze(-1), [(1, 3, 1)]),
    "squeeze_dims": (lambda m, x: m.squeeze(x, (0, 1)), [(1, 3, 1)]),
    "squeeze_noop": (lambda m, x: x.squeeze(1), [(1, 3, 1)]),
    "unsqueeze": (lambda m, x: m.unsqueeze(x, -1), [(2, 3)]),
    "unsqueeze_0d": (lambda m, x: x.unsqueeze(0), [()]),
    "flatten": (lambda m, x: m.flatten(x, 1), [(2, 3, 4)]),
    "flatten_0d": (lambda m, x: x.flatten(), [()]),
    "unflatten": (lambda m, x: x.unflatten(1, (2, -1)), [(2, 6, 4)]),
    "ravel": (lambda m, x: x.t().ravel(), [(3, 4)]),
    "clone": (lambda m, x: m.clone(x), [(2, 3)]),
    "contiguous": (lambda m, x: x.t().contiguous(), [(2, 3)]),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    "broadcast_tensors": (lambda m, x, y: m.broadcast_tensors(x, y), [(3, 1), (2, 1, 4)]),
    "movedim": (lambda m, x: m.movedim(x, 0, -1), [(2, 3, 4)]),
    "movedim_multi": (lambda m, x: x.movedim((0, 1), (2, 0)), [(2, 3, 4)]),
    "moveaxis": (lambda m, x: m.moveaxis(x, -1, 0), [(2, 3, 4)]),
    "narrow": (lambda m, x: m.narrow(x, 1, 1, 2), [(2, 4)]),
    "narrow_neg": (lambda m, x: x.narrow(-1, -3, 2), [(2, 4)]),
    "select": (lambda m, x: m.select(x, 1, -1), [(2, 3, 4)]),
    "unfold": (lambda m, x: x.unfold(1, 3, 2), [(2, 7, 3)]),
    "unfold_overlap": (lambda m, x: x.unfold(0, 3, 1), [(5,)]),
    "unfold_0d": (lambda m, x: x.unfold(0, 1, 1), [()]),
    "repeat": (lambda m, x: x.repeat(2, 1, 3), [(2, 3)]),
    "repeat_empty": (lambda m, x: x.repeat(0, 2), [(2, 3)]),
    "tile": (lambda m, x: m.tile(x, (2,)), [(2, 3)]),
    "tile_more": (lambda m, x: x.tile((2, 1, 2)), [(2, 3)]),
    "flip": (lambda m, x: m.flip(x, (0, 2)), [(2, 3, 4)]),
    "flip_method": (lambda m, x: x.flip(-1), [(2, 3)]),
    "fliplr": (lambda m, x: m.fliplr(x), [(2, 3)]),
    "flipud": (lambda m, x: m.flipud(x), [(2, 3)]),
    "roll": (lambda m, x: m.roll(x, 2), [(3, 4)]),
    "roll_dims": (lambda m, x: x.roll((1, -1), (0, 1)), [(3, 4)]),
    "roll_dim": (lambda m, x: x.roll(-5, 1), [(3, 4)]),
    "repeat_interleave": (lambda m, x: m.repeat_interleave(x, 2), [(2, 3)]),
    "repeat_interleave_dim": (lambda m, x: x.repeat_interleave(3, dim=1), [(2, 3)]),
    "repeat_interleave_tensor": (lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=-1), [(2, 3)]),
    "split": (lambda m, x: m.split(x, 2), [(5, 2)]),
    "split_sizes": (lambda m, x: x.split([1, 0, 3], dim=1), [(2, 4)]),
    "chunk": (lambda m, x: m.chunk(x, 3, 1), [(2, 7)]),
    "chunk_fewer": (lambda m, x: x.chunk(4), [(6,)]),
    "chunk_empty": (lambda m, x: x.chunk(2), [(0, 3)]),
    "tensor_split": (lambda m, x: m.tensor_split(x, 3), [(7, 2)]),
    "tensor_split_idx": (lambda m, x: x.tensor_split([1, 4], dim=1), [(2, 6)]),
    "unbind": (lambda m, x: m.unbind(x), [(3, 2)]),
    "unbind_dim": (lambda m, x: x.unbind(-1), [(3, 2)]),
    "iter": (lambda m, x: tuple(x), [(3, 2)]),
    "iter_1d": (lambda m, x: list(x), [(4,)]),
    "unsqueeze_": (lambda m, x: x.clone().unsqueeze_(1), [(2, 3)]),
    "squeeze_": (lambda m, x: x.clone().squeeze_(), [(2, 1)]),
    "t_": (lambda m, x: x.clone().t_(), [(2, 3)]),
    "transpose_": (lambda m, x: x.clone().transpose_(0, 1), [(2, 3)]),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name, dtype):
    fn, shapes = CASES[name]
    check(fn, shapes, dtype=dtype)


@pytest.mark.parametrize("name", ["permute", "flip", "repeat", "roll", "split", "unbind", "unfold", "tile",
                                  "repeat_interleave_tensor", "clone", "contiguous", "movedim"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_int_and_bool(name, dtype):
    fn, shapes = CASES[name]
    check(fn, shapes, dtype=dtype)


@pytest.mark.parametrize("name", ["flip", "repeat", "roll", "permute", "reshape_copy", "split", "unfold",
                                  "repeat_interleave_dim", "narrow", "tile"])
def test_noncontiguous_inputs(name):
    fn, shapes = CASES[name]
    arrays = make_arrays(shapes)
    # The same values, given as a transposed view of a contiguous array.
    arrays = [np.ascontiguousarray(a.T).T for a in arrays]
    check(lambda m, x: fn(m, x.t().contiguous().t() if x.ndim == 2 else x), shapes, arrays=arrays)


GRADCHECK = {
    "reshape_copy": lambda x: x.t().reshape(-1),
    "expand": lambda x: x[:, :1].expand(3, 5),
    "unfold": lambda x: x.unfold(1, 2, 1),
    "repeat": lambda x: x.repeat(2, 2),
    "flip": lambda x: x.flip(0, 1),
    "roll": lambda x: x.roll(1, 1),
    "split": lambda x: x.split(2, 1)[1] * 2,
    "unbind": lambda x: x.unbind(1)[2],
    "repeat_interleave": lambda x: x.repeat_interleave(ember.tensor([2, 0, 1]), dim=0),
    "movedim": lambda x: x.movedim(0, 1),
    "meshgrid": lambda x: ember.meshgrid(x[0], x[1], indexing="xy")[0],
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name):
    a, = make_arrays([(3, 4)], "float64")
    x = ember.tensor(a, requires_grad=True)
    assert ember.autograd.gradcheck(GRADCHECK[name], (x,))
    assert ember.autograd.gradgradcheck(GRADCHECK[name], (x,))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    check(lambda m, a, b, c: m.meshgrid(a, b, c, indexing=indexing), [(2,), (3,), (4,)])
    check(lambda m, a, b: m.meshgrid([a, b], indexing=indexing), [(2,), ()])


def test_meshgrid_default_warns_like_torch():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = ember.meshgrid(ember.zeros(2), ember.zeros(3))
    assert tuple(out[0].shape) == (2, 3) and any(issubclass(x.category, UserWarning) for x in w)


def test_broadcast_shapes():
    assert ember.broadcast_shapes((3, 1), (2, 1, 4), 4) == torch.broadcast_shapes((3, 1), (2, 1, 4), 4)
    same_error(lambda m: m.broadcast_shapes((3,), (4,)))


def test_repeat_interleave_indices_only():
    assert_same(ember.repeat_interleave(ember.tensor([2, 0, 3])), torch.repeat_interleave(torch.tensor([2, 0, 3])))


# -- views and copies --------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,is_view", [
    (lambda x: x.view(6), True), (lambda x: x.reshape(3, 2), True), (lambda x: x.t().reshape(6), False),
    (lambda x: x.expand(2, 2, 3), True), (lambda x: x.narrow(1, 0, 2), True), (lambda x: x.unfold(1, 2, 1), True),
    (lambda x: x.split(1)[0], True), (lambda x: x.unbind(1)[0], True), (lambda x: x.movedim(0, 1), True),
    (lambda x: x.clone(), False), (lambda x: x.contiguous(), None), (lambda x: x.t().contiguous(), False),
    (lambda x: x.flip(0), False), (lambda x: x.repeat(1, 1), False), (lambda x: x.roll(1), False),
    (lambda x: x.tile((1,)), False), (lambda x: x.repeat_interleave(1, 0), False),
])
def test_view_or_copy_like_torch(fn, is_view):
    e = ember.zeros(2, 3)
    t = torch.zeros(2, 3)
    ev, tv = fn(e), fn(t)
    if is_view is None:  # contiguous() of a contiguous tensor is the tensor itself
        assert ev is e and tv is t
        return
    assert (tv.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()) == is_view
    assert (ev._base is not None) == is_view
    assert np.shares_memory(ev.numpy(), e.numpy()) == is_view


def test_clone_memory_format():
    x = ember.zeros(3, 4).t()
    assert not x.clone().is_contiguous() and not torch.zeros(3, 4).t().clone().is_contiguous()
    assert x.clone(memory_format=ember.contiguous_format).is_contiguous()
    assert x.contiguous().is_contiguous()
    y = ember.ones(2, requires_grad=True)
    assert type(y.clone().grad_fn).__name__ == "CloneBackward0"


def test_grad_fn_names():
    names = {
        "unbind": lambda m, x: x.unbind(0)[0], "split": lambda m, x: x.split(2)[0],
        "split_sizes": lambda m, x: x.split([1, 2])[0], "chunk": lambda m, x: x.chunk(2, 1)[0],
        "narrow": lambda m, x: x.narrow(0, 1, 1), "unfold": lambda m, x: x.unfold(0, 2, 1),
        "repeat": lambda m, x: x.repeat(2, 1), "flip": lambda m, x: x.flip(0), "roll": lambda m, x: x.roll(1),
        "movedim": lambda m, x: x.movedim(0, 1), "broadcast_to": lambda m, x: m.broadcast_to(x, (2, 3, 4)),
        "clone": lambda m, x: x.clone(), "contiguous": lambda m, x: x.t().contiguous(),
        "permute": lambda m, x: x.permute(1, 0), "view": lambda m, x: x.view(-1),
        "expand": lambda m, x: x.expand(2, 3, 4), "transpose": lambda m, x: x.transpose(0, 1),
        "unsqueeze": lambda m, x: x.unsqueeze(0), "squeeze": lambda m, x: x.unsqueeze(0).squeeze(0),
    }
    for name, fn in names.items():
        t = fn(torch, torch.ones(3, 4, requires_grad=True))
        e = fn(ember, ember.ones(3, 4, requires_grad=True))
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__, name


# -- errors --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3, 4).view(5, -1),
    lambda m: m.zeros(3, 4).view(-1, -1),
    lambda m: m.zeros(0, 3).view(0, 5, -1),
    lambda m: m.zeros(3, 4).t().view(12),
    lambda m: m.zeros(3, 4).reshape(5),
    lambda m: m.zeros(3, 4).expand(2),
    lambda m: m.zeros(3, 4).expand(2, 4),
    lambda m: m.zeros(3, 4).transpose(0, 2),
    lambda m: m.zeros(3, 4).permute(0),
    lambda m: m.zeros(3, 4).permute(0, 0),
    lambda m: m.zeros(2, 3, 4).t(),
    lambda m: m.zeros(3, 4).squeeze(2),
    lambda m: m.zeros(3, 4).unsqueeze(3),
    lambda m: m.zeros(3, 4).flatten(1, 0),
    lambda m: m.zeros(3, 4).unflatten(1, (3, 2)),
    lambda m: m.zeros(3, 4).narrow(0, 4, 1),
    lambda m: m.zeros(3, 4).narrow(0, 2, 2),
    lambda m: m.zeros(3, 4).select(0, 3),
    lambda m: m.zeros(3, 4).unfold(0, 5, 1),
    lambda m: m.zeros(3, 4).unfold(0, 2, 0),
    lambda m: m.zeros(3, 4).repeat(2),
    lambda m: m.zeros(3, 4).chunk(0),
    lambda m: m.zeros(3, 4).split([1, 1]),
    lambda m: m.zeros(3, 4).split(0),
    lambda m: m.zeros(3, 4).unbind(2),
    lambda m: m.zeros(3, 4).movedim((0, 1), (1, 1)),
    lambda m: m.zeros(3, 4).movedim(0, (0, 1)),
    lambda m: m.broadcast_tensors(m.zeros(3), m.zeros(4)),
    lambda m: m.broadcast_to(m.zeros(3), (4,)),
    lambda m: m.zeros(3, 4).flip(0, 0),
    lambda m: m.zeros(3, 4).flip(2),
    lambda m: m.zeros(3, 4).roll((1, 2), (0,)),
    lambda m: m.zeros(3, 4).repeat_interleave(m.tensor([1, 2]), dim=0),
    lambda m: m.zeros(3, 4).repeat_interleave(-1),
    lambda m: m.meshgrid(m.zeros(2, 2), indexing="ij"),
    lambda m: m.meshgrid(m.zeros(2), indexing="yx"),
    lambda m: m.fliplr(m.zeros(3)),
])
def test_errors(fn):
    msg, tmsg = same_error(fn)
    assert msg.split(" ")[:2] == tmsg.split(" ")[:2], (msg, tmsg)


@pytest.mark.parametrize("fn", [
    lambda m: m.tensor(2.0).split(1), lambda m: m.tensor(2.0).split([1], 5), lambda m: m.split(m.tensor(2.0), 1),
    lambda m: m.tensor(2.0).chunk(1), lambda m: m.tensor(2.0).chunk(0, 5),
    lambda m: m.tensor(2.0).tensor_split(1), lambda m: m.tensor(2.0).tensor_split([1]),
    lambda m: m.tensor(2.0).unbind(), lambda m: m.tensor(2.0).unbind(-1), lambda m: m.tensor(2.0).unbind(5),
    lambda m: m.tensor(2.0).roll(1, 0), lambda m: m.tensor(2.0).roll(1, -1), lambda m: m.tensor(2.0).roll(1, 5),
    lambda m: m.tensor(2.0).roll((1, 1), (0, 0)), lambda m: m.tensor(2.0).roll((1, 2), 0),
    lambda m: m.tensor(2.0).narrow(0, 0, 1), lambda m: m.tensor(2.0).select(0, 0),
])
def test_zero_dim_errors(fn):
    """A 0-d tensor has no dim to split, unbind, roll along, narrow or select: torch's classes and messages."""
    msg, tmsg = same_error(fn)
    assert msg == tmsg


def test_zero_dim_roll_flip_movedim():
    check(lambda m, x: x.roll(3), [()])
    check(lambda m, x: x.flip(0), [()])
    check(lambda m, x: x.movedim(0, -1), [()])
    check(lambda m, x: x.transpose(0, 0), [()])
    check(lambda m, x: m.transpose(x, -1, 0), [()])


def test_flip_dims_keyword():
    check(lambda m, x: m.flip(x, dims=(0, 2)), [(2, 3, 4)])
    check(lambda m, x: x.flip(dims=[1]), [(2, 3)])


def test_iteration_is_one_unbind_node_of_views():
    """Iterating a tensor goes through unbind(0): one graph node, every row a view of the base."""
    x = ember.zeros(2000, 3, requires_grad=True) * 1
    rows = list(x)
    assert len(rows) == 2000 and rows[5]._base is x
    assert all(r.grad_fn is rows[0].grad_fn for r in rows)
    assert type(rows[0].grad_fn).__name__ == "UnbindBackward0"


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5])
def test_rot90(k):
    check(lambda m, x: m.rot90(x, k), [(2, 3)])
    check(lambda m, x: x.rot90(k, (2, 0)), [(2, 3, 4)])


@pytest.mark.parametrize("fn", [
    lambda m: m.rot90(m.zeros(2, 2), 1, (0, 0)),
    lambda m: m.rot90(m.zeros(2), 1),
    lambda m: m.rot90(m.zeros(2, 2), 1, (0, 1, 2)),
    lambda m: m.hsplit(m.zeros(2, 4), 3),
    lambda m: m.vsplit(m.zeros(4), 2),
    lambda m: m.dsplit(m.zeros(2, 4), 2),
])
def test_rot90_split_errors(fn):
    msg, tmsg = same_error(fn)
    assert msg == tmsg


def test_hsplit_vsplit_dsplit_ravel():
    check(lambda m, x: m.hsplit(x, 2), [(3, 4)])
    check(lambda m, x: x.hsplit([1, 3]), [(6,)])
    check(lambda m, x: m.vsplit(x, [1]), [(3, 4)])
    check(lambda m, x: m.dsplit(x, 2), [(1, 2, 4)])
    check(lambda m, x: m.ravel(x.t()), [(3, 4)])
