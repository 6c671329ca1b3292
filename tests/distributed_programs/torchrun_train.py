"""A training script written for torchrun (environment variables, init_process_group("gloo"),
DistributedSampler, DDP) that runs unchanged under `ember run --nproc-per-node 2`. Rank 0 saves the final
parameters and the indices each rank saw to argv[1] (the test compares them with real torch)."""
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.distributed.elastic.multiprocessing.errors import record
from torch.utils.data.distributed import DistributedSampler



@record
def main():
    rank, world, local = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    assert os.environ["MASTER_ADDR"] and os.environ["MASTER_PORT"]
    dist.init_process_group("gloo", init_method="env://", rank=rank, world_size=world)
    assert (dist.get_rank(), dist.get_world_size(), local) == (rank, world, rank)

    g = torch.Generator().manual_seed(5)
    data = TensorDataset(torch.randn(50, 4, generator=g), torch.randn(50, 2, generator=g))
    sampler = DistributedSampler(data, shuffle=True, seed=3)
    loader = DataLoader(data, batch_size=5, sampler=sampler)
    torch.manual_seed(0)
    model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    seen = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        seen.append(list(sampler))
        for x, y in loader:
            opt.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            opt.step()
    everyone = [None] * world
    dist.all_gather_object(everyone, seen)
    if rank == 0:
        torch.save({"state": model.module.state_dict(), "seen": everyone}, sys.argv[1])
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
