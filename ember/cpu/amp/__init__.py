"""torch.cpu.amp: deprecated aliases of torch.amp with device "cpu"."""
from .autocast_mode import autocast  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401
