"""Autograd engine settings torch exposes that have nothing to switch in ember's engine.

ember runs backward on the calling thread (torch's multithreaded backward exists for
accelerator worker threads) and a gradient has one layout (contiguous arrays: there are
no strides for torch's gradient layout contract to enforce), so these flags are recorded
and reported, as torch reports them, and change nothing else. View replay (rebuilding
views by replaying view ops instead of as_strided) is off, as in torch by default.
"""
from .grad_mode import _Mode

__all__ = ["set_multithreading_enabled", "is_multithreading_enabled", "enforce_grad_layout_policy",
           "is_view_replay_enabled"]


class _FlagMode(_Mode):
    """A process-wide boolean set at construction (so a plain call sticks), restored on exit,
    usable as a context manager or decorator, like torch's set_grad_enabled-style modes.
    `_undo_on_decorate`: whether decorating undoes the construction's setting (torch's
    enforce_grad_layout_policy does, its set_multithreading_enabled does not)."""
    _value = True
    _undo_on_decorate = True

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = type(self)._value
        type(self)._value = self.mode

    def _fresh(self):
        return type(self)(self.mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        type(self)._value = self.prev
        return False

    def __call__(self, fn):
        if self._undo_on_decorate:
            type(self)._value = self.prev
        return super().__call__(fn)


class set_multithreading_enabled(_FlagMode):
    """Enable or disable multithreaded backward (ember's backward is single-threaded either way)."""
    _undo_on_decorate = False

    def __init__(self, mode):
        super().__init__(mode)


class enforce_grad_layout_policy(_FlagMode):
    """Enforce (or relax) the gradient layout contract (ember's gradients have one layout)."""

    def __init__(self, enable=True):
        super().__init__(enable)


def is_multithreading_enabled():
    return set_multithreading_enabled._value


def _is_grad_layout_enforcement_enabled():
    return enforce_grad_layout_policy._value


def is_view_replay_enabled():
    return False
