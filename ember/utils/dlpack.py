"""torch.utils.dlpack: DLPack capsules in and out (see ember/_dlpack.py)."""
from .._dlpack import from_dlpack, to_dlpack  # noqa: F401

__all__ = ["from_dlpack", "to_dlpack"]
