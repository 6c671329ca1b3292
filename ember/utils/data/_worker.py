"""What runs inside a DataLoader worker process, and what it sends back.

A worker takes (epoch, task index, sampler output) from its index queue, fetches
and collates that batch, and puts (epoch, task index, batch) on the shared
result queue. A failure is sent back as an ExceptionWrapper carrying the
worker's traceback text, re-raised in the main process. `None` on the index
queue, or the parent's death, ends the loop.
"""
import os
import queue
import random
import sys
import traceback

import numpy as np

from ..._device import xp_of

__all__ = ["WorkerInfo", "get_worker_info"]

# How often (seconds) an idle worker checks that its parent is still alive, and how
# long the main process waits at a time before checking its workers.
MP_STATUS_CHECK_INTERVAL = 5.0

_worker_info = None


class WorkerInfo:
    """id, num_workers, seed and dataset (this worker's copy) of the current worker; read-only."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """Inside a DataLoader worker: its WorkerInfo. In the main process: None."""
    return _worker_info


class KeyErrorMessage(str):
    """A str whose repr is itself, so that KeyError shows the traceback text unquoted."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker: its class and the formatted traceback, picklable."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception class that wants other arguments
            raise RuntimeError(msg) from None
        raise exception


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        from ._collate import default_collate
        from .dataset import TensorDataset

        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        # A TensorDataset batched by default_collate is the list [t[batch] for t in tensors]:
        # one gather per tensor instead of a view per sample and a stack.
        self._gather = auto_collation and collate_fn is default_collate and type(dataset) is TensorDataset

    def fetch(self, possibly_batched_index):
        if self._gather:
            batch = _gather_batch(self.dataset.tensors, possibly_batched_index)
            if batch is not None:
                return batch
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            if getitems:
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _gather_batch(tensors, index):
    """default_collate([dataset[i] for i in index]) of a TensorDataset, as one fancy index per
    tensor; None when the slow path must run (tracked tensors, odd or out-of-range indices,
    which then raise torch's errors there)."""
    from ..._tensor import Tensor

    idx = np.asarray(index)
    n = tensors[0]._data.shape[0]
    if idx.dtype.kind != "i" or idx.ndim != 1 or not len(idx) or not -n <= idx.min() <= idx.max() < n:
        return None
    if any(t._requires_grad for t in tensors):
        return None
    out = []
    for t in tensors:
        a = t._data
        xp = np if type(a) is np.ndarray else xp_of(a)
        out.append(Tensor._make(xp.ascontiguousarray(a[idx if xp is np else xp.asarray(idx)]), t._dtype))
    return out


def create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableDatasetFetcher if iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def seed_worker(base_seed, worker_id):
    """Seed Python's and ember's generators with base_seed + worker_id, and NumPy's with the
    SeedSequence state torch derives from both (its _generate_state), so that worker
    randomness is torch's for the same loader generator."""
    from ... import manual_seed

    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]).generate_state(4))
    return seed


def worker_loop(iterable, dataset, index_queue, data_queue, auto_collation, collate_fn, drop_last, base_seed,
                init_fn, worker_id, num_workers):
    global _worker_info
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        parent = os.getppid()
        epoch = None
        while True:
            try:
                task = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # orphaned: the main process is gone
                    break
                continue
            if task is None:
                break
            task_epoch, idx, index = task
            if task_epoch != epoch:
                if epoch is not None and init_exception is None:
                    # a new epoch of a persistent worker: an IterableDataset starts over
                    fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                epoch = task_epoch
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        raise
                    data = _IterableDatasetStopIteration(worker_id)
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((task_epoch, idx, data))
            del data
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C; end quietly
    # Do not wait at exit to flush results the main process no longer reads.
    data_queue.cancel_join_thread()
    data_queue.close()
