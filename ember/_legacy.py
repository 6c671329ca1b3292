"""Legacy typed tensor classes: torch.FloatTensor, torch.cuda.LongTensor...

Each works as a constructor (`torch.FloatTensor([1, 2])`, `torch.FloatTensor(2, 3)`),
as an isinstance check (dtype and device type), and as a target of
`.type(torch.DoubleTensor)`, which also moves the tensor to the class's device."""
from . import _dtype as D
from ._tensor import Tensor


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._dtype is cls.dtype and obj.is_cpu == (cls.device_type == "cpu")

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _make(name, dtype, device_type):
    def __new__(cls, *args, device=None):
        from ._creation import _legacy_new

        if len(args) == 1 and isinstance(args[0], Tensor) and args[0]._dtype is not dtype:
            # torch.Tensor(t) keeps t's dtype; a typed class insists on its own
            raise TypeError(f"expected TensorOptions(dtype={_OPTION_NAMES.get(dtype.name, dtype.name)}, ...) "
                            f"(got TensorOptions(dtype={_OPTION_NAMES.get(args[0]._dtype.name, args[0]._dtype.name)}, ...))")
        return _legacy_new(Tensor, dtype, args, device_type if device is None else device)

    module = "torch" if device_type == "cpu" else "torch.cuda"
    return _LegacyMeta(name, (), {"dtype": dtype, "device_type": device_type, "__new__": __new__,
                                  "__module__": module})


_OPTION_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "int16": "short int",
                 "int8": "signed char", "uint8": "unsigned char", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}
_DTYPES = {"FloatTensor": D.float32, "DoubleTensor": D.float64, "HalfTensor": D.float16,
           "BFloat16Tensor": D.bfloat16, "LongTensor": D.int64, "IntTensor": D.int32, "ShortTensor": D.int16,
           "CharTensor": D.int8, "ByteTensor": D.uint8, "BoolTensor": D.bool_}
CPU_CLASSES = {name: _make(name, d, "cpu") for name, d in _DTYPES.items()}
CUDA_CLASSES = {name: _make(name, d, "cuda") for name, d in _DTYPES.items()}

FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor, \
    ByteTensor, BoolTensor = CPU_CLASSES.values()


def target_of_type(t):
    """The (dtype, device type or None) a .type() argument names: a dtype (device
    kept), a legacy class or its name ('torch.DoubleTensor', 'torch.cuda.FloatTensor')."""
    if isinstance(t, D.dtype):
        return t, None
    if isinstance(t, _LegacyMeta):
        return t.dtype, t.device_type
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        classes = {"torch": CPU_CLASSES, "torch.cuda": CUDA_CLASSES}.get(module, {})
        if name in classes:
            return classes[name].dtype, classes[name].device_type
    raise ValueError(f"invalid type: '{t.__name__ if isinstance(t, type) else t}'")
