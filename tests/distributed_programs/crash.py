"""Rank 1 raises after the ranks have synchronised once; rank 0 waits in a collective it never completes.
The job must end promptly with rank 1's traceback and a non-zero status."""
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
dist.barrier()
if dist.get_rank() == 1:
    raise ZeroDivisionError("rank 1 failed on purpose")
dist.all_reduce(torch.ones(3))  # rank 0 waits here for a rank that is gone
