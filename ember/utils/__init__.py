"""torch.utils: data loading (`data`) and TensorBoard logging (`tensorboard`), imported on first use."""


def __getattr__(name):
    if name in ("data", "tensorboard"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
