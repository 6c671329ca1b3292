"""torch.distributed's process groups and collectives, served by MPI (mpi4py) and, for CUDA tensors in
an "nccl" group, by NCCL (CuPy's cupy.cuda.nccl).

The ranks are MPI's: launch with `ember run --nproc-per-node N script.py` or `mpiexec -n N ember run
script.py`. "gloo" and "mpi" groups both run on MPI. Every collective is issued non-blocking and waited
on with the group's timeout (see _work.py); before a user's collective the ranks exchange a small
fingerprint (operation, dtype, shape), so mismatched calls raise on every rank instead of hanging."""
import datetime
import os
import pickle

import numpy as np

from .._dtype import _SCALAR_TYPE_NAMES
from ._buffers import HostBuffer, done_all
from ._errors import not_initialized
from ._reduce_op import ReduceOp, mpi_op
from ._work import Work, done_work, mpi, wait_requests

__all__ = [
    "Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "group", "all_gather", "all_gather_into_tensor",
    "all_gather_object", "all_reduce", "all_to_all", "all_to_all_single", "barrier", "broadcast",
    "broadcast_object_list", "destroy_process_group", "gather", "gather_object", "get_backend",
    "get_global_rank", "get_group_rank", "get_process_group_ranks", "get_rank", "get_world_size",
    "init_process_group", "irecv", "is_gloo_available", "is_initialized", "is_mpi_available",
    "is_nccl_available", "is_torchelastic_launched", "isend", "new_group", "recv", "reduce", "reduce_scatter",
    "reduce_scatter_tensor", "scatter", "scatter_object_list", "send", "default_pg_timeout", "send_object_list",
    "recv_object_list", "P2POp", "batch_isend_irecv", "monitored_barrier", "get_node_local_rank",
    "is_backend_available", "get_pg_count",
]

default_pg_timeout = datetime.timedelta(minutes=30)
_NCCL_TIMEOUT = datetime.timedelta(minutes=10)


class Backend(str):
    """A backend name ("gloo", "mpi", "nccl"), as get_backend returns it."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"
    backend_list = ["gloo", "nccl", "mpi"]

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {type(name)}")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return super().__new__(cls, value)


class ProcessGroup:
    """A set of ranks with its own MPI communicator; rank()/size() are the caller's place in it."""

    def __init__(self, comm, ranks, backend, timeout):
        self._comm = comm
        self._ranks = list(ranks)  # global rank of each group rank
        self._backend = Backend(backend)
        self._timeout = timeout
        self._timeout_s = timeout.total_seconds()
        self._nccl = None  # the NCCL communicator, made at the first CUDA collective

    def rank(self):
        return self._comm.Get_rank()

    def size(self):
        return len(self._ranks)

    def name(self):
        return self._backend

    def _label(self):
        return {"gloo": "Gloo", "nccl": "NCCL", "mpi": "MPI"}.get(self._backend, self._backend)

    def __repr__(self):
        return f"<ember.distributed.ProcessGroup {self._backend} ranks={self._ranks}>"


class _NonMember:
    def __repr__(self):
        return "NON_GROUP_MEMBER"


class _World:
    default_pg = None
    groups = []


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return _World.default_pg


class GroupMember(metaclass=_WorldMeta):
    NON_GROUP_MEMBER = _NonMember()


class group(metaclass=_WorldMeta):
    pass


# -- availability, init, groups -------------------------------------------------------------------------------
def is_mpi_available():
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available():
    return is_mpi_available()  # ember's gloo is MPI


def is_nccl_available():
    from .. import cuda

    return cuda.is_available()


def is_torchelastic_launched():
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    return _World.default_pg is not None


def _default():
    if _World.default_pg is None:
        raise not_initialized()
    return _World.default_pg


