"""ember.utils.data against torch.utils.data: samplers, collation, DataLoader ordering and workers."""
import collections
import gc
import multiprocessing
import os
import time

import numpy as np
import pytest
import torch

import ember
from ember.utils import data as ed
from tests.oracle import assert_same

td = torch.utils.data


def both(fn):
    """Run fn(m, d) for (ember, ember.utils.data) and (torch, torch.utils.data)."""
    return fn(ember, ed), fn(torch, td)


def tensor_ds(m, d, n=10):
    return d.TensorDataset(m.arange(n, dtype=m.float32).reshape(n, 1) * 2, m.arange(n))


def batches(loader):
    return [[t.tolist() if hasattr(t, "tolist") else t for t in b] if isinstance(b, (list, tuple)) else b.tolist()
            for b in loader]


# -- datasets -------------------------------------------------------------------------------------
def test_tensor_concat_subset():
    e, t = both(lambda m, d: tensor_ds(m, d))
    assert len(e) == len(t) == 10
    assert_same(e[3], t[3])
    ec = ed.ConcatDataset([e, ed.Subset(e, [9, 0, 4])])
    assert len(ec) == 13 and ec.cumulative_sizes == [10, 13]
    assert ec[11][1].item() == 0 and ec[-1][1].item() == 4
    assert (e + e)[15][1].item() == 5
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):  # as torch (an assert)
        ed.TensorDataset(ember.zeros(3), ember.zeros(4))


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [0.33, 0.33, 0.34]])
def test_random_split_matches_torch(lengths):
    def split(m, d):
        g = m.Generator().manual_seed(42)
        return [list(s.indices) for s in d.random_split(range(10), lengths, generator=g)]
    e, t = both(split)
    assert e == t


def test_random_split_errors():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        ed.random_split(range(10), [3, 3])


# -- samplers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [dict(), dict(replacement=True), dict(num_samples=25),
                                    dict(replacement=True, num_samples=70), dict(num_samples=3)])
def test_random_sampler_matches_torch(kwargs):
    def order(m, d):
        g = m.Generator().manual_seed(7)
        s = d.RandomSampler(range(10), generator=g, **kwargs)
        return [list(s), list(s), len(s)]
    e, t = both(order)
    assert e == t


def test_random_sampler_global_seed_matches_torch():
    ember.manual_seed(3)
    torch.manual_seed(3)
    assert list(ed.RandomSampler(range(20))) == list(td.RandomSampler(range(20)))


def test_other_samplers_match_torch():
    def run(m, d):
        g = m.Generator().manual_seed(5)
        out = [list(d.SequentialSampler(range(5)))]
        out.append(list(d.SubsetRandomSampler([10, 20, 30, 40], generator=g)))
        out.append(list(d.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 12, generator=g)))
        out.append(list(d.WeightedRandomSampler([0.1, 0.9, 0.4, 1.0], 3, replacement=False, generator=g)))
        for drop in (False, True):
            bs = d.BatchSampler(d.SequentialSampler(range(10)), 3, drop)
            out.append([list(bs), len(bs)])
        return out
    e, t = both(run)
    assert e == t


@pytest.mark.parametrize("make", [
    lambda d: d.BatchSampler(range(3), 0, False),
    lambda d: d.BatchSampler(range(3), 2, 1),
    lambda d: d.RandomSampler(range(3), replacement=1),
    lambda d: d.RandomSampler(range(3), num_samples=0),
    lambda d: d.WeightedRandomSampler([1.0], 0),
])
def test_sampler_errors_match_torch(make):
    for d in (td, ed):
        with pytest.raises(Exception) as info:
            make(d)
        if d is td:
            t = info
    assert type(info.value) is type(t.value) and str(info.value) == str(t.value)


# -- collation --------------------------------------------------------------------------------------
Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("make", [
    lambda m: [m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])],
    lambda m: [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
    lambda m: [np.float32(1.5), np.float32(2.5)],
    lambda m: [1.5, 2.5],
    lambda m: [1, 2, 3],
    lambda m: [True, False],
    lambda m: ["a", "b"],
    lambda m: [(1, "a", m.tensor(1.0)), (2, "b", m.tensor(2.0))],
    lambda m: [{"x": 1, "y": [1.0, 2.0]}, {"x": 2, "y": [3.0, 4.0]}],
    lambda m: [Point(1, m.zeros(2)), Point(2, m.ones(2))],
    lambda m: [[np.zeros((2, 2)), 0], [np.ones((2, 2)), 1]],
    lambda m: [collections.OrderedDict(a=m.tensor([1])), collections.OrderedDict(a=m.tensor([2]))],
])
def test_default_collate_matches_torch(make):
    e = ed.default_collate(make(ember))
    t = td.default_collate(make(torch))
    _assert_nested(e, t)


