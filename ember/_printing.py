"""Tensor repr (minimal; to be replaced by the exact PyTorch formatter)."""
import numpy as np


def tensor_repr(t):
    body = np.array2string(t.numpy(force=True), separator=", ", prefix="tensor(")
    suffix = ""
    if t._requires_grad and t._grad_fn is None:
        suffix = ", requires_grad=True"
    elif t._grad_fn is not None:
        suffix = f", grad_fn=<{t._grad_fn.name()}>"
    return f"tensor({body}{suffix})"
