"""DistributedSampler: each of num_replicas processes takes every num_replicas-th index."""
import math

from ..._random import Generator
from ..._ops.random_ops import randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _default_group():
    """(world size, rank) of the default process group (torch's ValueError when there is none)."""
    from ... import distributed

    return distributed.get_world_size(), distributed.get_rank()


class DistributedSampler(Sampler):
    """Indices for replica `rank` of `num_replicas`: all indices (shuffled by a generator seeded
    with seed + epoch, as torch's randperm), padded by repeating the first ones to a multiple
    of num_replicas (or truncated with drop_last), then every num_replicas-th from rank.
    num_replicas and rank default to the default process group's."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None:
            num_replicas = _default_group()[0]
        if rank is None:
            rank = _default_group()[1]
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match total_size ({self.total_size})")
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(indices)}) does not match num_samples "
                                 f"({self.num_samples})")
        return iter(indices)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """The epoch seeds the shuffle (seed + epoch): call it before each epoch's iterator."""
        self.epoch = epoch
