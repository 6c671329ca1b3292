"""ember.nn: modules, parameters, functional ops, initialisers (PyTorch's torch.nn)."""
from .parameter import Parameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, utils  # noqa: F401,E402


def __getattr__(name):
    # torch.nn.parallel is an attribute of torch.nn; loaded on first use (it is rarely needed)
    if name == "parallel":
        import importlib

        return importlib.import_module(".parallel", __name__)
    raise AttributeError(f"module 'ember.nn' has no attribute '{name}'")
