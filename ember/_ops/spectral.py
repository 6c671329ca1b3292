"""Discrete Fourier transforms: ATen's three primitives, on which torch.fft and
stft/istft are built (ember/fft/ holds the public torch.fft functions).

    _fft_c2c(x, dim, normalization, forward)      complex -> complex
    _fft_r2c(x, dim, normalization, onesided)     real -> complex (forward direction)
    _fft_c2r(x, dim, normalization, last_dim_size) complex (half spectrum) -> real (inverse direction)

`normalization` is ATen's fft_norm_mode: 0 none, 1 by 1/sqrt(n), 2 by 1/n, the
same for both directions. Gradients are torch's: c2c's is the opposite-direction
c2c; r2c's is the inverse c2c of the gradient zero-padded to the full length;
c2r's is the onesided r2c of the gradient with the mirrored bins counted twice.
"""
import numpy as np

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor
from ._base import Op

NONE, BY_ROOT_N, BY_N = 0, 1, 2
# NumPy's `norm` for (mode, direction): NumPy scales the forward transform by "forward" and
# the inverse by "backward"; "ortho" is 1/sqrt(n) both ways.
_NP_NORM = {(NONE, True): "backward", (NONE, False): "forward", (BY_ROOT_N, True): "ortho",
            (BY_ROOT_N, False): "ortho", (BY_N, True): "forward", (BY_N, False): "backward"}


def norm_mode(norm, forward):
    """torch's norm string -> fft_norm_mode for a transform in the given direction."""
    if norm is None or norm == "backward":
        return NONE if forward else BY_N
    if norm == "forward":
        return BY_N if forward else NONE
    if norm == "ortho":
        return BY_ROOT_N
    raise RuntimeError(f"Invalid normalization mode: \"{norm}\"")


def _complex_of(npdt):
    return np.complex128 if npdt in (np.float64, np.complex128) else np.complex64


class FftC2CBackward0(Op):
    holomorphic = False  # linear: the gradient is the adjoint transform, given below

    def forward(self, x, dim, normalization, forward):
        self.dim, self.normalization, self.forward_ = dim, normalization, forward
        xp = xp_of(x)
        fn = xp.fft.fftn if forward else xp.fft.ifftn
        return fn(x, axes=dim, norm=_NP_NORM[normalization, forward]).astype(x.dtype, copy=False)

    def backward(self, g):
        return _fft_c2c(g, self.dim, self.normalization, not self.forward_)


class FftR2CBackward0(Op):
    holomorphic = False

    def forward(self, x, dim, normalization, onesided):
        self.dim, self.normalization, self.onesided, self.n = dim, normalization, onesided, x.shape[dim[-1]]
        xp = xp_of(x)
        fn = xp.fft.rfftn if onesided else xp.fft.fftn
        return fn(x, axes=dim, norm=_NP_NORM[normalization, True]).astype(_complex_of(x.dtype), copy=False)

    def backward(self, g):
        if self.onesided:
            last = self.dim[-1]
            missing = self.n - g.shape[last]
            if missing > 0:  # the bins the onesided output left out contribute nothing
                shape = list(g.shape)
                shape[last] = missing
                from .joining import cat

                g = cat([g, g.new_zeros(shape)], last)
        return _fft_c2c(g, self.dim, self.normalization, False).real


class FftC2RBackward0(Op):
    holomorphic = False

    def forward(self, x, dim, normalization, last_dim_size):
        self.dim, self.normalization = dim, normalization
        xp = xp_of(x)
        s = [x.shape[d] for d in dim[:-1]] + [last_dim_size]
        out = xp.fft.irfftn(x, s=s, axes=dim, norm=_NP_NORM[normalization, False])
        return out.astype(x.real.dtype, copy=False)

    def backward(self, g):
        gi = _fft_r2c(g, self.dim, self.normalization, True)
        last = self.dim[-1]
        doubled = g.shape[last] - gi.shape[last]
        if doubled > 0:  # bins 1..doubled stand for themselves and their mirror images
            scale = np.ones(gi.shape[last], dtype=g._data.dtype)
            scale[1:1 + doubled] = 2
            shape = [1] * gi.ndim
            shape[last] = -1
            gi = gi * Tensor._make(xp_of(g._data).asarray(scale.reshape(shape)), g._dtype)
        return gi


def _dims(x, dim):
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(x._wrap_dim(d) for d in dim)


def _fft_c2c(self, dim, normalization, forward):
    return FftC2CBackward0.apply(self, dim=_dims(self, dim), normalization=int(normalization), forward=bool(forward))


def _fft_r2c(self, dim, normalization, onesided):
    return FftR2CBackward0.apply(self, dim=_dims(self, dim), normalization=int(normalization), onesided=bool(onesided))


def _fft_c2r(self, dim, normalization, last_dim_size):
    return FftC2RBackward0.apply(self, dim=_dims(self, dim), normalization=int(normalization),
                                 last_dim_size=int(last_dim_size))


def promote_fft(x, require_complex=False):
    """torch's promote_tensor_fft: ints become the default float dtype; only float32/float64
    (and their complex types) have CPU kernels."""
    dt = x._dtype
    if dt.is_complex:
        if dt is D.complex32:
            raise RuntimeError("Unsupported dtype ComplexHalf")
        return x
    if not dt.is_floating_point:
        dt = D.get_default_dtype()
    if dt not in (D.float32, D.float64):
        from ._inplace import _TYPE_WORDS

        raise RuntimeError(f"Unsupported dtype {_TYPE_WORDS[dt.name]}")
    if require_complex:
        dt = dt.to_complex()
    return x if dt is x._dtype else x.to(dt)


__all__ = ["_fft_c2c", "_fft_r2c", "_fft_c2r"]
