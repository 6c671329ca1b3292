"""torch's view-copy functions (torch.t_copy, torch.expand_copy, ...): the view op followed by
a contiguous clone, so the result owns its memory (they exist for functionalization), and the
unsafe_ split / chunk forms (torch's split / chunk without the view-aliasing checks ember does
not have). Each is made here from the view op by one helper; gradients are the view's and clone's.
"""
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ._arg_parser import _alias_table, accept_aliases
from ._base import Op
from .complex_ops import view_as_complex, view_as_real
from .elementwise import _out
from .shape import _chunk, _split, clone, contiguous_format

# name of the copy function: the Tensor method it copies
VIEW_COPIES = {
    "alias_copy": "view_as", "as_strided_copy": "as_strided", "detach_copy": "detach",
    "diagonal_copy": "diagonal", "expand_copy": "expand", "narrow_copy": "narrow", "permute_copy": "permute",
    "select_copy": "select", "slice_copy": None, "split_copy": "split", "split_with_sizes_copy": "split_with_sizes",
    "squeeze_copy": "squeeze", "t_copy": "t", "transpose_copy": "transpose", "unbind_copy": "unbind",
    "unfold_copy": "unfold", "unsqueeze_copy": "unsqueeze", "view_as_complex_copy": None,
    "view_as_real_copy": None, "view_copy": "view",
}
UNSAFE = ("unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes")

__all__ = list(VIEW_COPIES) + list(UNSAFE)


def _slice(input, dim=0, start=None, end=None, step=1):
    """torch.ops.aten.slice: input[start:end:step] along dim."""
    return input[(slice(None),) * input._wrap_dim(dim) + (slice(start, end, step),)]


def _alias(input):
    return input.view_as(input)


def _expand(input, size, *, implicit=False):
    return input.expand(size)


class _NotImplemented(Op):
    """torch's detach_copy output requires grad through a node whose backward raises."""

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        raise RuntimeError("derivative for aten::detach_copy is not implemented")

    def name(self):
        return "torch::autograd::NotImplemented"


def _detach(input):
    return _NotImplemented.apply(input)


def _to_complex(input):
    if input.requires_grad and is_grad_enabled():  # torch has no derivative formula for this one
        raise RuntimeError("view_as_complex_copy does not support automatic differentiation for outputs with "
                           "complex dtype.")
    return view_as_complex(input)


def _own(t):
    return clone(t, memory_format=contiguous_format)


def _copy_fn(name, view):
    def fn(input, *args, out=None, **kwargs):
        result = view(input, *args, **kwargs)
        if isinstance(result, (tuple, list)):
            result = tuple(_own(t) for t in result)
            if out is None:
                return result
            for o, r in zip(out, result):
                _out(r, o)
            return None
        return _out(result if view is _detach else _own(result), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: a contiguous copy of what `{view.__name__}` returns."
    # torch's parser aliases (axis=...) of the view's parameters, which fn passes on as *args / **kwargs
    return accept_aliases(fn, {**_alias_table(fn), **_alias_table(getattr(view, "__wrapped__", view))})


_SPECIAL = {"slice_copy": _slice, "alias_copy": _alias, "expand_copy": _expand, "detach_copy": _detach,
            "view_as_complex_copy": _to_complex, "view_as_real_copy": view_as_real}

for _name, _method in VIEW_COPIES.items():
    globals()[_name] = _copy_fn(_name, _SPECIAL.get(_name) or getattr(Tensor, _method))
Tensor.narrow_copy = globals()["narrow_copy"]



def unsafe_split(input, split_size, dim=0):
    return _split(input, split_size, dim, True)


def unsafe_chunk(input, chunks, dim=0):
    return _chunk(input, chunks, dim, True)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _split(input, list(split_sizes), dim, True)


for _name in UNSAFE:
    setattr(Tensor, _name, globals()[_name])
