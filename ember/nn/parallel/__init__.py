"""ember.nn.parallel (torch.nn.parallel): DataParallel and data_parallel on one device, and
DistributedDataParallel on an ember.distributed process group."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]
