"""torch's default DDP communication hooks: hook(process_group, bucket) -> a future of the reduced bucket."""
from ... import distributed_c10d as c10d

__all__ = ["allreduce_hook", "fp16_compress_hook", "bf16_compress_hook"]


def _allreduce_fut(process_group, tensor):
    """Average `tensor` over the group, without blocking: a future of it."""
    group = process_group if process_group is not None else c10d.group.WORLD
    tensor.div_(group.size())
    return c10d.all_reduce(tensor, group=group, async_op=True).get_future().then(lambda fut: fut.value()[0])


def allreduce_hook(process_group, bucket):
    return _allreduce_fut(process_group, bucket.buffer())


def _compress_hook(dtype, process_group, bucket):
    group = process_group if process_group is not None else c10d.group.WORLD
    buffer = bucket.buffer()
    compressed = buffer.to(dtype).div_(group.size())
    fut = c10d.all_reduce(compressed, group=group, async_op=True).get_future()

    def decompress(fut):
        buffer.copy_(fut.value()[0])
        return buffer
    return fut.then(decompress)


def fp16_compress_hook(process_group, bucket):
    from .... import float16

    return _compress_hook(float16, process_group, bucket)


def bf16_compress_hook(process_group, bucket):
    from .... import bfloat16

    return _compress_hook(bfloat16, process_group, bucket)
