"""torch.distributed.elastic.multiprocessing.errors: `@record` on a torchrun script's main.

torch's record writes the exception to an error file for the elastic agent; under ember the rank's
uncaught exception already prints its traceback and ends the MPI job, so record only re-raises."""
import functools

__all__ = ["record", "ChildFailedError"]


class ChildFailedError(Exception):
    def __init__(self, name, failures):
        self.name = name
        self.failures = failures
        super().__init__(f"{name} failed: {failures}")


def record(fn=None, error_handler=None):
    def wrap(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)
        return wrapper
    return wrap(fn) if fn is not None else wrap
