"""The NCCL path (CUDA tensors in an "nccl" group) against NumPy, on as many ranks as there are GPUs
(one GPU: one rank). Prints `ok <name>` on rank 0."""
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

local = int(os.environ["LOCAL_RANK"])
torch.cuda.set_device(local)
dist.init_process_group("nccl")
r, n = dist.get_rank(), dist.get_world_size()
dev = torch.device("cuda", local)


def data(rank):
    return np.random.default_rng(rank).standard_normal((5, 3)).astype(np.float32)


def ok(name, got, want):
    np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-5, atol=1e-5, err_msg=name)
    if r == 0:
        print("ok", name, flush=True)


everyone = np.stack([data(k) for k in range(n)])
t = torch.tensor(data(r), device=dev)
dist.all_reduce(t)
ok("all_reduce", t, everyone.sum(0))
t = torch.tensor(data(r), device=dev)
dist.all_reduce(t, op=dist.ReduceOp.AVG)
ok("all_reduce_avg", t, everyone.mean(0))
t = torch.tensor(data(r), device=dev)
dist.broadcast(t, src=0)
ok("broadcast", t, data(0))
out = torch.zeros(n * 5, 3, device=dev)
dist.all_gather_into_tensor(out, torch.tensor(data(r), device=dev))
ok("all_gather_into_tensor", out, everyone.reshape(n * 5, 3))
out = torch.zeros(5, 3, device=dev)
dist.reduce_scatter_tensor(out, torch.tensor(np.concatenate([data(r)] * n), device=dev))
ok("reduce_scatter_tensor", out, everyone.sum(0))
t = torch.tensor(data(r), device=dev)[:, ::2]  # non-contiguous
dist.all_reduce(t)
ok("all_reduce_strided", t, everyone.sum(0)[:, ::2])
torch.manual_seed(0)
model = nn.Linear(3, 2).to(dev)
ddp = DDP(model, device_ids=[local])
ddp(torch.tensor(data(r), device=dev)).sum().backward()
torch.manual_seed(0)
ref = nn.Linear(3, 2)
for k in range(n):
    (ref(torch.tensor(data(k))).sum() / n).backward()
ok("ddp_grad", model.weight.grad, ref.weight.grad.numpy())
dist.destroy_process_group()
