"""torch's errors under 2 ranks: mismatched collectives raise on both ranks (no hang), bad ranks raise,
a peer that never comes makes the collective time out. Prints `ok <name>` lines on rank 0."""
import datetime
import time

import torch
import torch.distributed as dist

dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=20))
r = dist.get_rank()


def expect(name, exc, start, fn):
    try:
        fn()
    except exc as e:
        assert str(e).startswith(start), (name, str(e))
        if r == 0:
            print("ok", name, flush=True)
        return
    raise AssertionError(f"{name}: no {exc.__name__}")


expect("mismatched_shapes", RuntimeError, "Detected mismatch between collectives on ranks",
       lambda: dist.all_reduce(torch.ones(3 + r)))
expect("mismatched_dtypes", RuntimeError, "Detected mismatch between collectives on ranks",
       lambda: dist.broadcast(torch.ones(3, dtype=torch.float32 if r else torch.float64), src=0))
expect("mismatched_ops", RuntimeError, "Detected mismatch between collectives on ranks",
       lambda: dist.all_reduce(torch.ones(3)) if r else dist.broadcast(torch.ones(3), src=0))
expect("root_out_of_range", RuntimeError, "ProcessGroupGloo::broadcast: invalid root rank: 5",
       lambda: dist.broadcast(torch.ones(2), src=5))
expect("send_to_self", ValueError, "Invalid destination rank: destination rank should not be the same",
       lambda: dist.send(torch.ones(2), dst=r))
expect("all_gather_list_length", RuntimeError, "ProcessGroupGloo::allgather: invalid output tensor list",
       lambda: dist.all_gather([torch.ones(2)], torch.ones(2)))
expect("not_a_tensor", TypeError, "Invalid function argument. Expected parameter `tensor` of type torch.Tensor",
       lambda: dist.all_reduce([torch.ones(2)]))
expect("init_twice", ValueError, "trying to initialize the default process group twice!",
       lambda: dist.init_process_group("gloo"))
if r == 0:
    expect("recv_longer_message", RuntimeError, "ProcessGroupGloo::recv: the message from rank 1 is longer than the "
           "receiving tensor", lambda: dist.recv(torch.zeros(2), src=1))
    expect("recv_shorter_message", RuntimeError, "ProcessGroupGloo::recv: the message from rank 1 has 4 bytes",
           lambda: dist.recv(torch.zeros(2), src=1))
else:
    dist.send(torch.zeros(3), dst=0)
    dist.send(torch.zeros(1), dst=0)
dist.barrier()

# A peer that comes late: the waiting rank's collective times out (DistBackendError, a RuntimeError).
sub_timeout = dist.new_group([0, 1], timeout=datetime.timedelta(seconds=0.5))
if r == 0:
    t0 = time.monotonic()
    expect("timeout", dist.DistBackendError, "Timed out waiting 500ms for barrier operation",
           lambda: dist.barrier(group=sub_timeout))
    assert time.monotonic() - t0 < 5
    print("timeout_elapsed", round(time.monotonic() - t0, 2), flush=True)
else:
    time.sleep(2)
dist.destroy_process_group()
