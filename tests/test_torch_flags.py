"""The torch namespace's switches and build facts, compared with torch's behaviour."""
import os

import pytest
import torch

import ember
from oracle import same_error


@pytest.fixture(autouse=True)
def _reset():
    yield
    for lib in (torch, ember):
        lib.use_deterministic_algorithms(False)
        lib.set_warn_always(False)
        lib.set_anomaly_enabled(False)


def test_deterministic_switches_as_torch():
    for lib in (torch, ember):
        lib.use_deterministic_algorithms(True, warn_only=True)
    assert ember.are_deterministic_algorithms_enabled() is torch.are_deterministic_algorithms_enabled() is True
    assert ember.is_deterministic_algorithms_warn_only_enabled() is torch.is_deterministic_algorithms_warn_only_enabled()
    assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode() == 1
    for mode in ("error", 0, "warn", 2, "default"):
        for lib in (torch, ember):
            lib.set_deterministic_debug_mode(mode)
        assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        assert ember.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
        assert ember.is_deterministic_algorithms_warn_only_enabled() == \
            torch.is_deterministic_algorithms_warn_only_enabled()


@pytest.mark.parametrize("call", [lambda m: m.set_deterministic_debug_mode("x"),
                                  lambda m: m.set_deterministic_debug_mode(5),
                                  lambda m: m.use_deterministic_algorithms(1)])
def test_bad_switch_values_as_torch(call):
    ember_msg, torch_msg = same_error(call)
    assert ember_msg == torch_msg


def test_warn_always_and_anomaly_flags():
    for lib in (torch, ember):
        assert lib.is_warn_always_enabled() is False
        lib.set_warn_always(True)
        assert lib.is_warn_always_enabled() is True
        assert lib.is_anomaly_check_nan_enabled() is True
        lib.set_anomaly_enabled(True, False)
        assert lib.is_anomaly_enabled() is True and lib.is_anomaly_check_nan_enabled() is False


def test_default_tensor_type():
    try:
        for lib in (torch, ember):
            lib.set_default_tensor_type(lib.DoubleTensor)
            assert lib.tensor([1.5]).dtype == lib.float64
            lib.set_default_tensor_type("torch.FloatTensor")
            assert lib.tensor([1.5]).dtype == lib.float32
    finally:
        torch.set_default_dtype(torch.float32)


def test_layout_memory_format_and_build_facts():
    assert repr(ember.strided) == repr(torch.strided) == "torch.strided"
    assert ember.ones(2).layout is ember.strided and torch.ones(2).layout is torch.strided
    assert isinstance(ember.strided, ember.layout)
    assert ember.legacy_contiguous_format is ember.contiguous_format
    assert isinstance(ember.contiguous_format, ember.memory_format)
    assert ember.has_lapack is True and ember.has_spectral is True
    assert ember.get_device_module("cuda") is ember.cuda and ember.get_device_module("cuda:0") is ember.cuda
    assert ember.get_file_path("a", "b") == os.path.join(os.path.dirname(os.path.dirname(ember.__file__)), "a", "b")
    assert ember.set_flush_denormal(True) in (True, False)
    ember.init_num_threads()


def test_inplace_matmul_forms_against_torch():
    import numpy as np

    rng = np.random.default_rng(0)
    for name, shapes in [("addmm", [(3, 4), (3, 5), (5, 4)]), ("addbmm", [(3, 4), (2, 3, 5), (2, 5, 4)]),
                         ("addmv", [(3,), (3, 5), (5,)]), ("addr", [(3, 4), (3,), (4,)]),
                         ("baddbmm", [(2, 3, 4), (2, 3, 5), (2, 5, 4)])]:
        arrs = [rng.random(s).astype(np.float32) for s in shapes]
        out = {}
        for lib in (torch, ember):
            x = lib.tensor(arrs[0], requires_grad=True)
            y = x.clone()
            r = getattr(y, name + "_")(*[lib.tensor(a) for a in arrs[1:]], beta=0.5, alpha=2.0)
            assert r is y
            r.sum().backward()
            out[lib.__name__] = (y.detach().numpy(), x.grad.numpy())
        np.testing.assert_allclose(out["ember"][0], out["torch"][0], rtol=1e-5)
        np.testing.assert_allclose(out["ember"][1], out["torch"][1])
