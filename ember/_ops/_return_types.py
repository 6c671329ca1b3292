"""torch.return_types-like named tuples: max/min/sort/topk/... (values, indices),
histogram, and linalg's slogdet/qr/svd/eigh/lstsq results."""
import collections


def return_type(name, fields=("values", "indices")):
    """A named tuple class printed as torch prints torch.return_types.<name>; unpacks as a tuple."""

    class ReturnType(collections.namedtuple(name, fields)):
        __slots__ = ()

        def __repr__(self):
            body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
            return f"torch.return_types.{name}(\n{body})"

    ReturnType.__name__ = ReturnType.__qualname__ = name
    ReturnType.__module__ = "ember.return_types"
    return ReturnType
