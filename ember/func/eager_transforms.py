"""torch.func's autodiff transforms on ember's tape: each call wraps the differentiated inputs as fresh graph
roots, runs the function and asks autograd.grad. Forward mode (jvp, jacfwd) uses the double-vjp identity
J t = d/du <J^T u, t>, since ember records reverse-mode graphs only. Inside another transform (or when an
input already requires grad) the graph is kept so the outer transform can differentiate the result."""
import contextlib
import functools

from .. import autograd
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from . import _state
from ._pytree import tree_flatten, tree_map, tree_unflatten


@contextlib.contextmanager
def _transform_level(reverse=False):
    _state.grad_level[0] += 1
    _state.reverse_level[0] += reverse
    try:
        yield
    finally:
        _state.grad_level[0] -= 1
        _state.reverse_level[0] -= reverse


def _needs_graph(leaves):
    return _state.grad_level[0] > 0 or any(isinstance(x, Tensor) and x.requires_grad for x in leaves)


def _as_root(t):
    """A tensor to differentiate against: a leaf of its own, or an alias still linked to an outer graph."""
    if not isinstance(t, Tensor):
        return t
    if not t.dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return t.view_as(t) if t.requires_grad else t.detach().requires_grad_()


def _finish(tree, keep):
    return tree if keep else tree_map(lambda x: x.detach() if isinstance(x, Tensor) else x, tree)


def _grads(outputs, inputs, grad_outputs, create_graph):
    """autograd.grad with zeros for inputs the outputs do not reach (torch.func never returns None)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if isinstance(o, Tensor) and o.requires_grad]
    if not pairs or not inputs:
        got = [None] * len(inputs)
    else:
        got = autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs], create_graph=create_graph,
                            retain_graph=True, allow_unused=True)
    from .. import zeros_like

    return [zeros_like(x) if g is None else g for g, x in zip(got, inputs)]


def _check_argnums(argnums, nargs):
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
    if len(set(a % nargs for a in nums)) != len(nums):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return [a % nargs for a in nums]


def _split_aux(out, has_aux, fname):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{fname}(f)(*args): output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return out


def _wrap_args(args, argnums):
    """args with those at argnums replaced by graph roots; returns (new args, root pytree, root leaves)."""
    args = list(args)
    nums = _check_argnums(argnums, len(args))
    roots = []
    for a in nums:
        args[a] = tree_map(_as_root, args[a])
        roots.append(args[a])
    tree = roots[0] if not isinstance(argnums, tuple) else tuple(roots)
    leaves, spec = tree_flatten(tree)
    return args, leaves, spec


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of func's scalar output w.r.t. args[argnums], output)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        keep = _needs_graph(tree_flatten((args, kwargs))[0])
        with enable_grad(), _transform_level(reverse=True):
            args, leaves, spec = _wrap_args(args, argnums)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            flat = _grads([out], [x for x in leaves if isinstance(x, Tensor)], [None], keep)
            it = iter(flat)
            g = tree_unflatten([next(it) if isinstance(x, Tensor) else None for x in leaves], spec)
        if has_aux:
            return _finish(g, keep), (_finish(out, keep), _finish(aux, keep))
        return _finish(g, keep), _finish(out, keep)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of func's scalar output w.r.t. args[argnums] (and aux if has_aux)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def _call_on_roots(func, primals, has_aux, fname, not_tensor_msg):
    """func run on graph-root copies of primals: (roots, output, aux, output leaves, output spec)."""
    wrapped = tree_map(_as_root, primals)
    out, aux = _split_aux(func(*wrapped), has_aux, fname)
    out_leaves, out_spec = tree_flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(not_tensor_msg.format(type(o)))
    return wrapped, out, aux, out_leaves, out_spec


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives the cotangents of every primal, as a tuple."""
    keep = _needs_graph(tree_flatten(primals)[0])
    with enable_grad(), _transform_level(reverse=True):
        wrapped, out, aux, out_leaves, out_spec = _call_on_roots(
            func, primals, has_aux, "vjp", "vjp(f, *primals): Expected f to be a function that has only Tensor "
                                           "outputs but got {}")
    in_leaves, in_spec = tree_flatten(wrapped)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct_leaves, ct_spec = tree_flatten(cotangents)
        if len(ct_leaves) != len(out_leaves) or ct_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               "outputs to the function.")
        for o, c in zip(out_leaves, ct_leaves):
            if tuple(o.shape) != tuple(c.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and "
                                   f"output[0] has a shape of {o.shape}.")
        again = keep or _state.grad_level[0] > 0 or any(c.requires_grad for c in ct_leaves)
        with enable_grad():
            flat = _grads(out_leaves, in_leaves, ct_leaves, again)
        return _finish(tree_unflatten(flat, in_spec), again)

    if has_aux:
        return _finish(out, keep), vjp_fn, _finish(aux, keep)
    return _finish(out, keep), vjp_fn


