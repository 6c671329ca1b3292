"""Tensor-image kernels of torchvision.transforms.functional, on images shaped (..., C, H, W).

Each follows torchvision's _functional_tensor.py step for step (same casts, same
rounding) so results match it bit for bit where the arithmetic allows.
"""
import math

import numpy as np

import ember as torch
from ember.nn import functional as F

_INT_MAX = {"uint8": 255, "int8": 127, "int16": 32767, "int32": 2**31 - 1, "int64": 2**63 - 1}


def max_value(dtype):
    return 1.0 if dtype.is_floating_point else _INT_MAX[str(dtype).split(".")[-1]]


def get_dimensions(img):
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def _cast_in(img, dtypes):
    return (img, False) if img.dtype in dtypes else (img.to(dtypes[0]), True)


def _cast_out(img, need_cast, out_dtype):
    if need_cast:
        if not out_dtype.is_floating_point:
            img = torch.round(img)  # integer images: round, as torchvision (a truncating cast would bias down)
        img = img.to(out_dtype)
    return img


# -- resize -------------------------------------------------------------------------------------
def _filter_bilinear(x):
    x = np.abs(x)
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _filter_bicubic(x, a=-0.5):
    x = np.abs(x)
    return np.where(x < 1.0, ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0,
                    np.where(x < 2.0, (((x - 5.0) * x + 8.0) * x - 4.0) * a, 0.0))


def _cubic_matrix(n_in, n_out):
    """upsample_bicubic2d (align_corners=False): Keys' cubic with a=-0.75 on the 4 nearest inputs,
    indices clamped to the edge (the source position itself is not clamped, unlike bilinear)."""
    src = n_in / n_out * (np.arange(n_out) + 0.5) - 0.5
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    a = -0.75
    w = np.stack([((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                  ((a + 2) * t - (a + 3)) * t * t + 1,
                  ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                  ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a], axis=1)
    mat = np.zeros((n_out, n_in))
    for k in range(4):
        np.add.at(mat, (np.arange(n_out), np.clip(i0 - 1 + k, 0, n_in - 1)), w[:, k])
    return mat


def resize_matrix(n_in, n_out, mode, antialias):
    """(n_out, n_in) weights of ATen's separable antialiased resize (PIL's algorithm):
    output i averages the inputs within `support` of its centre, the filter stretched by the
    downscale factor; without antialias (or when upscaling) this is plain align_corners=False
    interpolation with edge clamping."""
    if mode == "bicubic" and not antialias:
        return _cubic_matrix(n_in, n_out)
    size = 2.0 if mode == "bilinear" else 4.0
    filt = _filter_bilinear if mode == "bilinear" else _filter_bicubic
    scale = n_in / n_out
    aa = antialias and scale >= 1.0
    support = size * 0.5 * scale if aa else size * 0.5
    invscale = 1.0 / scale if aa else 1.0
    mat = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = scale * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), n_in)
        w = filt((np.arange(xmin, xmax) - center + 0.5) * invscale)
        total = w.sum()
        mat[i, xmin:xmax] = w / total if total != 0 else w
    return mat


def resize(img, size, interpolation="bilinear", antialias=True):
    out_dtype = img.dtype
    img, need_cast = _cast_in(img, [torch.float32, torch.float64])
    h, w = size
    if interpolation in ("bilinear", "bicubic"):
        rows = torch.as_tensor(resize_matrix(img.shape[-2], h, interpolation, antialias), dtype=img.dtype,
                               device=img.device)
        cols = torch.as_tensor(resize_matrix(img.shape[-1], w, interpolation, antialias), dtype=img.dtype,
                               device=img.device)
        img = torch.matmul(torch.matmul(rows, img), cols.T)
    else:
        batch = img.shape[:-3]
        flat = img.reshape((-1,) + tuple(img.shape[-3:]))
        flat = F.interpolate(flat, size=[h, w], mode=interpolation,
                             align_corners=False if interpolation in ("bilinear", "bicubic") else None)
        img = flat.reshape(tuple(batch) + tuple(flat.shape[1:]))
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        img = img.clamp(min=0, max=255)
    return _cast_out(img, need_cast, out_dtype)


