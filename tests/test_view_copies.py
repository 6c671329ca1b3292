"""torch's *_copy functions and unsafe_ split/chunk, tril/triu_indices, native_* norms, torch.masked
and torch.signal.windows against torch, on what tests/test_opinfo.py's OpInfo samples do not reach
(the *_copy forms without an OpInfo entry, out=, the results owning their memory, error cases)."""
import pytest

import ember
from oracle import check, same_error

COPIES = [
    ("select_copy", lambda m, x: m.select_copy(x, 1, 2)),
    ("slice_copy", lambda m, x: m.slice_copy(x, 1, 1, 4, 2)),
    ("split_copy", lambda m, x: m.split_copy(x, 2, 1)),
    ("alias_copy", lambda m, x: m.alias_copy(x.t())),
    ("expand_copy", lambda m, x: m.expand_copy(x[:, :1], (3, 5), implicit=True)),
    ("view_copy", lambda m, x: m.view_copy(x, (5, 3))),
    ("unsafe_split_with_sizes", lambda m, x: m.unsafe_split_with_sizes(x, [1, 4], 1)),
    ("unsafe_chunk method", lambda m, x: x.unsafe_chunk(2, 1)),
    ("narrow_copy method", lambda m, x: x.narrow_copy(1, 1, 3)),
    ("view_as_real_copy", lambda m, x: m.view_as_real_copy(m.complex(x, x * 2))),
]


@pytest.mark.parametrize("name,fn", COPIES, ids=[c[0] for c in COPIES])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_copy_functions(name, fn, dtype):
    check(fn, [(3, 5)], dtype)


def test_copies_own_their_memory_and_take_out():
    x = ember.arange(6.).reshape(2, 3)
    for y in (ember.t_copy(x), ember.alias_copy(x), ember.diagonal_copy(x), ember.permute_copy(x, (1, 0))):
        assert y.is_contiguous()
        y.fill_(-1)
    assert x.min().item() == 0
    out = ember.empty(0)
    assert ember.transpose_copy(x, 0, 1, out=out) is out and out.shape == (3, 2) and out[2, 1].item() == 5
    outs = [ember.empty(0), ember.empty(0)]
    assert ember.unbind_copy(x, out=outs) is None and outs[1].tolist() == [3, 4, 5]


def test_view_as_complex_copy_has_no_derivative():
    check(lambda m, x: m.view_as_complex_copy(x[:, :4].reshape(3, 2, 2).contiguous()), [(3, 5)], "float32",
          grad=False)
    same_error(lambda m: m.view_as_complex_copy(m.ones(3, 2, requires_grad=True)))


def test_detach_copy_requires_grad_without_derivative():
    check(lambda m, x: m.detach_copy(x), [(3, 5)], "float64", grad=False)
    x = ember.ones(2, requires_grad=True)
    assert ember.detach_copy(x).requires_grad and ember.detach_copy(x).grad_fn.name() == \
        "torch::autograd::NotImplemented"
    same_error(lambda m: m.detach_copy(m.ones(2, requires_grad=True)).sum().backward())


@pytest.mark.parametrize("args", [(3, 4, 1), (4, 3, -1), (0, 3, 0), (5, 5, -7), (2, 6, 4)])
def test_tri_indices(args):
    check(lambda m: m.tril_indices(*args), [], "int64")
    check(lambda m: m.triu_indices(*args, dtype=m.int32), [], "int64")
    same_error(lambda m: m.tril_indices(3, 3, dtype=m.float32))
    same_error(lambda m: m.triu_indices(-1, 3))


def test_native_norms():
    check(lambda m, x, w, b: m.native_layer_norm(x, (4,), w, b, 1e-5), [(2, 3, 4), (4,), (4,)], "float64")
    check(lambda m, x, w, b: m.native_group_norm(x, w, b, 2, 4, 3, 2, 1e-5), [(2, 4, 3), (4,), (4,)], "float64")
    for training in (True, False):
        check(lambda m, x, w, b: m.native_batch_norm(x, w, b, m.zeros(3, dtype=m.float64),
                                                     m.ones(3, dtype=m.float64), training, 0.1, 1e-5),
              [(4, 3, 2), (3,), (3,)], "float64")


def test_masked_errors_and_defaults():
    check(lambda m, x: m.masked.sum(x, mask=x > 0), [(3, 4)], "float64")
    check(lambda m, x: m.masked.amax(x, (0, 1), keepdim=True, mask=(x > 0)[0]), [(3, 4)], "float64")
    check(lambda m, x: m.masked.var(x, 1, correction=0, mask=x > -1), [(3, 4)], "float64")
    same_error(lambda m: m.masked.mean(m.ones(3, dtype=m.int64), mask=m.ones(3, dtype=m.bool)))
    same_error(lambda m: m.masked.sum(m.ones(3), mask=m.ones(2, 3, dtype=m.bool)))
    same_error(lambda m: m.masked.sum(m.ones(3), 1, mask=m.ones(3, dtype=m.bool)))


@pytest.mark.parametrize("name,kw", [("hann", {}), ("kaiser", dict(beta=3.0)), ("exponential", dict(tau=0.5)),
                                     ("gaussian", dict(std=0.7)), ("general_cosine", dict(a=[0.5, 0.3, 0.2]))])
def test_signal_windows(name, kw):
    for M in (0, 1, 6, 7):
        for sym in (True, False):
            check(lambda m: getattr(m.signal.windows, name)(M, sym=sym, dtype=m.float64, **kw), [], "float64")
    same_error(lambda m: getattr(m.signal.windows, name)(-1, **kw))
    same_error(lambda m: getattr(m.signal.windows, name)(3, dtype=m.int64, **kw))
