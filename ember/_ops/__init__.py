"""Built-in ops, one module per family. Each module's `__all__` names the
functions exported as `ember.<name>`; importing a module also attaches its
Tensor methods. Both take torch's NumPy keyword aliases (axis=, keepdims=...)
with no work of their own: see _arg_parser.py."""
import importlib

FAMILIES = (
    "elementwise",
    "reduction",
    "shape",
    "conversion",
    "selection",
    "indexing",
    "joining",
    "matmul",
    "sorting",
    "nn_ops",
    "random_ops",
    "misc",
    "complex_ops",
    "spectral",
    "extra_math",
    "statistics",
    "linalg_names",
    "windows",
    "construction",
    "strided",
    "sampling",
    "gamma",
    "more_math",
    "view_copies",
    "native_norms",
    "aliases",
    "introspection",
)

__all__ = []
for _family in FAMILIES:
    _mod = importlib.import_module(f".{_family}", __name__)
    _public = getattr(_mod, "PUBLIC", {})  # exported functions that differ from the module's own (torch.reshape)
    for _name in getattr(_mod, "__all__", ()):
        globals()[_name] = _public.get(_name) or getattr(_mod, _name)
        __all__.append(_name)
