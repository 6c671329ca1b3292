"""F.grouped_mm: several matrix products in one call (mixture-of-experts layers), the groups
given by a batch dim or by int32 offsets along one dim of a 2-D operand. Composed of matmul
and cat, so its gradients are theirs. Re-exported by nn/functional.py."""
from .. import _dtype as D
from .._creation import zeros
from .._ops.joining import cat, stack

__all__ = ["grouped_mm"]

_NAMES = {"float64": "Double", "int64": "Long", "int32": "Int"}


def _check_strides(t, name):
    """torch's kernels want rows (or columns) 16-byte aligned."""
    st, size = t._data.strides[-2:], t._data.itemsize
    if not ((st[1] == size and st[0] % 16 == 0) or (st[0] == size and st[1] % 16 == 0)):
        raise RuntimeError("strides should be multiple of 16 bytes")


def grouped_mm(mat_a, mat_b, *, offs=None, bias=None, out_dtype=None):
    """3-D x 3-D: a batched product. With offs (cumulative group ends): 2-D x 3-D splits a's rows,
    3-D x 2-D splits b's columns, 2-D x 2-D splits the shared (contraction) dim."""
    for t, name in ((mat_a, "mat_a"), (mat_b, "mat_b")):
        if t.dtype not in (D.float32, D.bfloat16, D.float16):
            raise RuntimeError(f"Expected {name} to be Float32, BFloat16 or Float16 matrix, got "
                               f"{_NAMES.get(t.dtype.name, t.dtype.name)}")
        if t.dim() not in (2, 3):
            raise RuntimeError(f"{name} has to be 2 or 3d")
    if (offs is not None) != (mat_a.dim() == 2 or mat_b.dim() == 2):
        raise RuntimeError("Have to provide offsets if there is a 2d matrix, or no offset if both matrices are 3d")
    if offs is not None and offs.dtype is not D.int32:
        raise RuntimeError("Offsets have to be int32")
    if out_dtype is not None and out_dtype is not mat_a.dtype:
        raise RuntimeError("Grouped gemm output dtype must match `mat_a` dtype")
    if bias is not None:
        raise RuntimeError("Bias not supported yet")
    _check_strides(mat_a, "mat_a")
    _check_strides(mat_b, "mat_b")
    if offs is None:
        if mat_a.shape[0] != mat_b.shape[0]:
            raise RuntimeError("batched dimension has to match")
        return mat_a @ mat_b
    ends = [int(e) for e in offs.tolist()]
    starts = [0] + ends[:-1]
    if mat_a.dim() == 2 and mat_b.dim() == 2:
        return stack([mat_a[:, s:e] @ mat_b[s:e] for s, e in zip(starts, ends)])
    if mat_a.dim() == 2:
        parts = [mat_a[s:e] @ mat_b[g] for g, (s, e) in enumerate(zip(starts, ends))]
        rest = mat_a.shape[0] - ends[-1]  # rows after the last group: no expert, zero
        if rest > 0:
            parts.append(zeros((rest, mat_b.shape[-1]), dtype=mat_a.dtype, device=mat_a.device))
        return cat(parts, 0)
    parts = [mat_a[g] @ mat_b[:, s:e] for g, (s, e) in enumerate(zip(starts, ends))]
    rest = mat_b.shape[1] - ends[-1]
    if rest > 0:
        parts.append(zeros((mat_a.shape[1], rest), dtype=mat_a.dtype, device=mat_a.device))
    return cat(parts, 1)
