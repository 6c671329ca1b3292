"""torch.distributed.nn: differentiable collectives."""
from .functional import all_reduce  # noqa: F401
