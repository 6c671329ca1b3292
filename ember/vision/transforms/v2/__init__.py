"""torchvision.transforms.v2 for the v1 set: the same transforms taking any number of inputs.

As v2 does for plain tensors and PIL images (no tv_tensors here), a call transforms the
first image in its (possibly nested) inputs and passes everything else (labels, ...) through.
"""
import ember as torch

from .. import transforms as _v1
from .._modes import InterpolationMode
from . import functional

__all__ = ["Transform", "Compose", "ToImage", "ToDtype", "ToPureTensor", "ToTensor", "PILToTensor", "ToPILImage",
           "ConvertImageDtype", "Normalize", "Resize", "CenterCrop", "Pad", "Lambda", "RandomApply",
           "RandomChoice", "RandomOrder", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomResizedCrop", "RandomRotation", "ColorJitter", "Grayscale", "InterpolationMode"]


def _is_image(x):
    return isinstance(x, torch.Tensor) or type(x).__module__.startswith("PIL.")


def _map_first_image(obj, fn, done):
    if not done[0] and _is_image(obj):
        done[0] = True
        return fn(obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map_first_image(o, fn, done) for o in obj)
    if isinstance(obj, dict):
        return {k: _map_first_image(v, fn, done) for k, v in obj.items()}
    return obj


class Transform(torch.nn.Module):
    """Base: subclasses implement `_transform_image`; forward takes any inputs."""

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        return _map_first_image(sample, self._transform_image, [False])


def _v2(cls):
    """A v2 version of a v1 class: v1's call applied to the first image of the inputs."""
    body = {"__call__": torch.nn.Module.__call__, "forward": Transform.forward, "__module__": __name__}
    if issubclass(cls, torch.nn.Module):
        body["_transform_image"] = cls.forward
    else:  # v1's plain callables: make them Modules first
        body["_transform_image"] = cls.__call__

        def __init__(self, *args, **kwargs):
            torch.nn.Module.__init__(self)
            cls.__init__(self, *args, **kwargs)

        body["__init__"] = __init__
    return type(cls.__name__, (Transform, cls), body)


class Compose(_v1.Compose):
    def __call__(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for t in self.transforms:
            out = t(*inputs)
            inputs = out if needs_unpacking else (out,)
        return out


class ToImage(Transform):
    def _transform_image(self, img):
        return functional.to_image(img)


class ToPureTensor(Transform):
    def _transform_image(self, img):
        return img


class ToDtype(Transform):
    def __init__(self, dtype, scale=False):
        super().__init__()
        self.dtype, self.scale = dtype, scale

    def _transform_image(self, img):
        return functional.to_dtype(img, self.dtype, self.scale)


class RandomCrop(_v2(_v1.RandomCrop)):
    """v2 draws a top (then a left) offset only along a dimension the crop shrinks."""

    @staticmethod
    def get_params(img, output_size):
        _, h, w = functional.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        i = int(torch.randint(0, h - th + 1, size=())) if h > th else 0
        j = int(torch.randint(0, w - tw + 1, size=())) if w > tw else 0
        return i, j, th, tw


class RandomChoice(Transform):
    """v2 picks with torch.multinomial on the normalised probabilities."""

    def __init__(self, transforms, p=None):
        super().__init__()
        p = [1.0] * len(transforms) if p is None else p
        if len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        total = sum(p)
        self.transforms, self.p = transforms, [prob / total for prob in p]

    def forward(self, *inputs):
        idx = int(torch.multinomial(torch.tensor(self.p), 1))
        return self.transforms[idx](*inputs)


ToTensor = _v2(_v1.ToTensor)
PILToTensor = _v2(_v1.PILToTensor)
ToPILImage = _v2(_v1.ToPILImage)
ConvertImageDtype = _v2(_v1.ConvertImageDtype)
Normalize = _v2(_v1.Normalize)
Resize = _v2(_v1.Resize)
CenterCrop = _v2(_v1.CenterCrop)
Pad = _v2(_v1.Pad)
Lambda = _v2(_v1.Lambda)
RandomApply = _v2(_v1.RandomApply)
RandomOrder = _v2(_v1.RandomOrder)
RandomHorizontalFlip = _v2(_v1.RandomHorizontalFlip)
RandomVerticalFlip = _v2(_v1.RandomVerticalFlip)
RandomResizedCrop = _v2(_v1.RandomResizedCrop)
RandomRotation = _v2(_v1.RandomRotation)
ColorJitter = _v2(_v1.ColorJitter)
Grayscale = _v2(_v1.Grayscale)
