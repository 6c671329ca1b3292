"""torch.nn.parallel: DataParallel (defined with the other modules in ember.nn.modules, looked up on first
use), its functional form, and DistributedDataParallel, which needs a process group ember does not have yet."""
from .data_parallel import data_parallel
from .distributed import DistributedDataParallel

__all__ = ["data_parallel", "DataParallel", "DistributedDataParallel"]


def __getattr__(name):
    if name == "DataParallel":  # lives in nn.modules (its own branch); resolved when first asked for
        from .. import modules

        try:
            return modules.DataParallel
        except AttributeError:
            raise AttributeError("module 'ember.nn.parallel' has no attribute 'DataParallel' "
                                 "(ember.nn.modules does not define it in this build)") from None
    raise AttributeError(f"module 'ember.nn.parallel' has no attribute '{name}'")
