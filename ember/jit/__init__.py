"""torch.jit for ember: there is no TorchScript compiler, so script/trace return the eager module or function
itself (same forward, state_dict, parameters, train/eval), and save/load write and read ember's own format
(the pickled module in an ember.save archive). The decorators and queries keep torch's names and no-op
eager behaviour; each deprecated entry point warns as torch 2.13 does."""
import builtins
import collections
import contextlib
import typing
import warnings

from ._serialization import load, save

__all__ = ["Attribute", "CompilationUnit", "Error", "Future", "ScriptFunction", "ScriptModule", "annotate",
           "enable_onednn_fusion", "export", "export_opnames", "fork", "freeze", "interface", "ignore", "isinstance",
           "load", "onednn_fusion_enabled", "optimize_for_inference", "save", "script", "script_if_tracing",
           "set_fusion_strategy", "strict_fusion", "trace", "trace_module", "unused", "wait", "is_scripting",
           "is_tracing", "script_method", "Final", "TracerWarning", "RecursiveScriptModule", "fuser", "optimized_execution"]

Final = typing.Final
Attribute = collections.namedtuple("Attribute", ["value", "type"])
_tracing = [False]


def _deprecated(name, instead="Please switch to `torch.compile` or `torch.export`."):
    warnings.warn(f"`torch.jit.{name}` is deprecated. {instead}", DeprecationWarning, stacklevel=3)


class Error(RuntimeError):
    pass


class TracerWarning(Warning):
    pass


def _module_base():
    from ..nn import Module

    return Module


class ScriptFunction:
    """The name torch gives compiled functions; ember's script() returns plain functions, never these."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("ScriptFunction cannot be constructed directly (ember's jit.script returns the function)")


class CompilationUnit:
    def __init__(self, lang=None, _frames_up=0):
        if lang is not None:
            raise RuntimeError("torch.jit.CompilationUnit: ember cannot compile TorchScript source")


def __getattr__(name):
    # ScriptModule subclasses nn.Module, which is loaded only when asked for (keeps this package light)
    if name in ("ScriptModule", "RecursiveScriptModule"):
        cls = type(name, (_module_base(),), {"__doc__": "Eager stand-in for torch's scripted module class."})
        globals()["ScriptModule"] = globals()["RecursiveScriptModule"] = cls
        return cls
    raise AttributeError(f"module 'ember.jit' has no attribute '{name}'")


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """The module, function or class itself: ember runs it eagerly with the same results."""
    _deprecated("script")
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    return obj


def _as_tuple(inputs):
    return inputs if isinstance(inputs, tuple) else (inputs,)


@contextlib.contextmanager
def _tracing_now():
    _tracing[0] = True
    try:
        yield
    finally:
        _tracing[0] = False


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-05,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """Run func once on the example inputs (as torch does while recording) and return func itself."""
    _deprecated("trace")
    from ..autograd.grad_mode import no_grad

    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError("example_kwarg_inputs and example_inputs are both None; one of them must be provided")
    with _tracing_now(), no_grad():
        if example_kwarg_inputs is not None:
            func(**example_kwarg_inputs)
        else:
            func(*_as_tuple(example_inputs))
    return func


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-05,
                 strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
                 example_inputs_is_kwarg=False, _store_inputs=True):
    """Run each named method once on its example inputs and return the module itself."""
    _deprecated("trace_method")
    from ..autograd.grad_mode import no_grad

    if not builtins.isinstance(mod, _module_base()):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not builtins.isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    with _tracing_now(), no_grad():
        for method, example in inputs.items():
            fn = getattr(mod, method)
            if example_inputs_is_kwarg:
                fn(**example)
            else:
                fn(*_as_tuple(example))
    return mod


def script_method(fn):
    """A ScriptModule method: plain Python in ember."""
    _deprecated("script_method")
    return fn


def is_scripting():
    return False


def is_tracing():
    """True while trace() runs the function on its example inputs."""
    return _tracing[0]


def ignore(drop=False, **kwargs):
    """Leave a function to Python (always the case in ember); usable bare or as ignore(drop=...)."""
    if callable(drop):
        return drop
    if drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the function call on "
                      f"compilation. Use torch.jit.unused now. {kwargs}", category=FutureWarning, stacklevel=2)
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    _deprecated("interface", "Please use `torch.compile` instead.")
    return obj


def script_if_tracing(fn):
    return fn


def annotate(the_type, the_value):
    return the_value


def isinstance(obj, target_type):
    """isinstance that also understands typing's containers (List[int], Dict[str, Tensor], Optional[...])."""
    origin = typing.get_origin(target_type)
    if origin is None:
        return builtins.isinstance(obj, target_type)
    args = typing.get_args(target_type)
    if origin is typing.Union:
        return any(isinstance(obj, a) for a in args)
    if not builtins.isinstance(obj, origin):
        return False
    if origin in (list, set, frozenset) and args:
        return all(isinstance(x, args[0]) for x in obj)
    if origin is tuple and args:
        return len(obj) == len(args) and all(isinstance(x, a) for x, a in zip(obj, args))
    if origin is dict and args:
        return all(isinstance(k, args[0]) and isinstance(v, args[1]) for k, v in obj.items())
    return True


class Future:
    """A finished computation (ember's fork runs the function at once)."""

    def __init__(self, value=None):
        self._value = value

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def done(self):
        return True


def fork(func, *args, **kwargs):
    _deprecated("fork", "Please use `torch.compile` instead.")
    return Future(func(*args, **kwargs))


def wait(future):
    _deprecated("wait", "Please use `torch.compile` instead.")
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """The eval-mode module itself (ember has no graph to fold constants into)."""
    _deprecated("freeze", "Please use `torch.compile` instead.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. Please call .eval() on "
                           "your module before freezing.")
    return mod


def optimize_for_inference(mod, other_methods=None):
    _deprecated("optimize_for_inference", "Please use `torch.compile` instead.")
    return mod.eval()


_onednn = [False]


def enable_onednn_fusion(enabled):
    _onednn[0] = bool(enabled)


def onednn_fusion_enabled():
    return _onednn[0]


def set_fusion_strategy(strategy):
    _deprecated("set_fusion_strategy", "Please use `torch.compile` instead.")
    return []


def export_opnames(m):
    return []


class strict_fusion:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@contextlib.contextmanager
def fuser(name):
    yield


@contextlib.contextmanager
def optimized_execution(should_optimize):
    yield
