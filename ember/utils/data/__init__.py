"""torch.utils.data: datasets, samplers, collation and the DataLoader."""
from ._collate import default_collate, default_convert
from ._datapipe import DataChunk, argument_validation, non_deterministic, runtime_validation, \
    runtime_validation_disabled
from ._worker import WorkerInfo, get_worker_info
from .dataloader import DataLoader, _DatasetKind
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset,
                      random_split)
from .distributed import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)

__all__ = ["DataLoader", "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset", "Subset",
           "StackDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "DistributedSampler", "default_collate", "default_convert",
           "get_worker_info", "WorkerInfo", "DataChunk", "argument_validation", "non_deterministic",
           "runtime_validation", "runtime_validation_disabled", "_DatasetKind"]
