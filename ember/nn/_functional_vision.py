"""Spatial transformers of torch.nn.functional: affine_grid and grid_sample (bilinear /
trilinear, nearest and bicubic sampling; zeros, border and reflection padding), and the
torch-level grid_sampler / affine_grid_generator they call. Re-exported by nn/functional.py.

Both are compositions of differentiable ember ops: sampling gathers the corner values
and weighs them by the fractional coordinates, so the gradients with respect to the
input (a scatter-add) and to the grid (through the weights) are torch's.
"""
import itertools
import warnings

from .._creation import linspace, ones
from .._ops.joining import stack
from .._ops.selection import where

__all__ = ["affine_grid", "grid_sample", "GRID_SAMPLE_INTERPOLATION_MODES", "GRID_SAMPLE_PADDING_MODES"]

GRID_SAMPLE_INTERPOLATION_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = {"zeros": 0, "border": 1, "reflection": 2}
_MODES = {v: k for k, v in GRID_SAMPLE_INTERPOLATION_MODES.items()}
_PADDINGS = {v: k for k, v in GRID_SAMPLE_PADDING_MODES.items()}

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


# -- affine_grid ---------------------------------------------------------------------------------------
def _base_coords(n, align_corners, like):
    c = linspace(-1, 1, n, dtype=like.dtype, device=like.device)
    return c if align_corners else c * ((n - 1) / n)


def affine_grid_generator(theta, size, align_corners):
    """theta (N, 2, 3) or (N, 3, 4) applied to the normalised output coordinates (x, y[, z], 1)."""
    n, spatial = size[0], list(size[2:])
    nd = len(spatial)
    axes = [_base_coords(s, align_corners, theta) for s in reversed(spatial)]  # x, y[, z]
    shape = tuple(spatial)
    cols = []
    for d, axis in enumerate(axes):
        view = [1] * nd
        view[nd - 1 - d] = shape[nd - 1 - d]
        cols.append(axis.reshape(view).expand(shape))
    cols.append(ones(shape, dtype=theta.dtype, device=theta.device))
    base = stack(cols, -1).reshape(1, -1, nd + 1).expand(n, -1, -1)
    return (base @ theta.transpose(1, 2)).reshape((n,) + shape + (nd,))


def affine_grid(theta, size, align_corners=None):
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, size, align_corners)


# -- grid_sample ---------------------------------------------------------------------------------------
def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    coord = (coord - low).abs()
    flips = (coord.detach() / span).floor()
    extra = coord - flips * span  # fmod
    even = flips.remainder(2) == 0
    return where(even, extra + low, span - extra + low)


def _pad_coords(coord, size, padding, align_corners):
    if padding == "border":
        return coord.clamp(0, size - 1)
    if padding == "reflection":
        coord = _reflect(coord, 0, 2 * (size - 1)) if align_corners else _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _cubic_coefficients(t):
    a = -0.75

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _sampler(input, spatial):
    """gather(positions per dim (int Tensors (N, *O)), in-bounds mask) -> values (N, C, *O)."""
    n, c = input.shape[:2]
    flat = input.reshape(n, c, -1)

    def gather(positions):
        inside = None
        index = 0
        for pos, size in zip(positions, spatial):
            ok = (pos >= 0) & (pos < size)
            inside = ok if inside is None else inside & ok
            index = index * size + pos.clamp(0, size - 1)
        out_shape = tuple(index.shape[1:])
        vals = flat.gather(2, index.reshape(n, 1, -1).expand(n, c, -1)).reshape((n, c) + out_shape)
        return vals * inside.unsqueeze(1).to(input.dtype)

    return gather


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    mode, padding = _MODES[interpolation_mode], _PADDINGS[padding_mode]
    nd = input.dim() - 2
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    spatial = tuple(input.shape[2:])  # (D,) H, W
    sizes = spatial[::-1]  # the grid's last dim lists x (W) first
    gather = _sampler(input, spatial)
    coords = [_unnormalize(grid[..., d], sizes[d], align_corners) for d in range(nd)]
    if mode == "bicubic":
        base = [c.detach().floor() for c in coords]
        weights = [_cubic_coefficients(c - b) for c, b in zip(coords, base)]
        out = 0
        for taps in itertools.product(range(4), repeat=nd):
            pos = [_pad_coords(b + (k - 1), s, padding, align_corners).long() for b, k, s in zip(base, taps, sizes)]
            w = 1
            for d, k in enumerate(taps):
                w = w * weights[d][k]
            out = out + gather(pos[::-1]) * w.unsqueeze(1)
        return out
    coords = [_pad_coords(c, s, padding, align_corners) for c, s in zip(coords, sizes)]
    if mode == "nearest":
        # the grid gets torch's all-zero gradient (rounding is flat), not none
        return gather([c.detach().round().long() for c in coords][::-1]) + (coords[0] * 0).unsqueeze(1)
    lows = [c.detach().floor() for c in coords]
    out = 0
    for corner in itertools.product((0, 1), repeat=nd):
        w = 1
        for c, lo, k in zip(coords, lows, corner):
            w = w * ((c - lo) if k else (lo + 1 - c))
        pos = [(lo + k).long() for lo, k in zip(lows, corner)]
        out = out + gather(pos[::-1]) * w.unsqueeze(1)
    return out


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    if mode not in GRID_SAMPLE_INTERPOLATION_MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in GRID_SAMPLE_PADDING_MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    return grid_sampler(input, grid, GRID_SAMPLE_INTERPOLATION_MODES[mode], GRID_SAMPLE_PADDING_MODES[padding_mode],
                        align_corners)
