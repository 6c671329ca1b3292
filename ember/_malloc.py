"""Keep glibc's malloc from handing every large freed array back to the kernel.

Why: an op on NumPy arrays allocates fresh temporaries of the tensor's size. glibc
serves blocks above its mmap threshold (128 KiB at first, raised as blocks are freed)
with a fresh mmap and returns them on free, so every such temporary is zero-filled page by
page on its first write: a LeNet-5 training step spent a third of its CPU time in those page
faults. Serving blocks up to 32 MiB from the heap and keeping up to 256 MiB of freed heap
(instead of trimming at 128 KiB) makes a freed array's pages the next one's, as PyTorch's
caching allocators do. The price: up to 256 MiB of freed memory stays with the process.

Only on glibc, only when the user has not tuned malloc through its MALLOC_*_ environment
variables, and never with EMBER_MALLOC_TUNING=0.
"""
import os

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit
TRIM_THRESHOLD = 256 << 20


def tune():
    """Returns whether malloc was tuned."""
    if os.environ.get("EMBER_MALLOC_TUNING", "1") == "0" or any(k.startswith("MALLOC_") for k in os.environ):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # musl, macOS, Windows: leave their allocators alone
            return False
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError):
        return False


tuned = tune()