def _assert_nested(e, t):
    if isinstance(t, torch.Tensor):
        assert_same(e, t)
    elif isinstance(t, dict):
        assert list(e) == list(t)
        for k in t:
            _assert_nested(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            _assert_nested(a, b)
    else:
        assert e == t


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        ed.default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        ed.default_collate([object(), object()])


def test_default_convert_matches_torch():
    sample = lambda m: {"a": np.arange(3), "b": (np.float64(2.0), "s"), "c": [np.zeros(2, np.float32)]}  # noqa
    e, t = ed.default_convert(sample(ember)), td.default_convert(sample(torch))
    _assert_nested(e, t)


# -- DataLoader, single process --------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
    dict(batch_size=4, shuffle=True), dict(batch_size=2, shuffle=True, drop_last=True),
])
def test_loader_matches_torch(kwargs):
    def run(m, d):
        g = m.Generator().manual_seed(11)
        loader = d.DataLoader(tensor_ds(m, d), generator=g, **kwargs)
        return [len(loader), batches(loader), batches(loader)]
    e, t = both(run)
    assert e == t


def test_loader_global_seed_shuffle_matches_torch():
    ember.manual_seed(123)
    torch.manual_seed(123)
    e = batches(ed.DataLoader(tensor_ds(ember, ed), batch_size=4, shuffle=True))
    t = batches(td.DataLoader(tensor_ds(torch, td), batch_size=4, shuffle=True))
    assert e == t


def test_loader_sampler_batch_sampler_collate_fn():
    ds = tensor_ds(ember, ed)
    loader = ed.DataLoader(ds, batch_sampler=[[0, 5], [9]], collate_fn=lambda b: [s[1].item() for s in b])
    assert list(loader) == [[0, 5], [9]]
    loader = ed.DataLoader(ds, sampler=[3, 1], batch_size=2)
    assert batches(loader)[0][1] == [3, 1]
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3


class Stream(ed.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = ed.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class TorchStream(td.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)])
def test_iterable_dataset_matches_torch(kwargs):
    e = ed.DataLoader(Stream(10), **kwargs)
    t = td.DataLoader(TorchStream(10), **kwargs)
    assert len(e) == len(t)
    as_list = lambda b: b.tolist() if hasattr(b, "tolist") else b  # noqa: E731 - unbatched ints stay ints
    assert [as_list(b) for b in e] == [as_list(b) for b in t]


@pytest.mark.parametrize("make", [
    lambda d, ds: d.DataLoader(ds, num_workers=-1),
    lambda d, ds: d.DataLoader(ds, timeout=-1),
    lambda d, ds: d.DataLoader(ds, prefetch_factor=2),
    lambda d, ds: d.DataLoader(ds, persistent_workers=True),
    lambda d, ds: d.DataLoader(ds, sampler=[0], shuffle=True),
    lambda d, ds: d.DataLoader(ds, batch_sampler=[[0]], batch_size=2),
    lambda d, ds: d.DataLoader(ds, batch_size=None, drop_last=True),
])
def test_loader_errors_match_torch(make):
    with pytest.raises(ValueError) as t:
        make(td, list(range(4)))
    with pytest.raises(ValueError) as e:
        make(ed, list(range(4)))
    assert str(e.value) == str(t.value)


# -- DataLoader, worker processes --------------------------------------------------------------------
class SlowSquares(ed.Dataset):
    """Items take longer for small indices, so results come back out of order."""

    def __len__(self):
        return 16

    def __getitem__(self, i):
        time.sleep(0.02 if i % 3 == 0 else 0.0)
        info = ed.get_worker_info()
        return ember.tensor([i * i]), (info.id if info is not None else -1)


def no_children():
    gc.collect()
    deadline = time.time() + 10
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children() == []


def test_workers_preserve_order_and_match_single_process():
    g1, g2 = ember.Generator().manual_seed(0), ember.Generator().manual_seed(0)
    single = ed.DataLoader(SlowSquares(), batch_size=3, shuffle=True, generator=g1)
    multi = ed.DataLoader(SlowSquares(), batch_size=3, shuffle=True, generator=g2, num_workers=3, prefetch_factor=1)
    a, b = list(single), list(multi)
    assert [x[0].tolist() for x in a] == [x[0].tolist() for x in b]
    assert {w for x in b for w in x[1].tolist()} == {0, 1, 2}  # really spread over the workers
    assert all(w == -1 for x in a for w in x[1].tolist())
    assert no_children()


