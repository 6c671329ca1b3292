"""torch.Stream and torch.Event: the device-generic stream and event.

On the CPU (and meta) there is one stream that is always idle: its queries are True and its
synchronizations return at once, and events cannot be recorded ("cpu backend doesn't support
events."), as in torch. A CUDA stream or event wraps CuPy's.
"""
from ._device import cuda_available, device as _device

__all__ = ["Stream", "Event"]

# c10::DeviceType, which Stream.device_type reports as a number.
_DEVICE_TYPE = {"cpu": 0, "cuda": 1, "meta": 14}
_HOST = ("cpu", "meta")
_OTHER_BACKENDS = ("ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla", "lazy",
                   "vulkan", "mps", "hpu", "mtia", "privateuseone")


def _resolve(device, cls):
    if device is None:
        return _device("cuda" if cuda_available() else "cpu")
    if isinstance(device, int) and not isinstance(device, bool):
        if not cuda_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        return _device("cuda", device)
    if not isinstance(device, (str, _device)):
        raise TypeError(f"{cls}(): argument 'device' (position 1) must be torch.device, not {type(device).__name__}")
    try:
        d = _device(device)
    except RuntimeError:  # a device type torch knows of but ember does not run on
        kind = str(device).split(":")[0]
        if kind in _OTHER_BACKENDS:
            raise RuntimeError(f"PyTorch is not linked with support for {kind} devices") from None
        raise
    if d.type not in _HOST and not (d.type == "cuda" and cuda_available()):
        raise RuntimeError(f"PyTorch is not linked with support for {d.type} devices")
    return d


def _cupy():
    import cupy

    return cupy


class Stream:
    """An in-order queue of work on a device (CPU: the host, always idle)."""

    def __init__(self, device=None, *, priority=0):
        d = _resolve(device, "Stream")
        self._type = d.type
        self._index = -1 if d.type in _HOST else (d.index or 0)
        self._cupy_stream = None
        if d.type == "cuda":
            with _cupy().cuda.Device(self._index):
                self._cupy_stream = _cupy().cuda.Stream(non_blocking=True)

    @property
    def device(self):
        return _device(self._type) if self._index < 0 else _device(self._type, self._index)

    @property
    def device_type(self):
        return _DEVICE_TYPE[self._type]

    @property
    def device_index(self):
        return self._index

    @property
    def stream_id(self):
        return 0 if self._cupy_stream is None else self._cupy_stream.ptr

    @property
    def native_handle(self):
        if self._cupy_stream is None:
            raise RuntimeError("Backend doesn't support getting stream native handle.")
        return self._cupy_stream.ptr

    def query(self):
        return True if self._cupy_stream is None else self._cupy_stream.done

    def synchronize(self):
        if self._cupy_stream is not None:
            self._cupy_stream.synchronize()

    def is_capturing(self):
        return False if self._cupy_stream is None else self._cupy_stream.is_capturing()

    def record_event(self, event=None):
        event = Event(self.device) if event is None else event
        event.record(self)
        return event

    def wait_event(self, event):
        event.wait(self)

    def wait_stream(self, stream):
        self.wait_event(stream.record_event())

    def __enter__(self):
        if self._cupy_stream is not None:
            self._cupy_stream.__enter__()
        return self

    def __exit__(self, *exc):
        if self._cupy_stream is not None:
            self._cupy_stream.__exit__(*exc)

    def __eq__(self, other):
        return isinstance(other, Stream) and (self._type, self._index, self.stream_id) == \
            (other._type, other._index, other.stream_id)

    def __hash__(self):
        return hash((self._type, self._index, self.stream_id))

    def __repr__(self):
        return f"torch.Stream device_type={self._type}, device_index={self._index}, stream_id={self.stream_id}"


class Event:
    """A marker in a stream's work, to wait on or to time from (CPU: nothing to record)."""

    def __init__(self, device=None, *, enable_timing=False, blocking=False, interprocess=False):
        d = _resolve(device, "Event")
        self._type = d.type
        self._index = -1 if d.type in _HOST else (d.index or 0)
        self._timing = bool(enable_timing)
        self._cupy_event = None
        if d.type == "cuda":
            self._cupy_event = _cupy().cuda.Event(block=bool(blocking), disable_timing=not enable_timing)

    @property
    def device(self):
        return _device(self._type) if self._index < 0 else _device(self._type, self._index)

    @property
    def event_id(self):
        return 0 if self._cupy_event is None else self._cupy_event.ptr

    def _no_events(self):
        return RuntimeError(f"{self._type} backend doesn't support events.")

    def record(self, stream=None):
        if self._cupy_event is None:
            raise self._no_events()
        self._cupy_event.record(None if stream is None else stream._cupy_stream)

    def query(self):
        return True if self._cupy_event is None else self._cupy_event.done

    def synchronize(self):
        if self._cupy_event is not None:
            self._cupy_event.synchronize()

    def wait(self, stream=None):
        if self._cupy_event is not None:
            target = _cupy().cuda.get_current_stream() if stream is None else stream._cupy_stream
            target.wait_event(self._cupy_event)

    def elapsed_time(self, end_event):
        if not (self._timing and end_event._timing):
            raise ValueError("Both events must be created with argument 'enable_timing=True'.")
        if self._cupy_event is None:  # never recorded: host events cannot be
            raise ValueError("Both events must be recorded before calculating elapsed time.")
        return _cupy().cuda.get_elapsed_time(self._cupy_event, end_event._cupy_event)

    def ipc_handle(self):
        raise NotImplementedError("torch.Event ipc is not supported yet, please open an issue if you need this!")

    @classmethod
    def from_ipc_handle(cls, device, ipc_handle):
        raise NotImplementedError("torch.Event ipc is not supported yet, please open an issue if you need this!")

    def __repr__(self):
        return (f"torch.Event device_type={self._type}, device_index={self._index}, "
                f"event_flag={int(self._timing)}, event_id={self.event_id}")