def _resolve(group):
    if group is None or group is _World.default_pg:
        return _default()
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    _default()
    return group


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default group. Rendezvous is MPI's (init_method, MASTER_ADDR and MASTER_PORT are not needed):
    the processes are the MPI job's; `rank` (or RANK) may renumber them, world_size must match the job."""
    if _World.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _backend_name(backend)
    if timeout is None:
        timeout = _NCCL_TIMEOUT if name == "nccl" else default_pg_timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {type(timeout)}")
    if name == "nccl" and not is_nccl_available():
        raise RuntimeError("ProcessGroupNCCL is only supported with GPUs, no GPUs found!")
    if not is_mpi_available():
        raise RuntimeError("ember.distributed needs MPI: pip install mpich mpi4py")
    world = mpi().COMM_WORLD
    if world_size == -1:
        world_size = int(os.environ.get("WORLD_SIZE", world.Get_size()))
    if rank == -1:
        rank = int(os.environ.get("RANK", world.Get_rank()))
    if world_size != world.Get_size():
        raise RuntimeError(f"ember.distributed: world_size {world_size} needs {world_size} MPI processes, this job "
                           f"has {world.Get_size()}; launch with `ember run --nproc-per-node {world_size} script.py` "
                           f"or `mpiexec -n {world_size} ember run script.py`")
    if not 0 <= rank < world_size:
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {world_size - 1}]")
    comm = world.Split(0, rank)  # group rank == the requested rank
    if comm.Get_rank() != rank:
        raise ValueError(f"Invalid rank {rank}: another process of the job has the same rank")
    if world_size > 1:
        _abort_job_on_crash()
    global_ranks = comm.allgather(world.Get_rank())
    _World.default_pg = ProcessGroup(comm, range(world_size), name, timeout)
    _World.default_pg._world_ranks = global_ranks
    _World.groups = [_World.default_pg]
    if device_id is not None and name == "nccl":
        _World.default_pg._device = device_id


def _abort_job_on_crash():
    """An uncaught exception in this rank aborts the MPI job (else its peers would wait in a collective for
    ever); `ember run` already installs this in ranks, a script started as `mpiexec python script.py` gets it
    here."""
    import sys

    from . import _rank

    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _rank._abort_on_exception


def _backend_name(backend):
    if backend is None:
        return "gloo"
    name = str(backend).lower()
    if ":" in name:  # "cpu:gloo,cuda:nccl"
        parts = dict(p.split(":", 1) for p in name.split(","))
        name = parts.get("cuda") if "cuda" in parts and is_nccl_available() else parts.get("cpu", "gloo")
    if name not in ("gloo", "mpi", "nccl"):
        raise ValueError(f"Invalid backend: '{backend}'")
    return name


def destroy_process_group(group=None):
    if _World.default_pg is None:
        raise AssertionError("Process group cannot be None")
    targets = list(_World.groups) if group is None or group is _World.default_pg else [group]
    for pg in targets:
        if pg is GroupMember.NON_GROUP_MEMBER:
            continue
        if pg._nccl is not None:
            pg._nccl.close()
        pg._comm.Free()
        if pg in _World.groups:
            _World.groups.remove(pg)
    if group is None or group is _World.default_pg:
        _World.default_pg = None
        _World.groups = []


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None, sort_ranks=True):
    """A group of some ranks (every rank of the default group calls it); non-members get NON_GROUP_MEMBER."""
    default = _default()
    n = default.size()
    ranks = list(range(n)) if ranks is None else (sorted(ranks) if sort_ranks else list(ranks))
    for r in ranks:
        if not 0 <= r < n:
            raise ValueError("The new group's rank should be within the world_size set by init_process_group")
    me = default.rank()
    MPI = mpi()
    comm = default._comm.Split(0 if me in ranks else MPI.UNDEFINED, ranks.index(me) if me in ranks else 0)
    if me not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, ranks, _backend_name(backend) if backend else default._backend,
                      timeout or default._timeout)
    _World.groups.append(pg)
    return pg


def get_rank(group=None):
    pg = _resolve(group)
    return -1 if pg is None else pg._ranks[pg.rank()]


