"""ember.distributed in one process (no launcher): errors before init_process_group as torch's, ReduceOp,
DistributedSampler's index order against torch's, the end-of-backward callback DDP relies on."""
import pytest
import torch

import ember
import ember.distributed as dist


def test_lazy_attribute():
    assert ember.distributed is dist
    assert "distributed" in ember._LAZY


def test_collectives_before_init_raise_as_torch():
    t = ember.ones(2)
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier, lambda: dist.all_reduce(t),
               lambda: dist.broadcast(t, 0), lambda: dist.new_group()):
        with pytest.raises(ValueError, match="^Default process group has not been initialized, please make sure to "
                                             "call init_process_group.$"):
            fn()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))
    with pytest.raises(AssertionError, match="Process group cannot be None"):
        dist.destroy_process_group()
    assert not dist.is_initialized()
    assert dist.is_available() == torch.distributed.is_available()


def test_reduce_op_as_torch():
    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
        ours, theirs = getattr(dist.ReduceOp, name), getattr(torch.distributed.ReduceOp, name)
        assert repr(ours) == repr(theirs)
        assert ours.value == int(theirs.value) if hasattr(theirs, "value") else True
    assert dist.ReduceOp.SUM == dist.ReduceOp.RedOpType.SUM


def test_nccl_without_gpu_raises():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="ProcessGroupNCCL is only supported with GPUs, no GPUs found!"):
        dist.init_process_group("nccl", rank=0, world_size=1)
    with pytest.raises(ValueError, match="Invalid backend: 'bogus'"):
        dist.init_process_group("bogus", rank=0, world_size=1)


@pytest.mark.parametrize("n,shuffle,drop_last,seed", [(10, True, False, 0), (10, True, True, 3), (11, False, False, 0),
                                                      (7, True, False, 5), (3, True, False, 0), (13, False, True, 1)])
@pytest.mark.parametrize("replicas", [2, 3, 4])
def test_distributed_sampler_order_equals_torch(n, shuffle, drop_last, seed, replicas):
    data = list(range(n))
    for rank in range(replicas):
        ours = ember.utils.data.distributed.DistributedSampler(data, replicas, rank, shuffle, seed, drop_last)
        theirs = torch.utils.data.distributed.DistributedSampler(data, replicas, rank, shuffle, seed, drop_last)
        for epoch in (0, 1, 7):
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs)


def test_sampler_needs_rank_or_group():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        ember.utils.data.distributed.DistributedSampler(list(range(4)))
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        ember.utils.data.distributed.DistributedSampler(list(range(4)), 2, 2)


def test_queue_callback_runs_at_end_of_backward():
    x = ember.ones(3, requires_grad=True)
    seen = []

    def hook(g):
        ember.autograd.Variable._execution_engine.queue_callback(lambda: seen.append(x.grad.clone()))
        return g
    y = x * 2
    y.register_hook(hook)
    y.sum().backward()
    assert len(seen) == 1 and seen[0].tolist() == [2.0, 2.0, 2.0]  # x.grad was already accumulated
    with pytest.raises(RuntimeError, match="Final callbacks can only be installed during backward pass."):
        ember.autograd.Variable._execution_engine.queue_callback(lambda: None)
    with pytest.raises(RuntimeError, match="Final callbacks can only be installed during backward pass."):
        torch.autograd.Variable._execution_engine.queue_callback(lambda: None)
