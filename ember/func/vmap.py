"""torch.func.vmap, run as a loop: func sees one sample at a time (each mapped input indexed along its
in_dim) and the per-sample outputs are stacked along out_dims. Values, shapes and gradients are torch's;
only speed differs. randomness='error' refuses functions that draw random numbers, 'same' gives every
sample the same draw, 'different' lets each sample draw its own."""
import functools

from .._tensor import Tensor
from ._pytree import broadcast_prefix, spec_repr, tree_flatten, tree_unflatten


def _fname(func):
    return getattr(func, "__name__", repr(func))


def _batch_size(func, in_dims, leaves, dims):
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(d, int):
            raise ValueError(f"vmap({_fname(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims must be int or "
                             f"None for every input, got {d!r}")
        if not isinstance(x, Tensor):
            raise ValueError(f"vmap({_fname(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                             f"input but the input is of type {type(x)}. We cannot vmap over non-Tensor "
                             "arguments, please use None as the respective in_dim")
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(f"vmap({_fname(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                             f"input, but that input is a Tensor of dimensionality {n} so expected in_dim to "
                             f"satisfy {-n} <= in_dim < {n}.")
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) != 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return sizes[0]


def _rng_states():
    from .. import _random

    return [g.get_state() for g in [_random.default_generator, *_random._device_generators.values()]]


def _set_rng_states(states):
    from .. import _random

    for g, s in zip([_random.default_generator, *_random._device_generators.values()], states):
        g.set_state(s)


def _same_state(a, b):
    return all(x.shape == y.shape and bool((x == y).all()) for x, y in zip(a, b))


def _call_per_sample(func, randomness, args_leaves, args_spec, dims, kwargs, batch):
    outs = []
    start = _rng_states() if randomness != "different" else None
    for b in range(batch):
        if randomness == "same":  # every sample starts from the same generator state
            _set_rng_states(start)
        leaves = [x if d is None else x.select(d, b) for x, d in zip(args_leaves, dims)]
        outs.append(func(*tree_unflatten(leaves, args_spec), **kwargs))
        if randomness == "error" and not _same_state(start, _rng_states()):
            raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use "
                               "the 'same' or 'different' randomness flags on vmap or perform the randomness "
                               "operation out of vmap")
    return outs


def _stack_outputs(func, outs, out_dims):
    from .. import stack

    leaves0, spec = tree_flatten(outs[0])
    per_sample = [tree_flatten(o)[0] for o in outs]
    err = lambda: ValueError(  # noqa: E731
        f"vmap({_fname(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the structure of "
        f"`outputs`. out_dims has structure {spec_repr(tree_flatten(out_dims)[1])} but outputs has structure "
        f"{spec_repr(spec)}.")
    dims = broadcast_prefix(out_dims, outs[0], err)
    result = []
    for k, d in enumerate(dims):
        column = [p[k] for p in per_sample]
        if d is None:
            result.append(column[0])
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(f"vmap({_fname(func)}, ...): `{_fname(func)}` must only return Tensors, got type "
                             f"{type(column[0])}. Did you mean to set out_dims= to None for output?")
        result.append(stack(column, dim=d))
    return tree_unflatten(result, spec)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over dimension in_dims of its inputs; outputs stacked along out_dims."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        if not isinstance(in_dims, (int, tuple)) and in_dims is not None:
            raise ValueError(f"vmap({_fname(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
                             f"or a (potentially nested) tuple matching the structure of inputs, got: "
                             f"{type(in_dims)}.")
        if not args:
            raise ValueError(f"vmap({_fname(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or "
                             "you are trying to vmap over a function with no inputs. The latter is unsupported.")
        err = lambda: ValueError(  # noqa: E731
            f"vmap({_fname(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
            f"structure of `inputs`. in_dims has structure {spec_repr(tree_flatten(in_dims)[1])} but inputs has "
            f"structure {spec_repr(tree_flatten(args)[1])}.")
        dims = broadcast_prefix(in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args), args, err)
        leaves, spec = tree_flatten(args)
        batch = _batch_size(func, in_dims, leaves, dims)
        outs = _call_per_sample(func, randomness, leaves, spec, dims, kwargs, batch)
        return _stack_outputs(func, outs, out_dims)

    return wrapped
