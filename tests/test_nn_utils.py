"""torch.nn.utils against torch: old-style weight_norm/spectral_norm, prune, fusion,
stateless.functional_call, clipping helpers, skip_init, memory-format no-ops."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.prune  # noqa: F401 - not imported by torch.nn.utils itself

import ember

U = ember.nn.utils


def _np(x):
    return x.detach().numpy()


def _copy(e, t):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return e


def _pair(make, seed=0):
    torch.manual_seed(seed)
    t = make(torch)
    return _copy(make(ember), t), t


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook(dim):
    e, t = _pair(lambda lib: lib.nn.Linear(5, 4))
    with pytest.warns(FutureWarning, match="torch.nn.utils.weight_norm` is deprecated"):
        U.weight_norm(e, dim=dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.nn.utils.weight_norm(t, dim=dim)
    assert sorted(e.state_dict()) == sorted(t.state_dict()) == ["bias", "weight_g", "weight_v"]
    for k in ("weight_g", "weight_v"):
        np.testing.assert_allclose(e.state_dict()[k].numpy(), t.state_dict()[k].numpy(), rtol=1e-6)
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(_np(ye), _np(yt), rtol=1e-5, atol=1e-6)
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    np.testing.assert_allclose(e.weight_g.grad.numpy(), t.weight_g.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(e.weight_v.grad.numpy(), t.weight_v.grad.numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            U.weight_norm(e)
    U.remove_weight_norm(e)
    torch.nn.utils.remove_weight_norm(t)
    assert sorted(e.state_dict()) == ["bias", "weight"] and isinstance(e.weight, ember.nn.Parameter)
    np.testing.assert_allclose(_np(e.weight), _np(t.weight), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        U.remove_weight_norm(e)


def test_spectral_norm_hook_power_iteration_matches_torch_from_the_same_u():
    ms = []
    for lib in (torch, ember):
        lib.manual_seed(3)
        m = lib.nn.Linear(6, 4)
        lib.manual_seed(7)
        lib.nn.utils.spectral_norm(m, n_power_iterations=2)
        ms.append(m)
    t, e = ms
    _copy(e, t)  # the same weight_orig, weight_u, weight_v
    assert sorted(e.state_dict()) == sorted(t.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    x = np.random.default_rng(0).standard_normal((2, 6)).astype(np.float32)
    for _ in range(3):  # every training forward runs the power iteration on the buffers in place
        np.testing.assert_allclose(_np(e(ember.tensor(x))), _np(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)
        for k in ("weight_u", "weight_v"):
            np.testing.assert_allclose(getattr(e, k).numpy(), getattr(t, k).numpy(), rtol=1e-5, atol=1e-6)
    e.eval()
    t.eval()
    ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(_np(ye), _np(yt), rtol=1e-5, atol=1e-6)
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(e.weight_orig.grad.numpy(), t.weight_orig.grad.numpy(), rtol=1e-4, atol=1e-5)
    U.remove_spectral_norm(e)
    torch.nn.utils.remove_spectral_norm(t)
    assert sorted(e.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(_np(e.weight), _np(t.weight), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
        U.remove_spectral_norm(e)


def test_spectral_norm_initial_vectors_follow_the_seed():
    # the same generator draws as torch's: seeded alike, u and v start alike
    torch.manual_seed(5)
    ut = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 5), dim=0)
    ember.manual_seed(5)
    ue = U.spectral_norm(ember.nn.Linear(3, 5), dim=0)
    np.testing.assert_allclose(ue.weight_u.numpy(), ut.weight_u.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ue.weight_v.numpy(), ut.weight_v.numpy(), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        U.spectral_norm(ember.nn.Linear(3, 5), n_power_iterations=0)


def _distinct(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))).reshape(shape) - 7.5).astype(np.float32) / 3


@pytest.mark.parametrize("method,kwargs", [
    ("l1_unstructured", dict(amount=0.3)), ("l1_unstructured", dict(amount=5)),
    ("ln_structured", dict(amount=0.5, n=2, dim=0)), ("ln_structured", dict(amount=1, n=1, dim=1)),
    ("identity", {}),
])
def test_prune_deterministic_methods(method, kwargs):
    e, t = _pair(lambda lib: lib.nn.Linear(6, 4))
    w = _distinct((4, 6))
    e.weight.data = ember.tensor(w)
    t.weight.data = torch.tensor(w)
    getattr(U.prune, method)(e, "weight", **kwargs)
    getattr(torch.nn.utils.prune, method)(t, "weight", **kwargs)
    assert sorted(e.state_dict()) == sorted(t.state_dict()) == ["bias", "weight_mask", "weight_orig"]
    assert np.array_equal(e.weight_mask.numpy(), t.weight_mask.numpy())
    assert np.array_equal(_np(e.weight), _np(t.weight))
    assert U.prune.is_pruned(e)
    # pruning again combines masks in a PruningContainer
    U.prune.l1_unstructured(e, "weight", amount=2)
    torch.nn.utils.prune.l1_unstructured(t, "weight", amount=2)
    assert np.array_equal(e.weight_mask.numpy(), t.weight_mask.numpy())
    hook = next(iter(e._forward_pre_hooks.values()))
    assert isinstance(hook, U.prune.PruningContainer) and len(hook) == 2
    U.prune.remove(e, "weight")
    torch.nn.utils.prune.remove(t, "weight")
    assert sorted(e.state_dict()) == ["bias", "weight"] and not U.prune.is_pruned(e)
    assert np.array_equal(_np(e.weight), _np(t.weight))


def test_prune_custom_global_and_random():
    e1, t1 = _pair(lambda lib: lib.nn.Linear(4, 3))
    e2, t2 = _pair(lambda lib: lib.nn.Linear(3, 2), seed=1)
    for (e, t), seed in (((e1, t1), 0), ((e2, t2), 1)):
        w = _distinct(tuple(t.weight.shape), seed)
        e.weight.data, t.weight.data = ember.tensor(w), torch.tensor(w)
    U.prune.global_unstructured([(e1, "weight"), (e2, "weight")], pruning_method=U.prune.L1Unstructured, amount=6)
    torch.nn.utils.prune.global_unstructured([(t1, "weight"), (t2, "weight")],
                                             pruning_method=torch.nn.utils.prune.L1Unstructured, amount=6)
    for e, t in ((e1, t1), (e2, t2)):
        assert np.array_equal(e.weight_mask.numpy(), t.weight_mask.numpy())
    mask = np.array([1, 0, 1], np.float32)
    U.prune.custom_from_mask(e1, "bias", ember.tensor(mask))
    assert np.array_equal(_np(e1.bias), _np(t1.bias) * mask)
    ember.manual_seed(0)
    U.prune.random_unstructured(e2, "bias", amount=1)
    assert int(e2.bias_mask.sum().item()) == 1
    U.prune.random_structured(e1, "weight", amount=1, dim=0)
    assert (e1.weight_mask.sum(1) == 0).sum().item() >= 1
    with pytest.raises(ValueError, match="amount=1.5 should either be a float in the range"):
        U.prune.l1_unstructured(e1, "bias", amount=1.5)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        U.prune.remove(ember.nn.Linear(2, 2), "weight")
    with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE supported'):
        U.prune.global_unstructured([(e1, "weight")], pruning_method=U.prune.LnStructured, amount=1, n=2, dim=0)


@pytest.mark.parametrize("conv", ["Conv2d", "ConvTranspose2d"])
def test_fuse_conv_bn_eval(conv):
    def make(lib):
        c = getattr(lib.nn, conv)(3, 4, 3)
        bn = lib.nn.BatchNorm2d(4 if conv == "Conv2d" else 4)
        return lib.nn.Sequential(c, bn)
    e, t = _pair(make)
    rng = np.random.default_rng(0)
    stats = {"1.running_mean": rng.standard_normal(4), "1.running_var": rng.random(4) + 0.5,
             "1.weight": rng.standard_normal(4), "1.bias": rng.standard_normal(4)}
    for k, v in stats.items():
        e.state_dict()[k].copy_(ember.tensor(v.astype(np.float32)))
        t.state_dict()[k].copy_(torch.tensor(v.astype(np.float32)))
    e.eval()
    t.eval()
    fe = U.fuse_conv_bn_eval(e[0], e[1], transpose=conv != "Conv2d")
    ft = torch.nn.utils.fuse_conv_bn_eval(t[0], t[1], transpose=conv != "Conv2d")
    np.testing.assert_allclose(_np(fe.weight), _np(ft.weight), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(fe.bias), _np(ft.bias), rtol=1e-6, atol=1e-6)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(_np(fe(ember.tensor(x))), _np(e(ember.tensor(x))), rtol=1e-4, atol=1e-5)
    e.train()
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        U.fuse_conv_bn_eval(e[0], e[1])


def test_fuse_linear_bn_eval():
    e, t = _pair(lambda lib: lib.nn.Sequential(lib.nn.Linear(5, 3), lib.nn.BatchNorm1d(3)))
    for m in (e, t):
        m[1].running_mean.add_(0.3)
        m[1].running_var.mul_(2.0)
        m.eval()
    fe, ft = U.fuse_linear_bn_eval(e[0], e[1]), torch.nn.utils.fuse_linear_bn_eval(t[0], t[1])
    np.testing.assert_allclose(_np(fe.weight), _np(ft.weight), rtol=1e-6)
    np.testing.assert_allclose(_np(fe.bias), _np(ft.bias), rtol=1e-6, atol=1e-7)
    assert isinstance(fe.weight, ember.nn.Parameter) and fe is not e[0]
    w, b = U.fuse_linear_bn_weights(e[0].weight, None, e[1].running_mean, e[1].running_var, 1e-5, e[1].weight,
                                     e[1].bias)
    w2, b2 = torch.nn.utils.fuse_linear_bn_weights(t[0].weight, None, t[1].running_mean, t[1].running_var, 1e-5,
                                                   t[1].weight, t[1].bias)
    np.testing.assert_allclose(_np(b), _np(b2), rtol=1e-6, atol=1e-7)


def test_functional_call():
    e, t = _pair(lambda lib: lib.nn.Linear(3, 2))
    w = np.ones((2, 3), np.float32)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        ye = U.stateless.functional_call(e, {"weight": ember.tensor(w)}, (ember.tensor(x),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = torch.nn.utils.stateless.functional_call(t, {"weight": torch.tensor(w)}, (torch.tensor(x),))
    np.testing.assert_allclose(_np(ye), _np(yt), rtol=1e-6)
    assert isinstance(e.weight, ember.nn.Parameter) and not np.array_equal(_np(e.weight), w)  # restored
    # gradients reach the given tensors
    wt = ember.tensor(w, requires_grad=True)
    U.stateless._functional_call(e, {"weight": wt}, ember.tensor(x)).sum().backward()
    np.testing.assert_allclose(wt.grad.numpy(), np.tile(x.sum(0), (2, 1)))
    with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Linear:\n\tUnexpected key\\(s\\): "
                                           "'foo'.\n\tMissing key\\(s\\): 'bias'."):
        U.stateless._functional_call(e, {"weight": wt, "foo": wt}, ember.tensor(x), strict=True)


def test_functional_call_tied_weights():
    class Tied(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = ember.nn.Linear(2, 2, bias=False)
            self.b = ember.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))
    m = Tied()
    w = ember.eye(2) * 2
    out = U.stateless._functional_call(m, {"a.weight": w}, ember.ones(1, 2))
    assert np.array_equal(out.numpy(), [[4.0, 4.0]])
    with pytest.raises(ValueError, match="functional_call got multiple values for keys"):
        U.stateless._functional_call(m, {"a.weight": w, "b.weight": ember.eye(2)}, ember.ones(1, 2))


@pytest.mark.parametrize("norm_type", [2.0, float("inf"), 1.0, 3])
def test_clip_helpers_match_torch(norm_type):
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s).astype(np.float32) * 3 for s in [(3, 4), (5,), (7, 2)]]
    res = []
    for lib in (torch, ember):
        ps = [lib.tensor(a, requires_grad=True) for a in arrs]
        for p, a in zip(ps, arrs):
            p.grad = lib.tensor(a)
        total = lib.nn.utils.get_total_norm([p.grad for p in ps], norm_type)
        lib.nn.utils.clip_grads_with_norm_(ps, 0.5, total)
        res.append([total.numpy()] + [p.grad.numpy() for p in ps])
    exact = norm_type != 1.0  # torch's 1-norm sums in another order than ember's reduction
    for a, b in zip(*res):
        if exact:
            assert np.array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6)
    assert ember.nn.utils.get_total_norm([]).item() == 0.0
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        ember.nn.utils.get_total_norm([ember.tensor([float("nan")])], error_if_nonfinite=True)


def test_skip_init_and_memory_format():
    m = U.skip_init(ember.nn.Linear, 4, 3)
    assert isinstance(m, ember.nn.Linear) and tuple(m.weight.shape) == (3, 4)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        U.skip_init(int)

    class NoDevice(ember.nn.Module):
        def __init__(self):
            super().__init__()
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip initialization"):
        U.skip_init(NoDevice)
    c = ember.nn.Conv2d(2, 2, 3)
    assert U.convert_conv2d_weight_memory_format(c, "channels_last") is c
    assert U.convert_conv3d_weight_memory_format(c, "channels_last") is c
