"""ember.vision: torchvision's transforms, models, datasets, utils and ops on ember.

`ember run` serves this package as `torchvision`. Submodules load on first use so
`import ember.vision` stays cheap (Pillow is imported only by what needs it).
"""
import importlib

__version__ = "0.28.0+ember"

_LAZY = {
    "transforms",
    "models",
    "datasets",
    "utils",
    "ops",
}


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'torchvision' has no attribute '{name}'")
