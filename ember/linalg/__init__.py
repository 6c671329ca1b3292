"""torch.linalg: linear algebra. Products live in ember/_ops/matmul.py, cross and
diagonal in ember/_ops/misc.py (which also exports torch.inverse, torch.det,
torch.logdet and torch.slogdet from here); the rest in this package."""
from .._ops.matmul import matmul, multi_dot, vecdot  # noqa: F401
from .._ops.misc import diagonal, linalg_cross as cross  # noqa: F401
from ._checks import LinAlgError  # noqa: F401
from ._inverse import det, inv, lstsq, matrix_rank, pinv, slogdet, solve  # noqa: F401
from ._decompositions import cholesky, eigh, eigvalsh, qr, svd, svdvals  # noqa: F401
from ._eig import eig, eigvals  # noqa: F401
from ._norms import matrix_norm, norm, vector_norm  # noqa: F401
from ._triangular import cholesky_ex, inv_ex, solve_ex, solve_triangular  # noqa: F401
from ._lu import lu, lu_factor, lu_factor_ex, lu_solve  # noqa: F401
from ._ldl import ldl_factor, ldl_factor_ex, ldl_solve  # noqa: F401
from ._functions import (  # noqa: F401
    cond, householder_product, matrix_exp, matrix_power, tensorinv, tensorsolve, vander,
)
from .._ops._arg_parser import install as _install_numpy_aliases  # noqa: E402

_install_numpy_aliases(globals(), python_defined=())  # torch.linalg's functions are all builtins: axis= works
