"""torch.multiprocessing: shared-memory tensors across fork, spawn and forkserver; Hogwild training on
shared parameters; mp.spawn's error reporting; data_ptr/storage identity. Checked against torch."""
import multiprocessing

import numpy as np
import pytest
import torch

import ember
import ember.multiprocessing as emp

import _mp_workers as W


def test_share_memory_keeps_values_and_views_follow():
    t = ember.arange(6.0).reshape(2, 3)
    v = t[1]
    assert not t.is_shared() and not v.is_shared()
    assert t.share_memory_() is t and t.is_shared()
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    w = t[1]
    assert w.is_shared()
    assert w.data_ptr() - t.data_ptr() == 3 * t.element_size()
    assert w.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
    assert t.untyped_storage().nbytes() == 24 and len(t.storage()) == 6
    s = ember.arange(4.0)[1:]
    s.share_memory_()  # a view: its base moves with it
    s[0] = 9
    assert s._base.tolist() == [0.0, 9.0, 2.0, 3.0]


def test_storage_identity_matches_torch():
    for lib in (torch, ember):
        x = lib.arange(10.0)
        y = x[2:5]
        z = x.clone()
        assert y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        assert z.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
        assert y.data_ptr() - x.data_ptr() == 2 * x.element_size()
        assert lib.empty(0).data_ptr() == 0
        assert x.untyped_storage().nbytes() == 40 and x.storage().size() == 10


def test_pin_memory_without_accelerator_is_torchs_error():
    with pytest.raises(RuntimeError) as t:
        torch.ones(2).pin_memory()
    with pytest.raises(RuntimeError) as e:
        ember.ones(2).pin_memory()
    assert str(e.value) == str(t.value)
    assert ember.ones(2).is_pinned() is torch.ones(2).is_pinned() is False


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_child_writes_are_seen_by_the_parent(method):
    ctx = emp.get_context(method)
    t = ember.zeros(4).share_memory_()  # a forked child would write to its own copy otherwise, as in torch
    p = ctx.Process(target=W.add_one_in_place, args=(t,))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    assert t.is_shared() and t.tolist() == [1.0, 1.0, 1.0, 1.0]
    q_in, q_out = ctx.Queue(), ctx.Queue()
    u = ember.ones(3)
    p = ctx.Process(target=W.receive_and_double, args=(q_in, q_out))
    p.start()
    q_in.put(u)
    assert q_out.get(timeout=60) == 6.0
    p.join(60)
    assert u.tolist() == [2.0, 2.0, 2.0]  # the child doubled the parent's memory, as with torch


def test_non_leaf_requiring_grad_is_refused_as_torch():
    from multiprocessing.reduction import ForkingPickler

    import torch.multiprocessing  # noqa: F401  (registers torch's reducers)

    with pytest.raises(RuntimeError) as t:
        ForkingPickler.dumps(torch.ones(2, requires_grad=True) * 2)
    with pytest.raises(RuntimeError) as e:
        ForkingPickler.dumps(ember.ones(2, requires_grad=True) * 2)
    assert str(e.value) == str(t.value)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_hogwild_training_on_shared_parameters(method):
    """Two processes train one shared model one after the other: the parent's model ends where a
    single process doing all the steps ends (here and in torch)."""
    ember.manual_seed(0)
    model = ember.nn.Linear(2, 1)
    init = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    model.share_memory()
    assert all(p.is_shared() for p in model.parameters())
    ctx = emp.get_context(method)
    for rank in range(2):
        p = ctx.Process(target=W.train, args=(rank, model, 5, 0.1))
        p.start()
        p.join(120)
        assert p.exitcode == 0
    ref = torch.nn.Linear(2, 1)
    with torch.no_grad():
        for k, v in ref.state_dict().items():
            v.copy_(torch.from_numpy(init[k]))
    opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    x = torch.linspace(-1, 1, 32).reshape(16, 2)
    y = x.sum(1, keepdim=True) * 3 - 1
    for _ in range(10):
        opt.zero_grad()
        ((ref(x) - y) ** 2).mean().backward()
        opt.step()
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k].detach().numpy(), v.numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(model.weight.detach().numpy(), init["weight"])


def test_spawn_runs_every_rank():
    t = ember.zeros(3).share_memory_()
    assert emp.spawn(W.write_rank, args=(t,), nprocs=3) is None
    assert t.tolist() == [10.0, 11.0, 12.0]
    ctx = emp.spawn(W.write_rank, args=(t,), nprocs=1, join=False)
    assert isinstance(ctx, emp.ProcessContext) and len(ctx.pids()) == 1
    while not ctx.join():
        pass


def test_spawn_reports_the_failing_rank_with_its_traceback():
    with pytest.raises(emp.ProcessRaisedException) as e:
        emp.spawn(W.fail_on_one, nprocs=2)
    assert e.value.error_index == 1
    assert "-- Process 1 terminated with the following error:" in str(e.value)
    assert "ValueError: rank one is unhappy" in str(e.value)
    with pytest.raises(emp.ProcessExitedException) as e:
        emp.spawn(W.exit_three, nprocs=1)
    assert e.value.exit_code == 3 and str(e.value) == "process 0 terminated with exit code 3"


def test_module_surface_matches_torch():
    import torch.multiprocessing as tmp

    missing = [n for n in dir(tmp) if not n.startswith("_") and n not in ("torch", "sys", "reducer",
                                                                          "ENV_VAR_PARALLEL_START")
               and not hasattr(emp, n)]
    assert missing == []
    assert emp.get_sharing_strategy() in emp.get_all_sharing_strategies()
    assert emp.Queue is multiprocessing.Queue or callable(emp.Queue)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_tensor_from_a_child_that_already_exited(method):
    ctx = emp.get_context(method)
    q = ctx.Queue()
    p = ctx.Process(target=W.send_new_tensor, args=(q,))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    t = q.get(timeout=60)
    assert t.tolist() == [0.0, 3.0, 6.0, 9.0, 12.0] and t.is_shared()
