"""torch.optim.Optimizer: parameter groups, per-parameter state, state_dict.

Subclasses implement `step`; each update rule is a plain function on the
parameters' arrays (NumPy or CuPy), applied in place with `out=` ufuncs: an
optimizer step is a few array operations per parameter, not a graph of ember
ops. A changed parameter has its version bumped, as torch's in-place ops do.
"""
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .._device import xp_of
from .._tensor import Tensor, _type_name
from ..autograd import grad_mode

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton marking a hyperparameter with no default (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _step_tensor():
    """state['step']: a float32 0-d CPU tensor, as torch keeps it."""
    return Tensor._make(np.zeros((), np.float32))


def _zeros_like(p, fill=0):
    """A state buffer shaped like parameter p, on its device and of its dtype."""
    a = p._data
    return Tensor._make(xp_of(a).full(a.shape, fill, dtype=a.dtype), p._dtype)


def _bump_step(state):
    """state['step'] += 1 in place; returns the new count as a Python float."""
    s = state["step"]._data
    s += 1
    return float(s)


class Optimizer:
    """Base class of all optimizers.

    `param_groups` is a list of dicts, each with its own 'params' list and
    hyperparameters (missing ones come from `defaults`); `state` maps each
    parameter to its own dict of buffers.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group.keys()):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    g._data[...] = 0
                    g._bump_version()

    def step(self, closure=None):
        """torch's step skeleton: evaluate the closure with grad enabled, then update each
        group under no_grad with the subclass's `_update_group` (its one update rule)."""
        update_group = getattr(self, "_update_group", None)
        if update_group is None:
            raise NotImplementedError
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        with grad_mode.no_grad():
            for group in self.param_groups:
                update_group(group)
        return loss

    # -- state_dict -------------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: buffers}, 'param_groups': [{..., 'params': [indices]}]}, parameters numbered
        in order across groups (torch's layout, so either library can load the other's)."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in index:
                    index[id(p)] = len(index)
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v
        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
        self.__setstate__({"state": state, "param_groups": saved_groups})


def _cast(param, value, key=None):
    """A copy of a loaded state value; floating tensors take the parameter's dtype and device
    ('step' stays as saved, as torch does). Copied, so the loaded dict is not stepped in place."""
    if isinstance(value, Tensor):
        if key != "step" and param.is_floating_point() and value.is_floating_point():
            value = value.to(dtype=param.dtype, device=param.device)
        else:
            value = value.to(device=param.device)
        return Tensor._make(value._data.copy(), value._dtype)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _typename(obj):
    """torch.typename: 'torch.FloatTensor' for a tensor, else the qualified class name."""
    if isinstance(obj, Tensor):
        return _type_name(obj)
    mod = type(obj).__module__
    return type(obj).__name__ if mod == "builtins" else f"{mod}.{type(obj).__name__}"


def _check_adam_family(lr, eps, betas, weight_decay):
    """The hyperparameter checks Adam, AdamW, Adamax, NAdam and RAdam share (torch's messages)."""
    _check(0.0 <= lr, f"Invalid learning rate: {lr}")
    _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")


def _check(cond, msg):
    if not cond:
        raise ValueError(msg)


# Elements per chunk of an update rule run by _in_chunks: large enough that the per-call
# cost of a dozen NumPy operations is small, small enough that temporaries are reused heap
# blocks in cache rather than fresh pages (measured on the 784-1024-1024-10 MLP's
# parameters: 16384 and 32768 are slower than no chunks, 131072 the best for SGD and Adam).
_CHUNK = 131072


def _in_chunks(update, *arrays, **hyper):
    """update(*arrays, **hyper) for an elementwise in-place update rule, run on large NumPy
    arrays one flat chunk at a time. Every operation of a rule is elementwise, so the
    values are the same; the rule's temporaries become reused heap buffers that stay in
    cache, instead of fresh multi-megabyte arrays page-faulted in once per operation.
    None operands (unused buffers) stay None."""
    first = arrays[0]
    if first.size < 2 * _CHUNK or not all(a is None or (type(a) is np.ndarray and a.flags.c_contiguous
                                                       and a.shape == first.shape) for a in arrays):
        update(*arrays, **hyper)
        return
    flats = [None if a is None else a.reshape(-1) for a in arrays]
    for i in range(0, first.size, _CHUNK):
        update(*[None if f is None else f[i:i + _CHUNK] for f in flats], **hyper)


def _grads(group, maximize):
    """(param, grad array) for each parameter of the group that has a gradient; the gradient
    negated (a new array, also for 0-d ones, which NumPy's `-g` would make a scalar) when maximizing."""
    for p in group["params"]:
        if p._grad is not None:
            g = p._grad._data
            yield p, (xp_of(g).negative(g, out=xp_of(g).empty_like(g)) if maximize else g)


def _use_foreach(group, param):
    """Whether torch would run the group's multi-tensor (foreach) rule: as asked, else
    torch's default, foreach on CUDA and the single-tensor loop on the CPU. The two
    differ in their order of operations for some optimizers."""
    foreach = group.get("foreach")
    return param.is_cuda if foreach is None else bool(foreach)
