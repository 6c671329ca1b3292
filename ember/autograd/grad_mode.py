"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flags live in one module-level object that every op reads (often through
a module alias such as `_state = grad_mode.state`), so a check is a plain
attribute read. As in torch they are per thread: the object is a
threading.local, so one thread's `no_grad` (an optimizer step, say) does not
switch recording off for another thread's forward. The class attributes are
the defaults every new thread starts with (grad on, not inference).
"""
import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    inference = False


state = _State()
# How many threads are in inference mode now. Op outputs check this plain cell first (a list read is
# several times cheaper than the thread-local one) and read `state.inference` only when it is non-zero.
inference_threads = [0]
# Whether inference mode was ever entered in this process: until then no inference tensor exists, and
# saving tensors for backward skips looking for one.
inference_seen = [False]
_count_lock = threading.Lock()


def _set_inference(on):
    """Switch this thread's inference flag, keeping `inference_threads` in step."""
    if on != state.inference:
        with _count_lock:
            inference_threads[0] += 1 if on else -1
        if on:
            inference_seen[0] = True
        state.inference = on


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _Mode:
    """A context manager that is also a decorator, as torch's grad modes are."""

    def __new__(cls, orig_func=None):
        if orig_func is None or isinstance(orig_func, bool):
            return super().__new__(cls)
        return cls()(orig_func)  # used as a decorator without parentheses

    def __call__(self, fn):
        if isinstance(fn, type):
            raise TypeError(f"{type(self).__name__} cannot decorate a class")

        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, fn):
        """The mode holds while the generator's body runs, not between its yields (as in torch)."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with self._fresh():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self._fresh():
                            gen.close()
                        raise
                    except BaseException as exc:  # noqa: BLE001 - forwarded into the generator
                        with self._fresh():
                            response = gen.throw(exc)
                    else:
                        with self._fresh():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper

    def _fresh(self):
        return type(self)()

    def __enter__(self):
        self._prev = (state.enabled, state.inference)
        self._apply()
        return None

    def __exit__(self, *exc):
        state.enabled = self._prev[0]
        _set_inference(self._prev[1])
        return False

    def clone(self):
        return self._fresh()


class no_grad(_Mode):
    """Disable gradient recording inside the block."""

    def _apply(self):
        state.enabled = False


class enable_grad(_Mode):
    """Enable gradient recording inside the block (inside a no_grad block too)."""

    def _apply(self):
        state.enabled = True


class set_grad_enabled(_Mode):
    """Set gradient recording on or off; works as a function call too."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = (state.enabled, state.inference)
        state.enabled = self.mode  # takes effect at once when used as a plain call

    def _fresh(self):
        return set_grad_enabled(self.mode)

    def __enter__(self):
        state.enabled = self.mode
        return None

    def __call__(self, fn):
        state.enabled = self._prev[0]  # used as a decorator: the call above must not stick
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like no_grad; tensors made inside are inference tensors (not tracked later)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _fresh(self):
        return inference_mode(self.mode)

    def _apply(self):
        # As torch's InferenceMode(mode): inference_mode(False) turns grad mode back on inside.
        state.enabled = not self.mode
        _set_inference(self.mode)
