"""NCCL for CUDA tensors of an "nccl" group, through CuPy's cupy.cuda.nccl.

The communicator is made at the group's first CUDA collective, on that tensor's device (scripts call
torch.cuda.set_device(local_rank) first, as under torchrun); its unique id travels from group rank 0 over
the group's MPI communicator. Operations are enqueued on the current CuPy stream, so later kernels see their
results in stream order; Work.wait() synchronises the stream. all_reduce, reduce, broadcast,
all_gather_into_tensor, reduce_scatter_tensor and send/recv run on NCCL; the other collectives of an nccl
group stage through the host over MPI."""
from ._reduce_op import RedOpType, ReduceOp
from ._work import Work

# ncclDataType_t and ncclRedOp_t (nccl.h)
_DTYPES = {"int8": 0, "uint8": 1, "bool": 1, "int32": 2, "uint32": 3, "int64": 4, "uint64": 5, "float16": 6,
           "float32": 7, "float64": 8, "bfloat16": 9, "complex64": 7, "complex128": 8}
_OPS = {RedOpType.SUM: 0, RedOpType.PRODUCT: 1, RedOpType.MAX: 2, RedOpType.MIN: 3, RedOpType.AVG: 4}
_BOOL_OPS = {RedOpType.SUM: 2, RedOpType.MAX: 2, RedOpType.PRODUCT: 3, RedOpType.MIN: 3}  # or = max, and = min


def _op(op, dtype):
    op = op.op if isinstance(op, ReduceOp) else op
    table = _BOOL_OPS if dtype.name == "bool" else _OPS
    if op not in table or (dtype.is_complex and op not in (RedOpType.SUM, RedOpType.AVG)):
        raise ValueError(f"Cannot use ReduceOp.{getattr(op, 'name', op)} with NCCL on {dtype}")
    return table[op]


class NcclEngine:
    def __init__(self, pg):
        import cupy
        from cupy.cuda import nccl

        self.cupy = cupy
        self.pg = pg
        uid = nccl.get_unique_id() if pg.rank() == 0 else None
        uid = pg._comm.bcast(uid, root=0)
        self.comm = nccl.NcclCommunicator(pg.size(), uid, pg.rank())

    def close(self):
        self.comm.destroy()

    # -- helpers ------------------------------------------------------------------------------------------------
    def _buffer(self, tensor):
        """(contiguous device array, its element count for NCCL, write-back or None)."""
        data = tensor._data
        arr = data if data.flags.c_contiguous else self.cupy.ascontiguousarray(data)
        count = arr.size * (2 if tensor._dtype.is_complex else 1)
        if arr is data:
            return arr, count, None

        def back():
            data[...] = arr
        return arr, count, back

    def _done(self, tensors, backs, async_op, result=None):
        for b in backs:
            if b is not None:
                b()
        for t in tensors:
            t._bump_version()
        stream = self.cupy.cuda.get_current_stream()
        if async_op:
            return Work(wait_fn=stream.synchronize, timeout_s=self.pg._timeout_s, result=result)
        return None

    def _stream(self):
        return self.cupy.cuda.get_current_stream().ptr

    # -- collectives --------------------------------------------------------------------------------------------
    def all_reduce(self, tensor, op, async_op):
        arr, count, back = self._buffer(tensor)
        self.comm.allReduce(arr.data.ptr, arr.data.ptr, count, _DTYPES[tensor._dtype.name],
                            _op(op, tensor._dtype), self._stream())
        return self._done([tensor], [back], async_op, [tensor])

    def reduce(self, tensor, op, root, async_op):
        arr, count, back = self._buffer(tensor)
        self.comm.reduce(arr.data.ptr, arr.data.ptr, count, _DTYPES[tensor._dtype.name], _op(op, tensor._dtype),
                         root, self._stream())
        return self._done([tensor], [back if self.pg.rank() == root else None], async_op, [tensor])

    def broadcast(self, tensor, root, async_op):
        arr, count, back = self._buffer(tensor)
        self.comm.broadcast(arr.data.ptr, arr.data.ptr, count, _DTYPES[tensor._dtype.name], root, self._stream())
        return self._done([tensor], [back], async_op, [tensor])

    def all_gather(self, output, input, async_op):
        src, count, _ = self._buffer(input)
        out, _, back = self._buffer(output)
        self.comm.allGather(src.data.ptr, out.data.ptr, count, _DTYPES[input._dtype.name], self._stream())
        return self._done([output], [back], async_op, [output])

    def reduce_scatter(self, output, input, op, async_op):
        src, _, _ = self._buffer(input)
        out, count, back = self._buffer(output)
        self.comm.reduceScatter(src.data.ptr, out.data.ptr, count, _DTYPES[output._dtype.name],
                                _op(op, output._dtype), self._stream())
        return self._done([output], [back], async_op, [output])

    def send(self, tensor, peer):
        arr, count, _ = self._buffer(tensor)
        self.comm.send(arr.data.ptr, count, _DTYPES[tensor._dtype.name], peer, self._stream())
        return Work(wait_fn=self.cupy.cuda.get_current_stream().synchronize, timeout_s=self.pg._timeout_s)

    def recv(self, tensor, peer):
        arr, count, back = self._buffer(tensor)
        self.comm.recv(arr.data.ptr, count, _DTYPES[tensor._dtype.name], peer, self._stream())
        work = self._done([tensor], [back], True, [tensor])
        work._source = self.pg._ranks[peer]
        return work

