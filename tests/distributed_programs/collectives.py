"""Every collective on every rank against a NumPy reference (run under `mpiexec -n N ember run`).
Each rank can compute what every other rank holds (data seeded by rank), so each checks its own result.
At the end rank 0 prints one `ok <name>` line per check passed on some rank (gathered, so that the ranks'
output never interleaves); a failed check aborts the job."""
import numpy as np
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
r, n = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "gloo"


def data(rank, shape=(3, 4), dtype=np.float32):
    return np.random.default_rng(100 + rank).standard_normal(shape).astype(dtype)


passed = []


def ok(name, got, want, tol=1e-5):
    got = got.numpy() if hasattr(got, "numpy") else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=name)
    passed.append(name)


everyone = np.stack([data(k) for k in range(n)])
reduce_ref = {dist.ReduceOp.SUM: everyone.sum(0), dist.ReduceOp.AVG: everyone.mean(0),
              dist.ReduceOp.PRODUCT: everyone.prod(0), dist.ReduceOp.MIN: everyone.min(0),
              dist.ReduceOp.MAX: everyone.max(0)}
for op, want in reduce_ref.items():
    t = torch.from_numpy(data(r))
    dist.all_reduce(t, op=op)
    ok(f"all_reduce_{op.name}", t, want)
for dtype in (np.float64, np.int64, np.int32):
    t = torch.from_numpy((data(r) * 10).astype(dtype))
    dist.all_reduce(t)
    ok(f"all_reduce_{np.dtype(dtype).name}", t, sum((data(k) * 10).astype(dtype) for k in range(n)))
t = torch.tensor([r == 0, False, True])
dist.all_reduce(t)
ok("all_reduce_bool", t, [True, False, True])
t = torch.from_numpy(data(r)).to(torch.bfloat16)
dist.all_reduce(t)
ok("all_reduce_bfloat16", t.float(), sum(torch.from_numpy(data(k)).to(torch.bfloat16).float().numpy()
                                         for k in range(n)), tol=0.1)
t = torch.from_numpy(data(r, (4, 6)))[:, ::2]  # a non-contiguous view: the result lands in its base
dist.all_reduce(t)
ok("all_reduce_strided_view", t, sum(data(k, (4, 6))[:, ::2] for k in range(n)))
w = dist.all_reduce(t := torch.from_numpy(data(r)), async_op=True)
assert w.wait() is True and w.is_completed()
ok("all_reduce_async", t, reduce_ref[dist.ReduceOp.SUM])

for root in range(n):
    t = torch.from_numpy(data(r))
    dist.reduce(t, dst=root)
    if r == root:
        ok(f"reduce_to_{root}", t, reduce_ref[dist.ReduceOp.SUM])
    t = torch.from_numpy(data(r))
    dist.broadcast(t, src=root)
    ok(f"broadcast_from_{root}", t, data(root))

outs = [torch.zeros(3, 4) for _ in range(n)]
dist.all_gather(outs, torch.from_numpy(data(r)))
ok("all_gather", torch.stack(outs), everyone)
out = torch.zeros(n * 3, 4)
dist.all_gather_into_tensor(out, torch.from_numpy(data(r)))
ok("all_gather_into_tensor", out, everyone.reshape(n * 3, 4))

root = n - 1
gl = [torch.zeros(3, 4) for _ in range(n)] if r == root else None
dist.gather(torch.from_numpy(data(r)), gl, dst=root)
if r == root:
    ok("gather", torch.stack(gl), everyone)
t = torch.zeros(3, 4)
dist.scatter(t, [torch.from_numpy(data(k) + 7) for k in range(n)] if r == 0 else None, src=0)
ok("scatter", t, data(r) + 7)

chunks = [torch.from_numpy(data(r * n + k)) for k in range(n)]
t = torch.zeros(3, 4)
dist.reduce_scatter(t, chunks)
ok("reduce_scatter", t, sum(data(k * n + r) for k in range(n)))
t = torch.zeros(3, 4)
dist.reduce_scatter_tensor(t, torch.cat(chunks))
ok("reduce_scatter_tensor", t, sum(data(k * n + r) for k in range(n)))

ins = [torch.full((k + 1, 2), float(10 * r + k)) for k in range(n)]  # uneven sizes
outs = [torch.zeros(r + 1, 2) for _ in range(n)]
dist.all_to_all(outs, ins)
ok("all_to_all", torch.cat(outs), np.concatenate([np.full((r + 1, 2), 10.0 * k + r) for k in range(n)]))
src = torch.arange(n * 2, dtype=torch.int64) + 100 * r
dst = torch.zeros(n * 2, dtype=torch.int64)
dist.all_to_all_single(dst, src)
ok("all_to_all_single", dst, np.concatenate([np.arange(2 * r, 2 * r + 2) + 100 * k for k in range(n)]))

if r == 0:
    for k in range(1, n):
        dist.send(torch.from_numpy(data(k) * 2), dst=k, tag=k)
    works = [dist.irecv(t := torch.zeros(3, 4), src=k) for k in range(1, n)]
else:
    got = torch.zeros(3, 4)
    assert dist.recv(got, src=0, tag=r) == 0
    ok("send_recv", got, data(r) * 2)
    dist.isend(torch.from_numpy(data(r)), dst=0).wait()
if r == 0:
    for w in works:
        w.wait()
    passed.append("isend_irecv")
t = torch.zeros(2)
if r == 1:
    dist.send(torch.tensor([3.0, 4.0]), dst=0)
elif r == 0:
    assert dist.recv(t) == 1  # any source
    ok("recv_any_source", t, [3.0, 4.0])

objs = [None] * n
dist.all_gather_object(objs, {"rank": r, "name": f"r{r}"})
assert objs == [{"rank": k, "name": f"r{k}"} for k in range(n)], objs
lst = [None, None, None] if r else [1, "two", {"three": 3}]
dist.broadcast_object_list(lst, src=0)
assert lst == [1, "two", {"three": 3}], lst
passed.append("objects")

if r == 0:
    dist.send_object_list([{"a": 1}, [2, 3]], dst=1)
elif r == 1:
    got_objs = [None, None]
    assert dist.recv_object_list(got_objs, src=0) == 0 and got_objs == [{"a": 1}, [2, 3]], got_objs
    passed.append("send_recv_object_list")
right, left = (r + 1) % n, (r - 1) % n
ring = torch.zeros(2)
works = dist.batch_isend_irecv([dist.P2POp(dist.isend, torch.full((2,), float(r)), right),
                                dist.P2POp(dist.irecv, ring, left)])
for w in works:
    w.wait()
ok("batch_isend_irecv", ring, [float(left)] * 2)
dist.monitored_barrier()
assert dist.get_node_local_rank() == r and dist.is_backend_available("gloo")

sub = dist.new_group([0, 1])
if r in (0, 1):
    assert dist.get_world_size(sub) == 2 and dist.get_rank(sub) == r
    t = torch.from_numpy(data(r))
    dist.all_reduce(t, group=sub)
    ok("new_group_all_reduce", t, data(0) + data(1))
    t = torch.from_numpy(data(r))
    dist.broadcast(t, src=1, group=sub)
    ok("new_group_broadcast", t, data(1))
else:
    assert dist.get_rank(sub) == -1
dist.barrier()
everyone = [None] * n
dist.all_gather_object(everyone, passed)
if r == 0:
    for name in sorted(set(sum(everyone, []))):
        print("ok", name, flush=True)
dist.destroy_process_group()
assert not dist.is_initialized()
