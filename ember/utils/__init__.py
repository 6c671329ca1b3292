"""torch.utils: data loading (`data`), TensorBoard logging (`tensorboard`), DLPack exchange (`dlpack`)
and the other utility modules, each imported on first use."""
import importlib


def __getattr__(name):
    if not name.startswith("_"):
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
