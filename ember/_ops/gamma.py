"""The gamma family as ops: lgamma, digamma, polygamma, mvlgamma (torch functions,
Tensor methods and in-place forms). Kernels are in _gamma.py.

Gradients as torch's derivatives.yaml: lgamma' = digamma, digamma' = polygamma(1, x),
polygamma(n, x)' = polygamma(n + 1, x), mvlgamma' = sum_j digamma(x - j/2).
"""
import math

from .._tensor import Tensor
from ._base import Op
from . import _gamma
from .elementwise import _Unary, _inplace_saving_self, _make_unary, _need_tensor, _out

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma"]

lgamma, LgammaBackward0 = _make_unary("lgamma", "LgammaBackward0", _gamma.lgamma,
                                      lambda g, x, y: g * digamma(x), "x", True)
digamma, DigammaBackward0 = _make_unary("digamma", "DigammaBackward0", _gamma.digamma,
                                        lambda g, x, y: g * polygamma(1, x), "x", True)


class PolygammaBackward0(_Unary):
    save_inputs = True

    def forward(self, x, n):
        self.n = n
        return _Unary.forward(self, x)

    def compute(self, xp, x):
        return _gamma.polygamma(xp, self.n, x)

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * polygamma(self.n + 1, x)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma (n = 0 is digamma itself)."""
    _need_tensor("polygamma", 2, "input", input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(PolygammaBackward0.apply(input, n=int(n)), out)


class MvlgammaBackward0(_Unary):
    """log of the multivariate gamma function: sum_{j<p} lgamma(x - j/2) + p(p-1)/4 log(pi)."""

    save_inputs = True

    def forward(self, x, p):
        self.p = p
        return _Unary.forward(self, x)

    def compute(self, xp, x):
        # The arguments x - j/2 rounded in x's dtype (as torch: x = -1e-9 hits the pole at -1 in
        # float32), their lgammas summed in float64 and rounded once (float32 terms cancel).
        total = 0.0
        for j in range(self.p):
            total = total + _gamma.lgamma(xp, (x - x.dtype.type(j / 2)).astype(xp.float64))
        return (total + self.p * (self.p - 1) / 4 * math.log(math.pi)).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        total = digamma(x)
        for j in range(1, self.p):
            total = total + digamma(x - j / 2)
        return g * total


def mvlgamma(input, p, *, out=None):
    _need_tensor("mvlgamma", 1, "input", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _out(MvlgammaBackward0.apply(input, p=int(p)), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


def _mvlgamma_method(self, p):
    return mvlgamma(self, p)


_polygamma_method.__name__ = "polygamma"
_mvlgamma_method.__name__ = "mvlgamma"
for _fn in (lgamma, digamma, _polygamma_method, _mvlgamma_method):
    setattr(Tensor, _fn.__name__, _fn)
    setattr(Tensor, _fn.__name__ + "_", _inplace_saving_self(_fn))
