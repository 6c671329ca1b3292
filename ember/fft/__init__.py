"""torch.fft: discrete Fourier transforms, as torch composes them from ATen's
three primitives (`ember._ops.spectral`: c2c, r2c, c2r), so that output dtypes,
argument checks and gradients are torch's. `n`/`s` crop or zero-pad the input
(torch's resize_fft_input) with ordinary differentiable ops."""
import numpy as np

from .. import _dtype as D
from .._creation import _finish, _write_out
from .._device import as_device, xp_for
from .._tensor import Tensor
from .._ops.complex_ops import conj, conj_physical
from .._ops.joining import cat
from .._ops.shape import narrow, roll
from .._ops.spectral import _fft_c2c, _fft_c2r, _fft_r2c, norm_mode, promote_fft

Tensor = Tensor  # torch.fft exposes torch.Tensor under this name too

# The docstring fragments torch.fft's module carries (torch._torch_docs.common_args).
common_args = {
    "input": "input (Tensor): the input tensor.",
    "generator": "generator (:class:`torch.Generator`, optional): a pseudorandom number generator for sampling",
    "out": "out (Tensor, optional): the output tensor.",
    "memory_format": "memory_format (:class:`torch.memory_format`, optional): the desired memory format of "
                     "returned Tensor. Default: ``torch.preserve_format``.",
}
factory_common_args = dict(common_args, **{
    "dtype": "dtype (:class:`torch.dtype`, optional): the desired data type of returned tensor. Default: if "
             "``None``, uses a global default (see :func:`torch.set_default_dtype`).",
    "layout": "layout (:class:`torch.layout`, optional): the desired layout of returned Tensor. Default: "
              "``torch.strided``.",
    "device": "device (:class:`torch.device`, optional): the desired device of returned tensor.",
    "requires_grad": "requires_grad (bool, optional): If autograd should record operations on the returned "
                     "tensor. Default: ``False``.",
    "pin_memory": "pin_memory (bool, optional): If set, returned tensor would be allocated in the pinned memory. "
                  "Works only for CPU tensors. Default: ``False``.",
    "check_invariants": "check_invariants (bool, optional): If sparse tensor invariants are checked.\n        "
                        "Default: as returned by :func:`torch.sparse.check_sparse_tensor_invariants.is_enabled`,"
                        "\n        initially False.",
    "sparse_factory_device_note": ".. note::\n\n   If the ``device`` argument is not specified the device of the "
                                  "given\n   :attr:`values` and indices tensor(s) must match.",
})


# -- argument handling ----------------------------------------------------------------------
def _resize(x, dims, sizes):
    """Crop or zero-pad x to `sizes` along `dims` (-1 keeps a size)."""
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if n == -1 or n == have:
            continue
        if n < have:
            x = narrow(x, d, 0, n)
        else:
            shape = list(x.shape)
            shape[d] = n - have
            x = cat([x, x.new_zeros(shape)], d)
    return x


