"""torchvision.ops on ember."""
from . import misc