def get_world_size(group=None):
    pg = _resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group):
    pg = _resolve(group)
    return list(pg._ranks)


def get_group_rank(group, global_rank):
    pg = _resolve(group)
    if global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg}")
    return pg._ranks.index(global_rank)


def get_global_rank(group, group_rank):
    pg = _resolve(group)
    if not 0 <= group_rank < pg.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
    return pg._ranks[group_rank]


# -- argument checks ------------------------------------------------------------------------------------------
def _check_tensor(t, name):
    from .._tensor import Tensor

    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type torch.Tensor\n"
                        f"             but got {type(t)} instead.")


def _check_list(ts, name):
    from .._tensor import Tensor

    if not isinstance(ts, (list, tuple)) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor]\n"
                        f"             but got {type(ts)} instead.")


def _peer(pg, global_rank, group_rank, op, what):
    """The group rank of a root/peer given as a global rank (or directly as group_src/group_dst)."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError(f"Can not specify both {what} and group_{what}")
        r = group_rank
    else:
        r = 0 if global_rank is None else global_rank
        if pg is not _World.default_pg:
            return get_group_rank(pg, r)
    if not 0 <= r < pg.size():
        raise RuntimeError(f"ProcessGroup{pg._label()}::{op}: invalid {_ROLE.get(what, what)} rank: {r}")
    return r


_ROLE = {"src": "root", "dst": "root"}

# -- collective fingerprints: mismatched calls raise on every rank instead of hanging ---------------------------
_OP_CODES = ["BARRIER", "ALLREDUCE", "BROADCAST", "REDUCE", "ALLGATHER", "_ALLGATHER_BASE", "GATHER", "SCATTER",
             "REDUCE_SCATTER", "_REDUCE_SCATTER_BASE", "ALLTOALL", "ALLTOALL_BASE"]
_DTYPES = sorted(_SCALAR_TYPE_NAMES)
_FP_LEN = 12


def _fingerprint(op, t):
    fp = np.full(_FP_LEN, -1, np.int64)
    fp[0] = _OP_CODES.index(op)
    if t is not None:
        fp[1] = _DTYPES.index(t._dtype.name)
        fp[2] = 0 if isinstance(t._data, np.ndarray) else 1
        shape = t._data.shape
        fp[3] = len(shape)
        if len(shape) <= _FP_LEN - 4:
            fp[4:4 + len(shape)] = shape
        else:
            fp[4] = hash(shape) & 0x7FFFFFFFFFFF
    return fp


def _describe(fp):
    op = _OP_CODES[fp[0]]
    if fp[1] < 0:
        return f"CollectiveFingerPrint(OpType={op})"
    shape = [int(s) for s in fp[4:4 + fp[3]]] if fp[3] <= _FP_LEN - 4 else "?"
    return (f"CollectiveFingerPrint(OpType={op}, TensorShape={shape}, "
            f"TensorDtypes={_SCALAR_TYPE_NAMES[_DTYPES[fp[1]]]}, TensorDeviceTypes={'cpu' if fp[2] == 0 else 'cuda'})")


def _verify(pg, op, t=None):
    """Exchange (operation, dtype, device, shape) with the other ranks; RuntimeError on every rank if any differ."""
    if pg.size() == 1:
        return
    fp = _fingerprint(op, t)
    table = np.empty((pg.size(), _FP_LEN), np.int64)
    wait_requests([pg._comm.Iallgather(fp, table)], pg._timeout_s, op.lower())
    differ = np.nonzero((table != fp).any(axis=1))[0]
    if differ.size:
        other = int(differ[0])
        raise RuntimeError(f"Detected mismatch between collectives on ranks. Rank {pg.rank()} is running collective: "
                           f"{_describe(fp)}, but Rank {other} is running collective: {_describe(table[other])}.")


def _finish(pg, reqs, buffers, async_op, what, after=None, result=None):
    def finish():
        if after is not None:
            after()
        done_all(buffers)

    work = Work(reqs, finish, pg._timeout_s, what, result)
    if async_op:
        return work
    work.wait()
    return None


def _nccl(pg, *tensors):
    """The group's NCCL engine when this is an nccl group and the tensors are on CUDA, else None (MPI)."""
    if pg._backend != "nccl" or isinstance(tensors[0]._data, np.ndarray):
        return None
    if pg._nccl is None:
        from ._nccl import NcclEngine

        pg._nccl = NcclEngine(pg)
    return pg._nccl


