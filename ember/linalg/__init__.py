"""torch.linalg: linear algebra. The products live in ember/_ops/matmul.py,
cross and diagonal in ember/_ops/misc.py."""
from .._ops.matmul import matmul, multi_dot, vecdot  # noqa: F401
from .._ops.misc import diagonal, linalg_cross as cross  # noqa: F401
