"""Legacy typed tensor classes: torch.FloatTensor, torch.LongTensor...

Each works as a constructor (`torch.FloatTensor([1, 2])`, `torch.FloatTensor(2, 3)`),
as an isinstance check, and as a target of `.type(torch.DoubleTensor)`."""
from . import _dtype as D
from ._tensor import Tensor


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._dtype is cls.dtype and obj.is_cpu

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _make(name, dtype):
    def __new__(cls, *args, device=None):
        from ._creation import _legacy_new

        return _legacy_new(Tensor, dtype, args, device)

    return _LegacyMeta(name, (), {"dtype": dtype, "__new__": __new__, "__module__": "torch"})


FloatTensor = _make("FloatTensor", D.float32)
DoubleTensor = _make("DoubleTensor", D.float64)
HalfTensor = _make("HalfTensor", D.float16)
BFloat16Tensor = _make("BFloat16Tensor", D.bfloat16)
LongTensor = _make("LongTensor", D.int64)
IntTensor = _make("IntTensor", D.int32)
ShortTensor = _make("ShortTensor", D.int16)
CharTensor = _make("CharTensor", D.int8)
ByteTensor = _make("ByteTensor", D.uint8)
BoolTensor = _make("BoolTensor", D.bool_)

_BY_NAME = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor,
                                    ShortTensor, CharTensor, ByteTensor, BoolTensor)}


def dtype_of_type(t):
    """The dtype named by a .type() argument: a dtype, a legacy class, or its name."""
    if isinstance(t, D.dtype):
        return t
    if isinstance(t, _LegacyMeta):
        return t.dtype
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        if name in _BY_NAME and ".cuda." not in t:
            return _BY_NAME[name].dtype
    raise ValueError(f"invalid type: '{t}'")
