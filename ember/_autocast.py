"""Autocast's per-thread state and the cast done at the entry of the ops torch lists.

The listed public op functions start with one line,

    if _amp.active: return _amp.call("mm", mm, input, mat2, out=out)

`state.active` is a thread-local attribute that is False unless this thread has
autocast on for some device and is not already inside a listed op, so ops cost
one attribute read when autocast is off. `call` looks the op up in the casting
table of the device of its first tensor (torch's AutocastCPU / AutocastCUDA
lists, checked against torch 2.13 by running each op under torch.autocast), casts
the eligible arguments (floating, on that device, not float64) and runs the op
with autocast off for this thread, as torch's autocast kernels exclude their own
dispatch key: ops nested inside a listed op are not cast again.

torch.autocast itself (the context manager) is in ember/amp; this core module
holds only what the ops need, plus torch's top-level get/set functions.
"""
import threading
import warnings

from . import _dtype as D

_DEVICES = ("cpu", "cuda")
_DEVICE_WORDS = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, "
                 "meta, hpu, mtia, privateuseone")


class _State(threading.local):
    """Autocast state of one thread (a new thread starts with autocast off, as in torch)."""

    def __init__(self):
        self.active = False  # some device enabled and not inside a listed op: the ops' one check
        self.enabled = {"cpu": False, "cuda": False}
        self.dtype = {"cpu": D.bfloat16, "cuda": D.float16}
        self.cache_enabled = True
        self.nesting = 0
        self.cache = {}  # id(float32 leaf) -> (leaf, its lower-precision cast), cleared on leaving autocast


state = _State()


def _refresh():
    state.active = state.enabled["cpu"] or state.enabled["cuda"]


# -- the casting tables --------------------------------------------------------------------------
# CPU: every entry checked by running the op under torch.autocast("cpu") (tests/test_amp.py keeps
# checking them). CUDA: torch's AutocastCUDA registrations (a CPU build of torch cannot run them);
# its float32 list also names elementwise ops (exp, log, pow, sum, softmax, layer_norm...) that
# ember does not check yet. Per device: "lower" casts to the autocast dtype, "fp32" to float32, "promote" to the widest
# floating type among the arguments. Ops that torch lists and ember lacks are not here.
_LOWER = "lower"
_FP32 = "fp32"
_PROMOTE = "promote"

