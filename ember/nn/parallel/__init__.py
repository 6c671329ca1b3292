"""ember.nn.parallel (torch.nn.parallel): DataParallel on one device."""
from .data_parallel import DataParallel  # noqa: F401

__all__ = ["DataParallel"]
