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

_threads = [int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))]


def get_num_threads():
    return _threads[0]


def set_num_threads(n):
    """Record the thread count; NumPy's BLAS reads OMP_NUM_THREADS at start-up, so this
    limits it only through threadpoolctl when that is installed."""
    _threads[0] = int(n)
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(int(n))
    except ImportError:
        pass


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