# -- pad ------------------------------------------------------------------------------------------
def parse_pad_padding(padding):
    """[left, right, top, bottom] from an int or a 1, 2 (lr, tb) or 4 (l, t, r, b) sequence."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _symmetric_index(n, before, after):
    idx = np.arange(-before, n + after)
    period = 2 * n
    idx = np.mod(idx, period)
    return np.where(idx >= n, period - 1 - idx, idx)


def pad(img, padding, fill=0, padding_mode="constant"):
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = parse_pad_padding(list(padding) if isinstance(padding, tuple) else padding)
    if padding_mode == "symmetric":
        if min(p) < 0:
            raise ValueError("Padding can not be negative for symmetric padding_mode")
        rows = torch.as_tensor(_symmetric_index(img.shape[-2], p[2], p[3]), device=img.device)
        cols = torch.as_tensor(_symmetric_index(img.shape[-1], p[0], p[1]), device=img.device)
        return img.index_select(-2, rows).index_select(-1, cols)
    mode = "replicate" if padding_mode == "edge" else padding_mode
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(0)
    out_dtype = img.dtype
    need_cast = mode != "constant" and img.dtype not in (torch.float32, torch.float64)
    if need_cast:
        img = img.to(torch.float32)
    img = F.pad(img, p, mode=mode) if mode != "constant" else F.pad(img, p, mode=mode, value=float(fill))
    if squeeze:
        img = img.squeeze(0)
    return img.to(out_dtype) if need_cast else img


def crop(img, top, left, height, width):
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


# -- colour ---------------------------------------------------------------------------------------
def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def _channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")
    return c


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    return l_img.expand(img.shape) if num_output_channels == 3 else l_img


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _channels(img, [1, 3])
    return _blend(img, torch.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    c = _channels(img, [3, 1])
    dtype = img.dtype if img.dtype.is_floating_point else torch.float32
    gray = rgb_to_grayscale(img) if c == 3 else img
    mean = torch.mean(gray.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if _channels(img, [1, 3]) == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    cr_divisor = torch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return torch.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(dtype=torch.int32) % 6
    p = torch.clamp(v * (1.0 - s), 0.0, 1.0)
    q = torch.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = torch.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    mask = i.unsqueeze(dim=-3) == torch.arange(6, device=i.device).view(-1, 1, 1)
    a1 = torch.stack((v, q, p, p, t, v), dim=-3)
    a2 = torch.stack((t, v, v, q, p, p), dim=-3)
    a3 = torch.stack((p, p, t, v, v, q), dim=-3)
    a4 = torch.stack((a1, a2, a3), dim=-4)
    return torch.einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _channels(img, [1, 3]) == 1:
        return img
    orig_dtype = img.dtype
    hsv = _rgb2hsv(convert_image_dtype(img, torch.float32))
    h, s, v = hsv.unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    return convert_image_dtype(_hsv2rgb(torch.stack((h, s, v), dim=-3)), orig_dtype)


def convert_image_dtype(image, dtype=torch.float):
    if image.dtype == dtype:
        return image
    if image.dtype.is_floating_point:
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == torch.float32 and dtype in (torch.int32, torch.int64)) or (
                image.dtype == torch.float64 and dtype == torch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3  # keeps 1.0 below max + 1 so the truncating cast lands on max
        return image.mul(float(max_value(dtype)) + 1.0 - eps).to(dtype)
    input_max = float(max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return torch.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


# -- geometry through an affine sampling grid -----------------------------------------------------
def inverse_affine_matrix(center, angle, translate, scale, shear):
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
    m[2] += cx
    m[5] += cy
    return m


def _affine_output_size(matrix, w, h):
    pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
    theta = torch.tensor(matrix, dtype=torch.float).view(2, 3)
    new_pts = torch.matmul(pts, theta.T)
    half = torch.tensor((w * 0.5, h * 0.5))
    min_vals, max_vals = new_pts.min(dim=0).values + half, new_pts.max(dim=0).values + half
    tol = 1e-4  # drop float noise so ceil(1e-15) is not 1
    size = torch.ceil((max_vals / tol).trunc() * tol) - torch.floor((min_vals / tol).trunc() * tol)
    return int(size[0]), int(size[1])


def _affine_grid(theta, w, h, ow, oh):
    kw = {"dtype": theta.dtype, "device": theta.device}
    base = torch.empty(1, oh, ow, 3, **kw)
    base[..., 0] = torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow, **kw)
    base[..., 1] = torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh, **kw).unsqueeze(-1)
    base[..., 2] = 1
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], **kw)
    return base.view(1, oh * ow, 3).bmm(rescaled).view(oh, ow, 2)


def _grid_sample(img, grid, mode):
    """grid_sample(padding_mode='zeros', align_corners=False) of (..., C, H, W) at one (oh, ow, 2) grid."""
    h, w = img.shape[-2:]
    ix = ((grid[..., 0] + 1) * w - 1) / 2
    iy = ((grid[..., 1] + 1) * h - 1) / 2
    flat = img.reshape(tuple(img.shape[:-2]) + (h * w,))

    def tap(y, x, weight):
        inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
        idx = (y.clamp(0, h - 1) * w + x.clamp(0, w - 1)).long().reshape(-1)
        vals = flat.index_select(-1, idx).reshape(tuple(img.shape[:-2]) + tuple(x.shape))
        return vals * (weight * inside)

    if mode == "nearest":
        x, y = torch.round(ix), torch.round(iy)  # nearbyint: half to even
        return tap(y, x, torch.ones_like(ix))
    x0, y0 = torch.floor(ix), torch.floor(iy)
    fx, fy = ix - x0, iy - y0
    return (tap(y0, x0, (1 - fx) * (1 - fy)) + tap(y0, x0 + 1, fx * (1 - fy))
            + tap(y0 + 1, x0, (1 - fx) * fy) + tap(y0 + 1, x0 + 1, fx * fy))


def _apply_grid(img, grid, mode, fill):
    out_dtype = img.dtype
    img, need_cast = _cast_in(img, [grid.dtype])
    if fill is not None:
        img = torch.cat((img, torch.ones_like(img[..., :1, :, :])), dim=-3)
    img = _grid_sample(img, grid, mode)
    if fill is not None:
        mask = img[..., -1:, :, :].expand_as(img[..., :-1, :, :])
        img = img[..., :-1, :, :]
        fill_list = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = torch.tensor(fill_list, dtype=img.dtype, device=img.device).view(len(fill_list), 1, 1).expand_as(img)
        if mode == "nearest":
            img = torch.where(mask < 0.5, fill_img, img)
        else:
            img = img * mask + (1.0 - mask) * fill_img
    return _cast_out(img, need_cast, out_dtype)


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _affine_output_size(matrix, w, h) if expand else (w, h)
    dtype = img.dtype if img.dtype.is_floating_point else torch.float32
    theta = torch.tensor(matrix, dtype=dtype, device=img.device).reshape(1, 2, 3)
    return _apply_grid(img, _affine_grid(theta, w, h, ow, oh), interpolation, fill)
