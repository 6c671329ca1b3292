"""ember.vision.ops (nms, batched_nms, box_iou, roi_align) and utils (make_grid, save_image)
against torchvision's algorithms written in plain torch."""
import math

import numpy as np
import pytest
import torch
from PIL import Image

import ember
from ember.vision import ops, utils


def _e(t):
    return ember.from_numpy(t.detach().numpy().copy())


def _boxes(n, seed):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * 50
    wh = torch.rand(n, 2, generator=g) * 30 + 1
    return torch.cat([xy, xy + wh], 1), torch.rand(n, generator=g)


def ref_iou(a, b):
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    lt, rb = torch.max(a[:, None, :2], b[:, :2]), torch.min(a[:, None, 2:], b[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area(a)[:, None] + area(b) - inter)


def ref_nms(boxes, scores, thr):
    order = torch.sort(scores, descending=True, stable=True).indices.tolist()
    iou = ref_iou(boxes, boxes)
    keep, dead = [], set()
    for i in order:
        if i in dead:
            continue
        keep.append(i)
        dead |= {j for j in order if iou[i, j] > thr}
    return keep


def test_box_iou_and_nms():
    b1, s = _boxes(40, 0)
    b2, _ = _boxes(7, 1)
    np.testing.assert_allclose(ops.box_iou(_e(b1), _e(b2)).numpy(), ref_iou(b1, b2).numpy(), rtol=1e-6)
    for thr in (0.1, 0.3, 0.7):
        keep = ops.nms(_e(b1), _e(s), thr)
        assert keep.dtype == ember.int64 and keep.tolist() == ref_nms(b1, s, thr)
    with pytest.raises(RuntimeError, match="boxes should have 4 elements in dimension 1"):
        ops.nms(ember.zeros(3, 5), ember.zeros(3), 0.5)


def test_batched_nms():
    b, s = _boxes(60, 2)
    idxs = torch.randint(0, 4, (60,), generator=torch.Generator().manual_seed(3))
    keep = ops.batched_nms(_e(b), _e(s), _e(idxs), 0.4).tolist()
    # per category nms, merged by decreasing score
    ref = []
    for c in idxs.unique().tolist():
        where = torch.where(idxs == c)[0]
        ref += where[ref_nms(b[where], s[where], 0.4)].tolist()
    ref.sort(key=lambda i: -s[i].item())
    assert keep == ref
    assert ops.batched_nms(ember.zeros(0, 4), ember.zeros(0), ember.zeros(0, dtype=ember.int64), 0.5).shape == (0,)


def ref_roi_align(x, rois, ph, pw, scale, ratio, aligned):
    """torchvision's CPU kernel, one sample at a time, in torch (autograd gives its backward)."""
    _, _, height, width = x.shape
    outs = []
    for roi in rois.tolist():
        b = int(roi[0])
        off = 0.5 if aligned else 0.0
        x1, y1, x2, y2 = (v * scale - off for v in roi[1:])
        rw, rh = x2 - x1, y2 - y1
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph, rw / pw
        gh = ratio if ratio > 0 else math.ceil(rh / ph)
        gw = ratio if ratio > 0 else math.ceil(rw / pw)
        out = torch.zeros(x.shape[1], ph, pw, dtype=x.dtype)
        for i in range(ph):
            for j in range(pw):
                acc = 0
                for iy in range(gh):
                    yy = y1 + i * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        xx = x1 + j * bw + (ix + 0.5) * bw / gw
                        if yy < -1.0 or yy > height or xx < -1.0 or xx > width:
                            continue
                        y, xq = max(yy, 0.0), max(xx, 0.0)
                        yl, xl = int(y), int(xq)
                        if yl >= height - 1:
                            yh = yl = height - 1
                            y = float(yl)
                        else:
                            yh = yl + 1
                        if xl >= width - 1:
                            xh = xl = width - 1
                            xq = float(xl)
                        else:
                            xh = xl + 1
                        ly, lx = y - yl, xq - xl
                        acc = acc + ((1 - ly) * (1 - lx) * x[b, :, yl, xl] + (1 - ly) * lx * x[b, :, yl, xh]
                                     + ly * (1 - lx) * x[b, :, yh, xl] + ly * lx * x[b, :, yh, xh])
                out[:, i, j] = acc / max(gh * gw, 1)
        outs.append(out)
    return torch.stack(outs)


@pytest.mark.parametrize("ratio,aligned", [(-1, False), (2, True), (0, True)])
def test_roi_align_values_and_grads(ratio, aligned):
    g = torch.Generator().manual_seed(4)
    x = torch.randn(2, 3, 9, 11, generator=g, dtype=torch.float64, requires_grad=True)
    rois = torch.tensor([[0, 1.0, 1.5, 7.2, 6.0], [1, -2.0, 0.5, 4.0, 12.0], [1, 3.3, 2.2, 3.5, 2.4],
                         [0, 20.0, 14.0, 30.0, 30.0]], dtype=torch.float64)
    ref = ref_roi_align(x, rois, 3, 2, 0.8, ratio, aligned)
    ex = _e(x).requires_grad_()
    out = ops.roi_align(ex, _e(rois), (3, 2), spatial_scale=0.8, sampling_ratio=ratio, aligned=aligned)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = torch.randn(ref.shape, generator=g, dtype=torch.float64)
    (ref * w).sum().backward()
    (out * _e(w)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), x.grad.numpy(), rtol=1e-10, atol=1e-12)
    # the list-of-boxes form numbers the images itself
    as_list = ops.roi_align(ex, [_e(rois[[0, 3], 1:]), _e(rois[[1, 2], 1:])], 2, 0.8, ratio, aligned)
    both = ops.RoIAlign(2, 0.8, ratio, aligned)(ex, _e(rois[[0, 3, 1, 2]]))
    np.testing.assert_allclose(as_list.detach().numpy(), both.detach().numpy())


