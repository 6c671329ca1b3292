"""Learning-rate schedulers against torch: the same lrs (and momenta) at every one of 50 steps."""
import math

import pytest
import torch

import ember

S = "optim.lr_scheduler"


def pair(opt_name="SGD", groups=2, **opt_kwargs):
    """The same optimizer in both libraries, with `groups` parameter groups of different lrs."""
    opt_kwargs = opt_kwargs or dict(lr=0.1, momentum=0.9)
    out = []
    for m in (ember, torch):
        params = [{"params": [m.zeros(2, requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(groups)]
        out.append(getattr(m.optim, opt_name)(params, **opt_kwargs))
    return out


def sched(m, opt, name, *args, **kwargs):
    return getattr(m.optim.lr_scheduler, name)(opt, *args, **kwargs)


CASES = [
    ("LambdaLR", (lambda epoch: 0.95 ** epoch,), {}),
    ("StepLR", (7,), dict(gamma=0.5)),
    ("MultiStepLR", ([5, 12, 12, 30],), dict(gamma=0.3)),
    ("ExponentialLR", (0.93,), {}),
    ("CosineAnnealingLR", (10,), dict(eta_min=0.001)),
    ("CosineAnnealingLR", (50,), {}),
    ("LinearLR", (), dict(start_factor=0.25, end_factor=0.9, total_iters=20)),
    ("LinearLR", (), {}),
    ("MultiplicativeLR", (lambda epoch: 0.97,), {}),
    ("ConstantLR", (), dict(factor=0.5, total_iters=4)),
    ("PolynomialLR", (), dict(total_iters=30, power=2.0)),
    ("CosineAnnealingWarmRestarts", (5,), dict(T_mult=2, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", (7,), {}),
    ("OneCycleLR", (), dict(max_lr=1.0, total_steps=51)),
    ("OneCycleLR", (), dict(max_lr=[0.5, 0.8], epochs=3, steps_per_epoch=17, anneal_strategy="linear",
                            three_phase=True)),
]


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_schedule_matches_torch(name, args, kwargs, opt_name):
    eo, to = pair(opt_name, lr=0.1, **({"momentum": 0.9} if opt_name == "SGD" else {}))
    es, ts = sched(ember, eo, name, *args, **kwargs), sched(torch, to, name, *args, **kwargs)
    assert es.get_last_lr() == ts.get_last_lr()
    for step in range(50):
        eo.step()
        to.step()
        es.step()
        ts.step()
        assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12, abs=1e-15), step
        for eg, tg in zip(eo.param_groups, to.param_groups):
            assert eg["lr"] == pytest.approx(tg["lr"], rel=1e-12, abs=1e-15)
            key = "momentum" if opt_name == "SGD" else "betas"
            assert eg[key] == pytest.approx(tg[key], rel=1e-12)
    assert es.last_epoch == ts.last_epoch == 50


@pytest.mark.parametrize("name,args,kwargs", [c for c in CASES if c[0] != "OneCycleLR"])
def test_closed_form_with_epoch(name, args, kwargs):
    eo, to = pair()
    es, ts = sched(ember, eo, name, *args, **kwargs), sched(torch, to, name, *args, **kwargs)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 7, 12, 20, 33]:
            es.step(epoch)
            ts.step(epoch)
            assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.1, threshold_mode="abs", cooldown=3, min_lr=0.01),
    dict(mode="min", factor=0.3, patience=0, threshold_mode="rel", cooldown=1, min_lr=[0.02, 0.001]),
])
def test_reduce_lr_on_plateau(kwargs):
    eo, to = pair()
    es = ember.optim.lr_scheduler.ReduceLROnPlateau(eo, **kwargs)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(to, **kwargs)
    metrics = [1.0 / (1 + i) if i < 10 else 0.1 + 0.01 * math.sin(i) for i in range(60)]
    for m in metrics:
        es.step(ember.tensor(m, dtype=ember.float64))  # any float-convertible metric
        ts.step(m)
        assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
        assert (es.num_bad_epochs, es.cooldown_counter, es.best) == (ts.num_bad_epochs, ts.cooldown_counter, ts.best)
    assert es.get_last_lr() != [0.1, 0.2]  # it did reduce
    sd = es.state_dict()
    assert "optimizer" not in sd and sd["best"] == ts.state_dict()["best"]


def test_state_dict_round_trip():
    eo, _ = pair()
    s = ember.optim.lr_scheduler.StepLR(eo, 3, gamma=0.5)
    for _ in range(5):
        eo.step()
        s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 5 and sd["base_lrs"] == [0.1, 0.2]
    eo2, _ = pair()
    for g, g_old in zip(eo2.param_groups, eo.param_groups):
        g["initial_lr"] = g_old["initial_lr"]
        g["lr"] = g_old["lr"]
    s2 = ember.optim.lr_scheduler.StepLR(eo2, 100, gamma=0.9, last_epoch=4)
    s2.load_state_dict(sd)
    for _ in range(10):
        s.step()
        s2.step()
        assert s.get_last_lr() == s2.get_last_lr()


