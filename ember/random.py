"""torch.random: the default CPU generator and its seed/state functions."""
import contextlib

from ._random import (  # noqa: F401
    default_generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, Generator,
)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run a block with the generators' states saved on entry and restored on exit."""
    if not enabled:
        yield
        return
    from . import _random as R

    gens = [R.default_generator] + list(R._device_generators.values())
    states = [g.get_state() for g in gens]
    try:
        yield
    finally:
        for g, s in zip(gens, states):
            g.set_state(s)


__all__ = ["default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "fork_rng", "Generator", "thread_safe_generator"]


def thread_safe_generator():
    """The generator a DataLoader thread worker owns (so transforms draw without racing the others);
    None elsewhere, meaning the default generator. ember's DataLoader workers are processes, each
    with its own default generator, so this is None there too."""
    from .utils.data import get_worker_info

    info = get_worker_info()
    if info is not None and getattr(info, "worker_method", None) == "thread" and getattr(info, "rng", None) is not None:
        return info.rng.torch_generator
    return None