# -- collectives ----------------------------------------------------------------------------------------------
def _begin(group, tensors=None, lists=None):
    """Check the tensor (and tensor-list) arguments, named as in torch's messages; the group, or None when
    this rank is not a member (the collective is then skipped, as torch's)."""
    for name, t in (tensors or {}).items():
        _check_tensor(t, name)
    for name, ts in (lists or {}).items():
        _check_list(ts, name)
    return _resolve(group)


def _write_rows(tensors, rows):
    for t, row in zip(tensors, rows):
        _write(t, row)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    _verify(pg, "ALLREDUCE", tensor)
    return _all_reduce(pg, tensor, op, async_op)


def _all_reduce(pg, tensor, op, async_op, what="allreduce"):
    """all_reduce without the fingerprint exchange (DDP's buckets are the same on every rank by construction)."""
    engine = _nccl(pg, tensor)
    if engine is not None:
        return engine.all_reduce(tensor, op, async_op)
    buf = HostBuffer(tensor, for_reduce=True)
    mop, avg = mpi_op(op, tensor._dtype)
    req = pg._comm.Iallreduce(mpi().IN_PLACE, buf.arr, mop)
    return _finish(pg, [req], [buf], async_op, what, after=_averager(buf, pg, avg), result=[tensor])


def _averager(buf, pg, avg):
    if not avg:
        return None

    def divide():
        if buf.arr.dtype.kind in "iu":
            np.floor_divide(buf.arr, pg.size(), out=buf.arr)
        else:
            buf.arr /= pg.size()
    return divide


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    root = _peer(pg, dst, group_dst, "reduce", "dst")
    _verify(pg, "REDUCE", tensor)
    engine = _nccl(pg, tensor)
    if engine is not None:
        return engine.reduce(tensor, op, root, async_op)
    buf = HostBuffer(tensor, for_reduce=True)
    mop, avg = mpi_op(op, tensor._dtype)
    MPI = mpi()
    if pg.rank() == root:
        req = pg._comm.Ireduce(MPI.IN_PLACE, buf.arr, mop, root)
        return _finish(pg, [req], [buf], async_op, "reduce", after=_averager(buf, pg, avg))
    req = pg._comm.Ireduce(buf.arr, None, mop, root)
    return _finish(pg, [req], [], async_op, "reduce")


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    root = _peer(pg, src, group_src, "broadcast", "src")
    _verify(pg, "BROADCAST", tensor)
    return _broadcast(pg, tensor, root, async_op)


def _broadcast(pg, tensor, root, async_op):
    engine = _nccl(pg, tensor)
    if engine is not None:
        return engine.broadcast(tensor, root, async_op)
    buf = HostBuffer(tensor)
    req = pg._comm.Ibcast(buf.bytes, root)
    return _finish(pg, [req], [buf] if pg.rank() != root else [], async_op, "broadcast", result=[tensor])


def _write(tensor, host):
    """Copy a host array into a tensor's memory (an output of a collective)."""
    data = tensor._data
    host = host.reshape(data.shape)
    if isinstance(data, np.ndarray):
        data[...] = host
    else:
        import cupy

        data[...] = cupy.asarray(host)
    tensor._bump_version()


def _host(tensor):
    data = tensor._data
    return np.ascontiguousarray(data if isinstance(data, np.ndarray) else data.get())


