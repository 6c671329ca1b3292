"""nn.Module infrastructure and containers against torch: registration, traversal
order, state_dict / load_state_dict (keys, order, errors), hooks, modes,
conversions, repr, pickling."""
import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import same_error


def net(m):
    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = m.nn.Conv2d(1, 2, 3)
            self.register_buffer("scale", m.ones(2))
            self.register_buffer("cache", m.zeros(3), persistent=False)
            self.head = m.nn.Sequential(OrderedDict(fc=m.nn.Linear(4, 3), act=m.nn.ReLU()))
            self.blocks = m.nn.ModuleList([m.nn.Linear(3, 3) for _ in range(2)])
            self.extra = m.nn.Parameter(m.zeros(5))
            self.shared = self.head.fc  # the same module twice

        def forward(self, x):
            return x
    return Net()


def names(it):
    return [n for n, _ in it]


def test_traversal_order_matches_torch():
    t, e = net(torch), net(ember)
    assert names(e.named_parameters()) == names(t.named_parameters())
    assert names(e.named_parameters(remove_duplicate=False)) == names(t.named_parameters(remove_duplicate=False))
    assert names(e.named_parameters(prefix="p", recurse=False)) == names(t.named_parameters(prefix="p", recurse=False))
    assert names(e.named_buffers()) == names(t.named_buffers())
    assert names(e.named_children()) == names(t.named_children())
    assert names(e.named_modules()) == names(t.named_modules())
    assert names(e.named_modules(remove_duplicate=False)) == names(t.named_modules(remove_duplicate=False))
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.state_dict(), OrderedDict)
    assert repr(e) == repr(t)


def test_state_dict_values_keep_vars_and_load():
    e = net(ember)
    sd = e.state_dict()
    assert not sd["extra"].requires_grad and type(sd["extra"]) is ember.Tensor
    assert e.state_dict(keep_vars=True)["extra"] is e.extra
    assert "cache" not in sd
    e2 = net(ember)
    res = e2.load_state_dict(sd)
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    np.testing.assert_array_equal(e2.conv.weight.detach().numpy(), e.conv.weight.detach().numpy())
    # identity kept, values copied
    w = e2.head.fc.weight
    e2.load_state_dict(net(ember).state_dict())
    assert e2.head.fc.weight is w


def test_load_state_dict_errors_match_torch():
    t, e = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    bad = {"weight": np.zeros((2, 4)), "extra": np.zeros(1)}
    te, ee = same_error(lambda m: (t if m is torch else e).load_state_dict({k: m.tensor(v) for k, v in bad.items()}))
    assert ee == te
    tr = t.load_state_dict({"weight": torch.zeros(2, 3), "x": torch.zeros(1)}, strict=False)
    er = e.load_state_dict({"weight": ember.zeros(2, 3), "x": ember.zeros(1)}, strict=False)
    assert er.missing_keys == tr.missing_keys and er.unexpected_keys == tr.unexpected_keys
    assert repr(er) == repr(tr)
    te, ee = same_error(lambda m: (t if m is torch else e).load_state_dict({}))
    assert ee == te
    t2, e2 = net(torch), net(ember)
    te, ee = same_error(lambda m: (t2 if m is torch else e2).load_state_dict({"head.fc.weight": m.zeros(1),
                                                                              "head.zz": m.zeros(1)}))
    assert ee == te
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        e.load_state_dict([1])


def test_setattr_errors_match_torch():
    for fn in [lambda m, mod: setattr(mod, "weight", m.ones(2, 3)),
               lambda m, mod: mod.register_buffer("weight", m.ones(1)),
               lambda m, mod: mod.register_buffer("a.b", m.ones(1)),
               lambda m, mod: mod.register_buffer("x", 3),
               lambda m, mod: mod.register_parameter("x", m.ones(1)),
               lambda m, mod: mod.add_module("x", 3),
               lambda m, mod: mod.add_module("a.b", m.nn.ReLU()),
               lambda m, mod: mod.get_submodule("nope")]:
        te, ee = same_error(lambda m: fn(m, m.nn.Linear(3, 2)))
        assert ee == te


