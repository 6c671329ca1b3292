"""ember.vision.transforms against torchvision's computations written in plain torch
(torchvision cannot be installed beside the CPU torch oracle)."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from PIL import Image

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as F
import ember.vision.transforms.v2 as T2


def _e(t):
    return ember.from_numpy(t.numpy().copy())


def _close(a, b, atol=1e-5):
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    np.testing.assert_allclose(a.numpy().astype(np.float64), b.numpy().astype(np.float64), atol=atol, rtol=1e-5)


@pytest.fixture
def img():
    g = torch.Generator().manual_seed(0)
    return torch.rand(3, 37, 50, generator=g)


@pytest.fixture
def img8(img):
    return (img * 255).to(torch.uint8)


# -- reference kernels: torchvision's tensor code, in torch ----------------------------------
def ref_resize(x, size, antialias=True):
    dt = x.dtype
    y = x.float() if not dt.is_floating_point else x
    y = TF.interpolate(y.unsqueeze(0), size=size, mode="bilinear", align_corners=False, antialias=antialias)[0]
    return torch.round(y).to(dt) if not dt.is_floating_point else y


def ref_gray(x):
    r, g, b = x.unbind(-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype).unsqueeze(-3)


def ref_blend(a, b, ratio):
    bound = 1.0 if a.dtype.is_floating_point else 255
    return (ratio * a + (1.0 - ratio) * b).clamp(0, bound).to(a.dtype)


def ref_rotate(x, angle, mode="nearest", fill=None, expand=False):
    rot = math.radians(-angle)
    a, b, c, d = math.cos(rot), -math.sin(rot), math.sin(rot), math.cos(rot)
    m = [d, -b, 0.0, -c, a, 0.0]
    h, w = x.shape[-2:]
    ow, oh = w, h
    if expand:
        pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                            [0.5 * w, -0.5 * h, 1.0]])
        new = pts @ torch.tensor(m).view(2, 3).T
        half = torch.tensor((w * 0.5, h * 0.5))
        lo, hi = new.min(0).values + half, new.max(0).values + half
        size = torch.ceil((hi / 1e-4).trunc() * 1e-4) - torch.floor((lo / 1e-4).trunc() * 1e-4)
        ow, oh = int(size[0]), int(size[1])
    theta = torch.tensor(m).reshape(1, 2, 3)
    base = torch.empty(1, oh, ow, 3)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh).unsqueeze(-1))
    base[..., 2].fill_(1)
    grid = base.view(1, oh * ow, 3).bmm(theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h])).view(1, oh, ow, 2)
    dt = x.dtype
    y = x.float().unsqueeze(0)
    if fill is not None:
        y = torch.cat((y, torch.ones_like(y[:, :1])), 1)
    y = TF.grid_sample(y, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask = y[:, -1:].expand_as(y[:, :-1])
        y = y[:, :-1]
        f = torch.tensor(fill, dtype=y.dtype).view(1, -1, 1, 1).expand_as(y)
        y = torch.where(mask < 0.5, f, y) if mode == "nearest" else y * mask + (1 - mask) * f
    y = y[0]
    return torch.round(y).to(dt) if not dt.is_floating_point else y


# -- deterministic ops ---------------------------------------------------------------------------
@pytest.mark.parametrize("size,antialias", [(20, True), ((50, 30), True), ((16, 21), False), (60, True)])
def test_resize_tensor(img, img8, size, antialias):
    for x in (img, img8):
        out = F.resize(_e(x), size, antialias=antialias)
        h, w = x.shape[-2:]
        if isinstance(size, int):
            s = [size, int(size * w / h)] if h <= w else [int(size * h / w), size]
        else:
            s = list(size)
        _close(out, ref_resize(x, s, antialias), atol=1e-5 if x.dtype == torch.float32 else 1)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_other_modes(img, mode, antialias):
    out = F.resize(_e(img), [23, 71], interpolation=T.InterpolationMode(mode), antialias=antialias)
    ref = TF.interpolate(img[None], size=[23, 71], mode=mode, align_corners=False if mode == "bicubic" else None,
                         antialias=antialias and mode == "bicubic")[0]
    _close(out, ref, atol=2e-6)


def test_resize_pil_and_max_size(img8):
    pil = Image.fromarray(img8.permute(1, 2, 0).numpy())
    out = T.Resize(20)(pil)
    assert out.size == (27, 20)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(pil.resize((27, 20), Image.BILINEAR)))
    assert F.resize(_e(img8), 20, max_size=24).shape == (3, 17, 24)
    with pytest.raises(ValueError, match="max_size"):
        F.resize(_e(img8), [20, 20], max_size=30)


def test_normalize_crop_pad_flip(img, img8):
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    ref = (img - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    _close(T.Normalize(mean, std)(_e(img)), ref)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        F.normalize(_e(img8), mean, std)
    _close(T.CenterCrop(24)(_e(img)), img[:, 6:30, 13:37])
    big = T.CenterCrop((41, 53))(_e(img8))
    _close(big, TF.pad(img8, [1, 2, 2, 2])[:, :, :])
    for mode, tmode in [("constant", "constant"), ("edge", "replicate"), ("reflect", "reflect")]:
        ref = TF.pad(img.unsqueeze(0), [1, 3, 2, 4], mode=tmode)[0]
        _close(T.Pad((1, 2, 3, 4), padding_mode=mode)(_e(img)), ref)
    sym = T.Pad(2, padding_mode="symmetric")(_e(img))
    np.testing.assert_allclose(sym.numpy(), np.pad(img.numpy(), ((0, 0), (2, 2), (2, 2)), "symmetric"))
    _close(F.hflip(_e(img)), img.flip(-1))
    _close(F.vflip(_e(img)), img.flip(-2))
    _close(F.crop(_e(img), -2, 45, 10, 10), TF.pad(img[:, 0:8, 45:50], [0, 5, 2, 0]))


def test_to_tensor_pil_roundtrip(img8):
    arr = img8.permute(1, 2, 0).numpy()
    pil = Image.fromarray(arr)
    t = T.ToTensor()(pil)
    _close(t, torch.from_numpy(arr).permute(2, 0, 1).float().div(255))
    p = T.PILToTensor()(pil)
    assert p.dtype == ember.uint8 and p.shape == (3, 37, 50)
    back = T.ToPILImage()(t)
    np.testing.assert_array_equal(np.asarray(back), (torch.from_numpy(arr).float().div(255) * 255).byte().numpy())
    assert T.ToPILImage()(ember.zeros(1, 4, 4)).mode == "L"
    _close(T.ToTensor()(arr), torch.from_numpy(arr).permute(2, 0, 1).float().div(255))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()(3)


def test_color_ops(img, img8):
    for x in (img, img8):
        ex = _e(x)
        _close(F.rgb_to_grayscale(ex), ref_gray(x))
        _close(F.adjust_brightness(ex, 1.3), ref_blend(x, torch.zeros_like(x), 1.3))
        mean = ref_gray(x).float().mean(dim=(-3, -2, -1), keepdim=True)
        _close(F.adjust_contrast(ex, 0.6), ref_blend(x, mean, 0.6), atol=1e-5 if x.is_floating_point() else 1)
        _close(F.adjust_saturation(ex, 1.7), ref_blend(x, ref_gray(x), 1.7))
    # hue: torchvision's HSV round trip written in torch
    x = img
    maxc, minc = x.max(-3).values, x.min(-3).values
    eqc, cr = maxc == minc, x.max(-3).values - x.min(-3).values
    r, g, b = x.unbind(-3)
    crd = torch.where(eqc, torch.ones_like(cr), cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
         + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc))
    h = (torch.fmod(h / 6.0 + 1.0, 1.0) + 0.2) % 1.0
    s, v = cr / torch.where(eqc, torch.ones_like(maxc), maxc), maxc
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(torch.int32) % 6
    p, q, t = (v * (1 - s)).clamp(0, 1), (v * (1 - s * f)).clamp(0, 1), (v * (1 - s * (1 - f))).clamp(0, 1)
    sel = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    ref = torch.zeros_like(x)
    for k, (a, bb, cc) in enumerate(sel):
        m = i == k
        ref[0][m], ref[1][m], ref[2][m] = a[m], bb[m], cc[m]
    _close(F.adjust_hue(_e(x), 0.2), ref, atol=1e-5)
    with pytest.raises(ValueError, match="hue_factor"):
        F.adjust_hue(_e(x), 0.7)


def test_convert_image_dtype(img, img8):
    _close(T.ConvertImageDtype(ember.float32)(_e(img8)), img8.float() / 255)
    _close(F.convert_image_dtype(_e(img), ember.uint8), (img * (255 + 1.0 - 1e-3)).to(torch.uint8))
    _close(F.convert_image_dtype(_e(img8), ember.int16), img8.to(torch.int16) * 128)
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(_e(img), ember.int64)


@pytest.mark.parametrize("mode,fill,expand", [("nearest", None, False), ("bilinear", [0.5, 0.2, 0.1], False),
                                              ("nearest", [1.0, 1.0, 1.0], True)])
def test_rotate_tensor(img, img8, mode, fill, expand):
    for x in (img, img8):
        f = fill if fill is None or x.is_floating_point() else [v * 255 for v in fill]
        out = F.rotate(_e(x), 33.0, interpolation=getattr(T.InterpolationMode, mode.upper()), expand=expand, fill=f)
        _close(out, ref_rotate(x, 33.0, mode, f, expand), atol=1e-5 if x.is_floating_point() else 1)


def test_rotate_pil(img8):
    pil = Image.fromarray(img8.permute(1, 2, 0).numpy())
    np.testing.assert_array_equal(np.asarray(F.rotate(pil, 20, expand=True)),
                                  np.asarray(pil.rotate(20, 0, True, None, fillcolor=(0, 0, 0))))


# -- random transforms: same seed, same draws as torchvision's calls -----------------------------
def test_random_crop_and_flips(img):
    ember.manual_seed(5)
    outs = [T.RandomCrop(20, padding=2, pad_if_needed=True)(_e(img)), T.RandomHorizontalFlip()(_e(img)),
            T.RandomVerticalFlip(0.7)(_e(img)), T.RandomCrop((40, 50), pad_if_needed=True)(_e(img))]
    torch.manual_seed(5)
    padded = TF.pad(img, [2, 2, 2, 2])
    i = torch.randint(0, 41 - 20 + 1, size=(1,)).item()
    j = torch.randint(0, 54 - 20 + 1, size=(1,)).item()
    refs = [padded[:, i:i + 20, j:j + 20]]
    refs.append(img.flip(-1) if torch.rand(1) < 0.5 else img)
    refs.append(img.flip(-2) if torch.rand(1) < 0.7 else img)
    tall = TF.pad(img, [0, 0, 3, 3])  # pad_if_needed pads top and bottom by the shortfall
    i = torch.randint(0, 43 - 40 + 1, size=(1,)).item()
    j = torch.randint(0, 1, size=(1,)).item()
    refs.append(tall[:, i:i + 40, j:j + 50])
    for o, r in zip(outs, refs):
        _close(o, r)
    assert torch.rand(1).item() == ember.rand(1).item()  # both generators consumed the same


def test_random_resized_crop(img):
    ember.manual_seed(11)
    out = T.RandomResizedCrop(24)(_e(img))
    torch.manual_seed(11)
    height, width = img.shape[-2:]
    log_ratio = torch.log(torch.tensor((3 / 4, 4 / 3)))
    for _ in range(10):
        area = height * width * torch.empty(1).uniform_(0.08, 1.0).item()
        ar = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        w, h = int(round(math.sqrt(area * ar))), int(round(math.sqrt(area / ar)))
        if 0 < w <= width and 0 < h <= height:
            i = torch.randint(0, height - h + 1, size=(1,)).item()
            j = torch.randint(0, width - w + 1, size=(1,)).item()
            break
    _close(out, ref_resize(img[:, i:i + h, j:j + w], [24, 24]))


def test_random_rotation_colorjitter_apply(img):
    ember.manual_seed(2)
    rot = T.RandomRotation(40)(_e(img))
    jit = T.ColorJitter(0.4, 0.4, 0.4)(_e(img))
    app = T.RandomApply([T.Lambda(lambda x: x * 2)], p=0.5)(_e(img))
    torch.manual_seed(2)
    angle = float(torch.empty(1).uniform_(-40.0, 40.0).item())
    _close(rot, ref_rotate(img, angle, "nearest", [0.0, 0.0, 0.0]))
    order = torch.randperm(4).tolist()
    fs = [torch.empty(1).uniform_(0.6, 1.4).item() for _ in range(3)]
    y = img
    for k in order:
        if k == 0:
            y = ref_blend(y, torch.zeros_like(y), fs[0])
        elif k == 1:
            y = ref_blend(y, ref_gray(y).mean(dim=(-3, -2, -1), keepdim=True), fs[1])
        elif k == 2:
            y = ref_blend(y, ref_gray(y), fs[2])
    _close(jit, y)
    _close(app, img if 0.5 < torch.rand(1) else img * 2)


def test_compose_v2_and_errors(img):
    pipe = T.Compose([T.CenterCrop(30), T.Resize(15), T.Grayscale(3), T.Normalize([0.5] * 3, [0.25] * 3)])
    x = pipe(_e(img))
    ref = (ref_resize(img[:, 4:34, 10:40], [15, 15]))
    ref = ref_gray(ref).expand(3, 15, 15)
    _close(x, (ref - 0.5) / 0.25)
    ember.manual_seed(4)
    out, label = T2.Compose([T2.RandomCrop(20), T2.RandomHorizontalFlip(1.0), T2.ToDtype(ember.float64)])(_e(img), 7)
    assert label == 7 and out.dtype == ember.float64
    torch.manual_seed(4)
    i, j = int(torch.randint(0, 18, size=())), int(torch.randint(0, 31, size=()))
    _close(out, img[:, i:i + 20, j:j + 20].flip(-1).double())
    assert T2.Lambda(lambda t: t + 1)(_e(img)).shape == (3, 37, 50)
    with pytest.raises(TypeError, match="Argument lambd should be callable"):
        T.Lambda(3)
    with pytest.raises(ValueError, match="Required crop size"):
        T.RandomCrop(60)(_e(img))


def test_pil_paths(img8):
    from PIL import ImageEnhance, ImageOps

    pil = Image.fromarray(img8.permute(1, 2, 0).numpy())
    same = lambda a, b: np.testing.assert_array_equal(np.asarray(a), np.asarray(b))  # noqa: E731
    same(F.hflip(pil), pil.transpose(Image.FLIP_LEFT_RIGHT))
    same(F.crop(pil, 3, 4, 10, 12), pil.crop((4, 3, 16, 13)))
    same(T.Pad((1, 2), fill=7)(pil), ImageOps.expand(pil, (1, 2, 1, 2), fill=(7, 7, 7)))
    same(T.Pad(3, padding_mode="reflect")(pil), np.pad(np.asarray(pil), ((3, 3), (3, 3), (0, 0)), "reflect"))
    same(F.adjust_contrast(pil, 0.4), ImageEnhance.Contrast(pil).enhance(0.4))
    same(F.adjust_saturation(pil, 1.6), ImageEnhance.Color(pil).enhance(1.6))
    gray = T.Grayscale(3)(pil)
    assert gray.mode == "RGB"
    same(np.asarray(gray)[..., 1], pil.convert("L"))
    h, s, v = pil.convert("HSV").split()
    shifted = Image.fromarray(((np.asarray(h).astype(int) + int(-0.25 * 255)) % 256).astype(np.uint8), "L")
    same(F.adjust_hue(pil, -0.25), Image.merge("HSV", (shifted, s, v)).convert("RGB"))
    same(T.CenterCrop(20)(pil), pil.crop((15, 8, 35, 28)))
    # ToTensor of what ToPILImage made, and v2's to_image on ndarray
    _close(T2.functional.to_image(np.asarray(pil)), img8)
