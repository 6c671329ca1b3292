"""ember.nn: modules, parameters, functional ops, initialisers (PyTorch's torch.nn)."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, utils  # noqa: F401,E402
from .parallel import DataParallel  # noqa: F401,E402