def test_register_and_delete():
    m = ember.nn.Module()
    m.p = ember.nn.Parameter(ember.ones(2))
    m.register_buffer("b", ember.zeros(1))
    m.sub = ember.nn.ReLU()
    assert names(m.named_parameters()) == ["p"] and names(m.named_buffers()) == ["b"]
    m.p = None
    assert m.p is None and list(m.parameters()) == []
    m.b = ember.ones(3)  # tensors may replace buffers
    assert m.b.shape == (3,) and names(m.named_buffers()) == ["b"]
    del m.sub
    assert not hasattr(m, "sub")
    m.register_module("sub2", ember.nn.Tanh())
    assert "sub2" in dir(m) and "p" in dir(m)
    assert m.get_submodule("sub2") is m.sub2
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        m.nothing


def test_parameter_basics():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert isinstance(p, ember.Tensor) and isinstance(p, ember.nn.Parameter) and p.requires_grad and p.is_leaf
    q = copy.deepcopy(p)
    assert isinstance(q, ember.nn.Parameter) and q is not p and q.requires_grad
    assert np.array_equal(q.detach().numpy(), p.detach().numpy())
    assert not ember.nn.Parameter(ember.ones(1), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        ember.nn.Parameter(ember.tensor([1]))
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, ember.nn.Parameter) and r.requires_grad


def test_train_eval_requires_grad_zero_grad_apply():
    m = net(ember)
    assert m.training and m.head.act.training
    m.eval()
    assert not m.training and not m.blocks[1].training
    m.train()
    assert m.blocks[0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m.head.fc(ember.ones(1, 4)).sum().backward()
    assert m.head.fc.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert (m.head.fc.weight.grad.numpy() == 0).all()
    m.zero_grad()
    assert m.head.fc.weight.grad is None
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Net" and seen[0] == "Conv2d"


def test_to_double_float_keep_identity():
    m = net(ember)
    w = m.conv.weight
    m.double()
    assert m.conv.weight is w and w.dtype is ember.float64 and m.scale.dtype is ember.float64
    m.to(ember.float32)
    assert w.dtype is ember.float32
    m.to("cpu")
    m.half().float()
    assert m.conv.weight is w and w.dtype is ember.float32
    bn = ember.nn.BatchNorm1d(2).double()
    assert bn.num_batches_tracked.dtype is ember.int64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        m.to(ember.int64)


def test_forward_hooks_and_handles():
    lin = ember.nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = lin(ember.ones(1, 2))
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None] + 1, rtol=1e-6)
    assert calls == [(1, 2)]
    h1.remove()
    h2.remove()
    out = lin(ember.ones(1, 2))
    assert calls == [(1, 2)]
    h3 = lin.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs), with_kwargs=True)
    lin(ember.ones(1, 2))
    h3.remove()
    order = []
    lin.register_forward_hook(lambda *a: order.append(1))
    lin.register_forward_hook(lambda *a: order.append(0), prepend=True)
    lin(ember.ones(1, 2))
    assert order == [0, 1]


