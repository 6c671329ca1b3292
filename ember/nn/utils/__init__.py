"""ember.nn.utils: gradient clipping, parameter/vector conversion, packed sequences (rnn),
parametrizations, weight and spectral normalization, pruning, BatchNorm fusion, functional_call.

Only what the core layers need (nn.modules imports rnn from here) and what does not build
on nn.modules is imported eagerly; the rest loads on first use."""
import importlib

from . import rnn  # noqa: F401
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,  # noqa: F401
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
# eager: the functions must shadow their same-named submodules, which importing the submodule
# (parametrizations does) would otherwise set as this package's attribute
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401,E402
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401,E402

_LAZY = {
    "parametrizations": (".parametrizations", None),
    "parametrize": (".parametrize", None),
    "prune": (".prune", None),
    "stateless": (".stateless", None),
    "fuse_conv_bn_eval": (".fusion", "fuse_conv_bn_eval"),
    "fuse_conv_bn_weights": (".fusion", "fuse_conv_bn_weights"),
    "fuse_linear_bn_eval": (".fusion", "fuse_linear_bn_eval"),
    "fuse_linear_bn_weights": (".fusion", "fuse_linear_bn_weights"),
    "skip_init": (".init", "skip_init"),
    "convert_conv2d_weight_memory_format": (".memory_format", "convert_conv2d_weight_memory_format"),
    "convert_conv3d_weight_memory_format": (".memory_format", "convert_conv3d_weight_memory_format"),
}

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "rnn", "spectral_norm", "remove_spectral_norm",
           "weight_norm", "remove_weight_norm", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name, __name__)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
