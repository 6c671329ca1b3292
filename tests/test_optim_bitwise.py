"""Every optimizer bit for bit against torch: float32 and float64, 50 steps, weight decay,
momentum, Nesterov, amsgrad, maximize, and both torch's single-tensor (the CPU default)
and multi-tensor (foreach=True) rules.

torch's CPU sqrt is MKL VML's, which is not correctly rounded (up to 0.75 ulp, and its
last bit depends on the CPU's code path), so these runs give torch a correctly rounded
sqrt (`_exact_sqrt`) and compare exactly; everything else (fused multiply-adds, the order
of every operation, the rounding of every scalar) must then agree to the last bit. Without
the patch the optimizers still agree to a few ulps (test_unpatched_sqrt_is_within_ulps).
"""
import contextlib
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import ember

sys.path.insert(0, str(Path(__file__).parent))
from test_optim import make_params, set_grads  # noqa: E402


@contextlib.contextmanager
def _exact_sqrt():
    """torch's Tensor.sqrt/sqrt_ and _foreach_sqrt(_) made correctly rounded, for the test's duration."""
    def sqrt(t):
        return torch.from_numpy(np.asarray(np.sqrt(t.detach().numpy())))

    def sqrt_(t):
        return t.copy_(sqrt(t))

    def foreach_sqrt_(ts):
        for t in ts:
            sqrt_(t)

    patches = {(torch.Tensor, "sqrt"): sqrt, (torch.Tensor, "sqrt_"): sqrt_,
               (torch, "_foreach_sqrt"): lambda ts: [sqrt(t) for t in ts], (torch, "_foreach_sqrt_"): foreach_sqrt_}
    saved = {k: getattr(*k) for k in patches}
    try:
        for (obj, name), fn in patches.items():
            setattr(obj, name, fn)
        yield
    finally:
        for (obj, name), fn in saved.items():
            setattr(obj, name, fn)


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.5, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, weight_decay=0.02, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.01, betas=(0.7, 0.99), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=5, weight_decay=0.1, lambd=0.01)),
    ("ASGD", dict(lr=0.05, t0=3, maximize=True)),
    ("Rprop", dict(lr=0.05)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
]


def run(name, kwargs, dtype, steps=50):
    """Both libraries from the same parameters and gradients; the first step at which a
    parameter or a state tensor differs in any bit, or None."""
    ep, tp, targets = make_params(dtype)
    eo = getattr(ember.optim, name)(ep, **kwargs)
    to = getattr(torch.optim, name)(tp, **kwargs)
    for step in range(steps):
        set_grads(ep, tp, targets)
        eo.step()
        to.step()
        for e, t in zip(ep, tp):
            if not np.array_equal(e.detach().numpy(), t.detach().numpy()):
                return step
            for key, tv in to.state[t].items():
                ev = eo.state[e][key]
                if not np.array_equal(np.asarray(ev.numpy()), tv.numpy()):
                    return step
    return None


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_bit_for_bit(name, kwargs, dtype, foreach):
    with _exact_sqrt():
        assert run(name, dict(kwargs, foreach=foreach), dtype) is None


def test_default_foreach_is_the_single_tensor_rule_on_cpu():
    # NAdam's two rules round differently; foreach=None on the CPU must be torch's single-tensor one
    with _exact_sqrt():
        assert run("NAdam", dict(lr=0.05), "float32") is None


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.05)), ("RMSprop", dict(lr=0.01, centered=True))])
def test_unpatched_sqrt_is_within_ulps(name, kwargs):
    ep, tp, targets = make_params("float32")
    eo, to = getattr(ember.optim, name)(ep, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    for _ in range(20):
        set_grads(ep, tp, targets)
        eo.step()
        to.step()
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_muon_bit_for_bit():
    rng = np.random.default_rng(0)
    for shape, kw in [((4, 3), {}), ((3, 5), dict(nesterov=False, adjust_lr_fn="match_rms_adamw", lr=0.02)),
                      ((16, 8), dict(weight_decay=0.0, momentum=0.9))]:
        a = rng.standard_normal(shape).astype(np.float32)
        e, t = ember.tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True)
        eo, to = ember.optim.Muon([e], **kw), torch.optim.Muon([t], **kw)
        for _ in range(10):
            e.grad = ember.tensor(np.sin(3 * e.detach().numpy()).astype(np.float32))
            t.grad = torch.tensor(np.sin(3 * t.detach().numpy()).astype(np.float32))
            eo.step()
            to.step()
            assert np.array_equal(e.detach().numpy(), t.detach().numpy()), (shape, kw)
            assert np.array_equal(eo.state[e]["momentum_buffer"].numpy(), to.state[t]["momentum_buffer"].numpy())


