"""torch.amp: automatic mixed precision (autocast, GradScaler, custom_fwd/custom_bwd).

The per-op casting is done by the ops themselves (ember/_autocast.py); this package
holds the user-facing context manager and the loss scaler.
"""
from .autocast_mode import _enter_autocast, _exit_autocast, autocast, custom_bwd, custom_fwd, is_autocast_available  # noqa: F401,E501
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
