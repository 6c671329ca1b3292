"""torch.backends: the flags scripts set for cuDNN, CUDA matmuls and Apple's MPS.

ember runs on NumPy/CuPy, so the flags are stored and read back but change
nothing; the availability answers are those of torch's CPU build.
"""
from . import cuda, cudnn, mps  # noqa: F401
from .cuda import get_float32_matmul_precision, set_float32_matmul_precision  # noqa: E402,F401 (torch.*)
