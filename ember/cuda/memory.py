"""torch.cuda's memory queries, answered by CuPy's default memory pool.

CuPy's pool hands blocks to arrays and keeps freed ones cached until `free_all_blocks`
(torch's caching allocator does the same until `empty_cache`): its used bytes are torch's
allocated bytes, its total bytes torch's reserved bytes. The pool keeps the blocks of the
peak until they are emptied, so its total bytes are also the peak since the last reset.
Before CUDA is in use every count is 0, as in torch.
"""
import collections

from .. import _device

__all__ = ["memory_allocated", "memory_reserved", "max_memory_allocated", "max_memory_reserved",
           "memory_cached", "max_memory_cached", "reset_peak_memory_stats", "reset_max_memory_allocated",
           "reset_max_memory_cached", "reset_accumulated_memory_stats", "empty_cache", "memory_stats",
           "memory_stats_as_nested_dict", "memory_summary", "mem_get_info", "set_per_process_memory_fraction",
           "get_per_process_memory_fraction", "host_memory_stats", "reset_peak_host_memory_stats",
           "reset_accumulated_host_memory_stats", "ipc_collect", "get_allocator_backend"]

_fraction = {}  # device index -> the fraction set by set_per_process_memory_fraction


def _index(device):
    from . import _index

    return _index(device)


def _pool_bytes(device, what):
    if _device._cupy is None:
        return 0
    cp = _device._cupy
    with cp.cuda.Device(_index(device)):
        return getattr(cp.get_default_memory_pool(), what)()


def memory_allocated(device=None):
    """Bytes held by live tensors."""
    return _pool_bytes(device, "used_bytes")


def memory_reserved(device=None):
    """Bytes the pool holds from the driver (live tensors plus its cache)."""
    return _pool_bytes(device, "total_bytes")


def max_memory_allocated(device=None):
    """The peak of memory_allocated since the last reset (the pool holds the peak's blocks)."""
    return _pool_bytes(device, "total_bytes")


max_memory_reserved = max_memory_allocated
memory_cached = memory_reserved  # torch's deprecated names
max_memory_cached = max_memory_reserved


def empty_cache():
    """Return the pool's unused cached blocks to the driver."""
    if _device._cupy is not None:
        _device._cupy.get_default_memory_pool().free_all_blocks()


def reset_peak_memory_stats(device=None):
    """Start a new peak from the current use: the pool gives back its cached blocks."""
    empty_cache()


reset_max_memory_allocated = reset_peak_memory_stats
reset_max_memory_cached = reset_peak_memory_stats


def reset_accumulated_memory_stats(device=None):
    """The pool keeps no running totals to reset."""


def memory_stats(device=None):
    """torch's allocator statistics that the pool can answer (an empty dict before CUDA is in use)."""
    if _device._cupy is None:
        return collections.OrderedDict()
    used, total = memory_allocated(device), memory_reserved(device)
    stats = {"num_alloc_retries": 0, "num_ooms": 0, "num_sync_all_streams": 0, "num_device_alloc": 0,
             "num_device_free": 0, "max_split_size": -1}
    for metric, cur in (("allocated_bytes", used), ("reserved_bytes", total), ("active_bytes", used),
                        ("requested_bytes", used)):
        for pool in ("all", "large_pool", "small_pool"):
            c = cur if pool == "all" else 0
            p = max_memory_allocated(device) if pool == "all" else 0
            stats.update({f"{metric}.{pool}.current": c, f"{metric}.{pool}.peak": max(c, p),
                          f"{metric}.{pool}.allocated": max(c, p), f"{metric}.{pool}.freed": max(c, p) - c})
    for metric in ("allocation", "segment", "active", "inactive_split", "inactive_split_bytes"):
        for pool in ("all", "large_pool", "small_pool"):
            for what in ("current", "peak", "allocated", "freed"):
                stats[f"{metric}.{pool}.{what}"] = 0
    for metric in ("oversize_allocations", "oversize_segments"):
        for what in ("current", "peak", "allocated", "freed"):
            stats[f"{metric}.{what}"] = 0
    return collections.OrderedDict(sorted(stats.items()))


def memory_stats_as_nested_dict(device=None):
    nested = {}
    for key, value in memory_stats(device).items():
        *path, last = key.split(".")
        d = nested
        for p in path:
            d = d.setdefault(p, {})
        d[last] = value
    return nested


def _format_size(n):
    for unit in ("B  ", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:6d} {unit}" if unit == "B  " else f"{n:6.0f} {unit}"
        n /= 1024


def memory_summary(device=None, abbreviated=False):
    """torch's memory summary table, with the rows the pool can answer."""
    stats = memory_stats(device)
    idx = _index(device) if _device._cupy is not None else 0
    rule, thin = "=" * 75, "-" * 75
    lines = [rule, f" {'':16} PyTorch CUDA memory summary, device ID {idx:<17d} ", thin,
             f"  {'':9} CUDA OOMs: {stats.get('num_ooms', 0):<12d} | {'':6} cudaMalloc retries: "
             f"{stats.get('num_alloc_retries', 0):<8d}  ", rule,
             "        Metric         | Cur Usage  | Peak Usage | Tot Alloc  | Tot Freed  "]
    for key, name in (("allocated_bytes", "Allocated memory"), ("active_bytes", "Active memory"),
                      ("requested_bytes", "Requested memory"), ("reserved_bytes", "GPU reserved memory")):
        lines.append(thin)
        vals = [stats.get(f"{key}.all.{w}", 0) for w in ("current", "peak", "allocated", "freed")]
        lines.append(f" {name:<21} | " + " | ".join(_format_size(v) for v in vals) + " ")
    lines.append(rule)
    return "|" + "|\n|".join(lines) + "|\n"


def mem_get_info(device=None):
    """(free, total) bytes of the device, from the driver."""
    cp = _device._import_cupy()
    with cp.cuda.Device(_index(device)):
        free, total = cp.cuda.runtime.memGetInfo()
    return free, total


def set_per_process_memory_fraction(fraction, device=None):
    """Cap the pool at `fraction` of the device's memory (CuPy's pool limit)."""
    if not isinstance(fraction, float):
        raise TypeError("Invalid type for fraction argument, must be `float`")
    if fraction < 0 or fraction > 1:
        raise ValueError(f"Invalid fraction value: {fraction}. Allowed range: 0~1")
    cp = _device._import_cupy()
    idx = _index(device)
    with cp.cuda.Device(idx):
        cp.get_default_memory_pool().set_limit(fraction=fraction)
    _fraction[idx] = fraction


def get_per_process_memory_fraction(device=None):
    _device._import_cupy()
    return _fraction.get(_index(device), 1.0)


def host_memory_stats():
    """Pinned host memory statistics: ember pins nothing itself (CuPy's pinned pool is unused)."""
    return collections.OrderedDict()


def reset_peak_host_memory_stats():
    """Nothing pinned, nothing to reset."""


reset_accumulated_host_memory_stats = reset_peak_host_memory_stats


def ipc_collect():
    """No CUDA IPC memory is shared by ember, so there is nothing to collect."""


def get_allocator_backend():
    return "native"

