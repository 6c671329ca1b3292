"""Anomaly detection: remember where each node was made, and name the op whose
backward produced NaN."""
import traceback
import warnings


class _AnomalyState:
    # `tracing` is the one flag node creation reads (Op._link, Function.apply): True while
    # anomaly mode is on or a recorder (ember.viz.record) is installed, False otherwise, so
    # the fast path pays one attribute read.
    __slots__ = ("_enabled", "check_nan", "tracing", "recorders")

    def __init__(self):
        self._enabled = False
        self.check_nan = True
        self.tracing = False
        self.recorders = ()  # fn(node, output or None), called for every node made

    @property
    def enabled(self):
        return self._enabled

    @enabled.setter
    def enabled(self, value):
        self._enabled = value
        self.tracing = bool(value or self.recorders)

    def add_recorder(self, fn):
        self.recorders = self.recorders + (fn,)
        self.tracing = True

    def remove_recorder(self, fn):
        self.recorders = tuple(r for r in self.recorders if r is not fn)
        self.tracing = bool(self._enabled or self.recorders)


anomaly_state = _AnomalyState()


def set_detect_anomaly(mode, check_nan=True):
    """Turn anomaly detection on or off (a function, and a context manager)."""
    return _AnomalyMode(mode, check_nan, immediate=True)


def is_anomaly_enabled():
    return anomaly_state.enabled


class _AnomalyMode:
    def __init__(self, mode, check_nan, immediate=False):
        self.prev = (anomaly_state.enabled, anomaly_state.check_nan)
        self.mode, self.nan = bool(mode), check_nan
        if immediate:
            anomaly_state.enabled, anomaly_state.check_nan = self.mode, self.nan

    def __enter__(self):
        anomaly_state.enabled, anomaly_state.check_nan = self.mode, self.nan
        return self

    def __exit__(self, *exc):
        anomaly_state.enabled, anomaly_state.check_nan = self.prev
        return False


class detect_anomaly(_AnomalyMode):
    """Context manager (and decorator) that enables anomaly detection."""

    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", UserWarning, stacklevel=2)
        super().__init__(True, check_nan)

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.nan):
                return fn(*args, **kwargs)
        return wrapper


def record_trace(node, output=None):
    """Called when a node is made while tracing: in anomaly mode keep the forward stack;
    hand the node (and its output, for single-output nodes) to the recorders."""
    if anomaly_state._enabled:
        node._anomaly_trace = "".join(traceback.format_stack()[:-3])
    for recorder in anomaly_state.recorders:
        recorder(node, output)


def check_nan(node, grads):
    """Raise if a node's backward returned NaN, naming the node (as PyTorch does)."""
    if not anomaly_state.check_nan:
        return
    for i, g in enumerate(grads):
        if g is None:
            continue
        data = g._data
        if data.dtype.kind == "f" and bool((data != data).any()):
            if node._anomaly_trace is not None:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                              f"error:\n{node._anomaly_trace}", RuntimeWarning, stacklevel=4)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
