"""Weights / WeightsEnum: torchvision's description of pretrained weights (url, meta, transforms)."""
import importlib
import warnings
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Any, Callable

from ..transforms._presets import ImageClassification

IMAGENET_CLASSIFICATION = partial(ImageClassification, crop_size=224)


@dataclass
class Weights:
    url: str
    transforms: Callable
    meta: dict = field(default_factory=dict)

    def __eq__(self, other):
        return isinstance(other, Weights) and self.url == other.url

    def __hash__(self):
        return hash(self.url)


class WeightsEnum(Enum):
    @classmethod
    def verify(cls, obj):
        if obj is None:
            return None
        if isinstance(obj, str):
            obj = cls[obj.replace(cls.__name__ + ".", "")]
        elif not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                            f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any):
        return _load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def _load_state_dict_from_url(url, *args, **kwargs):
    try:
        hub = importlib.import_module("ember.hub")
        load = hub.load_state_dict_from_url
    except (ImportError, AttributeError):
        raise RuntimeError(f"Loading pretrained weights ({url}) needs ember.hub.load_state_dict_from_url, which "
                           f"this ember does not provide yet; build the model with weights=None and load a "
                           f"state_dict yourself") from None
    return load(url, *args, **kwargs)


def imagenet_meta(num_params, acc1, acc5, recipe, min_size=(1, 1), **extra):
    return {"num_params": num_params, "min_size": min_size, "num_classes": 1000, "recipe": recipe,
            "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, **extra}


def ovewrite_named_param(kwargs, param, new_value):
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def build(model, weights, progress):
    """Load the weights (if any) into a freshly built model, as torchvision's builders do."""
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


def prepare(weights_cls, weights, kwargs):
    if "pretrained" in kwargs:  # the pre-0.13 interface, still accepted by torchvision with warnings
        warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                      "please use 'weights' instead.")
        if kwargs.pop("pretrained"):
            warnings.warn(f"Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 "
                          f"and may be removed in the future. The current behavior is equivalent to passing "
                          f"`weights={weights_cls.__name__}.IMAGENET1K_V1`. You can also use "
                          f"`weights={weights_cls.__name__}.DEFAULT` to get the most up-to-date weights.")
            weights = weights_cls.IMAGENET1K_V1
    weights = weights_cls.verify(weights)
    if weights is not None:
        ovewrite_named_param(kwargs, "num_classes", weights.meta["num_classes"])
    return weights
