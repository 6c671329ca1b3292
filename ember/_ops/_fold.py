"""im2col (F.unfold) and col2im (F.fold): the sliding-window views of _conv.py laid
out as columns, and their adjoint. Each is the other's gradient, so gradients of
gradients work.

    im2col(x) (N, C, H, W) -> (N, C*kh*kw, L)     dx = col2im(g)
    col2im(c) (N, C*kh*kw, L) -> (N, C, H, W)     dc = im2col(g)
"""
import numpy as np

from .._device import xp_of
from ._base import Op
from ._conv import _out_size, col2im_arrays, im2col_arrays


class _Geom:
    __slots__ = ("size", "kernel", "dilation", "pads", "stride", "out_size")

    def __init__(self, size, kernel, dilation, padding, stride):
        self.size, self.kernel, self.dilation, self.stride = tuple(size), kernel, dilation, stride
        self.pads = tuple((p, p) for p in padding)
        self.out_size = _out_size([n + 2 * p for n, p in zip(size, padding)], kernel, stride, dilation)


def _fresh(out, source):
    """A 1x1 kernel's columns are the input itself: an op's output must not alias its input."""
    return out.copy() if xp_of(out).may_share_memory(out, source) else out


class Im2ColBackward0(Op):
    def forward(self, x, geom):
        self.geom = geom
        return _fresh(im2col_arrays(x, geom.pads, geom.kernel, geom.stride, geom.dilation), x)

    def backward(self, g):
        return Col2ImBackward0.apply(g, geom=self.geom)


class Col2ImBackward0(Op):
    def forward(self, cols, geom):
        self.geom = geom
        n = cols.shape[0]
        c = cols.shape[1] // int(np.prod(geom.kernel))
        return _fresh(col2im_arrays(cols, (n, c) + geom.size, geom.pads, geom.kernel, geom.stride,
                                    geom.dilation, geom.out_size), cols)

    def backward(self, g):
        return Im2ColBackward0.apply(g, geom=self.geom)


def im2col(input, kernel, dilation, padding, stride):
    return Im2ColBackward0.apply(input, geom=_Geom(input._data.shape[2:], kernel, dilation, padding, stride))


def col2im(input, output_size, kernel, dilation, padding, stride):
    return Col2ImBackward0.apply(input, geom=_Geom(output_size, kernel, dilation, padding, stride))