def test_lambda_state_dict_keeps_callable_object_state():
    class Warmup:
        def __init__(self):
            self.factor = 2.0

        def __call__(self, epoch):
            return self.factor * epoch

    eo, to = pair(groups=1)
    fn = Warmup()
    es = ember.optim.lr_scheduler.LambdaLR(eo, fn)
    ts = torch.optim.lr_scheduler.LambdaLR(to, Warmup())
    assert es.state_dict()["lr_lambdas"] == ts.state_dict()["lr_lambdas"] == [{"factor": 2.0}]
    fn.factor = 5.0
    es.load_state_dict(ts.state_dict())
    assert fn.factor == 2.0
    plain = ember.optim.lr_scheduler.LambdaLR(pair(groups=1)[0], lambda e: 1.0)
    assert plain.state_dict()["lr_lambdas"] == [None]


def test_chaining_two_schedulers_like_torch():
    eo, to = pair()
    e1, t1 = sched(ember, eo, "ExponentialLR", 0.9), sched(torch, to, "ExponentialLR", 0.9)
    e2, t2 = sched(ember, eo, "StepLR", 4, gamma=0.5), sched(torch, to, "StepLR", 4, gamma=0.5)
    for _ in range(20):
        eo.step()
        to.step()
        for e, t in ((e1, t1), (e2, t2)):
            e.step()
            t.step()
        assert [g["lr"] for g in eo.param_groups] == pytest.approx([g["lr"] for g in to.param_groups], rel=1e-12)


@pytest.mark.parametrize("make", [
    lambda m, o: m.optim.lr_scheduler.StepLR(object(), 3),
    lambda m, o: m.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda m, o: m.optim.lr_scheduler.LinearLR(o, end_factor=2),
    lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, mode="avg"),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
    lambda m, o: m.optim.lr_scheduler.StepLR(o, 3, last_epoch=5),
    lambda m, o: m.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0]),
])
def test_errors_match_torch(make):
    def outcome(m):
        opt = m.optim.SGD([{"params": [m.zeros(1, requires_grad=True)]},
                           {"params": [m.zeros(1, requires_grad=True)]}], lr=0.1)
        try:
            make(m, opt)
        except Exception as e:  # noqa: BLE001 - the class and message are compared
            return type(e), str(e)
        return None, None

    (ec, em), (tc, tm) = outcome(ember), outcome(torch)
    assert tc is not None and ec is tc
    assert tm.startswith(em.split("\n")[0][:60])


def test_onecycle_too_many_steps():
    eo, _ = pair()
    s = ember.optim.lr_scheduler.OneCycleLR(eo, 1.0, total_steps=3)
    for _ in range(3):
        s.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        s.step()


def _composites(m, opt, kind):
    S_ = m.optim.lr_scheduler
    warm = S_.LinearLR(opt, start_factor=0.1, total_iters=5)
    if kind == "sequential":
        return S_.SequentialLR(opt, [warm, S_.CosineAnnealingLR(opt, T_max=20), S_.StepLR(opt, 3, gamma=0.5)],
                               milestones=[5, 25])
    return S_.ChainedScheduler([warm, S_.ExponentialLR(opt, gamma=0.95)])


@pytest.mark.parametrize("kind", ["sequential", "chained"])
def test_composite_schedulers_match_torch(kind):
    """SequentialLR (warm-up then cosine then steps) and ChainedScheduler, each step and
    through a state_dict round trip into a fresh scheduler."""
    eo, to = pair()
    es, ts = _composites(ember, eo, kind), _composites(torch, to, kind)
    assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
    for step in range(40):
        eo.step()
        to.step()
        es.step()
        ts.step()
        assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12, abs=1e-15), step
        if step == 17:
            state, opt_state = es.state_dict(), eo.state_dict()
            assert len(state["_schedulers"]) == len(ts.state_dict()["_schedulers"])
            es = _composites(ember, eo, kind)  # building schedulers moves the lrs: restore both
            eo.load_state_dict(opt_state)
            es.load_state_dict(state)
    for eg, tg in zip(eo.param_groups, to.param_groups):
        assert eg["lr"] == pytest.approx(tg["lr"], rel=1e-12)


def test_composite_scheduler_errors():
    eo, _ = pair()
    other, _ = pair()
    S_ = ember.optim.lr_scheduler
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        S_.SequentialLR(eo, [S_.StepLR(eo, 2)], milestones=[3])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        S_.ChainedScheduler([S_.ReduceLROnPlateau(eo)])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        S_.SequentialLR(eo, [S_.StepLR(eo, 2), S_.StepLR(other, 2)], milestones=[3])
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        S_.CosineAnnealingWarmRestarts(eo, 0)
