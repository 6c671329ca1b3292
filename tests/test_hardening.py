"""Hardening (issue 14): edge cases where ember hung, overflowed silently or
reported slowly, each compared with torch."""
import warnings

import numpy as np
import pytest
import torch

import ember


# nn.init.trunc_normal_: torch 2.13 rejects normal draws when [a, b] holds > 30% of
# the mass and otherwise accepts uniform proposals; far-tail intervals used to loop forever.
@pytest.mark.parametrize("mean,std,a,b,dtype", [
    (0.0, 1.0, -2.0, 2.0, "float32"),
    (0.0, 1.0, 10.0, 11.0, "float32"),          # far in the tail: p == 0
    (0.0, 1.0, -1e3, -999.0, "float64"),
    (0.0, 1.0, 2.0, 2.0, "float32"),            # a point
    (0.0, 1.0, 0.0, float("inf"), "float32"),
    (5.0, 0.1, 0.0, 1.0, "float64"),            # mean far outside [a, b]
    (0.0, 1.0, -0.1, 0.2, "float32"),           # narrow: uniform proposals
])
def test_trunc_normal_matches_torch_for_the_same_seed(mean, std, a, b, dtype):
    out = []
    for lib in (torch, ember):
        gen = lib.Generator().manual_seed(3)
        w = lib.empty(4, 50, dtype=getattr(lib, dtype))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = lib.nn.init.trunc_normal_(w, mean, std, a, b, generator=gen)
        assert res is w
        out.append((w.numpy(), [str(c.message) for c in caught]))
    (tv, tw), (ev, ew) = out
    assert ev.dtype == tv.dtype and np.array_equal(ev, tv)
    assert ew == tw
    assert (ev >= a).all() and (ev <= b).all()


def test_trunc_normal_empty_interval_raises_like_torch():
    with pytest.raises(RuntimeError) as t_err:
        torch.nn.init.trunc_normal_(torch.empty(3), a=3.0, b=2.0)
    with pytest.raises(RuntimeError) as e_err:
        ember.nn.init.trunc_normal_(ember.empty(3), a=3.0, b=2.0)
    assert str(e_err.value) == str(t_err.value)


def test_trunc_normal_global_generator_matches_torch():
    torch.manual_seed(7)
    ember.manual_seed(7)
    t = torch.nn.init.trunc_normal_(torch.empty(300), std=0.02)
    e = ember.nn.init.trunc_normal_(ember.empty(300), std=0.02)
    assert np.array_equal(e.numpy(), t.numpy())


# Creation with a value the dtype cannot hold: torch raises, NumPy would wrap silently.
_CREATORS = {
    "full": lambda lib, dt, v: lib.full((2,), v, dtype=dt),
    "fill_": lambda lib, dt, v: lib.zeros(2, dtype=dt).fill_(v),
    "full_like": lambda lib, dt, v: lib.full_like(lib.zeros(2, dtype=dt), v),
    "new_full": lambda lib, dt, v: lib.zeros(2, dtype=dt).new_full((2,), v),
    "scalar_tensor": lambda lib, dt, v: lib.scalar_tensor(v, dtype=dt),
    "tensor": lambda lib, dt, v: lib.tensor(v, dtype=dt),
    "tensor_list": lambda lib, dt, v: lib.tensor([1, v], dtype=dt),
    "as_tensor": lambda lib, dt, v: lib.as_tensor(v, dtype=dt),
}
_DTYPES = ["int8", "uint8", "int16", "int32", "int64", "bool", "float32", "float64"]
_VALUES = [1e10, 300, 128, -1, -255, -256, -1.0, 0.5, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 70000.0, 1e300,
           3.4028235e38, float("nan"), float("inf"), -float("inf"), True, complex(1, 2), complex(300, 0)]


def _outcome(fn):
    try:
        return "ok", repr(fn().tolist())
    except Exception as exc:  # noqa: BLE001 - the class and message are compared
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("name", list(_CREATORS))
def test_creation_overflow_matches_torch(name):
    make = _CREATORS[name]
    for dt in _DTYPES:
        for v in _VALUES:
            expected = _outcome(lambda: make(torch, getattr(torch, dt), v))
            got = _outcome(lambda: make(ember, getattr(ember, dt), v))
            assert got == expected, (name, dt, v)


@pytest.mark.parametrize("name", ["full", "fill_", "scalar_tensor"])
def test_scalar_path_python_ints_beyond_64_bits(name):
    make = _CREATORS[name]
    for dt in ["int8", "uint8", "int64", "float32", "bool"]:
        for v in [2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63 - 1]:
            assert _outcome(lambda: make(ember, getattr(ember, dt), v)) == \
                _outcome(lambda: make(torch, getattr(torch, dt), v)), (dt, v)


def test_tensor_list_with_int_beyond_int64_raises_not_wraps():
    for dt in ["int8", "int64"]:
        for v in [2 ** 63, 2 ** 64 - 1]:
            expected = _outcome(lambda: torch.tensor([1, v], dtype=getattr(torch, dt)))
            assert expected[0] == "ValueError"
            assert _outcome(lambda: ember.tensor([1, v], dtype=getattr(ember, dt))) == expected


# DataLoader: a dead worker or a timeout is reported at once (torch: SIGCHLD), and the
# other workers, which may be stuck, are terminated rather than waited for.
class _SlowAfter(ember.utils.data.Dataset):
    """Items from `fast` on take a long time, as a hung worker would."""

    def __init__(self, fast):
        self.fast = fast

    def __len__(self):
        return 100

    def __getitem__(self, i):
        if i >= self.fast:
            import time
            time.sleep(60)
        return i


def _drain(it):
    import time
    start = time.monotonic()
    try:
        with pytest.raises(RuntimeError) as err:
            while True:
                next(it)
        return time.monotonic() - start, str(err.value)
    finally:
        alive = [w for w in it._workers if w.is_alive()]
        for w in alive:  # torch leaves its stuck worker for a 5 s join when collected: end it here
            w.kill()
            w.join()
        it.__dict__["_alive_after_error"] = alive


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_killed_worker_is_reported_promptly(lib):
    import os
    import signal
    loader = lib.utils.data.DataLoader(_SlowAfter(4), batch_size=2, num_workers=2,
                                       multiprocessing_context="fork")
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    victim = it._workers[0]
    os.kill(victim.pid, signal.SIGKILL)
    elapsed, message = _drain(it)
    assert message.startswith(f"DataLoader worker (pid(s) {victim.pid}) exited unexpectedly")
    assert elapsed < (1.5 if lib is ember else 3)  # issue 14: reported within about a second (torch: 0.4 s)
    if lib is ember:
        assert it._alive_after_error == []  # the stuck one was terminated too


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_timeout_is_reported_after_timeout_seconds(lib):
    loader = lib.utils.data.DataLoader(_SlowAfter(4), batch_size=2, num_workers=2, timeout=1,
                                       multiprocessing_context="fork")
    it = iter(loader)
    assert [next(it).tolist(), next(it).tolist()] == [[0, 1], [2, 3]]
    elapsed, message = _drain(it)
    assert message.startswith("DataLoader timed out after 1 seconds")
    assert 0.9 < elapsed < (2 if lib is ember else 3)  # the timeout itself, no per-worker shutdown wait
    if lib is ember:
        assert it._alive_after_error == []


def test_normal_shutdown_still_stops_workers_politely():
    loader = ember.utils.data.DataLoader(list(range(10)), batch_size=3, num_workers=2)
    it = iter(loader)
    assert [b.tolist() for b in it] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert all(w.exitcode == 0 for w in it._workers)
