"""dtypes and torch's type promotion.

Every op asks `result_type` (or its fast wrapper `_promote`) for its output
dtype; NumPy's own promotion rules are never relied on, because they differ
from torch's (int32 + 2.5 is float64 in NumPy, float32 in torch).
"""
import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3  # categories, in promotion order

# How a dtype names its module when printed (reprs, str(), error messages): `ember.float32`,
# or `torch.float32` under `ember run`, whose script believes it imported torch (_run.install sets it).
REPR_PREFIX = "ember."


class dtype:
    """A tensor element type. Instances are singletons (`ember.float32`)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "category", "_rank",
                 "_differentiable", "_unordered", "_limited")

    def __init__(self, name, np_dtype, category, rank, itemsize=2):
        self.name = name
        self.np = np_dtype
        self.itemsize = np.dtype(np_dtype).itemsize if np_dtype is not None else itemsize
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        # Whether tensors of this dtype can require grad (torch: floating point and complex).
        self._differentiable = category >= _FLOAT
        self.is_signed = name != "bool" and not name.startswith("uint")
        self.category = category
        self._rank = rank  # position in the promotion lattice within a category
        # No order comparisons (lt, gt...): complex numbers, and the limited unsigned ints (set below).
        self._unordered = self.is_complex
        self._limited = False  # one of the limited-support unsigned ints (set below)

    def __repr__(self):
        return REPR_PREFIX + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        """The real counterpart of a complex dtype (complex64 -> float32); real dtypes are their own."""
        return _TO_REAL.get(self, self)

    def to_complex(self):
        """The complex counterpart of a floating dtype (float32 -> complex64, bfloat16 -> complex64)."""
        if self.category == _COMPLEX:
            return self
        if self.category != _FLOAT:
            raise RuntimeError(f"Unknown Complex ScalarType for {_SCALAR_TYPE_NAMES[self.name]}")
        return _TO_COMPLEX[self]


def _dtype_by_name(name):
    return _BY_NAME[name]


bool_ = dtype("bool", np.bool_, _BOOL, 0)
uint8 = dtype("uint8", np.uint8, _INT, 1)
int8 = dtype("int8", np.int8, _INT, 1)
int16 = dtype("int16", np.int16, _INT, 2)
int32 = dtype("int32", np.int32, _INT, 3)
int64 = dtype("int64", np.int64, _INT, 4)
float16 = dtype("float16", np.float16, _FLOAT, 1)
bfloat16 = dtype("bfloat16", None, _FLOAT, 1)  # NumPy dtype resolved lazily (ml_dtypes)
float32 = dtype("float32", np.float32, _FLOAT, 2)
float64 = dtype("float64", np.float64, _FLOAT, 3)
# complex32 (chalf) is a name torch has; NumPy cannot compute on it (no NumPy dtype).
complex32 = dtype("complex32", None, _COMPLEX, 1, itemsize=4)
complex64 = dtype("complex64", np.complex64, _COMPLEX, 2)
complex128 = dtype("complex128", np.complex128, _COMPLEX, 3)
# torch's "limited support" unsigned ints: they are made, copied, cast, compared for equality,
# printed and saved, but promote only with floating types and most kernels refuse them
# (`_LIMITED`; see promote_types and refuse_limited).
uint16 = dtype("uint16", np.uint16, _INT, 2)
uint32 = dtype("uint32", np.uint32, _INT, 3)
uint64 = dtype("uint64", np.uint64, _INT, 4)
_LIMITED = frozenset((uint16, uint32, uint64))
for _d in _LIMITED:
    _d._unordered = _d._limited = True

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex32, complex64, complex128,
       uint16, uint32, uint64)
_TO_REAL = {complex32: float16, complex64: float32, complex128: float64}
_TO_COMPLEX = {float16: complex32, bfloat16: complex64, float32: complex64, float64: complex128}
# c10's ScalarType names, which torch's error messages use.
_SCALAR_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
                      "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
                      "float64": "Double", "complex32": "ComplexHalf", "complex64": "ComplexFloat",
                      "complex128": "ComplexDouble", "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {np.dtype(d.np): d for d in ALL if d.np is not None}


def _load_bfloat16():
    """bfloat16 comes from ml_dtypes, imported only when first used (it costs 0.1 s)."""
    if bfloat16.np is None:
        try:
            import ml_dtypes
        except ImportError as e:  # pragma: no cover - ml_dtypes is a dependency
            raise RuntimeError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes") from e
        bfloat16.np = ml_dtypes.bfloat16
        _BY_NP[np.dtype(ml_dtypes.bfloat16)] = bfloat16
    return bfloat16.np


_PYTHON_TYPES = {float: float64, int: int64, bool: bool_, complex: complex128}


def canonical(d):
    """A dtype argument as an ember dtype: torch also takes the Python types
    float, int and bool (float64, int64, bool) and NumPy dtypes."""
    if d is None or type(d) is dtype:
        return d
    if d in _PYTHON_TYPES:
        return _PYTHON_TYPES[d]
    if isinstance(d, str):  # NumPy would read "float" as float64; torch refuses names
        raise TypeError(f"argument 'dtype' must be torch.dtype, not {type(d).__name__}")  # the caller adds its name
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"argument 'dtype' must be torch.dtype, not {type(d).__name__}") from None


def np_dtype(d):
    """The NumPy dtype of an ember dtype."""
    if d.np is not None:
        return d.np
    if d is complex32:
        _refuse_complex32()
    return _load_bfloat16()


def is_half(npd):
    """float16 or bfloat16 (ml_dtypes' bfloat16 has kind "V")."""
    return npd.itemsize == 2 and npd.kind in "fV"


def opmath(a):
    """The array to compute with: torch computes float16/bfloat16 in float32 (its CPU "opmath" type)
    and rounds once at the end, so a half array becomes float32 (the caller casts the result back)."""
    return a.astype(np.float32) if is_half(a.dtype) else a


def _refuse_complex32(kernel="empty"):
    """complex32 exists as a name; ember (NumPy) has no half-precision complex to compute with."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for 'ComplexHalf' "
                              "(ember has no half-precision complex arithmetic)")


def from_numpy_dtype(npd):
    """The ember dtype of a NumPy dtype; TypeError for types torch lacks."""
    try:
        return _BY_NP[npd]
    except KeyError:
        pass
    npd = np.dtype(npd)
    if npd in _BY_NP:
        return _BY_NP[npd]
    if npd.name == "bfloat16":
        _load_bfloat16()
        return bfloat16
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{npd.name}. The only supported types are: "
        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, "
        "uint8, and bool."
    )


# Promotion within the lattice: bool < ints < floats < complex; uint8 with a signed int
# goes to the next signed type wide enough (uint8 + int8 -> int16), float16 with
# bfloat16 gives float32, as torch does. complex with a float is the complex type
# of the two promoted real parts (complex64 + float64 -> complex128).
def promote_types(a, b):
    """torch.promote_types: the smallest dtype both `a` and `b` can be cast to."""
    if a is b:
        return a
    if not (isinstance(a, dtype) and isinstance(b, dtype)):
        _check_args("promote_types", ("type1", a), ("type2", b))
    if a in _LIMITED or b in _LIMITED:
        return _promote_limited(a, b)
    if a.category != b.category:
        if a.category < b.category:
            a, b = b, a
        if a.category == _COMPLEX and b.category == _FLOAT:
            return promote_types(_TO_REAL[a], b).to_complex()
        return a
    if a.category == _INT:
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    if a.category >= _FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a._rank > b._rank else b
    return a


def _promote_limited(a, b):
    """uint16/32/64 promote only with a real floating type (to that type), as in torch."""
    other = b if a in _LIMITED else a
    if other.category == _FLOAT:
        return other
    raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                       f"{_SCALAR_TYPE_NAMES[a.name]} and {_SCALAR_TYPE_NAMES[b.name]}")


def refuse_limited(dtype, kernel):
    """torch's refusal of a kernel it does not build for uint16/32/64."""
    if dtype in _LIMITED:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SCALAR_TYPE_NAMES[dtype.name]}'")


