"""torchvision.transforms on ember."""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__
