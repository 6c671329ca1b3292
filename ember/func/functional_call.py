"""torch.func.functional_call and stack_module_state: run a module with parameters and buffers taken from
dicts instead of its own (swapped in for the call, put back afterwards), and stack an ensemble's states."""
import contextlib


def _untie(module, values):
    """values extended to every name sharing a tensor with a given name (tied weights follow each other)."""
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    groups = {}
    for name, t in named.items():
        groups.setdefault(id(t), set()).add(name)
    tied = {n: g for g in groups.values() if len(g) > 1 for n in g}
    given = [n for n in values if n in tied]
    for n in given:
        names = tied[n]
        if len(names.intersection(given)) > 1 and len({id(values[k]) for k in names if k in values}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are tied. "
                             "Consider using tie_weights=False")
    out = dict(values)
    for n in given:
        for other in tied[n]:
            out[other] = values[n]
    return out


def _owner(module, name):
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def _swap(module, name, value):
    """Put value under name (a parameter, buffer or plain attribute); return what was there."""
    owner, leaf = _owner(module, name)
    for registry in (owner._parameters, owner._buffers):
        if leaf in registry:
            old = registry[leaf]
            registry[leaf] = value
            return old
    old = getattr(owner, leaf, None)
    object.__setattr__(owner, leaf, value)
    return old


@contextlib.contextmanager
def _reparametrize(module, values, tie_weights, strict):
    if tie_weights:
        values = _untie(module, values)
    if strict:
        names = set(dict(module.named_parameters(remove_duplicate=False)))
        names |= set(dict(module.named_buffers(remove_duplicate=False)))
        missing = sorted(names - set(values))
        unexpected = sorted(set(values) - names)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(),
                                                                               "\n\t".join(msgs)))
    originals = []
    try:
        for name, value in values.items():
            originals.append((name, _swap(module, name, value)))
        yield
    finally:
        for name, old in reversed(originals):
            _swap(module, name, old)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """module(*args, **kwargs) with its parameters and buffers replaced by the given tensors for the call."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                             "ambiguous")
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, values, tie_weights, strict):
        return module(*args, **kwargs)


def stack_module_state(models):
    """(params, buffers): each name's tensors from every model stacked on a new leading dimension; stacked
    parameters are fresh leaves that require grad when the originals do."""
    from .. import stack

    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    kind = type(models[0])
    if not all(type(m) is kind for m in models):
        raise RuntimeError(f"stack_module_state: Expected all models to be of the same class, got: "
                           f"{[type(m) for m in models]}")

    def leaf(tensors):
        out = stack([t.detach() for t in tensors])
        return out.requires_grad_() if all(t.requires_grad for t in tensors) else out

    names = [n for n, _ in models[0].named_parameters()]
    params = {n: leaf([dict(m.named_parameters())[n] for m in models]) for n in names}
    bnames = [n for n, _ in models[0].named_buffers()]
    buffers = {n: stack([dict(m.named_buffers())[n] for m in models]) for n in bnames}
    return params, buffers
