"""nn.Parameter: a Tensor that a Module registers as one of its parameters."""
from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor sharing `data`'s memory, requiring grad by default.

    Assigning one to a Module attribute registers it (see Module.__setattr__)."""

    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        p = object.__new__(cls)
        p._data = data._data
        p._dtype = data._dtype
        p._grad_fn = None
        p._requires_grad = False
        if requires_grad and not data._dtype._differentiable:  # torch's _make_subclass words it so
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        p.requires_grad = requires_grad
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy(), self._dtype), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (Tensor._make(self._data, self._dtype), self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


# -- uninitialized parameters and buffers (lazy modules) ------------------------------------------
_DATA = Tensor.__dict__["_data"]  # the slot under the mixin's guard


def _dtypes():
    from .. import _dtype

    return _dtype


def _unusable(self):
    raise ValueError(f"Attempted to use an uninitialized parameter in {type(self).__name__}. This error happens when "
                     "you are using a `LazyModule` or explicitly manipulating `torch.nn.parameter."
                     f"{type(self).__name__}` objects. When using LazyModules Call `forward` with a dummy batch to "
                     "initialize the parameters before calling torch functions")


class UninitializedTensorMixin:
    """A parameter or buffer whose shape is not known yet: it holds an empty tensor of its
    dtype and device until `materialize(shape)` gives it memory and turns it into its
    `cls_to_become` (Parameter or Tensor), the same object.

    Until then ops refuse it with torch's ValueError (its array is behind a guard); what torch
    allows (dtype and device moves, size, the device and dtype) works on the empty tensor."""

    cls_to_become = None

    _data = property(_unusable, _DATA.__set__)

    def _empty(self):
        return Tensor._make(_DATA.__get__(self), self._dtype)

    def _set_data(self, value):
        _DATA.__set__(self, _DATA.__get__(value))
        self._dtype = value._dtype

    def _like(self, out):
        """A move or cast of the empty tensor, still uninitialized (as torch's subclass results are)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        _DATA.__set__(new, _DATA.__get__(out))
        new._dtype, new._grad_fn, new._requires_grad = out._dtype, None, self._requires_grad
        return new

    data = property(_empty, _set_data)
    device = property(lambda self: self._empty().device)
    is_cuda = property(lambda self: self._empty().is_cuda)
    is_cpu = property(lambda self: self._empty().is_cpu)

    def to(self, *args, **kwargs):
        empty = self._empty()
        out = empty.to(*args, **kwargs)
        return self if out is empty else self._like(out)

    def cpu(self, memory_format=None):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    def float(self, memory_format=None):
        return self.to(_dtypes().float32)

    def double(self, memory_format=None):
        return self.to(_dtypes().float64)

    def half(self, memory_format=None):
        return self.to(_dtypes().float16)

    def size(self, dim=None):
        return self._empty().size(dim)

    def materialize(self, shape, device=None, dtype=None):
        from .._creation import empty

        device = self.device if device is None else device
        dtype = self.dtype if dtype is None else dtype
        self.data = empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to initialize "
                           "the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param):
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._creation import empty

        p = Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from .._creation import empty

        data = empty(0, device=device, dtype=dtype)
        t = object.__new__(cls)
        t._data, t._dtype, t._grad_fn, t._requires_grad = data._data, data._dtype, None, False
        t.requires_grad = requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass


class _BufferMeta(type):
    """isinstance(t, Buffer) holds for any Tensor marked as a buffer (torch's _BufferMeta)."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Buffer(data, persistent=True): a Tensor that, assigned to a Module attribute, registers
    as one of its buffers (persistent: whether state_dict holds it)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
