"""GradBucket: what a DDP communication hook receives (a flat buffer of some parameters' gradients)."""


class GradBucket:
    def __init__(self, index, buffer, params, offsets, is_last):
        self._index = index
        self._buffer = buffer
        self._params = params
        self._offsets = offsets
        self._is_last = is_last

    def index(self):
        return self._index

    def buffer(self):
        return self._buffer

    def set_buffer(self, buffer):
        self._buffer = buffer

    def is_last(self):
        return self._is_last

    def parameters(self):
        return list(self._params)

    def gradients(self):
        """Each parameter's gradient as a view of the buffer."""
        return [self._buffer[o:o + p.numel()].view(p.shape) for p, o in zip(self._params, self._offsets)]