def test_worker_info_and_init_fn():
    def init(worker_id):
        info = ed.get_worker_info()
        assert info.id == worker_id
        os.environ["EMBER_TEST_WORKER"] = str(worker_id * 10)

    class Probe(ed.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = ed.get_worker_info()
            return [info.id, info.num_workers, int(os.environ["EMBER_TEST_WORKER"]), info.seed]

    out = list(ed.DataLoader(Probe(), batch_size=None, num_workers=2, worker_init_fn=init,
                             generator=ember.Generator().manual_seed(1)))
    assert [o[:3] for o in out] == [[0, 2, 0], [1, 2, 10], [0, 2, 0], [1, 2, 10]]
    assert out[1][3] == out[0][3] + 1  # seed = base_seed + worker id
    assert ed.get_worker_info() is None


class RandomDraws(ed.Dataset):
    """Each item draws from the library's, NumPy's and Python's generators inside the worker."""

    def __init__(self, m):
        self.m = m

    def __len__(self):
        return 4

    def __getitem__(self, i):
        import random

        return [self.m.rand(2).tolist(), np.random.rand(2).tolist(), random.random()]


def test_worker_randomness_matches_torch():
    """Same loader generator -> same base seed -> torch's per-worker seeds for all three generators."""
    def draws(m, d, ds):
        return list(d.DataLoader(ds, batch_size=None, num_workers=2, generator=m.Generator().manual_seed(9)))
    e = draws(ember, ed, RandomDraws(ember))
    t = draws(torch, td, RandomDraws(torch))
    assert e == t
    assert e[0] != e[1]  # the two workers are seeded differently


def test_iterable_dataset_with_workers():
    loader = ed.DataLoader(Stream(10), batch_size=2, num_workers=2)
    got = sorted(v for b in loader for v in b.tolist())
    assert got == list(range(10))
    assert no_children()


class Failing(ed.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return i


def test_worker_error_reraised_with_traceback():
    loader = ed.DataLoader(Failing(), batch_size=2, num_workers=2)
    seen = []
    with pytest.raises(ValueError) as info:
        for b in loader:
            seen.append(b.tolist())
    msg = str(info.value)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "Traceback (most recent call last)" in msg and "bad sample 5" in msg and "__getitem__" in msg
    assert seen == [[0, 1], [2, 3]]
    del info
    assert no_children()


def test_key_error_and_init_error():
    class Missing(ed.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return {}["nope"]

    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(ed.DataLoader(Missing(), num_workers=1))

    def bad_init(worker_id):
        raise RuntimeError("init failed")

    with pytest.raises(RuntimeError, match="init failed"):
        list(ed.DataLoader(list(range(4)), num_workers=2, worker_init_fn=bad_init))
    assert no_children()


def test_early_break_leaves_no_process():
    loader = ed.DataLoader(SlowSquares(), batch_size=2, num_workers=3)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    assert no_children()


def test_keyboard_interrupt_leaves_no_process():
    class Interrupting(ed.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return i

    loader = ed.DataLoader(Interrupting(), num_workers=2)
    with pytest.raises(KeyboardInterrupt):
        for i, _ in enumerate(loader):
            if i == 2:
                raise KeyboardInterrupt
    assert no_children()


def test_ctrl_c_while_waiting_for_a_worker_leaves_no_process():
    import signal
    import threading

    class Slow(ed.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            time.sleep(1.0)
            return i

    loader = ed.DataLoader(Slow(), num_workers=2)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt) as info:
        for _ in loader:
            pass
    timer.join()
    assert info.value is not None  # the traceback (holding the iterator) is still alive here
    assert no_children()


def test_persistent_workers_reused_across_epochs():
    loader = ed.DataLoader(SlowSquares(), batch_size=4, num_workers=2, persistent_workers=True)
    first = [b[0].tolist() for b in loader]
    pids = [w.pid for w in loader._iterator._workers]
    it = iter(loader)
    next(it)  # a partial epoch; the next one starts over cleanly
    second = [b[0].tolist() for b in loader]
    assert first == second == [[[i * i] for i in range(j, j + 4)] for j in range(0, 16, 4)]
    assert [w.pid for w in loader._iterator._workers] == pids
    assert all(w.is_alive() for w in loader._iterator._workers)
    loader._iterator._shutdown_workers()
    assert no_children()


def test_timeout():
    class Sleepy(ed.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(1.2)
            return i

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(ed.DataLoader(Sleepy(), num_workers=1, timeout=0.5))
    assert no_children()


def test_pin_memory_accepted_on_cpu():
    import contextlib
    import warnings

    expect = pytest.warns(UserWarning, match="pin_memory") if not ember.cuda.is_available() \
        else contextlib.nullcontext()
    with expect, warnings.catch_warnings():
        if ember.cuda.is_available():
            warnings.simplefilter("error")
        out = batches(ed.DataLoader(tensor_ds(ember, ed), batch_size=5, pin_memory=True))
    assert out[1][1] == [5, 6, 7, 8, 9]
