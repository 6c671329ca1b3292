"""Names torch defines in one nn.modules file that ember defines in another (pooling_more.py, lazy.py...):
the torch-path file answers them on first access (a module __getattr__), so pickled torch models and
`from torch.nn.modules.pooling import LPPool2d` resolve without the two files importing each other."""
import importlib


def moved_names(module_name, sources):
    """A module __getattr__ for module_name: each name in sources[file] comes from sibling `file`."""
    package = module_name.rpartition(".")[0]
    where = {name: source for source, names in sources.items() for name in names}

    def __getattr__(name):
        source = where.get(name)
        if source is None:
            raise AttributeError(f"module '{module_name}' has no attribute '{name}'")
        return getattr(importlib.import_module(f"{package}.{source}"), name)

    return __getattr__
