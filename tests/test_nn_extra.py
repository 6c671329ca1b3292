"""interpolate/Upsample, adaptive max pooling, padding modules, instance_norm/InstanceNorm,
rms_norm/RMSNorm and gumbel_softmax against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

FLOATS = ["float32", "float64"]


def _gradcheck(fn, *shapes):
    rng = np.random.default_rng(3)
    xs = [ember.tensor(rng.uniform(-2, 2, size=s), dtype=ember.float64, requires_grad=True) for s in shapes]
    assert ember.autograd.gradcheck(fn, xs)


INTERP = [
    ((2, 3, 5), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5), dict(size=7, mode="nearest")),
    ((2, 3, 7), dict(size=3, mode="nearest-exact")),
    ((2, 3, 5), dict(size=8, mode="linear")),
    ((2, 3, 5), dict(scale_factor=1.7, mode="linear", align_corners=True)),
    ((2, 2, 4, 5), dict(scale_factor=2, mode="nearest")),
    ((2, 2, 4, 5), dict(scale_factor=(1.5, 0.6), mode="nearest")),
    ((2, 2, 4, 5), dict(size=(7, 3), mode="nearest")),
    ((1, 2, 4, 5), dict(size=(6, 9), mode="bilinear")),
    ((1, 2, 4, 5), dict(size=(6, 9), mode="bilinear", align_corners=True)),
    ((1, 2, 4, 5), dict(scale_factor=2.5, mode="bilinear")),
    ((1, 2, 4, 5), dict(scale_factor=0.5, mode="bilinear", align_corners=False)),
    ((1, 2, 4, 5), dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
    ((1, 2, 6, 6), dict(size=(1, 1), mode="bilinear", align_corners=True)),
    ((1, 1, 2, 2, 3), dict(scale_factor=2, mode="nearest")),
    ((1, 2, 3, 4, 5), dict(size=(5, 2, 7), mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(scale_factor=1.7, mode="trilinear", align_corners=True)),
    ((1, 2, 4, 5), dict(size=(7, 3), mode="bicubic")),
    ((1, 2, 4, 5), dict(scale_factor=2.5, mode="bicubic", align_corners=True)),
    ((1, 2, 4, 5), dict(scale_factor=0.6, mode="bicubic", recompute_scale_factor=True)),
    ((2, 3, 7), dict(size=3, mode="area")),
    ((1, 2, 4, 5), dict(scale_factor=1.7, mode="area")),
    ((1, 1, 3, 4, 5), dict(size=(2, 5, 3), mode="area")),
    ((1, 2, 9, 11), dict(size=(4, 13), mode="bilinear", antialias=True)),
    ((1, 2, 9, 11), dict(scale_factor=0.4, mode="bicubic", antialias=True, align_corners=True)),
    ((1, 2, 9, 11), dict(size=(3, 17), mode="lanczos", antialias=True)),
]


@pytest.mark.parametrize("shape,kw", INTERP, ids=[f"{i}-{kw['mode']}" for i, (_, kw) in enumerate(INTERP)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_interpolate(shape, kw, dtype):
    check(lambda m, x: m.nn.functional.interpolate(x, **kw), [shape], dtype)


def test_interpolate_gradcheck_and_errors():
    F = ember.nn.functional
    _gradcheck(lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"), (1, 2, 3, 4))
    _gradcheck(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True), (1, 1, 3, 3))
    _gradcheck(lambda x: F.interpolate(x, scale_factor=2), (1, 2, 3))
    check(lambda m, x: m.nn.functional.interpolate(x.transpose(2, 3), scale_factor=2, mode="bilinear"),
          [(1, 2, 3, 4)], "float32")
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 3, 3, dtype=m.int64), size=(4, 4)))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4), scale_factor=2, mode="bilinear"))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4), scale_factor=2, align_corners=True))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4)))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4), size=2, scale_factor=2))
    _gradcheck(lambda x: F.interpolate(x, size=(3, 5), mode="bicubic"), (1, 1, 4, 3))
    _gradcheck(lambda x: F.interpolate(x, size=(2, 3, 3), mode="trilinear", align_corners=True), (1, 1, 3, 2, 2))
    _gradcheck(lambda x: F.interpolate(x, size=(2, 2), mode="bilinear", antialias=True), (1, 1, 5, 4))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4), size=2, mode="area", align_corners=False))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4), size=2, mode="linear", antialias=True))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4), size=2, mode="lanczos"))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4, dtype=m.int64), size=2, mode="bicubic"))
    same_error(lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4, dtype=m.int64), size=2, mode="area"))
    check(lambda m, x: m.nn.functional.interpolate((x.abs() * 50).to(m.uint8), scale_factor=1.5), [(1, 2, 3, 4)], "float32")


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 3)), dict(scale_factor=2, mode="bilinear"),
                                dict(scale_factor=(2, 3), mode="bilinear", align_corners=True)])
def test_upsample_module(kw):
    check(lambda m, x: m.nn.Upsample(**kw)(x), [(2, 3, 4, 4)], "float32")
    assert repr(ember.nn.Upsample(**kw)) == repr(torch.nn.Upsample(**kw))
    check(lambda m, x: m.nn.UpsamplingBilinear2d(scale_factor=2)(x), [(1, 2, 3, 3)], "float32")
    check(lambda m, x: m.nn.UpsamplingNearest2d(size=5)(x), [(1, 2, 3, 3)], "float32")


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,out", [((2, 3, 7, 9), (3, 4)), ((3, 5, 5), 2), ((1, 2, 4, 6), (None, 4)),
                                       ((1, 1, 3, 3), (5, 5)), ((2, 2, 6, 6), 1)])
def test_adaptive_max_pool2d(dtype, shape, out):
    check(lambda m, x: m.nn.functional.adaptive_max_pool2d(x, out), [shape], dtype)
    check(lambda m, x: tuple(m.nn.functional.adaptive_max_pool2d(x, out, return_indices=True)), [shape], dtype)
    check(lambda m, x: m.nn.AdaptiveMaxPool2d(out)(x.transpose(-1, -2)), [shape], dtype)
    check(lambda m, x: tuple(m.nn.AdaptiveMaxPool1d(3, return_indices=True)(x.flatten(-2))), [shape], dtype)


def test_adaptive_max_pool_nan_grad_errors():
    a = np.arange(32, dtype="float64").reshape(1, 2, 4, 4)
    a[0, 0, 1, 1] = np.nan
    check(lambda m, x: tuple(m.nn.functional.adaptive_max_pool2d(x, 2, return_indices=True)), None, "float64",
          arrays=[a], grad=False)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.permutation(60).reshape(1, 3, 4, 5) / 7.0, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.nn.functional.adaptive_max_pool2d(t, (3, 2)), [x])
    same_error(lambda m: m.nn.functional.adaptive_max_pool2d(m.ones(4, 4), 2))
    assert repr(ember.nn.AdaptiveMaxPool2d((2, 3))) == repr(torch.nn.AdaptiveMaxPool2d((2, 3)))


PADS = [("ZeroPad2d", (2,)), ("ZeroPad2d", ((1, 0, 2, 1),)), ("ConstantPad2d", ((1, 2, 0, 1), 3.5)),
        ("ConstantPad1d", (2, -1.0)), ("ReflectionPad2d", (1,)), ("ReflectionPad2d", ((2, 1, 0, 2),)),
        ("ReflectionPad1d", ((1, 2),)), ("ReplicationPad2d", (2,)), ("ReplicationPad1d", ((3, 1),)),
        ("CircularPad2d", ((1, 1, 2, 0),)), ("ZeroPad1d", (1,))]


@pytest.mark.parametrize("name,args", PADS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PADS)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_padding_modules(name, args, dtype):
    shape = (2, 3, 4, 5) if name.endswith("2d") else (2, 3, 5)
    check(lambda m, x: getattr(m.nn, name)(*args)(x), [shape], dtype)
    check(lambda m, x: getattr(m.nn, name)(*args)(x), [shape[1:]], dtype)
    assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


@pytest.mark.parametrize("dtype", FLOATS)
def test_instance_norm_functional(dtype):
    check(lambda m, x: m.nn.functional.instance_norm(x), [(2, 3, 5)], dtype)
    check(lambda m, x, w, b: m.nn.functional.instance_norm(x, weight=w, bias=b, eps=1e-3), [(2, 3, 4, 5), (3,), (3,)],
          dtype)


@pytest.mark.parametrize("name,shape", [("InstanceNorm1d", (2, 3, 6)), ("InstanceNorm2d", (2, 3, 4, 5)),
                                        ("InstanceNorm1d", (3, 6)), ("InstanceNorm2d", (3, 4, 4))])
@pytest.mark.parametrize("kw", [dict(), dict(affine=True), dict(affine=True, track_running_stats=True, momentum=0.3)])
def test_instance_norm_modules(name, shape, kw):
    rng = np.random.default_rng(1)
    e, t = getattr(ember.nn, name)(3, **kw), getattr(torch.nn, name)(3, **kw)
    assert repr(e) == repr(t)
    if kw.get("affine"):
        w, b = rng.uniform(0.5, 1.5, 3).astype("float32"), rng.uniform(-1, 1, 3).astype("float32")
        for mod, lib in ((e, ember), (t, torch)):
            mod.weight.data.copy_(lib.tensor(w))
            mod.bias.data.copy_(lib.tensor(b))
    for step in range(3):
        a = rng.uniform(-2, 2, shape).astype("float32") * (step + 1)
        check(lambda m, x: (e if m is ember else t)(x), None, "float32", arrays=[a])
    e.eval()
    t.eval()
    check(lambda m, x: (e if m is ember else t)(x), [shape], "float32")
    for (k, ve), (k2, vt) in zip(e.state_dict().items(), t.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6)


def test_instance_norm_gradcheck_and_errors():
    _gradcheck(lambda x, w, b: ember.nn.functional.instance_norm(x, weight=w, bias=b), (2, 2, 5), (2,), (2,))
    same_error(lambda m: m.nn.InstanceNorm2d(3, affine=True)(m.ones(2, 4, 3, 3)))
    same_error(lambda m: m.nn.InstanceNorm2d(3)(m.ones(3, 3)))
    same_error(lambda m: m.nn.functional.instance_norm(m.ones(2, 3, 1)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_rms_norm(dtype):
    check(lambda m, x: m.nn.functional.rms_norm(x, (5,)), [(3, 5)], dtype)
    check(lambda m, x, w: m.nn.functional.rms_norm(x, [4, 5], w, eps=1e-3), [(2, 4, 5), (4, 5)], dtype)
    check(lambda m, x: m.nn.functional.rms_norm(x, (5,)), [(0, 5)], dtype)
    same_error(lambda m: m.nn.functional.rms_norm(m.ones(2, 5), 5))
    check(lambda m, x: m.nn.RMSNorm(5)(x.transpose(0, 1)), [(5, 3)], dtype)
    check(lambda m, x: m.nn.RMSNorm([2, 3], eps=1e-2, elementwise_affine=False)(x), [(4, 2, 3)], dtype)
    assert repr(ember.nn.RMSNorm([2, 3], eps=1e-2)) == repr(torch.nn.RMSNorm([2, 3], eps=1e-2))
    assert [n for n, _ in ember.nn.RMSNorm(4).named_parameters()] == ["weight"]
    a = np.zeros((2, 3), dtype=dtype)
    check(lambda m, x: m.nn.functional.rms_norm(x, (3,)), None, dtype, arrays=[a])  # eps: the dtype's machine eps
    same_error(lambda m: m.nn.functional.rms_norm(m.ones(2, 3), (4,)))
    _gradcheck(lambda x, w: ember.nn.functional.rms_norm(x, (4,), w), (3, 4), (4,))


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dtype", FLOATS)
def test_gumbel_softmax_same_draws_as_torch(hard, dtype):
    for seed, dim, tau in ((0, -1, 1.0), (3, 0, 0.5)):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        check(lambda m, x: m.nn.functional.gumbel_softmax(x, tau=tau, hard=hard, dim=dim), [(4, 6)], dtype)


def test_gumbel_softmax_statistics():
    ember.manual_seed(0)
    logits = ember.tensor([0.0, 1.0, 2.0])
    samples = ember.nn.functional.gumbel_softmax(logits.expand(20000, 3), hard=True)
    assert ((samples == 0) | (samples == 1)).all() and (samples.sum(-1) == 1).all()
    freq = samples.mean(0).numpy()
    np.testing.assert_allclose(freq, ember.softmax(logits, 0).numpy(), atol=0.015)
