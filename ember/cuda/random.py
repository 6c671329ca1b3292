"""torch.cuda's random state: one ember Generator per CUDA device (ember._random.generator_for).

ember draws CUDA random numbers from that per-device generator (then moves them to the
device), so seeding it is what makes CUDA sampling repeatable; CuPy's own generator, which
CuPy code outside ember may use, is seeded alongside.
"""
from .. import _device, _random

__all__ = ["get_rng_state", "get_rng_state_all", "set_rng_state", "set_rng_state_all", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "initial_seed"]


def _available():
    from . import is_available

    return is_available()


def _generator(device="cuda"):
    from . import _index

    idx = _index(device) if not isinstance(device, int) else device
    return _random.generator_for(_device.device("cuda", idx))


def _count():
    from . import device_count

    return device_count()


def get_rng_state(device="cuda"):
    """The generator state of one device as a ByteTensor."""
    return _generator(device).get_state()


def get_rng_state_all():
    return [get_rng_state(i) for i in range(_count())]


def set_rng_state(new_state, device="cuda"):
    _generator(device).set_state(new_state)


def set_rng_state_all(new_states):
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


def _seed_cupy(seed, devices):
    cp = _device._import_cupy()
    for i in devices:
        with cp.cuda.Device(i):
            cp.random.seed(seed & 0xFFFF_FFFF_FFFF_FFFF)


def manual_seed(seed):
    """Seed the current device (a no-op without CUDA, as in a CPU build of torch)."""
    if _available():
        seed = int(seed)
        _generator().manual_seed(seed)
        _seed_cupy(seed, [_device._import_cupy().cuda.runtime.getDevice()])


def manual_seed_all(seed):
    if _available():
        seed = int(seed)
        for i in range(_count()):
            _generator(i).manual_seed(seed)
        _seed_cupy(seed, range(_count()))


def seed():
    """Seed the current device from the OS."""
    if _available():
        _generator().seed()


def seed_all():
    if _available():
        s = _generator().seed()
        for i in range(_count()):
            _generator(i).manual_seed(s)


def initial_seed():
    return _generator().initial_seed()


def _default_generators():
    """torch.cuda.default_generators: each device's default generator."""
    return tuple(_generator(i) for i in range(_count()))
