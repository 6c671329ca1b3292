"""PIL-image kernels of torchvision.transforms.functional (Pillow does the pixel work)."""
import numpy as np
from PIL import Image, ImageEnhance, ImageOps


def is_pil_image(img):
    return isinstance(img, Image.Image)


def get_dimensions(img):
    w, h = img.size
    return [len(img.getbands()), h, w]


def parse_fill(fill, img, name="fillcolor"):
    channels = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * channels
        elif len(fill) != channels:
            raise ValueError(f"The number of elements in 'fill' does not match the number of channels of the image "
                             f"({len(fill)} != {channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def resize(img, size, interpolation):
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def crop(img, top, left, height, width):
    return img.crop((left, top, left + width, top + height))


def pad(img, padding, fill=0, padding_mode="constant"):
    from ._functional_tensor import parse_pad_padding

    left, right, top, bottom = parse_pad_padding(list(padding) if isinstance(padding, tuple) else padding)
    if padding_mode == "constant":
        return ImageOps.expand(img, border=(left, top, right, bottom), **parse_fill(fill, img, name="fill"))
    arr = np.asarray(img)
    width = ((top, bottom), (left, right)) + (((0, 0),) if arr.ndim == 3 else ())
    return Image.fromarray(np.pad(arr, width, {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[
        padding_mode]), mode=img.mode)


def hflip(img):
    return img.transpose(Image.FLIP_LEFT_RIGHT)


def vflip(img):
    return img.transpose(Image.FLIP_TOP_BOTTOM)


def rotate(img, angle, interpolation=0, expand=False, center=None, fill=None):
    return img.rotate(angle, interpolation, expand, center, **parse_fill(fill, img))


def adjust_brightness(img, factor):
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img, factor):
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img, factor):
    return ImageEnhance.Color(img).enhance(factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if img.mode in {"L", "1", "I", "F"}:
        return img
    mode = img.mode
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    # the hue channel wraps around 256 (uint8 addition overflows on purpose)
    np_h = (np_h.astype(np.int64) + int(np.int32(hue_factor * 255))) % 256
    h = Image.fromarray(np_h.astype(np.uint8), "L")
    return Image.merge("HSV", (h, s, v)).convert(mode)


def to_grayscale(img, num_output_channels):
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    img = img.convert("L")
    if num_output_channels == 3:
        arr = np.asarray(img)
        img = Image.fromarray(np.dstack([arr, arr, arr]), "RGB")
    return img