def test_containers_behave_like_torch():
    for mk in [lambda m: m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1)),
               lambda m: m.nn.ModuleList([m.nn.Linear(2, 2), m.nn.Linear(2, 2), m.nn.ReLU()]),
               lambda m: m.nn.ModuleDict({"b": m.nn.ReLU(), "a": m.nn.Linear(1, 1)}),
               lambda m: m.nn.ParameterList([m.nn.Parameter(m.ones(2)), m.zeros(3, 1)]),
               lambda m: m.nn.ParameterDict({"b": m.nn.Parameter(m.ones(2)), "a": m.zeros(1)})]:
        t, e = mk(torch), mk(ember)
        assert repr(e).replace("ember.float32", "torch.float32") == repr(t)  # ember's dtypes print as ember.*
        assert list(e.state_dict()) == list(t.state_dict())
        assert len(e) == len(t)
    s = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.ReLU(), ember.nn.Linear(3, 1))
    assert isinstance(s[0:2], ember.nn.Sequential) and len(s[0:2]) == 2 and s[-1] is s[2]
    s.append(ember.nn.Sigmoid())
    assert len(s) == 4 and isinstance(list(s)[-1], ember.nn.Sigmoid)
    del s[1]
    assert list(s._modules) == ["0", "1", "2"]
    assert s(ember.ones(5, 2)).shape == (5, 1)
    with pytest.raises(IndexError):
        s[7]
    ml = ember.nn.ModuleList()
    ml.extend([ember.nn.ReLU()])
    ml.insert(0, ember.nn.Tanh())
    assert isinstance(ml[0], ember.nn.Tanh) and len(ml) == 2
    pl = ember.nn.ParameterList([ember.zeros(2)])
    assert isinstance(pl[0], ember.nn.Parameter)
    pd = ember.nn.ParameterDict({"x": ember.zeros(2)})
    assert isinstance(pd["x"], ember.nn.Parameter) and "x" in pd
    md = ember.nn.ModuleDict({"a": ember.nn.ReLU()})
    assert list(md.keys()) == ["a"] and isinstance(md["a"], ember.nn.ReLU)


def test_pickle_and_deepcopy_module():
    m = net(ember)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m.head))):
        src = m if clone.__class__.__name__ == "Net" else m.head
        for (n, p), (_, q) in zip(clone.named_parameters(), src.named_parameters()):
            assert p is not q and np.array_equal(p.detach().numpy(), q.detach().numpy()), n
            assert isinstance(p, ember.nn.Parameter)
    c = copy.deepcopy(m)
    assert c.shared is c.head.fc  # sharing survives


def test_module_without_forward_and_init_errors():
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        ember.nn.Module()(1)

    class Bad(ember.nn.Module):
        def __init__(self):
            self.w = ember.nn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__\\(\\) call"):
        Bad()


def test_training_loop_end_to_end_matches_torch():
    """A small MLP trained by hand-written SGD gives torch's numbers step by step."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    em = ember.nn.Sequential(ember.nn.Linear(3, 8), ember.nn.Tanh(), ember.nn.Linear(8, 1)).double()
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    for _ in range(5):
        for m, mod in ((torch, tm), (ember, em)):
            mod.zero_grad()
            loss = m.nn.functional.mse_loss(mod(m.tensor(x)), m.tensor(y))
            loss.backward()
            with m.no_grad():
                for p in mod.parameters():
                    p -= 0.1 * p.grad
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, atol=1e-12)


def test_full_backward_hook_matches_torch():
    def run(m):
        torch.manual_seed(0)
        ref = torch.nn.Linear(3, 2)
        mod = m.nn.Linear(3, 2)
        mod.load_state_dict({k: m.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
        seen = []

        def hook(module, gi, go):
            seen.append(([None if g is None else g.detach().numpy().copy() for g in gi],
                         [g.detach().numpy().copy() for g in go]))
            return tuple(None if g is None else g * 2 for g in gi)

        handle = mod.register_full_backward_hook(hook)
        x = m.tensor(np.arange(6.0).reshape(2, 3), dtype=m.float32, requires_grad=True)
        (mod(x) ** 2).sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod(m.ones(2, 3)).sum().backward()  # no input requires grad: grad_input is (None,)
        handle.remove()
        mod(x).sum().backward()
        return seen, x.grad.numpy(), mod.weight.grad.numpy()

    (ts, tx, tw), (es, ex, ew) = run(torch), run(ember)
    assert len(es) == len(ts) == 2
    for (tgi, tgo), (egi, ego) in zip(ts, es):
        assert [g is None for g in egi] == [g is None for g in tgi]
        for a, b in zip(egi + ego, tgi + tgo):
            if b is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(ex, tx, rtol=1e-6)
    np.testing.assert_allclose(ew, tw, rtol=1e-6)
