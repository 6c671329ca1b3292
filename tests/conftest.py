import os
import sys

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))
_TEST_DEVICE = os.environ.get("EMBER_TEST_DEVICE")


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
