"""torch._dynamo: ember runs every function eagerly, so these are the no-op forms of dynamo's entry points
(decorators return the function, marks are recorded nowhere) with torch's signatures."""
from . import config

__all__ = ["allow_in_graph", "assume_constant_result", "disable", "mark_dynamic", "mark_static",
           "maybe_mark_dynamic", "optimize", "reset", "run", "explain", "is_compiling", "list_backends", "config",
           "graph_break", "is_dynamo_supported"]

_BACKENDS = ("cudagraphs", "inductor", "openxla", "tvm")
_ALL_BACKENDS = ("aot_eager", "aot_eager_decomp_partition", "aot_eager_default_partitioner", "aot_ts",
                 "cudagraphs", "eager", "eager_debug", "eager_noexcept", "inductor", "invoke_subgraph", "openxla",
                 "openxla_eval", "pre_dispatch_eager", "ts", "tvm")


def list_backends(exclude_tags=("debug", "experimental")):
    return sorted(_BACKENDS if exclude_tags else _ALL_BACKENDS)


def reset():
    """Forget compiled code: there is none."""


def is_compiling():
    return False


def is_dynamo_supported():
    return True


def graph_break():
    pass


def _identity_decorator(fn):
    return fn


def disable(fn=None, recursive=True, *, reason=None, wrapping=True):
    """Run fn without compiling: ember never compiles. Usable with and without arguments."""
    return _identity_decorator if fn is None else fn


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def _check_index(t, index):
    from .._tensor import Tensor

    if not isinstance(t, Tensor):
        raise AssertionError(f"mark_dynamic expects a Tensor, got {type(t).__name__}")
    for i in (index if isinstance(index, (list, tuple)) else [index]):
        if i is not None and not -t.dim() <= i < max(t.dim(), 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-t.dim()}, {t.dim() - 1}], "
                             f"but got {i})")


def mark_dynamic(t, index, *, hint_override=None, min=None, max=None, specialize_on=None):
    _check_index(t, index)


def maybe_mark_dynamic(t, index):
    _check_index(t, index)


def mark_static(t, index=None):
    pass


def optimize(*args, **kwargs):
    """The old spelling of torch.compile: a decorator returning the function as it is."""
    return _identity_decorator


def run(fn=None):
    return _identity_decorator if fn is None else fn


def explain(f, *extra_args, **extra_kwargs):
    raise NotImplementedError("torch._dynamo.explain: ember does not trace graphs (it runs eagerly)")
