"""swap_in_optimizer_params_and_state: run an optimizer for a while on other parameters and state."""
import contextlib
from collections import defaultdict

from .._tensor import Tensor

_NAME = "swap_in_optimizer_params_and_state"


def _fail(msg):
    raise RuntimeError(msg)


def _prepare_swap_in(optimizer, swapin_parameters, swapin_optim_state):
    """torch's checks of an optimizer.state_dict()-shaped swap-in state; returns the state keyed
    by packed ids and, per group, (live group, swap-in group, its swap-in parameters)."""
    if not optimizer.state:
        _fail(f"{_NAME} requires initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        _fail(f"{_NAME} requires a DCP-style optimizer state_dict.")
    state = swapin_optim_state.get("state")
    if not isinstance(state, dict):
        _fail(f"{_NAME} requires swapin_optim_state['state'] to be a dict mapping packed parameter ids to "
              f"per-param state dicts, got {type(state).__name__}.")
    if any(isinstance(k, Tensor) for k in state):
        _fail(f"{_NAME} requires optimizer.state_dict()-style state keyed by packed parameter ids.")
    if any(isinstance(k, int) and not isinstance(v, dict) for k, v in state.items()):
        _fail(f"{_NAME} requires per-parameter optimizer state entries to be dictionaries.")
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(groups, list):
        _fail(f"{_NAME} requires swapin_optim_state['param_groups'] to be a list of param-group dicts, got "
              f"{type(groups).__name__}.")
    if len(optimizer.param_groups) != len(groups):
        _fail("swapin_optim_state has a different number of parameter groups than the live optimizer.")
    flat = list(swapin_parameters.values())
    offset, seen, infos = 0, set(), []
    for idx, (group, swapin_group) in enumerate(zip(optimizer.param_groups, groups)):
        if not isinstance(swapin_group, dict):
            _fail(f"{_NAME} requires each optimizer param group to be a dictionary.")
        ids = swapin_group.get("params")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            _fail(f"{_NAME} requires optimizer.state_dict()-style param_groups[*]['params'] entries keyed by "
                  "packed parameter ids.")
        if len(group["params"]) != len(ids):
            _fail(f"swapin_optim_state param group {idx} has a different number of params than the live "
                  "optimizer param group.")
        swapin_only = [k for k in swapin_group if k not in group]
        live_only = [k for k in group if k not in swapin_group]
        if swapin_only or live_only:
            _fail(f"{_NAME} requires optimizer.state_dict()-style param group keys to exactly match the live "
                  f"optimizer group keys for group {idx}. Keys only in swap-in: {swapin_only}. Keys only in live: "
                  f"{live_only}.")
        seen.update(ids)
        if offset + len(ids) > len(flat):
            _fail(f"{_NAME} requires the explicit parameter state to match optimizer.param_groups ordering.")
        infos.append((group, swapin_group, flat[offset:offset + len(ids)]))
        offset += len(ids)
    extra = [k for k in state if k not in seen]
    if extra:
        _fail(f"{_NAME} requires swapin_optim_state['state'] to be keyed only by packed parameter ids from "
              f"param_groups[*]['params']; got extra keys {extra!r}.")
    return state, infos


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Within the context the optimizer steps `swapin_parameters` (in the order of its own
    parameters) with the state and hyperparameters of `swapin_optim_state` (an
    optimizer.state_dict()-shaped dict; in-place tensor updates reach it); on exit its own
    parameters, groups and state are back."""
    state, infos = _prepare_swap_in(optimizer, swapin_parameters, swapin_optim_state)
    original_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]
    try:
        swapin_state = defaultdict(dict)
        for live, swapin_group, params in infos:
            live["params"] = params
            live.update({k: v for k, v in swapin_group.items() if k != "params"})
            for p, pid in zip(params, swapin_group["params"]):
                swapin_state[p] = dict(state.get(pid, {}))
        optimizer.state = swapin_state
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
