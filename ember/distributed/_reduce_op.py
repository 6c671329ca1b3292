"""ReduceOp (torch's values and repr) and its MPI operator for a dtype."""
import enum

from ._work import mpi


class RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9


class ReduceOp:
    """torch.distributed.ReduceOp: ReduceOp.SUM ... are RedOpType members."""

    RedOpType = RedOpType

    def __init__(self, op=RedOpType.SUM):
        self.op = op

    def __eq__(self, other):
        return (other.op if isinstance(other, ReduceOp) else other) == self.op

    def __hash__(self):
        return hash(self.op)


for _member in RedOpType:
    setattr(ReduceOp, _member.name, _member)

_MPI_NAMES = {RedOpType.SUM: "SUM", RedOpType.AVG: "SUM", RedOpType.PRODUCT: "PROD", RedOpType.MIN: "MIN",
              RedOpType.MAX: "MAX", RedOpType.BAND: "BAND", RedOpType.BOR: "BOR", RedOpType.BXOR: "BXOR"}
# bool tensors reduce as bytes with logical operators (torch: SUM/MAX are "or", PRODUCT/MIN are "and")
_BOOL_NAMES = {RedOpType.SUM: "LOR", RedOpType.MAX: "LOR", RedOpType.PRODUCT: "LAND", RedOpType.MIN: "LAND",
               RedOpType.BAND: "LAND", RedOpType.BOR: "LOR", RedOpType.BXOR: "LXOR"}


def mpi_op(op, dtype):
    """(MPI operator, whether to divide by the group size afterwards) for ReduceOp op on a dtype."""
    op = op.op if isinstance(op, ReduceOp) else op
    if not isinstance(op, RedOpType) or op not in _MPI_NAMES:
        raise ValueError(f"Cannot use ReduceOp.{getattr(op, 'name', op)} with ember's MPI backend")
    if dtype.is_complex and op in (RedOpType.MIN, RedOpType.MAX):
        raise ValueError(f"all_reduce does not support {op.name} on complex tensors")
    names = _BOOL_NAMES if dtype.name == "bool" else _MPI_NAMES
    return getattr(mpi(), names[op]), op is RedOpType.AVG