def _same_shapes(pg, op, tensors, ref, what):
    for i, t in enumerate(tensors):
        if t._data.shape != ref._data.shape or t._dtype is not ref._dtype:
            raise RuntimeError(f"ProcessGroup{pg._label()}::{op}: invalid tensor {what} at index {i} (expected "
                               f"{tuple(ref._data.shape)} {ref._dtype}, got {tuple(t._data.shape)} {t._dtype})")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    pg = _begin(group, tensors=dict(tensor=tensor), lists=dict(tensor_list=tensor_list))
    if pg is None:
        return None
    n = pg.size()
    if len(tensor_list) != n:
        raise RuntimeError(f"ProcessGroup{pg._label()}::allgather: invalid output tensor list at index 0 (expected "
                           f"length {n}, got {len(tensor_list)})")
    _same_shapes(pg, "allgather", tensor_list, tensor, "size")
    _verify(pg, "ALLGATHER", tensor)
    send = _host(tensor)
    out = np.empty((n,) + send.shape, send.dtype)
    req = pg._comm.Iallgather(send.reshape(-1).view(np.uint8), out.reshape(-1).view(np.uint8))
    return _finish(pg, [req], [], async_op, "allgather", after=lambda: _write_rows(tensor_list, out),
                   result=tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    pg = _begin(group, tensors=dict(output_tensor=output_tensor, input_tensor=input_tensor))
    if pg is None:
        return None
    if output_tensor.numel() != pg.size() * input_tensor.numel():
        raise ValueError("output tensor size must be equal to world_size times input tensor size")
    if output_tensor._dtype is not input_tensor._dtype:
        raise TypeError("output tensor must have the same type as input tensor")
    _verify(pg, "_ALLGATHER_BASE", input_tensor)
    engine = _nccl(pg, input_tensor)
    if engine is not None:
        return engine.all_gather(output_tensor, input_tensor, async_op)
    out = HostBuffer(output_tensor)
    req = pg._comm.Iallgather(_host(input_tensor).reshape(-1).view(np.uint8), out.bytes)
    return _finish(pg, [req], [out], async_op, "allgather", result=[output_tensor])


def _rooted_list(pg, root, tensors, like, op, direction, name, role):
    """gather's/scatter's list: on the root, one tensor per rank shaped as `like`; elsewhere, none."""
    if pg.rank() == root:
        _check_list(tensors, name)
        if len(tensors) != pg.size():
            raise RuntimeError(f"ProcessGroup{pg._label()}::{op}: Incorrect {direction} list size {len(tensors)}. "
                               f"{direction.capitalize()} list size should be {pg.size()}, same as size of the "
                               "process group.")
        _same_shapes(pg, op, tensors, like, "size")
    elif tensors:
        raise ValueError(f"Argument ``{name}`` must NOT be specified on non-{role} ranks.")


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    root = _peer(pg, dst, group_dst, "gather", "dst")
    me = pg.rank()
    _rooted_list(pg, root, gather_list, tensor, "gather", "output", "gather_list", "destination")
    _verify(pg, "GATHER", tensor)
    send = _host(tensor)
    if me != root:
        req = pg._comm.Igather(send.reshape(-1).view(np.uint8), None, root)
        return _finish(pg, [req], [], async_op, "gather")
    out = np.empty((pg.size(),) + send.shape, send.dtype)
    req = pg._comm.Igather(send.reshape(-1).view(np.uint8), out.reshape(-1).view(np.uint8), root)
    return _finish(pg, [req], [], async_op, "gather", after=lambda: _write_rows(gather_list, out))


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    root = _peer(pg, src, group_src, "scatter", "src")
    me = pg.rank()
    _rooted_list(pg, root, scatter_list, tensor, "scatter", "input", "scatter_list", "source")
    _verify(pg, "SCATTER", tensor)
    out = HostBuffer(tensor)
    send = (np.stack([_host(t) for t in scatter_list]).reshape(-1).view(np.uint8) if me == root else None)
    req = pg._comm.Iscatter(send, out.bytes, root)
    return _finish(pg, [req], [out], async_op, "scatter")


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    pg = _begin(group, tensors=dict(output=output), lists=dict(input_list=input_list))
    if pg is None:
        return None
    if len(input_list) != pg.size():
        raise ValueError(f"ProcessGroup{pg._label()}::reduce_scatter: input list size {len(input_list)} must equal "
                         f"the process group size {pg.size()}")
    _same_shapes(pg, "reduce_scatter", input_list, output, "size")
    _verify(pg, "REDUCE_SCATTER", output)
    return _reduce_scatter(pg, output, [_host(t) for t in input_list], op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    pg = _begin(group, tensors=dict(output=output, input=input))
    if pg is None:
        return None
    if input.numel() != pg.size() * output.numel():
        raise ValueError("input tensor must be the same size as output size times world size")
    _verify(pg, "_REDUCE_SCATTER_BASE", output)
    engine = _nccl(pg, input)
    if engine is not None:
        return engine.reduce_scatter(output, input, op, async_op)
    return _reduce_scatter(pg, output, [_host(input)], op, async_op)


def _reduce_scatter(pg, output, host_inputs, op, async_op):
    out = HostBuffer(output, for_reduce=True)
    send = np.concatenate([h.reshape(-1) for h in host_inputs])
    send = send.view(np.uint8) if send.dtype == np.bool_ else send.astype(out.arr.dtype, copy=False)
    mop, avg = mpi_op(op, output._dtype)
    req = pg._comm.Ireduce_scatter_block(send, out.arr, mop)
    return _finish(pg, [req], [out], async_op, "reduce_scatter", after=_averager(out, pg, avg))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    pg = _begin(group, lists=dict(output_tensor_list=output_tensor_list, input_tensor_list=input_tensor_list))
    if pg is None:
        return None
    n = pg.size()
    if len(output_tensor_list) != n or len(input_tensor_list) != n:
        raise RuntimeError(f"ProcessGroup{pg._label()}::alltoall: tensor lists must have {n} tensors")
    _verify(pg, "ALLTOALL", None)
    send = [_host(t).reshape(-1).view(np.uint8) for t in input_tensor_list]
    recv = [np.empty(t._data.nbytes, np.uint8) for t in output_tensor_list]
    return _alltoallv(pg, send, recv, async_op, lambda: [_write(t, r.view(_host_dtype(t)))
                                                         for t, r in zip(output_tensor_list, recv)])


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    pg = _begin(group, tensors=dict(output=output, input=input))
    if pg is None:
        return None
    n = pg.size()
    _verify(pg, "ALLTOALL_BASE", None)
    src = _host(input)
    row_in = src[0:1].nbytes if src.ndim else src.nbytes
    row_out = (output._data[0:1].nbytes if output._data.ndim else output._data.nbytes)
    ins = input_split_sizes or [src.shape[0] // n] * n if src.ndim else [1] * n
    outs = output_split_sizes or [output._data.shape[0] // n] * n if output._data.ndim else [1] * n
    flat = src.reshape(-1).view(np.uint8)
    send, start = [], 0
    for k in ins:
        send.append(flat[start:start + k * row_in])
        start += k * row_in
    recv = [np.empty(k * row_out, np.uint8) for k in outs]
    return _alltoallv(pg, send, recv, async_op,
                      lambda: _write(output, np.concatenate(recv).view(_host_dtype(output))))


def _host_dtype(t):
    return t._data.dtype


def _alltoallv(pg, send, recv, async_op, after):
    scounts = [s.size for s in send]
    rcounts = [r.size for r in recv]
    sbuf = np.concatenate(send) if send else np.empty(0, np.uint8)
    rbuf = np.empty(sum(rcounts), np.uint8)
    req = pg._comm.Ialltoallv([sbuf, (scounts, _offsets(scounts))], [rbuf, (rcounts, _offsets(rcounts))])

    def split():
        start = 0
        for r in recv:
            r[...] = rbuf[start:start + r.size]
            start += r.size
        after()
    return _finish(pg, [req], [], async_op, "alltoall", after=split)


def _offsets(counts):
    return [int(x) for x in np.concatenate([[0], np.cumsum(counts)[:-1]])] if counts else []


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    pg = _resolve(group)
    if pg is None:
        return None
    _verify(pg, "BARRIER")
    work = Work([pg._comm.Ibarrier()], None, timeout.total_seconds() if timeout else pg._timeout_s, "barrier")
    if async_op:
        return work
    work.wait()
    return None


# -- point to point -------------------------------------------------------------------------------------------
def _p2p_peer(pg, rank, group_rank, op, what):
    r = _peer(pg, rank, group_rank, op, what)
    if r == pg.rank():
        word = "destination" if what == "dst" else "source"
        raise ValueError(f"Invalid {word} rank: {word} rank should not be the same as the rank of the current "
                         "process.")
    return r


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    peer = _p2p_peer(pg, dst, group_dst, "send", "dst")
    engine = _nccl(pg, tensor)
    if engine is not None:
        return engine.send(tensor, peer)
    data = _host(tensor).reshape(-1).view(np.uint8)
    return Work([pg._comm.Isend(data, peer, tag)], None, pg._timeout_s, "send")


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    pg = _begin(group, tensors=dict(tensor=tensor))
    if pg is None:
        return None
    MPI = mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else _p2p_peer(pg, src, group_src, "recv", "src")
    engine = _nccl(pg, tensor) if peer != MPI.ANY_SOURCE else None
    if engine is not None:
        return engine.recv(tensor, peer)
    buf = HostBuffer(tensor)
    want = buf.bytes.size
    # One byte more than the tensor holds: a message of any other size is detected, not silently
    # truncated or partly filled.
    landing = np.empty(want + 1, np.uint8)
    statuses = [MPI.Status()]
    work = Work([pg._comm.Irecv(landing, peer, tag)], None, pg._timeout_s, "recv", [tensor], statuses=statuses)

    def finish():
        got = statuses[0].Get_count(MPI.BYTE)
        if got != want:
            raise RuntimeError(f"ProcessGroup{pg._label()}::recv: the message from rank "
                               f"{pg._ranks[statuses[0].Get_source()]} has {got} bytes, the receiving tensor "
                               f"{want}")
        work._source = pg._ranks[statuses[0].Get_source()]
        buf.bytes[...] = landing[:want]
        buf.done()
    work._finish = finish
    work._on_error = lambda e: RuntimeError(f"ProcessGroup{pg._label()}::recv: the message from rank "
                                            f"{pg._ranks[statuses[0].Get_source()]} is longer than the receiving "
                                            f"tensor's {want} bytes")
    return work


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work.source_rank()


# -- objects: pickled into uint8 tensors, sizes exchanged first (as torch does) --------------------------------
def _to_bytes(obj):
    from .._creation import from_numpy

    return from_numpy(np.frombuffer(pickle.dumps(obj), np.uint8).copy())


def _from_bytes(t, size):
    return pickle.loads(t._data[:size].tobytes())


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    from .._creation import tensor, zeros

    pg = _resolve(group)
    if pg is None:
        return
    root = _peer(pg, src, group_src, "broadcast", "src")
    me = pg.rank()
    if me == root:
        payloads = [_to_bytes(o) for o in object_list]
        sizes = tensor([p.numel() for p in payloads])
    else:
        sizes = zeros(len(object_list), dtype=_int64())
    broadcast(sizes, group=pg, group_src=root)
    total = int(sizes._data.sum())
    if me == root:
        blob = tensor(np.concatenate([p._data for p in payloads]) if payloads else np.empty(0, np.uint8))
    else:
        blob = zeros(total, dtype=_uint8())
    broadcast(blob, group=pg, group_src=root)
    if me != root:
        start = 0
        for i, k in enumerate(sizes._data.tolist()):
            object_list[i] = pickle.loads(blob._data[start:start + k].tobytes())
            start += k


def _int64():
    from .. import _dtype

    return _dtype.int64


def _uint8():
    from .. import _dtype

    return _dtype.uint8


def all_gather_object(object_list, obj, group=None):
    pg = _resolve(group)
    if pg is None:
        return
    for i, (t, size) in enumerate(_gather_payloads(pg, obj)):
        object_list[i] = _from_bytes(t, size)


def _gather_payloads(pg, obj):
    """Every rank's pickled obj: sizes all-gathered, then the payloads padded to the largest."""
    from .._creation import tensor, zeros

    payload = _to_bytes(obj)
    sizes = [zeros(1, dtype=_int64()) for _ in range(pg.size())]
    all_gather(sizes, tensor([payload.numel()]), group=pg)
    longest = max(int(s.item()) for s in sizes)
    padded = zeros(longest, dtype=_uint8())
    padded._data[:payload.numel()] = payload._data
    outs = [zeros(longest, dtype=_uint8()) for _ in range(pg.size())]
    all_gather(outs, padded, group=pg)
    return [(o, int(s.item())) for o, s in zip(outs, sizes)]


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    pg = _resolve(group)
    if pg is None:
        return
    root = _peer(pg, dst, group_dst, "gather", "dst")
    gathered = _gather_payloads(pg, obj)  # every rank takes part; only the root keeps them
    if pg.rank() == root:
        for i, (t, size) in enumerate(gathered):
            object_gather_list[i] = _from_bytes(t, size)


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None, group=None,
                        group_src=None):
    pg = _resolve(group)
    if pg is None:
        return
    root = _peer(pg, src, group_src, "scatter", "src")
    objs = list(scatter_object_input_list) if pg.rank() == root else [None] * pg.size()
    broadcast_object_list(objs, group=pg, group_src=root)
    scatter_object_output_list[0] = objs[pg.rank()]


def send_object_list(object_list, dst=None, group=None, device=None, group_dst=None):
    from .._creation import tensor

    payloads = [_to_bytes(o) for o in object_list]
    send(tensor([p.numel() for p in payloads]), dst, group, group_dst=group_dst)
    send(tensor(np.concatenate([p._data for p in payloads]) if payloads else np.empty(0, np.uint8)), dst, group,
         group_dst=group_dst)


def recv_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Fill object_list with the objects a send_object_list sent; returns the sender's rank."""
    from .._creation import zeros

    sizes = zeros(len(object_list), dtype=_int64())
    sender = recv(sizes, src, group, group_src=group_src)
    blob = zeros(int(sizes._data.sum()), dtype=_uint8())
    recv(blob, sender, group)
    start = 0
    for i, k in enumerate(sizes._data.tolist()):
        object_list[i] = pickle.loads(blob._data[start:start + k].tobytes())
        start += k
    return sender


class P2POp:
    """One isend/irecv for batch_isend_irecv."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or "
                             "``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag, self.group_peer = op, tensor, peer, group, tag, group_peer


def batch_isend_irecv(p2p_op_list):
    """Start every operation (non-blocking in MPI, so any order pairs up); their Works, in order."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type ``torch.distributed.P2POp``.")
    return [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    from ._errors import DistBackendError

    pg = _resolve(group)
    if pg is None:
        return
    limit = timeout if timeout is not None else pg._timeout
    try:
        barrier(pg, timeout=limit)
    except DistBackendError:
        raise RuntimeError(f"Rank {get_rank()} failed to pass monitoredBarrier in "
                           f"{int(limit.total_seconds() * 1000)} ms") from None


def get_node_local_rank(fallback_rank=None):
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank to allow "
                       "`get_node_local_rank` to work, assuming you are not running in a multi-device context and "
                       "want the code to run locally instead.")


def is_backend_available(backend):
    return {"gloo": is_gloo_available, "mpi": is_mpi_available, "nccl": is_nccl_available}.get(
        str(backend).lower(), lambda: False)()


def get_pg_count():
    return len(_World.groups)
