"""CyclicLR and the lr_scheduler module's other names against torch."""
import pickle
import warnings

import pytest
import torch

import ember

CASES = [
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2")),
    ("Adam", dict(base_lr=[0.01], max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.9)),
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations",
                 cycle_momentum=False)),
    ("SGD", dict(base_lr=0.02, max_lr=0.3, step_size_up=2, base_momentum=0.7, max_momentum=0.95)),
]


def trace(lib, opt, kwargs, steps=25):
    p = lib.zeros(2, requires_grad=True)
    o = getattr(lib.optim, opt)([p], lr=1.0, **({"momentum": 0.9} if opt == "SGD" else {}))
    s = lib.optim.lr_scheduler.CyclicLR(o, **kwargs)
    out = [(o.param_groups[0]["lr"], o.param_groups[0].get("momentum"), o.param_groups[0].get("betas"))]
    for _ in range(steps):
        o.step()
        s.step()
        g = o.param_groups[0]
        out.append((g["lr"], g.get("momentum"), g.get("betas"), s.get_last_lr()))
    return out, s


@pytest.mark.parametrize("opt,kwargs", CASES)
def test_cyclic_lr_matches_torch(opt, kwargs):
    assert trace(torch, opt, kwargs)[0] == trace(ember, opt, kwargs)[0]


def test_cyclic_lr_errors_and_state_dict():
    for lib in (torch, ember):
        p = lib.zeros(1, requires_grad=True)
        with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
            lib.optim.lr_scheduler.CyclicLR(lib.optim.SGD([p], momentum=0.9), 0.1, 1.0, mode="nope")
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.CyclicLR(lib.optim.Adagrad([p]), 0.1, 1.0)
    _, s = trace(ember, *CASES[1][:2])
    state = s.state_dict()
    assert "_scale_fn_ref" not in state and state["_scale_fn_custom"] is None
    pickle.dumps(state)
    _, s2 = trace(ember, *CASES[1][:2], steps=0)
    s2.load_state_dict(state)
    assert s2.last_epoch == s.last_epoch and s2.scale_fn(3) == 0.25


def test_module_names_and_epoch_warning():
    lrs = ember.optim.lr_scheduler
    assert lrs.EPOCH_DEPRECATION_WARNING == torch.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING
    assert lrs.inf == torch.optim.lr_scheduler.inf and lrs.Tensor is ember.Tensor
    o = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    s = lrs.StepLR(o, 2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        o.step()
        s.step(3)
    assert any(lrs.EPOCH_DEPRECATION_WARNING in str(x.message) for x in w)
