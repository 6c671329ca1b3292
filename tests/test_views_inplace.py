"""Views share memory and the version counter with their base; in-place ops on
views write through and are recorded (CopySlices); torch's in-place refusals."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error, assert_same

VIEW_OPS = {
    "view": lambda x: x.view(4, 6),
    "view_as": lambda x: x.view_as(x.reshape(6, 4)),
    "reshape": lambda x: x.reshape(2, 12),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "expand_same": lambda x: x.expand(6, 4),
    "expand_lead": lambda x: x.expand(1, 6, 4),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "permute": lambda x: x.permute(1, 0),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "select": lambda x: x.select(1, 2),
    "narrow": lambda x: x.narrow(0, 1, 3),
    "getitem": lambda x: x[1:5:2, 1],
    "ellipsis": lambda x: x[..., None],
    "unfold": lambda x: x.unfold(0, 2, 2),
    "movedim": lambda x: x.movedim(0, 1),
    "split": lambda x: x.split(2)[1],
    "chunk": lambda x: x.chunk(3, 1)[0],
    "unbind": lambda x: x.unbind(1)[3],
    "tensor_split": lambda x: x.tensor_split(4)[2],
    "detach": lambda x: x.detach(),
    "contiguous": lambda x: x.contiguous(),
    "view_of_view": lambda x: x.t()[1:][:, 2],
}


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_shares_memory_and_version(name):
    """Write through the view, read the base; the version counter is shared."""
    make = VIEW_OPS[name]
    results = []
    for m in (torch, ember):
        base = m.arange(24.0).reshape(6, 4).clone()
        v = make(base)
        v.add_(100)
        v.mul_(-1)
        results.append((base, base._version if m is torch else base._version_value(),
                        v._version if m is torch else v._version_value()))
    (tb, tver, tvv), (eb, ever, evv) = results
    assert_same(eb, tb)
    assert (ever, evv) == (tver, tvv)


@pytest.mark.parametrize("name", ["clone", "flip", "repeat", "index", "roll", "masked_select"])
def test_copies_do_not_share(name):
    make = {"clone": lambda x: x.clone(), "flip": lambda x: x.flip(0), "repeat": lambda x: x.repeat(1, 1),
            "index": lambda x: x[[0, 1]], "roll": lambda x: x.roll(1), "masked_select": lambda x: x[x > 3]}[name]
    x = ember.arange(12.0).reshape(3, 4)
    v = make(x)
    v.add_(1)
    assert x.tolist() == ember.arange(12.0).reshape(3, 4).tolist()
    assert x._version_value() == 0


def test_inplace_on_column_fills_base():
    X = ember.zeros(4, 3)
    X[:, 0].fill_(3)
    X[:, 1].add_(1)
    X[2].zero_()
    X[:, 2].copy_(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    T = torch.zeros(4, 3)
    T[:, 0].fill_(3)
    T[:, 1].add_(1)
    T[2].zero_()
    T[:, 2].copy_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    assert_same(X, T)


def test_other_views_see_the_change():
    x = ember.zeros(3, 4)
    a, b = x[0], x.t()
    a.fill_(5.0)
    assert b[0].tolist() == [5.0, 0.0, 0.0]
    assert a._version_value() == b._version_value() == x._version_value() == 1


# -- CopySlices gradients ------------------------------------------------------------------------
PATTERNS = {
    "set_row": lambda m, a: _set(a * 1, 0, 5.0),
    "mul_column": lambda m, a: _op(a * 1, lambda y: y[:, 0].mul_(2)),
    "add_row_view": lambda m, a: _op(a * 1, lambda y: y[1].add_(y[2].detach())),
    "exp_slice": lambda m, a: _op(a * 1, lambda y: y[1:, 2:].exp_()),
    "zero_col": lambda m, a: _op(a * 1, lambda y: y[:, 1].zero_()),
    "fill_block": lambda m, a: _op(a * 1, lambda y: y[:2, :2].fill_(1.5)),
    "view_of_view": lambda m, a: _op(a * 1, lambda y: y.t()[1:][:, 0].mul_(3)),
    "reshape_view": lambda m, a: _op(a * 1, lambda y: y.view(-1)[2:5].mul_(-1)),
    "transpose_row": lambda m, a: _op(a * 1, lambda y: y.t()[0].add_(10)),
    "copy_from_leaf": lambda m, a: _op(a * 1, lambda y: y[0].copy_(a[1] * 2)),
    "set_tensor_value": lambda m, a: _set(a * 1, (slice(None), 1), a[:, 2] ** 2),
    "index_put": lambda m, a: _set(a * 1, [0, 2], a[1] * 3),
    "mask_set": lambda m, a: _set(a * 1, a.detach() > 0, 0.0),
    "twice": lambda m, a: _op(_op(a * 1, lambda y: y[0].mul_(2)), lambda y: y[:, 0].add_(y[:, 1].detach())),
    "unsqueeze_view": lambda m, a: _op(a * 1, lambda y: y[None, 1].mul_(4)),
    "into_nograd_base": lambda m, a: _set(m.zeros(3, 4, dtype=a.dtype), 1, a[2] * 2),
    "narrow": lambda m, a: _op(a * 1, lambda y: y.narrow(1, 1, 2).sub_(1)),
    "iadd_basic": lambda m, a: _op(a * 1, lambda y: y[0].__iadd__(a[1])),
    "iadd_setitem": lambda m, a: _iadd(a * 1, (slice(None), 2), a[:, 0]),
    "iadd_advanced": lambda m, a: _iadd(a * 1, [0, 2], a[1]),
}


def _iadd(y, key, v):
    y[key] += v  # getitem, in-place add, setitem: as Python runs it
    return y


def _op(y, f):
    f(y)
    return y


def _set(y, key, value):
    y[key] = value
    return y


@pytest.mark.parametrize("name", sorted(PATTERNS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_copyslices_gradients(name, dtype):
    fn = PATTERNS[name]
    check(lambda m, a: fn(m, a) * fn(m, a).detach(), [(3, 4)], dtype=dtype)


def test_copyslices_grad_fn():
    y = ember.ones(3, 4, requires_grad=True) * 1
    y[0] = 5.0
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.grad_fn.next_functions[0][0] is not None


def test_copyslices_higher_order():
    def f(a):
        y = a * a
        y[1:, 0] = a[:2, 1] ** 3
        return y

    a = ember.tensor(np.random.default_rng(0).uniform(-1, 1, (3, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(f, (a,))
    assert ember.autograd.gradgradcheck(f, (a,))


# -- refusals --------------------------------------------------------------------------------------
def test_saved_tensor_modified_inplace_raises():
    def fn(m):
        a = m.ones(3, requires_grad=True)
        y = a.exp()
        y.add_(1)
        y.sum().backward()

    msg, tmsg = same_error(fn)
    assert msg.startswith("one of the variables needed for gradient computation has been modified by an "
                          "inplace operation")


def test_saved_input_modified_through_view_raises():
    def fn(m):
        a = m.ones(3, 2, requires_grad=True)
        y = a * 1
        z = y.sin()
        y[0].zero_()
        z.sum().backward()

    msg, tmsg = same_error(fn)
    assert msg.startswith("one of the variables needed for gradient computation has been modified by an "
                          "inplace operation")


@pytest.mark.parametrize("fn", [
    lambda m: m.ones(3, requires_grad=True).add_(1),
    lambda m: m.ones(3, requires_grad=True).zero_(),
    lambda m: m.ones(3, requires_grad=True).fill_(2),
    lambda m: m.ones(3, requires_grad=True)[0].fill_(2),
    lambda m: m.ones(3, requires_grad=True).copy_(m.zeros(3)),
    lambda m: m.ones(2, 3, requires_grad=True)[:, 0].add_(1),
    lambda m: m.ones(3, 1).expand(3, 4).add_(1),
    lambda m: (m.ones(3, 2, requires_grad=True) * 1).unbind(0)[0].mul_(2),
    lambda m: (m.ones(4, requires_grad=True) * 1).split(2)[0].add_(1),
])
def test_inplace_refusals(fn):
    msg, tmsg = same_error(fn)
    assert msg.split(" ")[:5] == tmsg.split(" ")[:5]


def test_leaf_inplace_allowed_under_no_grad():
    for m in (torch, ember):
        a = m.ones(3, requires_grad=True)
        with m.no_grad():
            a.mul_(2)
            a[0].fill_(7)
        assert a.tolist() == [7.0, 2.0, 2.0] and a.is_leaf and a.requires_grad


def test_unbind_outputs_writable_without_grad():
    x = ember.zeros(2, 3)
    r0, r1 = x.unbind(0)
    r1.fill_(2.0)
    assert x.tolist() == [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]]


# -- copy_ / fill_ / zero_ ------------------------------------------------------------------------------
def test_copy_broadcast_and_cast():
    def fn(m, x, s):
        y = m.zeros(2, 3, 4, dtype=m.float64)
        y.copy_(s)
        z = m.zeros(3, 4, dtype=m.int64)
        z.copy_(x * 3)
        return y, z

    check(fn, [(3, 4), (4,)], dtype="float32", requires=[False, True])


def test_copy_grad_to_src_and_zero_to_old_self():
    def fn(m, a, s):
        y = a * 2
        y.copy_(s)
        return y * 3

    check(fn, [(2, 3), (3,)], dtype="float64")


def test_copy_errors():
    same_error(lambda m: m.zeros(3).copy_(m.zeros(4)))
    same_error(lambda m: m.zeros(3).copy_(m.zeros(2, 3)))
    same_error(lambda m: m.zeros(3).copy_("a"))


def test_fill_zero_values_and_grads():
    def fn(m, a, v):
        y = a * 1
        y[0].fill_(v.sum())
        y[1].zero_()
        z = a * 1
        z.fill_(2.5)
        return y + z

    check(fn, [(3, 4), (2,)], dtype="float64")
    check(lambda m, x: x.clone().fill_(3.7), [(3,)], dtype="int64")
    same_error(lambda m: m.zeros(3).fill_(m.zeros(2)))


def test_copy_bumps_version_and_returns_self():
    x = ember.zeros(3)
    assert x.copy_(ember.ones(3)) is x
    assert x.fill_(2) is x and x.zero_() is x
    assert x._version_value() == 3


# -- views made before an in-place change of their base are re-made (torch's regeneration) ------------
STALE = {
    "base_mul": lambda m, a: _stale(a, lambda x: x.mul_(2), lambda x: (x[0], x.t())),
    "setitem_other_row": lambda m, a: _stale(a, lambda x: x.__setitem__(1, 5.0), lambda x: (x[0], x[:, 1])),
    "through_other_view": lambda m, a: _stale(a, lambda x: x[:, 0].mul_(3), lambda x: (x[1], x.view(-1))),
    "chain": lambda m, a: _stale(a, lambda x: x.exp_(), lambda x: (x.t()[1:], x[None])),
}


def _stale(a, change, make_views):
    x = a * 1
    views = make_views(x)
    change(x)
    return tuple(v * 1 for v in views)


@pytest.mark.parametrize("name", sorted(STALE))
def test_stale_views_are_remade(name):
    check(lambda m, a: STALE[name](m, a), [(3, 2)], dtype="float64")


def test_stale_multi_output_view_raises_like_torch():
    def fn(m):
        x = m.ones(3, 2, requires_grad=True) * 1
        rows = x.unbind(0)
        x.mul_(2)
        rows[0].sum().backward()

    msg, tmsg = same_error(fn)
    assert msg == tmsg


# -- random chains of view ops, an in-place op at the end, another view made before it ---------------------
_CHAIN_VIEWS = [
    lambda r, v: v.transpose(0, -1) if v.ndim >= 2 else v,
    lambda r, v: v.select(0, r.randrange(v.shape[0])) if v.ndim >= 2 and v.shape[0] else v,
    lambda r, v: v.narrow(-1, 1, v.shape[-1] - 1) if v.ndim and v.shape[-1] > 1 else v,
    lambda r, v: v.unsqueeze(r.randrange(v.ndim + 1)),
    lambda r, v: v.squeeze(),
    lambda r, v: v.permute(*reversed(range(v.ndim))),
    lambda r, v: v[::2] if v.ndim else v,
    lambda r, v: v.movedim(0, -1) if v.ndim else v,
    lambda r, v: v.view(-1) if v.is_contiguous() else v,
    lambda r, v: v.flatten(0, 1) if v.ndim >= 2 and v.is_contiguous() else v,
    lambda r, v: v.unfold(0, 1, 2) if v.ndim else v,
]
_CHAIN_INPLACE = [
    lambda v, a: v.mul_(3), lambda v, a: v.add_(1), lambda v, a: v.fill_(2), lambda v, a: v.zero_(),
    lambda v, a: v.copy_(a[0, 0, 0] * 5), lambda v, a: v.exp_(), lambda v, a: v.__setitem__(..., a.sum()),
]


def test_random_view_chains_against_torch():
    import random

    rng = random.Random(0)
    for trial in range(200):
        state = rng.getstate()
        out = []
        for m in (torch, ember):
            rng.setstate(state)
            a = m.tensor(np.random.default_rng(trial).uniform(-1, 1, (3, 4, 5)), requires_grad=True)
            x = a * 1
            v = x
            for _ in range(rng.randrange(1, 4)):
                v = _CHAIN_VIEWS[rng.randrange(len(_CHAIN_VIEWS))](rng, v)
            other = x[1] if rng.random() > 0.5 else None
            _CHAIN_INPLACE[rng.randrange(len(_CHAIN_INPLACE))](v, a)
            ((x * x).sum() + (other.sum() * 2 if other is not None else 0)).backward()
            out.append((x, a.grad))
        assert_same(out[1], out[0], what=f"trial {trial}")
