"""roi_align (Mask R-CNN's RoIAlign), differentiable in the input through a gather."""
import math

import numpy as np

import ember as torch
from ember import nn


def _to_rois(boxes):
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.size(1) != 4:
                raise ValueError("The shape of the tensor in the boxes list is not correct as List[Tensor[L, 4]]")
        return torch.cat([torch.cat([torch.full_like(b[:, :1], i), b], dim=1) for i, b in enumerate(boxes)], dim=0)
    if boxes.dim() != 2 or boxes.size(1) != 5:
        raise ValueError("The boxes tensor shape is not correct as Tensor[K, 5]")
    return boxes


def _bilinear_taps(y, x, height, width):
    """The 4 (index, weight) taps of torchvision's bilinear_interpolate, vectorised; samples
    more than one pixel outside the map get weight 0."""
    outside = (y < -1.0) | (y > height) | (x < -1.0) | (x > width)
    y, x = np.maximum(y, 0), np.maximum(x, 0)
    y_low, x_low = y.astype(np.int64), x.astype(np.int64)
    y_edge, x_edge = y_low >= height - 1, x_low >= width - 1
    y_low = np.where(y_edge, height - 1, y_low)
    x_low = np.where(x_edge, width - 1, x_low)
    y = np.where(y_edge, y_low, y)
    x = np.where(x_edge, x_low, x)
    y_high, x_high = np.where(y_edge, y_low, y_low + 1), np.where(x_edge, x_low, x_low + 1)
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    idx = np.stack([y_low * width + x_low, y_low * width + x_high, y_high * width + x_low, y_high * width + x_high])
    w = np.stack([hy * hx, hy * lx, ly * hx, ly * lx]) * ~outside
    return np.where(outside, 0, idx), w


def roi_align(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False):
    """(K, C, ph, pw): each bin is the mean of a grid of bilinear samples of its box's feature map."""
    rois = _to_rois(boxes)
    ph, pw = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    n, c, height, width = input.shape
    r = rois.detach().cpu().numpy().astype(np.float64)
    offset = 0.5 if aligned else 0.0
    all_idx, all_w = [], []
    for roi in r:
        b = int(roi[0])
        x1, y1, x2, y2 = (v * spatial_scale - offset for v in roi[1:])
        rw, rh = x2 - x1, y2 - y1
        if not aligned:  # old behaviour: malformed boxes are made at least 1x1
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bin_h, bin_w = rh / ph, rw / pw
        gh = sampling_ratio if sampling_ratio > 0 else math.ceil(rh / ph)
        gw = sampling_ratio if sampling_ratio > 0 else math.ceil(rw / pw)
        count = max(gh * gw, 1)
        iy = np.arange(ph)[:, None, None, None] * bin_h + (np.arange(gh)[None, None, :, None] + 0.5) * bin_h / gh
        ix = np.arange(pw)[None, :, None, None] * bin_w + (np.arange(gw)[None, None, None, :] + 0.5) * bin_w / gw
        y = np.broadcast_to(y1 + iy, (ph, pw, gh, gw)).reshape(ph, pw, -1)
        x = np.broadcast_to(x1 + ix, (ph, pw, gh, gw)).reshape(ph, pw, -1)
        idx, w = _bilinear_taps(y, x, height, width)  # (4, ph, pw, gh*gw)
        all_idx.append(np.moveaxis(idx, 0, -1).reshape(ph, pw, -1) + b * height * width)
        all_w.append(np.moveaxis(w, 0, -1).reshape(ph, pw, -1) / count)
    k = len(all_idx)
    s = max((a.shape[-1] for a in all_idx), default=0)
    idx = np.zeros((k, ph, pw, s), dtype=np.int64)
    wts = np.zeros((k, ph, pw, s))
    for i, (a, w) in enumerate(zip(all_idx, all_w)):  # rois with fewer samples are padded with weight 0
        idx[i, ..., :a.shape[-1]], wts[i, ..., :w.shape[-1]] = a, w
    flat = input.transpose(0, 1).reshape(c, n * height * width)
    vals = flat.index_select(1, torch.as_tensor(idx.reshape(-1), device=input.device)).reshape(c, k, ph, pw, s)
    out = (vals * torch.as_tensor(wts, dtype=input.dtype, device=input.device)).sum(-1)
    return out.permute(1, 0, 2, 3).contiguous()


class RoIAlign(nn.Module):
    def __init__(self, output_size, spatial_scale, sampling_ratio, aligned=False):
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale
        self.sampling_ratio, self.aligned = sampling_ratio, aligned

    def forward(self, input, rois):
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned)

    def __repr__(self):
        return (f"{self.__class__.__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale}, "
                f"sampling_ratio={self.sampling_ratio}, aligned={self.aligned})")