def ref_make_grid(t, nrow, padding, pad_value):
    b, c, h, w = t.shape
    xm = min(nrow, b)
    ym = math.ceil(b / xm)
    grid = torch.full((c, (h + padding) * ym + padding, (w + padding) * xm + padding), pad_value)
    for k in range(b):
        y, x = divmod(k, xm)
        grid[:, y * (h + padding) + padding: (y + 1) * (h + padding), x * (w + padding) + padding:
             (x + 1) * (w + padding)] = t[k]
    return grid


def test_make_grid_and_save_image(tmp_path):
    t = torch.rand(7, 3, 5, 4, generator=torch.Generator().manual_seed(5))
    for nrow, padding, pad in ((3, 2, 0.0), (8, 0, 0.5), (2, 1, 1.0)):
        out = utils.make_grid(_e(t), nrow=nrow, padding=padding, pad_value=pad)
        np.testing.assert_array_equal(out.numpy(), ref_make_grid(t, nrow, padding, pad).numpy())
    gray = t[:, :1] * 4 - 1
    out = utils.make_grid(_e(gray), nrow=4, normalize=True)
    lo, hi = gray.min(), gray.max()
    ref = ref_make_grid(((gray - lo) / (hi - lo)).expand(7, 3, 5, 4), 4, 2, 0.0)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6, atol=1e-7)
    each = utils.make_grid(_e(gray), normalize=True, scale_each=True, value_range=(-1.0, 2.0))
    np.testing.assert_allclose(each.numpy(), ref_make_grid(((gray.clamp(-1, 2) + 1) / 3).expand(7, 3, 5, 4), 8,
                                                             2, 0.0).numpy(), rtol=1e-6, atol=1e-7)
    assert tuple(utils.make_grid(_e(t[:1])).shape) == (3, 5, 4)
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(_e(t), normalize=True, value_range=[0, 1])
    utils.save_image(_e(t), tmp_path / "grid.png", nrow=3)
    saved = np.asarray(Image.open(tmp_path / "grid.png"))
    want = ref_make_grid(t, 3, 2, 0.0).mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
    np.testing.assert_array_equal(saved, want)
