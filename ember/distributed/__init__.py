"""ember.distributed (torch.distributed): process groups and collectives on MPI (mpi4py; `pip install mpich
mpi4py`) and, for CUDA tensors in an "nccl" group, on NCCL through CuPy.

Launch a script written for torchrun with `ember run --nproc-per-node 2 train.py` (or `python -m
ember.distributed.run --nproc-per-node 2 train.py`, or `mpiexec -n 2 ember run train.py`)."""
from ._errors import DistBackendError, DistError, DistNetworkError, DistStoreError  # noqa: F401
from ._grad_bucket import GradBucket  # noqa: F401
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__ as _c10d_all


def is_available():
    """Whether collectives can run here: ember's backends need mpi4py (and an MPI, e.g. the mpich wheel)."""
    return is_mpi_available()  # noqa: F405


__all__ = ["is_available", "GradBucket", "DistError", "DistBackendError", "DistNetworkError", "DistStoreError"] + _c10d_all
