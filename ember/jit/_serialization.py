"""jit.save / jit.load in ember's own format: an ember.save archive holding {"ember.jit": 1, "module": m,
"extra_files": {...}}. It is not TorchScript: torch.jit.load cannot read it, nor ember this torch's files."""
import os
import warnings

_MARK = "ember.jit"


def save(m, f, _extra_files=None):
    """Write the module (or function) m to f (a path or a binary file object)."""
    warnings.warn("`torch.jit.save` is deprecated. Please switch to `torch.export`.", DeprecationWarning,
                  stacklevel=2)
    from ..serialization import save as _save

    _save({_MARK: 1, "module": m, "extra_files": dict(_extra_files or {})}, f)


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """The module jit.save wrote to f, its tensors moved to map_location when given."""
    warnings.warn("`torch.jit.load` is deprecated. Please switch to `torch.export`.", DeprecationWarning,
                  stacklevel=2)
    from ..serialization import load as _load

    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f"The provided filename {f} does not exist")
        if os.path.isdir(f):
            raise ValueError(f"The provided filename {f} is a directory")
    payload = _load(f, map_location=map_location, weights_only=False)
    if not (isinstance(payload, dict) and payload.get(_MARK) == 1):
        raise RuntimeError("PytorchStreamReader failed locating file constants.pkl: file not found (not a module "
                           "written by ember.jit.save)")
    if _extra_files is not None:
        for k in _extra_files:
            _extra_files[k] = payload["extra_files"].get(k, b"")
    m = payload["module"]
    if map_location is not None and hasattr(m, "to"):
        m.to(map_location)
    return m