@pytest.mark.parametrize("kwargs", [dict(lr=0.05), dict(lr=0.05, weight_decay=0.1, maximize=True, eps=(1e-5, 1e-3),
                                                         d=1.5)])
def test_adafactor_matches(kwargs):
    # bit for bit but for the order in which ember's norm reduction sums (an ulp here and there)
    ep, tp, targets = make_params("float32")
    eo, to = ember.optim.Adafactor(ep, **kwargs), torch.optim.Adafactor(tp, **kwargs)
    for _ in range(50):
        set_grads(ep, tp, targets)
        eo.step()
        to.step()
        for e, t in zip(ep, tp):
            np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)
            assert sorted(eo.state[e]) == sorted(to.state[t])


def test_muon_and_adafactor_errors():
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        ember.optim.Muon([ember.zeros(3, requires_grad=True)])
    with pytest.raises(ValueError, match="Adjust learning rate function foo is not supported"):
        ember.optim.Muon([ember.zeros(3, 3, requires_grad=True)], adjust_lr_fn="foo")
    with pytest.raises(ValueError, match="beta2_decay should be <= 0 but is: 0.5"):
        ember.optim.Adafactor([ember.zeros(3, requires_grad=True)], beta2_decay=0.5)


def test_sparse_adam_refuses_dense_gradients_as_torch():
    msgs = []
    for lib in (torch, ember):
        p = lib.zeros(3, requires_grad=True)
        opt = lib.optim.SparseAdam([p])
        p.grad = lib.ones(3)
        with pytest.raises(RuntimeError) as info:
            opt.step()
        msgs.append(str(info.value))
        with pytest.raises(ValueError, match="Invalid learning rate: 0.0"):
            lib.optim.SparseAdam([p], lr=0.0)
    assert msgs[0] == msgs[1]


def test_swap_in_optimizer_params_and_state():
    results = []
    for lib in (torch, ember):
        live = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adam([live], lr=0.1)
        live.grad = lib.tensor([0.5, -0.5])
        opt.step()
        sd = opt.state_dict()
        other = lib.tensor([3.0, 4.0], requires_grad=True)
        other.grad = lib.tensor([1.0, 1.0])
        swap = {"state": {0: {k: v.clone() for k, v in sd["state"][0].items()}},
                "param_groups": [dict(sd["param_groups"][0], lr=0.5)]}
        with lib.optim.swap_in_optimizer_params_and_state(opt, {"w": other}, swap):
            assert opt.param_groups[0]["params"][0] is other and opt.param_groups[0]["lr"] == 0.5
            opt.step()
        assert opt.param_groups[0]["params"][0] is live and opt.param_groups[0]["lr"] == 0.1
        results.append((other.detach().numpy().copy(), swap["state"][0]["exp_avg"].numpy().copy(),
                        float(swap["state"][0]["step"]), live.detach().numpy().copy()))
        with pytest.raises(RuntimeError, match="requires initialized optimizer state"):
            with lib.optim.swap_in_optimizer_params_and_state(lib.optim.SGD([other]), {}, swap):
                pass
    for a, b in zip(*results):
        assert np.array_equal(a, b)
