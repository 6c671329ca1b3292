"""torchvision.models on ember: classification models with torchvision's names and state_dict keys."""
from ._api import Weights, WeightsEnum
from .alexnet import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403

_BUILDERS = ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn", "alexnet",
             "mobilenet_v2", "squeezenet1_0"]


def list_models(module=None):
    return sorted(_BUILDERS)


def get_model(name, **config):
    if name not in _BUILDERS:
        raise ValueError(f"Unknown model {name}")
    return globals()[name](**config)


def get_model_builder(name):
    if name not in _BUILDERS:
        raise ValueError(f"Unknown model {name}")
    return globals()[name]
