"""torch.cuda.Stream / ExternalStream / Event, each a thin owner of a CuPy stream or event.

ember's CUDA kernels are CuPy's, and CuPy queues them on its current stream; so making a
Stream current (`torch.cuda.stream(s)`, `set_stream`) makes it CuPy's current stream, and
the ops inside run on it, as torch's do.
"""
from .. import _device

__all__ = ["Stream", "ExternalStream", "Event", "StreamContext", "stream", "set_stream", "current_stream",
           "default_stream", "get_stream_from_external"]


def _cupy():
    return _device._import_cupy()


def _index(device):
    from . import _index

    return _index(device)


class Stream:
    """A CUDA stream on one device (torch.cuda.Stream(device=None, priority=0))."""

    def __init__(self, device=None, priority=0, _cupy_stream=None, **kwargs):
        cp = _cupy()
        self.device_index = _index(device)
        self.priority = priority
        if _cupy_stream is None:
            with cp.cuda.Device(self.device_index):
                _cupy_stream = cp.cuda.Stream(non_blocking=True)
        self._stream = _cupy_stream

    device_type = 1  # DeviceType::CUDA

    @property
    def device(self):
        return _device.device("cuda", self.device_index)

    @property
    def cuda_stream(self):
        return self._stream.ptr

    @property
    def stream_id(self):
        return self._stream.ptr

    def wait_event(self, event):
        event.wait(self)

    def wait_stream(self, stream):
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def query(self):
        return self._stream.done

    def synchronize(self):
        self._stream.synchronize()

    def __eq__(self, o):
        return isinstance(o, Stream) and o.cuda_stream == self.cuda_stream and o.device_index == self.device_index

    def __hash__(self):
        return hash((self.cuda_stream, self.device_index))

    def __repr__(self):
        return f"<torch.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>"


class ExternalStream(Stream):
    """A stream allocated elsewhere (its pointer), which this object does not own."""

    def __init__(self, stream_ptr, device=None, **kwargs):
        cp = _cupy()
        idx = _index(device)
        super().__init__(idx, _cupy_stream=cp.cuda.ExternalStream(stream_ptr, idx))


def get_stream_from_external(data_ptr, device=None):
    return ExternalStream(data_ptr, device)


def _wrap(cupy_stream):
    return Stream(cupy_stream.device_id if cupy_stream.device_id >= 0 else None, _cupy_stream=cupy_stream)


def current_stream(device=None):
    """The stream ops on `device` are queued on now."""
    cp = _cupy()
    idx = _index(device)
    with cp.cuda.Device(idx):
        s = cp.cuda.get_current_stream()
    return Stream(idx, _cupy_stream=s)


def default_stream(device=None):
    """The device's legacy default (null) stream."""
    return Stream(_index(device), _cupy_stream=_cupy().cuda.Stream.null)


def set_stream(stream):
    """Make `stream` current (None: no change)."""
    if stream is not None:
        with _cupy().cuda.Device(stream.device_index):
            stream._stream.use()


class StreamContext:
    """Run the block with `stream` current on its device (None: a no-op)."""

    def __init__(self, stream):
        self.stream = stream
        self._prev = None

    def __enter__(self):
        if self.stream is None:
            return None
        cp = _cupy()
        self._device = cp.cuda.Device(self.stream.device_index)
        self._device.__enter__()
        self._prev = cp.cuda.get_current_stream()
        self.stream._stream.use()
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            self._prev.use()
            self._device.__exit__(*exc)
        return False


def stream(stream):
    return StreamContext(stream)


class Event:
    """A CUDA event: a marker in a stream, optionally timed (milliseconds by elapsed_time)."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False, external=False):
        self.enable_timing = enable_timing
        self._event = None  # made on first record, as torch's
        self._blocking = blocking
        self._interprocess = interprocess

    def record(self, stream=None):
        stream = current_stream() if stream is None else stream
        if self._event is None:
            self._event = _cupy().cuda.Event(block=self._blocking, disable_timing=not self.enable_timing,
                                             interprocess=self._interprocess)
        self._event.record(stream._stream)

    def wait(self, stream=None):
        if self._event is not None:
            (current_stream() if stream is None else stream)._stream.wait_event(self._event)

    def query(self):
        return self._event is None or self._event.done

    def elapsed_time(self, end_event):
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if self._event is None or end_event._event is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return float(_cupy().cuda.get_elapsed_time(self._event, end_event._event))

    def synchronize(self):
        if self._event is not None:
            self._event.synchronize()

    @property
    def cuda_event(self):
        return 0 if self._event is None else self._event.ptr

    def __repr__(self):
        if self.cuda_event:
            return f"<torch.cuda.Event {self.cuda_event:#x}>"
        return "<torch.cuda.Event uninitialized>"
