"""Arrays in memory that other processes can map: what `Tensor.share_memory_()` and
`ember.multiprocessing` build on.

A segment is a file in /dev/shm (the system's temporary folder where there is
none), mapped with mmap and viewed as a NumPy array. Forked children inherit
the mapping; any other process opens the file by name (`attach`). The process
that made a segment removes its name at exit; the memory itself lives until
the last mapping is gone. (torch's "file_system" sharing strategy works the
same way.)
"""
import atexit
import mmap
import os

import numpy as np

_made = []  # paths this process created, unlinked at exit
_segments = {}  # name -> (start address, size in bytes); segments made or attached here
_attached = {}  # name -> uint8 array over the mapping (one mapping per segment per process)


def _dir():
    if os.path.isdir("/dev/shm"):
        return "/dev/shm"
    import tempfile

    return tempfile.gettempdir()


def _map(path, size, create):
    fd = os.open(path, os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0), 0o600)
    try:
        if create:
            os.ftruncate(fd, max(size, 1))
        mm = mmap.mmap(fd, max(size, 1))
    finally:
        os.close(fd)
    return np.frombuffer(mm, np.uint8)  # the array keeps the mapping alive


def _register(name, raw):
    _segments[name] = (raw.ctypes.data, raw.nbytes)
    _attached[name] = raw


def new_segment(nbytes):
    """A new shared segment of `nbytes` bytes, as a uint8 array."""
    name = "ember_" + os.urandom(8).hex()
    path = os.path.join(_dir(), name)
    raw = _map(path, nbytes, create=True)
    _unlink_at_exit(path)
    _register(name, raw)
    return raw[:nbytes]


def segment_of(array):
    """(name, byte offset) of the shared segment holding `array`'s data, or None."""
    if not _segments or not isinstance(array, np.ndarray):
        return None
    addr = array.ctypes.data
    for name, (start, size) in _segments.items():
        if start <= addr < start + size:
            return name, addr - start
    return None


def hand_over(name):
    """`name` is being sent to another process. A child process (which may exit before the
    receiver maps the segment) hands the duty to unlink it to the receiver: True. The main
    process keeps it, and unlinks its segments when it exits: False."""
    import multiprocessing

    path = os.path.join(_dir(), name)
    if multiprocessing.parent_process() is None or path not in _made:
        return False
    _made.remove(path)
    return True


def attach(name, offset, shape, strides, dtype, take_over=False):
    """The array another process put at `offset` in segment `name` (take_over: this process
    now unlinks the segment at exit, see hand_over)."""
    raw = _attached.get(name)
    if raw is None:
        path = os.path.join(_dir(), name)
        raw = _map(path, os.path.getsize(path), create=False)
        _register(name, raw)
        if take_over:
            _unlink_at_exit(path)
    if 0 in shape:  # no elements: nothing to share
        return np.empty(shape, dtype)
    return np.ndarray(shape, dtype, buffer=raw, offset=offset, strides=strides)


def _unlink_at_exit(path):
    if not _made:
        atexit.register(_unlink_made)
    _made.append(path)


def _unlink_made():
    for path in _made:
        try:
            os.unlink(path)
        except OSError:
            pass
