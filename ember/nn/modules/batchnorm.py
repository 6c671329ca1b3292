"""torch.nn.modules.batchnorm's names: the batch norms live in normalization.py; this file mirrors
torch's module path so that pickled torch models and `from torch.nn.modules.batchnorm import ...` resolve."""
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


from ._mirror import moved_names  # noqa: E402

__getattr__ = moved_names(__name__, {
    "lazy": ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d"],
    "normalization_more": ["SyncBatchNorm"],
})
