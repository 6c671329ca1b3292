"""Grad mode and inference mode are per thread, as in torch: one thread's no_grad
(an optimizer step) must not switch recording off for another thread's forward.
Anomaly mode is process-wide in torch (a static flag), and so in ember."""
import threading

import torch

import ember

BARRIER_TIMEOUT = 30


def _run_threads(*targets):
    """Run each target in its own thread; re-raise the first failure here."""
    results, errors = [None] * len(targets), []

    def wrap(i, fn):
        try:
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return results


def _model(seed):
    ember.manual_seed(seed)
    return ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 1))


def _data(seed):
    g = ember.Generator().manual_seed(seed)
    return ember.randn(16, 4, generator=g), ember.randn(16, 1, generator=g)


def _setup(seed):
    """Built in the main thread: the default generator is shared by all threads (in torch too)."""
    return _model(seed), _data(seed + 100)


def _train(setup, steps, sync=None, role=None):
    """SGD on one model; with `sync`, the two roles interleave so that role 0 sits
    inside no_grad exactly while role 1 records its forward, and vice versa."""
    model, (x, y) = setup
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        if sync is not None and role == 0:
            with ember.no_grad():
                sync.wait(BARRIER_TIMEOUT)  # the other thread now records its forward
                sync.wait(BARRIER_TIMEOUT)
                assert not ember.is_grad_enabled()
        loss = ember.nn.functional.mse_loss(model(x), y)
        if sync is not None and role == 1:
            sync.wait(BARRIER_TIMEOUT)
            assert loss.grad_fn is not None and ember.is_grad_enabled()
            sync.wait(BARRIER_TIMEOUT)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().clone() for p in model.parameters()]


def test_two_threads_train_as_if_one_after_the_other():
    steps = 5
    expected = [_train(_setup(1), steps), _train(_setup(2), steps)]
    for roles in ((0, 1), (1, 0)):
        sync = threading.Barrier(2)
        a, b = _setup(1), _setup(2)
        got = _run_threads(lambda: _train(a, steps, sync, roles[0]), lambda: _train(b, steps, sync, roles[1]))
        for (exp_losses, exp_params), (losses, params) in zip(expected, got):
            assert losses == exp_losses
            for p, q in zip(params, exp_params):
                assert ember.equal(p, q)
    assert ember.is_grad_enabled()


def _new_thread_modes(lib):
    def probe():
        x = lib.ones(2, requires_grad=True)
        return (lib.is_grad_enabled(), lib.is_inference_mode_enabled(), lib.is_anomaly_enabled(),
                (x * 2).requires_grad)
    return _run_threads(probe)[0]


def test_new_threads_start_with_grad_enabled():
    for lib in (ember, torch):
        with lib.no_grad():
            assert _new_thread_modes(lib) == (True, False, False, True)
        with lib.inference_mode():
            assert _new_thread_modes(lib) == (True, False, False, True)
        lib.autograd.set_detect_anomaly(True)
        try:
            assert _new_thread_modes(lib) == (True, False, True, True)  # anomaly mode is shared
        finally:
            lib.autograd.set_detect_anomaly(False)


def test_a_thread_switching_modes_leaves_the_caller_alone():
    def switch_off(lib):
        def body():
            lib.set_grad_enabled(False)  # a plain call: sticks for this thread only
            lib.autograd.set_detect_anomaly(True)
            return lib.is_grad_enabled(), lib.is_anomaly_enabled()
        return body

    for lib in (ember, torch):
        try:
            assert _run_threads(switch_off(lib)) == [(False, True)]
            assert lib.is_grad_enabled() and lib.is_anomaly_enabled()  # grad mode per thread, anomaly shared
        finally:
            lib.autograd.set_detect_anomaly(False)
        x = lib.ones(2, requires_grad=True)
        assert (x * 2).requires_grad


def test_no_grad_decorator_in_one_thread_while_another_records():
    sync = threading.Barrier(2)

    @ember.no_grad()
    def holder():
        sync.wait(BARRIER_TIMEOUT)
        sync.wait(BARRIER_TIMEOUT)
        return ember.is_grad_enabled()

    def recorder():
        sync.wait(BARRIER_TIMEOUT)
        x = ember.ones(3, requires_grad=True)
        y = (x * x).sum()
        sync.wait(BARRIER_TIMEOUT)
        y.backward()
        return x.grad.tolist()

    assert _run_threads(holder, recorder) == [False, [2.0, 2.0, 2.0]]
