"""torch.linalg: linear algebra. The products live in ember/_ops/matmul.py."""
from .._ops.matmul import matmul, multi_dot, vecdot  # noqa: F401
