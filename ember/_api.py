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


def compile(model=None, **kwargs):
    """torch.compile: ember runs eagerly; returns the model unchanged."""
    if model is None:
        return lambda m: m
    return model
