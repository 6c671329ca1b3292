"""torch.Size: a tuple of ints that prints as `torch.Size([2, 3])`."""
from operator import index as _index


class Size(tuple):
    __slots__ = ()

    def __new__(cls, sizes=()):
        if type(sizes) is tuple:  # an array's shape: already ints (the hot path of .shape)
            return tuple.__new__(cls, sizes)
        return tuple.__new__(cls, _as_ints(sizes))

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


def _as_ints(sizes):
    out = []
    for i, s in enumerate(sizes):
        try:
            out.append(_index(s))
        except TypeError:
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')") from None
    return out
