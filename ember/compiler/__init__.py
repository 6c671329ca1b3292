"""torch.compiler: ember runs eagerly, so compiling returns the function and the queries answer 'not compiling'."""
from .. import _dynamo
from .._api import compile

__all__ = ["compile", "config", "assume_constant_result", "reset", "allow_in_graph", "list_backends", "disable",
           "set_stance", "cudagraph_mark_step_begin", "wrap_numpy", "is_compiling", "is_dynamo_compiling",
           "is_exporting", "substitute_in_graph", "set_default_backend", "get_default_backend",
           "nested_compile_region"]

from .._dynamo import allow_in_graph, assume_constant_result, list_backends, reset  # noqa: E402

config = _dynamo.config
_default_backend = ["inductor"]


def disable(fn=None, recursive=True, *, reason=None):
    return _dynamo.disable(fn, recursive, reason=reason)


def is_compiling():
    return False


def is_dynamo_compiling():
    return False


def is_exporting():
    return False


def set_stance(stance="default", *, skip_guard_eval_unsafe=False, force_backend=None):
    """A no-op context manager / decorator: there is no compiled code whose stance could change."""
    import contextlib

    return contextlib.nullcontext()


def cudagraph_mark_step_begin():
    pass


def wrap_numpy(fn):
    return fn


def substitute_in_graph(original_fn, *, can_constant_fold_through=False, skip_signature_check=False):
    return lambda fn: fn


def nested_compile_region(fn=None):
    return (lambda f: f) if fn is None else fn


def set_default_backend(backend):
    _default_backend[0] = backend


def get_default_backend():
    return _default_backend[0]
