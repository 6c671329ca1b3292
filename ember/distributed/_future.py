"""Work.get_future(): a future whose wait() finishes the collective and returns its result tensors."""


class WorkFuture:
    def __init__(self, work):
        self._work = work

    def wait(self):
        return self._work.result()

    def value(self):
        return self._work.result()

    def done(self):
        return self._work.is_completed()

    def then(self, callback):
        """Run callback(self) once the work is done; returns a future of its value (run eagerly at wait)."""
        parent = self

        class _Then:
            def wait(self):
                parent.wait()
                return callback(parent)

            value = wait

            def done(self):
                return parent.done()

        return _Then()
