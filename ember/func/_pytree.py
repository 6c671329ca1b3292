"""The nested containers torch.func's transforms walk (torch.utils._pytree's core): tuples, lists, dicts and
namedtuples of leaves. A spec records the structure so the leaves can be put back."""


def tree_flatten(tree):
    """(leaves, spec): the leaves in order, and what tree_unflatten needs to rebuild the container."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return (type(tree), [_flatten(v, leaves) for v in tree])
    if isinstance(tree, (list, tuple)):
        return (type(tree), [_flatten(v, leaves) for v in tree])
    if isinstance(tree, dict):
        return (type(tree), list(tree.keys()), [_flatten(v, leaves) for v in tree.values()])
    leaves.append(tree)
    return None


def tree_unflatten(leaves, spec):
    it = iter(leaves)
    return _build(spec, it)


def _build(spec, it):
    if spec is None:
        return next(it)
    kind = spec[0]
    if issubclass(kind, dict):
        return kind(zip(spec[1], (_build(s, it) for s in spec[2])))
    items = [_build(s, it) for s in spec[1]]
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return kind(*items)
    return kind(items)


def spec_repr(spec, indent=0):
    """A spec printed as torch's TreeSpec (its layout, quirks included: vmap's messages show it)."""
    if spec is None:
        return "*"
    kind, context, children = (spec[0], None, spec[1]) if len(spec) == 2 else spec
    if hasattr(kind, "_fields"):
        context = kind
    text = f"TreeSpec({kind.__name__}, {context}, ["
    if children:
        indent += 2
        text += spec_repr(children[0], indent) + ("," if len(children) > 1 else "")
        text += ",".join("\n" + " " * indent + spec_repr(c, indent) for c in children[1:])
    return text + "])"


def tree_map(fn, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, tree, error):
    """Leaves of `prefix` repeated over the subtrees of `tree` it stands for (vmap's in_dims against args)."""
    if not isinstance(prefix, (list, tuple, dict)):
        return [prefix] * len(tree_flatten(tree)[0])
    if type(prefix) is not type(tree) and not (isinstance(prefix, (list, tuple)) and isinstance(tree, (list, tuple))):
        raise error()
    if isinstance(prefix, dict):
        if set(prefix) != set(tree):
            raise error()
        return [x for k in tree for x in broadcast_prefix(prefix[k], tree[k], error)]
    if len(prefix) != len(tree):
        raise error()
    return [x for p, t in zip(prefix, tree) for x in broadcast_prefix(p, t, error)]
