"""Module-level odds and ends of the torch namespace (threads, seeds, printing options)."""
import os

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads", "set_num_interop_threads",
           "set_printoptions", "compile", "is_grad_enabled", "inf", "nan", "pi", "e", "newaxis"]

# torch's module-level constants (torch.inf is math.inf: scripts write `x == torch.inf`).
inf = float("inf")
nan = float("nan")
pi = 3.141592653589793
e = 2.718281828459045
newaxis = None

from .autograd.grad_mode import is_grad_enabled  # noqa: E402

_threads = [None]  # set by set_num_threads; until then the BLAS library's own count


def _blas_pools():
    """NumPy's BLAS thread pools, found by threadpoolctl (ember's threads are the BLAS library's)."""
    import threadpoolctl

    return [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]


def get_num_threads():
    """The threads ember's matrix products use: what set_num_threads set, else BLAS's own count."""
    if _threads[0] is None:
        counts = [p["num_threads"] for p in _blas_pools()]
        _threads[0] = max(counts) if counts else int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    return _threads[0]


def set_num_threads(n):
    """Limit the BLAS thread pools to n threads (through threadpoolctl), as torch limits its intra-op pool."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    import threadpoolctl

    threadpoolctl.threadpool_limits(n, user_api="blas")
    _threads[0] = n


def get_num_interop_threads():
    return 1


def set_num_interop_threads(n):
    pass


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    from . import _printing

    _printing.set_printoptions(precision, threshold, edgeitems, linewidth, profile, sci_mode)


_COMPILE_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(model=None, *, fullgraph=False, dynamic=None, backend=None, mode=None, options=None, name=None,
            disable=False, recompile_limit=None, isolate_recompiles=False, shapes_spec=None):
    """torch.compile: ember runs eagerly, so it checks torch's arguments and returns the model unchanged
    (usable as `compile(m)`, `@compile` and `@compile(mode=...)`)."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if mode is not None and mode not in _COMPILE_MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_COMPILE_MODES)}")
    if isinstance(backend, str):
        from ._dynamo import list_backends

        if backend not in list_backends(exclude_tags=()):
            raise RuntimeError(f"Invalid backend: {backend!r}, see `torch._dynamo.list_backends()` for available "
                               "backends.")
    if model is None:
        return lambda m: m
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    from .nn.modules.module import Module

    if isinstance(model, Module) and "_orig_mod" not in model.__dict__:
        # scripts reach the uncompiled module as `compiled._orig_mod`; here both are the same module
        # (set past Module.__setattr__ so it is no submodule: state_dict keys stay unprefixed)
        object.__setattr__(model, "_orig_mod", model)
    return model
