"""Work: the handle of a collective in flight (async_op=True), and the wait every collective ends with.

MPI requests are polled with Test (MPICH progresses non-blocking operations only inside MPI calls) until
they finish or the group's timeout passes: a rank that never joins raises DistBackendError instead of
hanging. Polling yields the core between tests, so oversubscribed ranks (more ranks than cores) still
make progress."""
import os
import time

from ._errors import DistBackendError


def mpi():
    """mpi4py's MPI module (MPI_Init on first import), loaded only when a process group needs it."""
    from mpi4py import MPI

    return MPI


def wait_requests(reqs, timeout_s, what, statuses=None):
    """Poll MPI requests until all are done (filling statuses); DistBackendError after timeout_s seconds.

    Between tests the core is yielded but never slept on: MPICH advances a large collective's steps only
    inside MPI calls, so sleeping would throttle its bandwidth."""
    if not reqs:
        return
    test_all = mpi().Request.Testall
    if test_all(reqs, statuses):
        return
    deadline = time.monotonic() + timeout_s
    spins = 0
    while not test_all(reqs, statuses):
        spins += 1
        os.sched_yield()
        if spins % 1000 == 0 and time.monotonic() > deadline:
            raise DistBackendError(f"Timed out waiting {int(timeout_s * 1000)}ms for {what} operation to complete")


class Work:
    """A collective in flight. wait() finishes it (copies results into the tensors) and returns True."""

    def __init__(self, reqs=(), finish=None, timeout_s=1800.0, what="collective", result=None, wait_fn=None,
                 statuses=None):
        self._reqs = list(reqs)
        self._statuses = statuses
        self._finish = finish
        self._timeout_s = timeout_s
        self._what = what
        self._result = result
        self._wait_fn = wait_fn  # another engine's wait (NCCL: synchronise its stream)
        self._done = False
        self._source = -1
        self._on_error = None  # MPI error -> the exception to raise

    def wait(self, timeout=None):
        if not self._done:
            limit = self._timeout_s if timeout is None else _seconds(timeout)
            if self._wait_fn is not None:
                self._wait_fn()
            try:
                wait_requests(self._reqs, limit, self._what, self._statuses)
            except mpi().Exception as e:
                raise self._on_error(e) if self._on_error else RuntimeError(
                    f"{self._what} failed: {e.Get_error_string()}") from None
            self._done = True
            if self._finish is not None:
                self._finish()
        return True

    def is_completed(self):
        if self._done:
            return True
        if self._wait_fn is None and mpi().Request.Testall(self._reqs, self._statuses):
            self.wait()
        return self._done

    def is_success(self):
        return self._done

    def exception(self):
        return None

    def source_rank(self):
        return self._source

    def result(self):
        self.wait()
        return list(self._result or [])

    def synchronize(self):
        self.wait()

    def get_future(self):
        from ._future import WorkFuture

        return WorkFuture(self)


def done_work(result=None):
    """A Work with nothing left to do (one-rank groups, non-members)."""
    w = Work(result=result)
    w._done = True
    return w


def _seconds(timeout):
    return timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
