"""torchvision.transforms.v2.functional: v1's functional plus v2's to_image / to_dtype."""
import ember as torch

from ..functional import *  # noqa: F401,F403
from ..functional import __all__ as _v1_all
from ..functional import convert_image_dtype, pil_to_tensor, to_pil_image

__all__ = _v1_all + ["to_image", "to_dtype", "to_pil_image"]


def to_image(inpt):
    """An image tensor (C, H, W) from a PIL image, an (H, W, C) ndarray or a tensor."""
    import numpy as np

    if isinstance(inpt, np.ndarray):
        out = torch.from_numpy(inpt)
        return (out.unsqueeze(0) if out.ndim == 2 else out.permute((2, 0, 1))).contiguous()
    if isinstance(inpt, torch.Tensor):
        return inpt
    return pil_to_tensor(inpt)


def to_dtype(inpt, dtype=torch.float, scale=False):
    return convert_image_dtype(inpt, dtype) if scale else inpt.to(dtype)
