"""All nn layers, one module per family, re-exported as ember.nn.<Name>."""
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401
from .flatten import Identity, Flatten, Unflatten  # noqa: F401