_CPU = {
    # lower precision: the products and convolutions (einsum, tensordot, inner, multi_dot and
    # chain_matmul are composites in torch that reach mm/bmm, so they come out lower too)
    **dict.fromkeys(["matmul", "mm", "bmm", "addmm", "baddbmm", "addbmm", "linear", "vecdot", "conv1d", "conv2d",
                     "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu",
                     "scaled_dot_product_attention", "tensordot", "multi_dot", "chain_matmul", "einsum",
                     "inner"], _LOWER),
    # float32: losses, reductions and decompositions that lose too much in bfloat16
    **dict.fromkeys(["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
                     "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss",
                     "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "poisson_nll_loss",
                     "triplet_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "ctc_loss", "prod",
                     "cdist", "trace", "quantile", "nanquantile", "stft", "polar", "view_as_complex",
                     "avg_pool3d", "max_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "fractional_max_pool2d",
                     "fractional_max_pool3d", "max_unpool2d", "max_unpool3d", "grid_sample", "pad",
                     "fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "ifftn", "fft2", "ifft2", "rfftn",
                     "rfft2", "irfftn", "irfft2",
                     "inverse", "pinverse", "inv", "inv_ex", "cholesky", "cholesky_ex", "solve", "eigh", "eigvalsh",
                     "eig", "eigvals", "svd", "svdvals", "qr", "lstsq", "matrix_rank", "cond", "householder_product",
                     "tensorinv", "tensorsolve", "cholesky_solve", "cholesky_inverse", "lu_solve", "orgqr", "ormqr",
                     "geqrf", "triangular_solve"], _FP32),
    **dict.fromkeys(["cat", "stack", "index_copy"], _PROMOTE),
}
_CUDA = {
    **dict.fromkeys(["matmul", "mm", "bmm", "addmm", "baddbmm", "addbmm", "linear", "vecdot", "conv1d", "conv2d",
                     "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu",
                     "scaled_dot_product_attention", "mv", "addmv", "addr", "einsum", "multi_dot",
                     "chain_matmul"], _LOWER),
    **dict.fromkeys(["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
                     "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss",
                     "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "poisson_nll_loss",
                     "triplet_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "prod", "cdist"], _FP32),
    **dict.fromkeys(["dot", "vdot", "tensordot", "bilinear"], _PROMOTE),
}
POLICIES = {"cpu": _CPU, "cuda": _CUDA}


def _einsum_policy(args):
    """torch's einsum reaches bmm (and so autocasts) only when two operands share a summed label."""
    equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    if len(operands) < 2 or not isinstance(equation, str):
        return None
    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if not arrow:  # implicit output: the labels used once, sorted
        rhs = "".join(c for c in sorted(set(lhs)) if c.isalpha() and lhs.count(c) == 1)
    return _LOWER if any(c.isalpha() and c not in rhs and sum(c in t for t in terms) >= 2 for c in lhs) else None


def _inner_policy(args):
    """inner of two vectors is torch's dot (not listed on CPU); higher ranks go through tensordot."""
    a, b = args[0], args[1]
    return None if getattr(a, "ndim", 0) <= 1 and getattr(b, "ndim", 0) <= 1 else _LOWER


_SPECIAL_CPU = {"einsum": _einsum_policy, "inner": _inner_policy}


# -- the cast -------------------------------------------------------------------------------------
def _tensors(value):
    from ._tensor import Tensor

    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _tensors(v)


def _first_device(args, kwargs):
    for value in (*args, *kwargs.values()):
        for t in _tensors(value):
            return t.device.type
    return None


def _eligible(t, device):
    """torch's autocast casts floating tensors on its device, never float64 ones."""
    return t._dtype.is_floating_point and t._dtype is not D.float64 and t.device.type == device


def _cast_to(value, device, dtype, lower):
    from ._tensor import Tensor

    if isinstance(value, Tensor):
        if not _eligible(value, device) or value._dtype is dtype:
            return value
        if lower and value._dtype is D.float32 and state.cache_enabled and value.requires_grad and value.is_leaf:
            hit = state.cache.get(id(value))
            if hit is None or hit[0] is not value:
                hit = state.cache[id(value)] = (value, value.to(dtype))
            return hit[1]
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_to(v, device, dtype, lower) for v in value)
    return value


def _widest(args, kwargs, device, lower):
    """torch's at::autocast::prioritize: float32 wins over the lower type, float64 is ignored."""
    current = lower
    for value in (*args, *kwargs.values()):
        for t in _tensors(value):
            if not _eligible(t, device):
                continue
            if current is D.float32 or t._dtype is D.float32:
                current = D.float32
            elif not (current is lower and t._dtype is lower):
                raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return current


def call(name, fn, *args, **kwargs):
    """Run the listed op `fn` under this thread's autocast: cast its arguments by the policy of
    its device and run it with autocast off (nested ops are not cast again)."""
    device = _first_device(args, kwargs)
    policy = None
    if device in POLICIES and state.enabled[device]:
        special = _SPECIAL_CPU.get(name) if device == "cpu" else None
        policy = special(args) if special is not None else POLICIES[device].get(name)
    if policy is not None:
        lower = state.dtype[device]
        dtype = lower if policy == _LOWER else D.float32 if policy == _FP32 else _widest(args, kwargs, device, lower)
        args = _cast_to(args, device, dtype, policy == _LOWER)
        kwargs = {k: _cast_to(v, device, dtype, policy == _LOWER) for k, v in kwargs.items()}
    state.active = False
    try:
        return fn(*args, **kwargs)
    finally:
        _refresh()


# -- torch's top-level autocast functions ------------------------------------------------------------
def _device_type(device_type):
    if device_type in _DEVICES:
        return device_type
    if isinstance(device_type, str) and device_type.split(":")[0] in _DEVICE_WORDS.split(", "):
        return device_type.split(":")[0]
    raise RuntimeError(f"Expected one of {_DEVICE_WORDS} device type at start of device string: {device_type}")


def is_autocast_enabled(device_type=None):
    return bool(state.enabled.get(_device_type("cuda" if device_type is None else device_type), False))


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:  # torch's deprecated one-argument form: the CUDA flag
        device_type, enabled = "cuda", device_type
    state.enabled[_device_type(device_type)] = bool(enabled)  # other device types: stored, no ops to cast
    _refresh()


def get_autocast_dtype(device_type):
    device_type = _device_type(device_type)
    return state.dtype.get(device_type, D.bfloat16 if device_type == "cpu" else D.float16)


def set_autocast_dtype(device_type, dtype):
    state.dtype[_device_type(device_type)] = dtype


def _deprecated(old, new):
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.", DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def is_autocast_cache_enabled():
    return state.cache_enabled


def set_autocast_cache_enabled(enabled):
    state.cache_enabled = bool(enabled)


def clear_autocast_cache():
    state.cache.clear()


def autocast_increment_nesting():
    state.nesting += 1
    return state.nesting


def autocast_decrement_nesting():
    state.nesting -= 1
    return state.nesting


__all__ = ["is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype", "set_autocast_dtype",
           "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype", "set_autocast_cpu_dtype",
           "get_autocast_gpu_dtype", "set_autocast_gpu_dtype", "is_autocast_cache_enabled",
           "set_autocast_cache_enabled", "clear_autocast_cache", "autocast_increment_nesting",
           "autocast_decrement_nesting"]