_default = [float32]  # set_default_dtype changes this one cell


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def scalar_dtype(value):
    """The dtype torch gives a Python scalar wrapped into a tensor."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _default[0]
    if isinstance(value, (complex, np.complexfloating)):
        return _TO_COMPLEX[_default[0]]  # the default complex dtype follows the default float dtype
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def _combine(higher, lower):
    """torch's combine_categories: a lower-priority group only wins by category; a complex
    lower group over a float higher one keeps the float's precision (float32 + 1j -> complex64)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """torch.result_type over tensors and scalars.

    Three priority groups, each promoted on its own: tensors with dims, zero-dim
    tensors, and Python/NumPy scalars. A lower group changes the result only when
    its category (bool < int < float) is higher.
    """
    from ._tensor import Tensor

    dim = zero = wrapped = None
    for x in operands:
        if isinstance(x, Tensor):
            d = x._dtype
            if x._data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        elif isinstance(x, np.ndarray):  # an array operand acts as the tensor it becomes
            d = from_numpy_dtype(x.dtype)
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def can_cast(from_, to):
    """torch.can_cast: casting may not lower the category (float -> int, int -> bool)."""
    if not (isinstance(from_, dtype) and isinstance(to, dtype)):
        _check_args("can_cast", ("from_", from_), ("to", to))
    return from_.category <= to.category


def _check_args(fn, *named):
    """torch's TypeError for a non-dtype argument of a dtype function."""
    for pos, (name, value) in enumerate(named, 1):
        if not isinstance(value, dtype):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be torch.dtype, not {type(value).__name__}")


class finfo:
    """Machine limits of a floating-point dtype (torch.finfo)."""

    def __init__(self, type=None):
        type = get_default_dtype() if type is None else type
        _check_args("finfo", ("type", type))
        if type.is_complex:  # a complex dtype's limits are those of its real parts
            type = type.to_real()
        if not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'")
        if type is bfloat16:
            import ml_dtypes

            info = ml_dtypes.finfo(_load_bfloat16())
        else:
            info = np.finfo(type.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype (torch.iinfo)."""

    def __init__(self, type):
        _check_args("iinfo", ("type", type))
        if type is bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category >= _FLOAT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
