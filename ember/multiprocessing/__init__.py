"""torch.multiprocessing: Python's multiprocessing, with tensors that cross process
boundaries through shared memory, and `spawn` for one function on N processes.

    import ember.multiprocessing as mp
    model.share_memory()                      # parameters in shared memory (Hogwild)
    mp.spawn(train, args=(model,), nprocs=2)

Importing this module registers the tensor reducers with multiprocessing's
pickler (as torch does on import): a tensor put on a Queue, passed to a Process
or returned from a Pool moves to shared memory, and the receiver maps the same
memory instead of copying it. (torch imports this module with `import torch`; ember
loads it on first use, so a spawned child whose code never imports it sends
tensors by value: the same numbers, not the same memory.)
"""
import multiprocessing
from multiprocessing import *  # noqa: F401,F403

from .reductions import init_reductions
from .spawn import (  # noqa: F401
    ProcessContext, ProcessExitedException, ProcessRaisedException, SpawnContext, spawn, start_processes,
)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies", "init_reductions",
           "spawn", "start_processes", "ProcessContext", "SpawnContext", "ProcessRaisedException",
           "ProcessExitedException"] + multiprocessing.__all__

# ember shares through named files in /dev/shm, which is torch's "file_system" strategy.
_STRATEGIES = {"file_system"}
_strategy = ["file_system"]


def set_sharing_strategy(new_strategy):
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"sharing strategy {new_strategy!r} is not one of {sorted(_STRATEGIES)}")
    _strategy[0] = new_strategy


def get_sharing_strategy():
    return _strategy[0]


def get_all_sharing_strategies():
    return set(_STRATEGIES)


init_reductions()
