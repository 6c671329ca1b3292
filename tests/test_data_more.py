"""StackDataset, DistributedSampler, DataChunk and the datapipe decorators against torch."""
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata


def test_stack_dataset_tuple_dict_and_getitems():
    for lib, data in ((torch, tdata), (ember, edata)):
        a = data.TensorDataset(lib.arange(6))
        b = list(range(10, 16))
        st = data.StackDataset(a, b)
        assert len(st) == 6 and st[2][1] == 12 and int(st[2][0][0]) == 2
        sd = data.StackDataset(x=a, y=b)
        assert set(sd[1]) == {"x", "y"} and sd[1]["y"] == 11
        assert [s[1] for s in st.__getitems__([0, 3])] == [10, 13]
        assert [s["y"] for s in sd.__getitems__([5, 1])] == [15, 11]
        with pytest.raises(ValueError, match="Size mismatch between datasets"):
            data.StackDataset(a, b[:3])
        with pytest.raises(ValueError, match="At least one dataset should be passed"):
            data.StackDataset()
        with pytest.raises(ValueError, match="Supported either"):
            data.StackDataset(a, y=b)
    batches = list(edata.DataLoader(edata.StackDataset(x=list(range(5)), y=list(range(5, 10))), batch_size=2))
    assert batches[0]["x"].tolist() == [0, 1] and batches[-1]["y"].tolist() == [9]


@pytest.mark.parametrize("n,replicas,shuffle,drop_last,seed", [
    (10, 3, True, False, 0), (10, 3, True, True, 0), (10, 3, False, False, 0), (11, 4, True, False, 7),
    (2, 5, True, False, 1), (100, 8, True, True, 42),
])
def test_distributed_sampler_index_order(n, replicas, shuffle, drop_last, seed):
    for epoch in (0, 1, 3):
        for rank in range(replicas):
            t = tdata.DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            e = edata.DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            t.set_epoch(epoch)
            e.set_epoch(epoch)
            assert list(e) == list(t) and len(e) == len(t)
            assert (e.num_samples, e.total_size) == (t.num_samples, t.total_size)


def test_distributed_sampler_errors_as_torch():
    for data in (tdata, edata):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            data.DistributedSampler(range(4))
        with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
            data.DistributedSampler(range(4), num_replicas=3, rank=3)


def test_distributed_sampler_in_a_dataloader():
    ds = edata.TensorDataset(ember.arange(10))
    sampler = edata.DistributedSampler(ds, num_replicas=2, rank=1, seed=3)
    got = [int(x) for (b,) in edata.DataLoader(ds, batch_size=4, sampler=sampler) for x in b]
    assert got == list(tdata.DistributedSampler(range(10), 2, 1, seed=3))


def test_data_chunk():
    for data in (tdata, edata):
        c = data.DataChunk(iter([1, 2, 3]))
        assert isinstance(c, list) and list(c) == [1, 2, 3] and c.as_str("  ") == "  [1, 2, 3]"
        assert list(c.raw_iterator()) == [1, 2, 3] and c.items == [1, 2, 3]


def test_datapipe_decorators():
    class Numbers(edata.IterableDataset):
        def __init__(self, n):
            self.n = n

        @edata.runtime_validation
        def __iter__(self):
            yield from range(self.n)

    assert list(Numbers(3)) == [0, 1, 2]
    with edata.runtime_validation_disabled():
        assert list(Numbers(2)) == [0, 1]

    class IntsOnly:  # what torch's _DataPipeType offers the check
        def issubtype_of_instance(self, d):
            return isinstance(d, int)
    bad = Numbers(2)
    bad.type = IntsOnly()
    bad.n = 0
    assert list(bad) == []
    Numbers.__iter__.__wrapped__  # noqa: B018 - functools.wraps kept the original

    class Mixed(edata.IterableDataset):
        type = IntsOnly()

        @edata.runtime_validation
        def __iter__(self):
            yield from (1, "a")
    with pytest.raises(RuntimeError, match="Expected an instance as subtype of"):
        list(Mixed())
    with edata.runtime_validation_disabled():
        assert list(Mixed()) == [1, "a"]
    with pytest.raises(TypeError, match="Can not decorate function g with 'runtime_validation'"):
        def g():
            pass
        edata.runtime_validation(g)

    ND = edata.non_deterministic(Numbers)
    assert list(ND(2)) == [0, 1]
    with pytest.raises(TypeError, match="Only `IterDataPipe` can be decorated with `non_deterministic`, but int"):
        edata.non_deterministic(int)
    from ember.utils.data._datapipe import guaranteed_datapipes_determinism
    with guaranteed_datapipes_determinism():
        with pytest.raises(TypeError, match="Numbers is non-deterministic, but you set"):
            ND(2)
    cond = edata.non_deterministic(lambda n: n > 2)(Numbers)
    assert list(cond(3)) == [0, 1, 2]

    @edata.argument_validation
    def take(dp: Numbers, k: int):
        return list(dp)[:k]
    assert take(Numbers(4), 2) == [0, 1]
    with pytest.raises(TypeError, match="Expected argument 'dp' as a IterDataPipe, but found <class 'list'>"):
        take([1, 2], 1)


def test_dataset_kind():
    for data in (tdata, edata):
        K = data._DatasetKind
        assert (K.Map, K.Iterable) == (0, 1)
    f = edata._DatasetKind.create_fetcher(edata._DatasetKind.Map, [10, 11, 12], True, lambda b: b, False)
    assert f.fetch([2, 0]) == [12, 10]
