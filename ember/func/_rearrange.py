"""einops-style rearrange (torch.func.rearrange): 'a b (c d) -> (a c) b d' as reshape, permute, reshape."""
import math
import re

_TOKEN = re.compile(r"\.\.\.|\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+|\S")


def _parse(side):
    """The side's dimensions, each a list of axis names ('...' for the ellipsis, '1' an anonymous unit)."""
    groups, current = [], None
    for tok in _TOKEN.findall(side):
        if tok == "(":
            if current is not None:
                raise ValueError(f"Axis composition is one-level (brackets inside brackets not allowed): {side}")
            current = []
        elif tok == ")":
            if current is None:
                raise ValueError(f"Brackets are not balanced: {side}")
            groups.append(current)
            current = None
        elif tok == "..." or tok.isidentifier() or tok.isdigit():
            if tok.isdigit() and tok != "1":
                raise ValueError("Non-unitary anonymous axes are not supported in rearrange (exception is length 1)")
            if current is None:
                groups.append([tok] if tok != "1" else [])
            elif tok != "1":
                current.append(tok)
        else:
            raise ValueError(f"Unknown character '{tok}'")
    if current is not None:
        raise ValueError(f"Brackets are not balanced: {side}")
    return groups


def _expand_ellipsis(groups, names):
    """'...' replaced by the axes it stands for: one dimension each at top level, merged inside brackets."""
    out = []
    for g in groups:
        if g == ["..."]:
            out.extend([n] for n in names)
        else:
            out.append([n for a in g for n in (names if a == "..." else [a])])
    return out


def rearrange(tensor, pattern, **axes_lengths):
    if isinstance(tensor, (list, tuple)):
        from .. import stack

        tensor = stack(list(tensor))
    if "->" not in pattern:
        raise ValueError(f"Pattern must contain '->': {pattern}")
    lhs, rhs = pattern.split("->")
    left, right = _parse(lhs), _parse(rhs)
    has_ellipsis = any("..." in g for g in left)
    n_fixed = len(left) - (1 if has_ellipsis else 0)
    if (not has_ellipsis and n_fixed != tensor.dim()) or (has_ellipsis and tensor.dim() < n_fixed):
        raise ValueError(f"Number of dimensions in pattern ({n_fixed}) must be equal to the number of dimensions in "
                         f"the tensor ({tensor.dim()})")
    ell = [f"...{i}" for i in range(tensor.dim() - n_fixed)] if has_ellipsis else []
    left, right = _expand_ellipsis(left, ell), _expand_ellipsis(right, ell)
    left_names = [a for g in left for a in g]
    right_names = [a for g in right for a in g]
    if sorted(left_names) != sorted(right_names) or len(set(left_names)) != len(left_names):
        raise ValueError(f"Identifiers only on one side of the expression (should be on both): "
                         f"{set(left_names) ^ set(right_names)}")
    sizes = dict(axes_lengths)
    for g, dim in zip(left, tensor.shape):
        unknown = [a for a in g if a not in sizes]
        known = math.prod(sizes[a] for a in g if a in sizes)
        if len(unknown) > 1:
            raise ValueError(f"Could not infer sizes for {set(unknown)}")
        if unknown:
            if known == 0 or dim % known:
                raise ValueError(f"Shape mismatch, can't divide axis of length {dim} in chunks of {known}")
            sizes[unknown[0]] = dim // known
        elif known != dim:
            raise ValueError(f"Shape mismatch, {dim} != {known}")
    elementary = tensor.reshape([sizes[a] for a in left_names])
    order = [left_names.index(a) for a in right_names]
    return elementary.permute(order).reshape([math.prod(sizes[a] for a in g) for g in right])
