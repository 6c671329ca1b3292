"""torch.nn.parallel.DistributedDataParallel on ember.distributed.

At construction rank 0's parameters and buffers are broadcast to every rank. The parameters are packed
into buckets (reverse registration order, the first ~1 MB, then bucket_cap_mb, as torch's), and each
parameter's post-accumulate-grad hook marks it ready during backward; a bucket whose gradients are all in
is copied into its flat buffer and all-reduced with a non-blocking MPI call (Iallreduce) at once, in bucket
order on every rank, so communication overlaps the rest of backward. A callback queued on the autograd
engine waits for the buckets when backward ends and writes the averaged gradients back (or leaves
`.grad` as a view of the bucket with gradient_as_bucket_view=True)."""
import contextlib

import numpy as np

from ... import autograd
from ...distributed._work import done_work
from ...distributed.distributed_c10d import _host, _write
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # torch.distributed._DEFAULT_FIRST_BUCKET_BYTES
_DEFAULT_BUCKET_MB = 25


def _dist():
    """ember.distributed, with a default process group (torch's ValueError when there is none)."""
    from ... import distributed

    distributed.get_world_size()
    return distributed


class _Bucket:
    def __init__(self, params, dtype, xp):
        self.params = params
        self.offsets = []
        total = 0
        for p in params:
            self.offsets.append(total)
            total += p._data.size
        # The all-reduce's buffer: on the GPU for NCCL, else in host memory (the MPI wheels are not CUDA-aware).
        self.flat = xp.zeros(total, dtype)
        self.views = [None] * len(params)  # gradient_as_bucket_view: .grad tensors over `flat`
        self.ready = 0
        self.work = None

    def slot(self, i):
        p = self.params[i]
        return self.flat[self.offsets[i]:self.offsets[i] + p._data.size].reshape(p._data.shape)


class DistributedDataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None,
                 device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        dist = _dist()
        from ...distributed import distributed_c10d as c10d

        pg = process_group if process_group is not None else dist.group.WORLD
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter that "
                               "requires a gradient.")
        self.module = module
        self.process_group = pg
        self.device_ids = None if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((bucket_cap_mb or _DEFAULT_BUCKET_MB) * 1024 * 1024)
        # DDP's own communicator: its non-blocking all-reduces never interleave with the user's collectives.
        comm = c10d.ProcessGroup(pg._comm.Dup(), pg._ranks, pg._backend, pg._timeout)
        object.__setattr__(self, "_ddp_pg", comm)
        object.__setattr__(self, "_params", params)
        self._verify_same_model(dist, params)
        if init_sync:
            self._sync_states(list(module.parameters()) + self._buffer_list())
        buckets, where = self._make_buckets(params, bucket_cap_mb)
        object.__setattr__(self, "_buckets", buckets)
        object.__setattr__(self, "_where", where)  # param index -> (bucket, slot)
        self._expecting = False
        self._comm_hook = None  # (state, hook) from register_comm_hook
        self._next_bucket = 0
        self._fired = [False] * len(params)
        self._handles = [p.register_post_accumulate_grad_hook(self._hook_for(i)) for i, p in enumerate(params)]

    # -- construction -----------------------------------------------------------------------------------------
    def _buffer_list(self):
        return [b for b in self.module.buffers() if b is not None]

    def _verify_same_model(self, dist, params):
        shapes = [(tuple(p._data.shape), p._dtype.name) for p in params]
        everyone = [None] * dist.get_world_size(self.process_group)
        dist.all_gather_object(everyone, shapes, group=self.process_group)
        for r, theirs in enumerate(everyone):
            if len(theirs) != len(shapes):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {dist.get_rank()} has "
                                   f"{len(shapes)} params, while rank {r} has inconsistent {len(theirs)} params.")
            for i, (mine, other) in enumerate(zip(shapes, theirs)):
                if mine != other:
                    raise RuntimeError(f"DDP expects same model across all ranks, but Rank {dist.get_rank()} has "
                                       f"parameter {i} of shape {list(mine[0])} ({mine[1]}), while rank {r} has "
                                       f"{list(other[0])} ({other[1]}).")

    def _sync_states(self, tensors):
        """Rank 0's values into every rank's parameters/buffers (one flat broadcast per dtype)."""
        from ...distributed.distributed_c10d import _broadcast

        if self._ddp_pg.size() == 1:
            return
        with autograd.no_grad():
            for group in _by_dtype(tensors).values():
                flat = np.concatenate([np.asarray(_host(t)).reshape(-1) for t in group])
                from ..._creation import from_numpy

                carrier = from_numpy(flat)
                _broadcast(self._ddp_pg, carrier, 0, False)
                start = 0
                for t in group:
                    n = t._data.size
                    _write(t, flat[start:start + n].reshape(t._data.shape))
                    start += n

    def _make_buckets(self, params, bucket_cap_mb):
        """Reverse registration order (gradients arrive roughly so), split by dtype and size, as torch's."""
        buckets, where = [], {}
        current, size, cap = [], 0, _FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        order = list(range(len(params)))[::-1]

        def close():
            nonlocal current, size, cap
            if current:
                dtype = params[current[0]]._data.dtype
                b = _Bucket([params[i] for i in current], dtype if dtype.kind != "V" else np.float32,
                            self._bucket_xp(params[current[0]]))
                for slot, i in enumerate(current):
                    where[i] = (len(buckets), slot)
                buckets.append(b)
            current, size, cap = [], 0, self.bucket_bytes_cap

        for i in order:
            p = params[i]
            if current and (p._data.dtype != params[current[0]]._data.dtype or size >= cap):
                close()
            current.append(i)
            size += p._data.nbytes
        close()
        return buckets, where

    def _bucket_xp(self, param):
        """CuPy for CUDA parameters of an nccl group (NCCL reduces on the GPU), else NumPy."""
        if isinstance(param._data, np.ndarray) or self._ddp_pg._backend != "nccl":
            return np
        import cupy

        return cupy

    # -- forward / backward ----------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if autograd.is_grad_enabled() and self.require_backward_grad_sync:
            self._expecting = True
            self._next_bucket = 0
            self._fired = [False] * len(self._params)
            for b in self._buckets:
                b.ready = 0
                b.work = None
        else:
            self._expecting = False
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = self._buffer_list()
            if buffers:
                self._sync_states(buffers)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Gradients accumulate locally inside; the first backward after it all-reduces the sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def register_comm_hook(self, state, hook):
        """hook(state, bucket: GradBucket) -> a future of the bucket's reduced (averaged) gradients, run for each
        bucket instead of the default averaging all-reduce."""
        if self._comm_hook is not None:
            raise RuntimeError("register_comm_hook or register_builtin_comm_hook can only be called once.")
        self._comm_hook = (state, hook)

    def _hook_for(self, index):
        def hook(param):
            if not self._expecting or self._fired[index]:
                return
            if not any(self._fired):
                autograd.Variable._execution_engine.queue_callback(self._finish_backward)
            self._fired[index] = True
            bucket, _ = self._where[index]
            self._buckets[bucket].ready += 1
            self._launch_ready()
        return hook

    def _launch_ready(self):
        """Start the all-reduce of every complete bucket, in bucket order (the same on every rank)."""
        buckets = self._buckets
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].ready == len(
                buckets[self._next_bucket].params):
            self._launch(buckets[self._next_bucket])
            self._next_bucket += 1
        for b in buckets[:self._next_bucket]:
            if b.work is not None:
                b.work.is_completed()  # MPI progresses non-blocking operations inside its calls

    def _launch(self, bucket):
        from ..._creation import from_numpy
        from ...distributed.distributed_c10d import ReduceOp, _all_reduce

        if self._ddp_pg.size() == 1:  # the average of one rank's gradients is its own: nothing to move
            bucket.work = done_work()
            return
        for slot, p in enumerate(bucket.params):
            g = p._grad
            if g is None:
                bucket.slot(slot)[...] = 0
            elif g is not bucket.views[slot]:
                bucket.slot(slot)[...] = g._data if type(g._data) is type(bucket.flat) else _host(g)
        if self._comm_hook is None:
            bucket.work = _all_reduce(self._ddp_pg, from_numpy(bucket.flat), ReduceOp.AVG, True, "ddp allreduce")
        else:
            bucket.work = _HookResult(self._comm_hook, bucket, self._buckets.index(bucket), len(self._buckets))

    def _finish_backward(self):
        self._expecting = False
        unused = [i for i, fired in enumerate(self._fired) if not fired]
        if unused and not self.find_unused_parameters:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss. You can enable "
                "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`. Parameter indices which did not receive grad for "
                f"rank {self._ddp_pg.rank()}: {' '.join(map(str, unused))}")
        used = self._globally_used() if self.find_unused_parameters else None
        for i in unused:
            bucket, _ = self._where[i]
            self._buckets[bucket].ready += 1
        self._launch_ready()
        for b in self._buckets:
            b.work.wait()
        if self._ddp_pg.size() == 1:
            return
        for i, p in enumerate(self._params):
            if used is not None and not used[i]:
                continue  # no rank used it: .grad stays as it was
            bucket, slot = self._where[i]
            self._write_grad(self._buckets[bucket], slot, p)

    def _globally_used(self):
        from ..._creation import from_numpy
        from ...distributed.distributed_c10d import ReduceOp, _all_reduce

        flags = from_numpy(np.array(self._fired, np.int32))
        _all_reduce(self._ddp_pg, flags, ReduceOp.MAX, False)
        return flags._data.astype(bool)

    def _write_grad(self, bucket, slot, p):
        from ..._tensor import Tensor

        averaged = bucket.slot(slot)
        if self.gradient_as_bucket_view and type(p._data) is type(averaged):
            if p._grad is not bucket.views[slot]:
                bucket.views[slot] = Tensor._make(averaged, p._dtype)
                p._grad = bucket.views[slot]
            else:
                p._grad._bump_version()
        elif p._grad is None:
            p._grad = Tensor._make(_device_copy(averaged, p._data), p._dtype)
        else:
            _write(p._grad, averaged)


class _HookResult:
    """A communication hook's future for a bucket; wait() puts the reduced values in the bucket's buffer."""

    def __init__(self, comm_hook, bucket, index, count):
        from ..._tensor import Tensor
        from ...distributed import GradBucket

        state, hook = comm_hook
        buffer = Tensor._make(bucket.flat)
        self.bucket = bucket
        self.future = hook(state, GradBucket(index, buffer, bucket.params, bucket.offsets, index == count - 1))

    def is_completed(self):
        return self.future.done()

    def wait(self):
        out = self.future.wait()
        if out is not None and out._data is not self.bucket.flat:
            self.bucket.flat[...] = out._data.reshape(-1)


def _by_dtype(tensors):
    groups = {}
    for t in tensors:
        groups.setdefault((t._dtype.name, isinstance(t._data, np.ndarray)), []).append(t)
    return groups


def _device_copy(host, like):
    if isinstance(like, np.ndarray):
        return host.astype(like.dtype, copy=True)
    import cupy

    return cupy.asarray(host).astype(like.dtype)