def _check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _need_tensor(name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _one_dim(name, x, n, dim):
    _need_tensor(name, x)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return x._wrap_dim(dim)


def _shape_and_dims(x, s, dim):
    """torch's canonicalize_fft_shape_and_dim_args: the sizes and dims to transform."""
    ndim = x.ndim
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = [x._wrap_dim(d) for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = [s] if isinstance(s, int) else list(s)
        if dim is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions.")
        if dim is None:
            dims = list(range(ndim - len(s), ndim))
        shape = [x.shape[d] if n == -1 else int(n) for d, n in zip(dims, s)]
    elif dim is None:
        dims, shape = list(range(ndim)), list(x.shape)
    else:
        shape = [x.shape[d] for d in dims]
    for n in shape:
        _check_n(n)
    return shape, dims


def _c2r_shape_and_dims(name, x, s, dim):
    """The c2r form: also the output length of the last dim (default 2 (m - 1))."""
    shape, dims = _shape_and_dims(x, s, dim)
    if not shape:
        raise RuntimeError(f"{name} must transform at least one axis")
    last = 2 * (x.shape[dims[-1]] - 1) if s is None or list(s)[-1] == -1 else shape[-1]
    _check_n(last)
    shape[-1] = last // 2 + 1
    return shape, dims, last


def _out(result, out):
    if out is None:
        return result
    from .._ops._inplace import commit

    if out.shape != result.shape:
        out._data = xp_for(out.device).empty(result.shape, out._data.dtype)
    return commit(out, result)


def _no_complex(name, x):
    if x._dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {_type_word(x)}")


def _type_word(x):
    return _type_word_of(x._dtype)


def _type_word_of(dtype):
    return D._SCALAR_TYPE_NAMES[dtype.name]


# -- one-dimensional transforms -------------------------------------------------------------------
def _c2c(name, x, n, dim, norm, forward):
    d = _one_dim(name, x, n, dim)
    if n is not None:
        _check_n(n)
        x = _resize(x, [d], [n])
    else:
        _check_n(x.shape[d])
    return _fft_c2c(x, [d], norm_mode(norm, forward), forward)


def _r2c(name, x, n, dim, norm, forward, onesided):
    _one_dim(name, x, n, dim)
    _no_complex(name, x)
    x = promote_fft(x)
    d = x._wrap_dim(dim)
    if n is not None:
        _check_n(n)
        x = _resize(x, [d], [n])
    else:
        _check_n(x.shape[d])
    result = _fft_r2c(x, [d], norm_mode(norm, forward), onesided)
    return result if forward else conj(result)


def _c2r(name, x, n, dim, norm, forward):
    d = _one_dim(name, x, n, dim)
    x = promote_fft(x, require_complex=True)
    last = 2 * (x.shape[d] - 1) if n is None else n
    _check_n(last)
    if n is not None:
        x = _resize(x, [d], [n // 2 + 1])
    if forward:
        x = conj(x)
    return _fft_c2r(x, [d], norm_mode(norm, forward), last)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D discrete Fourier transform (a real input is transformed as r2c, both halves kept)."""
    _need_tensor("fft", input)
    if input._dtype.is_complex:
        return _out(_c2c("fft", input, n, dim, norm, True), out)
    return _out(_r2c("fft", input, n, dim, norm, True, False), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    _need_tensor("ifft", input)
    if input._dtype.is_complex:
        return _out(_c2c("ifft", input, n, dim, norm, False), out)
    return _out(_r2c("ifft", input, n, dim, norm, False, False), out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a real signal: the n // 2 + 1 non-negative frequencies."""
    return _out(_r2c("rfft", input, n, dim, norm, True, True), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of rfft: a real signal of length n (default 2 (m - 1))."""
    return _out(_c2r("irfft", input, n, dim, norm, False), out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a Hermitian-symmetric signal given by its first half: a real spectrum."""
    return _out(_c2r("hfft", input, n, dim, norm, True), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of hfft: the half of a Hermitian signal whose hfft is the real input."""
    return _out(_r2c("ihfft", input, n, dim, norm, False, True), out)


# -- n-dimensional transforms --------------------------------------------------------------------
def _fftn_c2c(name, input, s, dim, norm, forward):
    _need_tensor(name, input)
    shape, dims = _shape_and_dims(input, s, dim)
    x = _resize(promote_fft(input, require_complex=True), dims, shape)
    return _fft_c2c(x, dims, norm_mode(norm, forward), forward)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_fftn_c2c("fftn", input, s, dim, norm, True), out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_fftn_c2c("ifftn", input, s, dim, norm, False), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ifftn(input, s, dim, norm, out=out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    _need_tensor("rfftn", input)
    if input._dtype.is_complex:
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {_type_word(input)}")
    shape, dims = _shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _resize(promote_fft(input), dims, shape)
    return _out(_fft_r2c(x, dims, norm_mode(norm, True), True), out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return rfftn(input, s, dim, norm, out=out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    _need_tensor("irfftn", input)
    shape, dims, last = _c2r_shape_and_dims("irfftn", input, s, dim)
    x = _resize(promote_fft(input, require_complex=True), dims, shape)
    return _out(_fft_c2r(x, dims, norm_mode(norm, False), last), out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return irfftn(input, s, dim, norm, out=out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """c2c over all but the last dim, then a c2r of the conjugate over the last (torch's order)."""
    _need_tensor("hfftn", input)
    shape, dims, last = _c2r_shape_and_dims("hfftn", input, s, dim)
    x = _resize(promote_fft(input, require_complex=True), dims, shape)
    mode = norm_mode(norm, True)
    if len(dims) > 1:
        x = _fft_c2c(x, dims[:-1], mode, True)
    return _out(_fft_c2r(conj(x), dims[-1:], mode, last), out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return hfftn(input, s, dim, norm, out=out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    _need_tensor("ihfftn", input)
    _no_complex("ihfftn", input)
    shape, dims = _shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = _resize(promote_fft(input), dims, shape)
    mode = norm_mode(norm, False)
    half = _fft_r2c(x, dims[-1:], mode, True)
    if len(dims) == 1:
        return _out(conj(half), out)
    return _out(_fft_c2c(conj_physical(half), dims[:-1], mode, False), out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ihfftn(input, s, dim, norm, out=out)


# -- frequencies and shifts ------------------------------------------------------------------------
def _freq(name, values, n, d, out, dtype, device, requires_grad):
    dtype = D.canonical(dtype) or (out._dtype if out is not None else D.get_default_dtype())
    if not dtype._differentiable:
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    if dtype.is_complex:  # torch's arange has no complex kernel
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_type_word_of(dtype)}'")
    npdt = D.np_dtype(dtype)
    # torch: arange in the dtype, then times 1 / (n d) as a scalar of that dtype
    arr = values.astype(npdt) * np.asarray(1.0 / (n * d)).astype(npdt)
    arr = xp_for(as_device(device)).asarray(arr)
    return _write_out(_finish(arr, dtype, requires_grad), out)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of fft: [0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d n)."""
    values = np.concatenate([np.arange((n + 1) // 2), np.arange(-(n // 2), 0)]).astype(np.float64)
    return _freq("fftfreq", values, n, d, out, dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of rfft: [0, 1, ..., n // 2] / (d n)."""
    return _freq("rfftfreq", np.arange(n // 2 + 1, dtype=np.float64), n, d, out, dtype, device, requires_grad)


def _shift(input, dim, amount):
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    return roll(input, [amount(input.shape[d]) for d in dims], dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the centre (roll by n // 2)."""
    return _shift(input, dim, lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of fftshift (roll by (n + 1) // 2)."""
    return _shift(input, dim, lambda n: (n + 1) // 2)


__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
           "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]


from .._ops._arg_parser import install as _install_numpy_aliases  # noqa: E402

_install_numpy_aliases(globals(), python_defined=())  # all of torch's are parser builtins: axis= works
