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
           "fork_rng", "Generator"]
