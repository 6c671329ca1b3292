"""torch.backends.cuda: is_built() and the matmul precision flags (stored, not acted on)."""
import warnings

_PRECISIONS = ("highest", "high", "medium")
_precision = ["highest"]  # torch.get_float32_matmul_precision(), shared with matmul.allow_tf32


class _MatmulFlags:
    """torch.backends.cuda.matmul: allow_tf32 is the float32 matmul precision seen as a flag
    ("highest" <-> False), as in torch; unknown attributes raise torch's AttributeError."""

    _FLAGS = ("allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction",
              "allow_fp16_accumulation")

    def __init__(self):
        object.__setattr__(self, "_flags", {"allow_fp16_reduced_precision_reduction": True,
                                            "allow_bf16_reduced_precision_reduction": True,
                                            "allow_fp16_accumulation": False})

    def __getattr__(self, name):
        if name == "allow_tf32":
            return _precision[0] != "highest"
        if name in self._FLAGS:
            return self._flags[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            _precision[0] = "high" if value else "highest"
        elif name in self._FLAGS:
            self._flags[name] = bool(value)
        else:
            raise AttributeError(f"Unknown attribute {name}")


matmul = _MatmulFlags()


def set_float32_matmul_precision(precision):
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _precision[0] = precision


def get_float32_matmul_precision():
    return _precision[0]


def is_built():
    return False
