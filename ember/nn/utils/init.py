"""skip_init: build a module without running its parameter initialisation."""
import inspect

from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """module_cls(*args, **kwargs) on kwargs['device'] (default 'cpu'), with torch's checks.

    torch builds the module on the meta device and then allocates uninitialised storage, so
    the parameters hold arbitrary values the caller must overwrite. ember has no meta device:
    it builds the module directly (its parameters then hold the usual initial values, which
    are just as arbitrary to a caller of skip_init)."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.setdefault("device", "cpu")
    return module_cls(*args, **kwargs)
