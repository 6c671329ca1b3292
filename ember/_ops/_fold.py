"""im2col (F.unfold) and col2im (F.fold): the sliding-window views of _conv.py laid
out as columns, and their adjoint. Each is the other's gradient, so gradients of
gradients work.

    im2col(x) (N, C, H, W) -> (N, C*kh*kw, L)     dx = col2im(g)
    col2im(c) (N, C*kh*kw, L) -> (N, C, H, W)     dc = im2col(g)
"""
import numpy as np

from .._device import xp_of
from ._base import Op
from ._conv import _crop, _out_size, _pad, _scatter_windows, _windows


class _Geom:
    __slots__ = ("size", "kernel", "dilation", "pads", "stride", "out_size")

    def __init__(self, size, kernel, dilation, padding, stride):
        self.size, self.kernel, self.dilation, self.stride = tuple(size), kernel, dilation, stride
        self.pads = tuple((p, p) for p in padding)
        self.out_size = _out_size([n + 2 * p for n, p in zip(size, padding)], kernel, stride, dilation)


class Im2ColBackward0(Op):
    def forward(self, x, geom):
        self.geom = geom
        nd = len(geom.kernel)
        win = _windows(_pad(x, geom.pads), geom.out_size, geom.kernel, geom.stride, geom.dilation)
        # (N, C, *O, *K) -> (N, C, *K, *O) -> (N, C*prod(K), prod(O))
        win = win.transpose((0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd)))
        n, c = x.shape[:2]
        return xp_of(x).ascontiguousarray(win).reshape(n, c * int(np.prod(geom.kernel)), -1)

    def backward(self, g):
        return Col2ImBackward0.apply(g, geom=self.geom)


class Col2ImBackward0(Op):
    def forward(self, cols, geom):
        self.geom = geom
        nd = len(geom.kernel)
        n = cols.shape[0]
        c = cols.shape[1] // int(np.prod(geom.kernel))
        blocks = cols.reshape((n, c) + tuple(geom.kernel) + tuple(geom.out_size))
        # laid out (*K, N, C, *O) for the window scatter
        blocks = blocks.transpose(tuple(range(2, 2 + nd)) + (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)))
        padded = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(geom.size, geom.pads))
        full = _scatter_windows(blocks, padded, geom.kernel, geom.stride, geom.dilation, geom.out_size)
        return xp_of(cols).ascontiguousarray(_crop(full, geom.pads, geom.size))

    def backward(self, g):
        return Im2ColBackward0.apply(g, geom=self.geom)


def im2col(input, kernel, dilation, padding, stride):
    return Im2ColBackward0.apply(input, geom=_Geom(input._data.shape[2:], kernel, dilation, padding, stride))


def col2im(input, output_size, kernel, dilation, padding, stride):
    return Col2ImBackward0.apply(input, geom=_Geom(output_size, kernel, dilation, padding, stride))
