"""The datapipe helpers torch.utils.data exports: DataChunk and the decorators of
torch.utils.data.datapipes._decorator.

ember has no DataPipe classes; an IterDataPipe is an IterableDataset here, and datapipes
carry no `.type`. The decorators keep torch's contracts and messages where they can apply:
non_deterministic guards construction under guaranteed determinism, argument_validation
checks arguments hinted as an IterableDataset subclass, runtime_validation checks each item
against `self.type` when the datapipe has one (torch's _DataPipeType), and
runtime_validation_disabled turns that off for its block.
"""
import inspect
from functools import wraps
from typing import get_type_hints

from .dataset import IterableDataset

__all__ = ["DataChunk", "argument_validation", "non_deterministic", "runtime_validation",
           "runtime_validation_disabled"]


class DataChunk(list):
    """A list of items that a datapipe passes on as one element (a batch)."""

    def __init__(self, items):
        items = list(items)
        super().__init__(items)
        self.items = items

    def as_str(self, indent=""):
        return indent + "[" + ", ".join(str(i) for i in iter(self)) + "]"

    def __iter__(self):
        yield from super().__iter__()

    def raw_iterator(self):
        yield from self.items


# the settings the context managers below change, read by the decorators
_flags = {"determinism": False, "runtime_validation": True}


class _SetFlag:
    """Sets _flags[_key] to _value from construction (torch's pattern: a plain call sticks)
    until the end of its with block."""
    _key = _value = None

    def __init__(self):
        self.prev = _flags[self._key]
        _flags[self._key] = self._value

    def __enter__(self):
        pass

    def __exit__(self, exc_type, exc_value, traceback):
        _flags[self._key] = self.prev


class guaranteed_datapipes_determinism(_SetFlag):
    """Within it, building a non_deterministic datapipe raises."""
    _key, _value = "determinism", True


class non_deterministic:
    """Mark an IterDataPipe class as non-deterministic (or, given a function of the
    constructor's arguments, non-deterministic when it returns True)."""
    cls = None

    def __init__(self, arg):
        if isinstance(arg, type):
            if not issubclass(arg, IterableDataset):
                raise TypeError(f"Only `IterDataPipe` can be decorated with `non_deterministic`, but {arg.__name__} "
                                "is found")
            self.cls = arg
        elif callable(arg):
            self.deterministic_fn = arg
        else:
            raise TypeError(f"{arg} can not be decorated by non_deterministic")

    def __call__(self, *args, **kwargs):
        if self.cls is not None:
            if _flags["determinism"]:
                raise TypeError(f"{self.cls.__name__} is non-deterministic, but you set "
                                "'guaranteed_datapipes_determinism'. You can turn off determinism for this DataPipe "
                                "if that is acceptable for your application")
            return self.cls(*args, **kwargs)
        if not (isinstance(args[0], type) and issubclass(args[0], IterableDataset)):
            raise TypeError(f"Only `IterDataPipe` can be decorated, but {args[0].__name__} is found")
        self.cls = args[0]
        return self.deterministic_wrapper_fn

    def deterministic_wrapper_fn(self, *args, **kwargs):
        res = self.deterministic_fn(*args, **kwargs)
        if not isinstance(res, bool):
            raise TypeError("deterministic_fn of `non_deterministic` decorator is required to return a boolean value, "
                            f"but {type(res)} is found")
        if _flags["determinism"] and res:
            raise TypeError(f"{self.cls.__name__} is non-deterministic with the inputs, but you set "
                            "'guaranteed_datapipes_determinism'. You can turn off determinism for this DataPipe if "
                            "that is acceptable for your application")
        return self.cls(*args, **kwargs)


def argument_validation(f):
    """Check, at each call, that the arguments hinted as a datapipe class are instances of it."""
    signature = inspect.signature(f)
    hints = get_type_hints(f)

    @wraps(f)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            hint = hints.get(name)
            if isinstance(hint, type) and issubclass(hint, IterableDataset) and not isinstance(value, hint):
                raise TypeError(f"Expected argument '{name}' as a IterDataPipe, but found {type(value)}")
        return f(*args, **kwargs)
    return wrapper


class runtime_validation_disabled(_SetFlag):
    """Within it, runtime_validation checks nothing."""
    _key, _value = "runtime_validation", False


def runtime_validation(f):
    """Decorate a datapipe's __iter__: each item it yields must be an instance of its `type`."""
    if f.__name__ != "__iter__":
        raise TypeError(f"Can not decorate function {f.__name__} with 'runtime_validation'")

    @wraps(f)
    def wrapper(self):
        dp_type = getattr(self, "type", None)
        if not _flags["runtime_validation"] or not hasattr(dp_type, "issubtype_of_instance"):
            yield from f(self)
            return
        for d in f(self):
            if not dp_type.issubtype_of_instance(d):
                raise RuntimeError(f"Expected an instance as subtype of {dp_type}, but found {d}({type(d)})")
            yield d
    return wrapper
