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
from .._autocast import call as _autocast, state as _amp
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


# -- short-time Fourier transforms ------------------------------------------------------------
_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_last(x, pad, mode):
    """x padded by `pad` on both ends of its last dim (what stft's F.pad call does)."""
    from .joining import cat

    n = x.shape[-1]
    if mode == "constant":
        z = x.new_zeros(x.shape[:-1] + (pad,))
        return cat([z, x, z], -1)
    if mode == "reflect":
        if pad >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({pad}, {pad}) at dimension {x.ndim - 1} of input {list(x.shape)}")
        return cat([x.narrow(-1, 1, pad).flip(-1), x, x.narrow(-1, n - 1 - pad, pad).flip(-1)], -1)
    if mode == "replicate":
        return cat([x.narrow(-1, 0, 1).expand(*x.shape[:-1], pad), x,
                    x.narrow(-1, n - 1, 1).expand(*x.shape[:-1], pad)], -1)
    if mode == "circular":
        return cat([x.narrow(-1, n - pad, pad), x, x.narrow(-1, 0, pad)], -1)
    raise NotImplementedError(f"Unrecognised padding mode {mode}")


def _centered_window(window, win_length, n_fft, like):
    """The window (ones when None) zero-padded on both sides to n_fft, as torch centres it."""
    from .._creation import ones
    from .joining import cat

    if window is None:
        window = ones(win_length, dtype=like._dtype.to_real(), device=like.device)
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        window = cat([window.new_zeros(left), window, window.new_zeros(n_fft - win_length - left)])
    return window


def _window_warning(window):
    if window is None:
        import warnings

        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning,
                      stacklevel=3)


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform: frames of n_fft samples every hop_length, windowed, then
    transformed (torch's algorithm: centre padding, framing, r2c/c2c, frames last)."""
    if _amp.active: return _autocast("stft", stft, input, n_fft, hop_length, win_length, window, center, pad_mode, normalized, onesided, return_complex, align_to_window)  # noqa: E701,E501
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    _window_warning(window)
    is_complex = input._dtype.is_complex or (window is not None and window._dtype.is_complex)
    if return_complex is None:
        if not is_complex:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    elif not return_complex:
        import warnings

        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                      "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
                      "still call torch.view_as_real on the complex output to recover the old return format.",
                      UserWarning, stacklevel=2)
    if not input._dtype._differentiable:
        raise RuntimeError("stft: expected a tensor of floating point or complex values")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, got {input.ndim}D")
    if center:
        if pad_mode not in _PAD_MODES:
            raise NotImplementedError(f"Unrecognised padding mode {pad_mode}")
        input = _pad_last(input, n_fft // 2, pad_mode)
    x = input.unsqueeze(0) if input.ndim == 1 else input
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if align_to_window and 0 < win_length < n_fft:
        # Frames start where the (centred) window starts: the same as zero-padding the signal by
        # the window's offsets, which the window's zeros then ignore.
        from .joining import cat

        left = (n_fft - win_length) // 2
        x = cat([x.new_zeros((x.shape[0], left)), x, x.new_zeros((x.shape[0], n_fft - win_length - left))], 1)
    length = x.shape[1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(f"stft: expected 0 < n_fft < {length}, but got n_fft={win_length}")
    if hop_length <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop_length}")
    if win_length <= 0 or win_length > n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {list(window.shape)}")
    frames = x.unfold(1, n_fft, hop_length)  # (batch, n_frames, n_fft)
    if window is not None or win_length < n_fft:
        frames = frames * _centered_window(window, win_length, n_fft, x)
    mode = BY_ROOT_N if normalized else NONE
    if frames._dtype.is_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        out = _fft_c2c(frames, [-1], mode, True)
    else:
        out = _fft_r2c(frames, [-1], mode, True if onesided is None else onesided)
    out = out.transpose(1, 2)
    if input.ndim == 1:
        out = out.squeeze(0)
    if return_complex:
        return out
    from .complex_ops import view_as_real

    return view_as_real(out)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The inverse of stft: inverse transforms of the frames, windowed, overlap-added and divided
    by the summed squared window (torch's least-squares inverse)."""
    from .shape import UnfoldBackwardBackward0

    _window_warning(window)
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if not input._dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if input.numel() == 0:
        raise RuntimeError("istft: input tensor cannot be empty.")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 3 or 4 dimensions of real, or 2 or 3 dimensions of  "
                           f"complex, but got {input.ndim + 1}")
    fft_size, n_frames = input.shape[-2], input.shape[-1]
    onesided = fft_size != n_fft if onesided is None else onesided
    if onesided and n_fft // 2 + 1 != fft_size:
        raise RuntimeError("istft: expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not onesided and n_fft != fft_size:
        raise RuntimeError("istft: expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop_length <= win_length:
        raise RuntimeError("istft(...): expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise RuntimeError("istft(...): expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError("istft: Invalid window shape. window has to be 1D and length of `win_length`")
    win = _centered_window(window, win_length, n_fft, input)
    x = input.unsqueeze(0) if input.ndim == 2 else input
    x = x.transpose(1, 2)  # (channel, n_frames, fft_size)
    mode = BY_ROOT_N if normalized else BY_N
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = _fft_c2c(x, [-1], mode, False)
    else:
        if window is not None and window._dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            x = x.narrow(-1, 0, n_fft // 2 + 1)
        frames = _fft_c2r(x, [-1], mode, n_fft)
    expected = n_fft + hop_length * (n_frames - 1)
    y = UnfoldBackwardBackward0.apply(frames * win, shape=(frames.shape[0], expected), params=(1, n_fft, hop_length))
    envelope = UnfoldBackwardBackward0.apply((win * win).expand(1, n_frames, n_fft), shape=(1, expected),
                                             params=(1, n_fft, hop_length))
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (expected - n_fft // 2 if center else expected)
    stop = min(end, expected)
    y = y.narrow(1, start, stop - start)
    envelope = envelope.narrow(1, start, stop - start)
    if bool((envelope.abs() < 1e-11).any()):
        raise RuntimeError("istft(...): window overlap add min: 1")
    y = y / envelope
    if input.ndim == 2:
        y = y.squeeze(0)
    if end > expected:
        import warnings

        from .joining import cat

        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.", UserWarning, stacklevel=2)
        y = cat([y, y.new_zeros(y.shape[:-1] + (end - expected,))], -1)
    return y


Tensor.stft = stft
Tensor.istft = istft

__all__ += ["stft", "istft"]
