"""DistributedDataParallel on N ranks, each on 1/N of the batch, against one process on the whole batch
(computed on every rank): 20 SGD and 20 Adam steps, with and without gradient_as_bucket_view and small
buckets; no_sync accumulation; find_unused_parameters; SyncBatchNorm; the module. state_dict prefix.
Prints `ok <name> <max abs difference>` on rank 0."""
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
r, n = dist.get_rank(), dist.get_world_size()
X = torch.randn(8 * n, 6, generator=torch.Generator().manual_seed(1))
Y = torch.randn(8 * n, 3, generator=torch.Generator().manual_seed(2))
b = 8
mine = slice(r * b, (r + 1) * b)


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))


def report(name, ref, model, tol=2e-6):
    err = max(float((a - c).abs().max()) for a, c in zip(ref.parameters(), model.parameters()))
    assert err < tol, (name, err)
    if r == 0:
        print("ok", name, err, flush=True)


def steps_both(ref, ddp, o1, o2, x, y, steps):
    """`steps` optimizer steps: ref on the whole batch, ddp on this rank's share."""
    for _ in range(steps):
        o1.zero_grad()
        nn.functional.mse_loss(ref(x), y).backward()
        o1.step()
        o2.zero_grad()
        nn.functional.mse_loss(ddp(x[mine]), y[mine]).backward()
        o2.step()


def train(opt_name, ddp_kwargs, steps=20):
    ref, model = mlp(), mlp()
    if r:
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(3.0)  # other ranks start elsewhere: DDP broadcasts rank 0's parameters
    ddp = DDP(model, **ddp_kwargs)
    o1 = getattr(torch.optim, opt_name)(ref.parameters(), lr=0.02)
    o2 = getattr(torch.optim, opt_name)(ddp.parameters(), lr=0.02)
    steps_both(ref, ddp, o1, o2, X, Y, steps)
    return ref, model, ddp


for opt_name in ("SGD", "Adam"):
    for kwargs in ({}, {"gradient_as_bucket_view": True, "bucket_cap_mb": 0.0002}):
        ref, model, ddp = train(opt_name, kwargs)
        report(f"{opt_name}_{'view' if kwargs else 'default'}", ref, model)
assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]

# communication hooks: torch's allreduce_hook averages as the default does; fp16_compress_hook to fp16 accuracy
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks  # noqa: E402

for hook, tol in ((default_hooks.allreduce_hook, 2e-6), (default_hooks.fp16_compress_hook, 5e-3)):
    ref, model = mlp(), mlp()
    ddp = DDP(model, bucket_cap_mb=0.0002)
    ddp.register_comm_hook(None, hook)
    steps_both(ref, ddp, torch.optim.SGD(ref.parameters(), lr=0.02), torch.optim.SGD(ddp.parameters(), lr=0.02), X, Y,
               5)
    report(hook.__name__, ref, model, tol)

# no_sync: two micro-batches accumulated locally, reduced at the second backward
ref, model = mlp(), mlp()
ddp = DDP(model)
half = b // 2
with ddp.no_sync():
    nn.functional.mse_loss(ddp(X[mine][:half]), Y[mine][:half]).backward()
local = [p.grad.clone() for p in model.parameters()]
nn.functional.mse_loss(ddp(X[mine][half:]), Y[mine][half:]).backward()
for k in range(n):
    sl = slice(k * b, (k + 1) * b)
    (nn.functional.mse_loss(ref(X[sl][:half]), Y[sl][:half]) / n).backward()
    (nn.functional.mse_loss(ref(X[sl][half:]), Y[sl][half:]) / n).backward()
err = max(float((p.grad - q.grad).abs().max()) for p, q in zip(ref.parameters(), model.parameters()))
assert err < 1e-6, err
assert n == 1 or any(float((g - p.grad).abs().max()) > 1e-4 for g, p in zip(local, model.parameters()))
if r == 0:
    print("ok no_sync", err, flush=True)


# find_unused_parameters: a branch that only rank 0 uses gets rank 0's gradient / n on every rank
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a = nn.Linear(6, 3)
        self.b = nn.Linear(6, 3)
        self.never = nn.Linear(6, 3)

    def forward(self, x, use_b):
        return self.a(x) + (self.b(x) if use_b else 0)


ref, model = Branchy(), Branchy()
ddp = DDP(model, find_unused_parameters=True)
nn.functional.mse_loss(ddp(X[mine], r == 0), Y[mine]).backward()
for k in range(n):
    sl = slice(k * b, (k + 1) * b)
    (nn.functional.mse_loss(ref(X[sl], k == 0), Y[sl]) / n).backward()
for (name, p), q in zip(ref.named_parameters(), model.parameters()):
    if name.startswith("never"):
        assert p.grad is None and q.grad is None
    else:
        assert float((p.grad - q.grad).abs().max()) < 1e-6, name
if r == 0:
    print("ok find_unused_parameters", flush=True)


# SyncBatchNorm under DDP equals BatchNorm on the whole batch (parameters and running statistics)
def convnet():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 16, 3))


Xi = torch.randn(8 * n, 2, 6, 6, generator=torch.Generator().manual_seed(3))
ref, model = convnet(), nn.SyncBatchNorm.convert_sync_batchnorm(convnet())
assert isinstance(model[1], nn.SyncBatchNorm)
ddp = DDP(model)
steps_both(ref, ddp, torch.optim.SGD(ref.parameters(), lr=0.1), torch.optim.SGD(ddp.parameters(), lr=0.1), Xi, Y, 5)
report("sync_batchnorm", ref, model, tol=1e-5)
for a, c in zip(ref.buffers(), model.buffers()):
    assert float((a.double() - c.double()).abs().max()) < 1e-5

# overlap: with small buckets, the first bucket's all-reduce starts while backward still has layers to go
events = []
model = mlp()
ddp = DDP(model, bucket_cap_mb=0.0001)
assert len(ddp._buckets) > 1
launch = ddp._launch
ddp._launch = lambda bucket: (events.append("launch"), launch(bucket))
model[0].weight.register_post_accumulate_grad_hook(lambda p: events.append("first layer's gradient"))
nn.functional.mse_loss(ddp(X[mine]), Y[mine]).backward()
assert events.index("launch") < events.index("first layer's gradient"), events
if r == 0:
    print("ok overlap", flush=True)

# broadcast_buffers: every forward starts from rank 0's buffers
bn = nn.BatchNorm1d(6)
with torch.no_grad():
    bn.running_mean.fill_(float(r))
ddp = DDP(nn.Sequential(nn.Linear(6, 6), bn), init_sync=False)
ddp.eval()
ddp(X[mine])
assert bn.running_mean.tolist() == [0.0] * 6, bn.running_mean
if r == 0:
    print("ok broadcast_buffers", flush=True)
dist.destroy_process_group()
