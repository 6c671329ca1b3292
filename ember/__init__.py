"""ember: a PyTorch-compatible deep-learning library on NumPy (CPU) and CuPy (CUDA).

    import ember as torch

Tensors record a dynamic graph as they compute; `backward()` walks it. The
names, signatures, defaults and dtype rules are PyTorch's.
"""
__version__ = "2.13.0"  # the PyTorch API version ember follows

import warnings as _warnings

# NumPy's floating-point warnings (log(0), 0/0) from inside ember's ops: torch
# is silent there and so are we. Scoped to ember's modules, not the user's code.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember(\.|$)")

from . import _malloc  # noqa: E402,F401  (first: before the first large array)
from ._dtype import (  # noqa: E402
    dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
    complex32, complex64, complex128,
    uint16, uint32, uint64,
    get_default_dtype, set_default_dtype, promote_types, can_cast, finfo, iinfo,
)
from ._dtype import result_type as _result_type  # noqa: E402
from ._device import device, get_default_device, set_default_device  # noqa: E402
from ._size import Size  # noqa: E402
from ._tensor import Tensor  # noqa: E402
from . import autograd  # noqa: E402
from .autograd import (  # noqa: E402
    no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode, is_anomaly_enabled,
)
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: E402
from ._creation import (  # noqa: E402
    tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, zeros_like, ones_like, empty_like, full_like,
    arange, linspace, logspace, eye,
)
from ._creation import range_ as range  # noqa: E402
from ._legacy import (  # noqa: E402
    FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor,
    ByteTensor, BoolTensor,
)
from ._ops import *  # noqa: E402,F401,F403
from . import _storage  # noqa: E402,F401  (data_ptr, storage, share_memory_ on Tensor)
from ._storage import UntypedStorage  # noqa: E402,F401
from ._storage import from_file  # noqa: E402,F401
from ._dlpack import from_dlpack  # noqa: E402  (and Tensor.__dlpack__)
from ._dlpack import to_dlpack  # noqa: E402
from ._torch_flags import *  # noqa: E402,F401,F403
from . import _ops  # noqa: E402
from ._ops._arg_parser import install as _install_numpy_aliases  # noqa: E402
from ._api import *  # noqa: E402,F401,F403
from ._functional_api import *  # noqa: E402,F401,F403 - torch.conv2d, torch.dropout... (nn loads on first call)
from .serialization import save, load  # noqa: E402
from ._autocast import *  # noqa: E402,F401,F403 - is_autocast_enabled, set_autocast_dtype, ...

half = float16
float = float32
double = float64
short = int16
int = int32
long = int64
cfloat = complex64
cdouble = complex128
chalf = complex32


def result_type(tensor1, tensor2):
    return _result_type(tensor1, tensor2)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input._dtype.is_floating_point


def is_storage(obj):
    return False


def numel(input):
    return input.numel()


# torch's parser takes NumPy-style keywords (axis=, keepdims=, x=...): every public function
# above and every Tensor method gets them here, in one place (see ember/_ops/_arg_parser.py).
_install_numpy_aliases(globals(), Tensor)


# Subpackages that exist but load on first use (keeps `import ember` fast). Names
# torch has and ember lacks fall through to the error naming the torch name.
_LAZY = {
    "nn",
    "optim",
    "utils",
    "linalg",
    "distributions",
    "fft",
    "cuda",
    "backends",
    "func",
    "jit",
    "_dynamo",
    "compiler",
    "testing",
    "onnx",
    "random",
    "serialization",
    "bench",
    "demo",
    "accelerator",
    "special",
    "signal",
    "masked",
    "datasets",
    "multiprocessing",
    "hub",
    "vision",
    "amp",
    "cpu",
    "viz",
    "distributed",
}
# Top-level names that live in a lazy subpackage.
_LAZY_NAMES = {
    "autocast": "amp",
    "GradScaler": "amp",
    "get_float32_matmul_precision": "backends",
    "set_float32_matmul_precision": "backends",
    "vmap": "func",
    "cond": "_higher_order_ops",
    "while_loop": "_higher_order_ops",
    "Stream": "_streams",
    "Event": "_streams",
    "thread_safe_generator": "random",
    "PyTorchFileReader": "serialization",
    "PyTorchFileWriter": "serialization",
}


def __getattr__(name):
    # Subpackages load on first use, which keeps `import ember` fast.
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}' (ember does not provide torch.{name} yet)")