def _jvp_core(func, primals, tangents, has_aux, keep):
    """(outputs, tangent outputs, aux): J t by differentiating the vjp u -> J^T u against u."""
    from .. import zeros_like

    with enable_grad(), _transform_level():
        wrapped, out, aux, out_leaves, out_spec = _call_on_roots(
            func, primals, has_aux, "jvp", "jvp(f, primals, tangents): Expected f(*primals) to return only "
                                           "tensors, got unsupported type {}")
        in_leaves = tree_flatten(wrapped)[0]
        us = [zeros_like(o).requires_grad_() for o in out_leaves]
        g = _grads(out_leaves, in_leaves, us, True)
        t_leaves = tree_flatten(tangents)[0]
        pairs = [(gi, ti) for gi, ti in zip(g, t_leaves) if gi.requires_grad]
        if pairs:
            jt = autograd.grad([p for p, _ in pairs], us, [t for _, t in pairs], create_graph=keep,
                               retain_graph=True, allow_unused=True)
        else:
            jt = [None] * len(us)
        jt = [zeros_like(o) if j is None else j for j, o in zip(jt, out_leaves)]
    return out, tree_unflatten(jt, out_spec), aux


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), the Jacobian of func at primals applied to tangents[, aux])."""
    for name, v in (("primals", primals), ("tangents", tangents)):
        if not isinstance(v, tuple):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected {name} to be a tuple. E.g. it should be valid "
                               "to call f(*primals).")
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got "
                           f"primals with structure {p_spec} and tangents with structure {t_spec}")
    for p, t in zip(p_leaves, t_leaves):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")
    keep = _needs_graph(p_leaves + t_leaves)
    out, jt, aux = _jvp_core(func, primals, tangents, has_aux, keep)
    if has_aux:
        return _finish(out, keep), _finish(jt, keep), _finish(aux, keep)
    return _finish(out, keep), _finish(jt, keep)


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) is the Jacobian at primals applied to tangents."""
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]

    return out, jvp_fn


def _jacobian(func, argnums, has_aux, fname, args, kwargs):
    """d out / d args[argnums], nested as torch.func: out's structure outside, the inputs' inside; each block
    has shape out.shape + input.shape."""
    from .. import stack

    keep = _needs_graph(tree_flatten((args, kwargs))[0])
    with enable_grad(), _transform_level(reverse=fname == "jacrev"):
        args, leaves, spec = _wrap_args(args, argnums)
        out, aux = _split_aux(func(*args, **kwargs), has_aux, fname)
        out_leaves, out_spec = tree_flatten(out)
        blocks = []
        for o in out_leaves:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{fname}(f, ...)(*args): Expected f(*args) to return only tensors, got "
                                   f"unsupported type {type(o)}")
            flat_o = o.reshape(-1)
            rows = [[] for _ in leaves]
            for i in range(flat_o.numel()):
                for k, g in enumerate(_grads([flat_o[i]], leaves, [None], keep)):
                    rows[k].append(g)
            per_input = []
            for k, x in enumerate(leaves):
                if rows[k]:
                    j = stack(rows[k]).reshape(tuple(o.shape) + tuple(x.shape))
                else:
                    from .. import zeros

                    j = zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
                per_input.append(j)
            blocks.append(tree_unflatten(per_input, spec))
    jac = _finish(tree_unflatten(blocks, out_spec), keep)
    return (jac, _finish(aux, keep)) if has_aux else jac


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of func w.r.t. args[argnums], one reverse pass per output element."""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, "jacrev", args, kwargs)

    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of func w.r.t. args[argnums]; the same blocks as jacrev (ember computes both in reverse)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, "jacfwd", args, kwargs)

    return wrapper


def hessian(func, argnums=0):
    """The Hessian of func's output w.r.t. args[argnums]: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)
