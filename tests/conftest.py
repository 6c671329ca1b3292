import os
import sys

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))
_TEST_DEVICE = os.environ.get("EMBER_TEST_DEVICE")
if _TEST_DEVICE:
    # The rerun on another device reads results back as the CPU suite does, through
    # numpy(): here that is a host copy (torch itself refuses numpy() on a CUDA tensor,
    # which tests/test_cuda.py checks with this patch off).
    import ember as _ember

    _numpy = _ember.Tensor.numpy

    def _host_numpy(self, *, force=False):
        return _numpy(self, force=force or (not self.is_cpu and not self._requires_grad))

    _ember.Tensor.numpy = _host_numpy


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests that change global defaults (dtype, device, grad mode) cannot leak into others."""
    import ember

    dtype, device = ember.get_default_dtype(), ember.get_default_device()
    grad = ember.is_grad_enabled()
    if _TEST_DEVICE:  # the suite rerun with tensors on another device (EMBER_TEST_DEVICE=cuda)
        ember.set_default_device(_TEST_DEVICE)
    yield
    ember.set_default_dtype(dtype)
    ember.set_default_device(device)
    ember.autograd.grad_mode.state.enabled = grad
    ember.autograd.grad_mode.state.inference = False


def pytest_collection_modifyitems(config, items):
    if not _TEST_DEVICE:
        return
    from _cuda_rerun import CPU_ONLY

    for item in items:
        for prefix, reason in CPU_ONLY.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.skip(reason=f"CPU-only on the {_TEST_DEVICE} rerun: {reason}"))
                break


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A CUDA C kernel (ElementwiseKernel/RawKernel) that the CPU stand-in for CuPy cannot run
    makes the test a skip that names the kernel, never a pass."""
    try:
        return (yield)
    except NotImplementedError as e:
        if type(e).__name__ != "KernelNotRunnable":
            raise
        pytest.skip(f"needs a GPU: {e}")
