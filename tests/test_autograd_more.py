"""torch.autograd's smaller names against torch: Variable, variable, is_tensor_like, SavedTensor
and the engine flags."""
import numpy as np
import pytest
import torch

import ember


def test_variable_is_a_new_leaf_sharing_memory():
    for lib in (torch, ember):
        t = lib.ones(3)
        v = lib.autograd.Variable(t, requires_grad=True)
        assert v is not t and v.requires_grad and not t.requires_grad and v.is_leaf
        v.data.add_(1)
        assert t.tolist() == [2.0, 2.0, 2.0]  # the same memory
        a = lib.ones(2, requires_grad=True)
        c = lib.autograd.Variable(a * 2)
        assert c.grad_fn is None and not c.requires_grad
        assert isinstance(t, lib.autograd.Variable)
        assert tuple(lib.autograd.Variable().shape) == (0,)
        with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
            lib.autograd.Variable([1, 2])
        with pytest.warns(UserWarning, match="volatile was removed"):
            lib.autograd.Variable(t, volatile=True)
        with pytest.raises(RuntimeError, match=r"torch.autograd.variable\(...\) is deprecated"):
            lib.autograd.variable(t)
    v = ember.autograd.Variable(ember.tensor([1.0, 2.0]), requires_grad=True)
    (v * v).sum().backward()
    assert np.array_equal(v.grad.numpy(), [2.0, 4.0])


def test_is_tensor_like():
    class TF:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return -1
    for lib in (torch, ember):
        f = lib.autograd.is_tensor_like
        assert f(lib.ones(1)) and f(TF()) and not f(6) and not f(None) and not f([1])


def test_saved_tensor_cannot_be_created():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="Trying to create a SavedTensor object from Python is forbidden."):
            lib.autograd.SavedTensor()


@pytest.mark.parametrize("name,getter", [("set_multithreading_enabled", "is_multithreading_enabled")])
def test_multithreading_flag(name, getter):
    for lib in (torch, ember):
        A = lib.autograd
        assert getattr(A, getter)() is True
        with getattr(A, name)(False):
            assert getattr(A, getter)() is False
        assert getattr(A, getter)() is True
        getattr(A, name)(False)  # a plain call sticks
        assert getattr(A, getter)() is False
        getattr(A, name)(True)

    seen = []
    for lib in (torch, ember):  # as a decorator, torch's setting sticks (it has no __call__ undoing it)
        A = lib.autograd

        @getattr(A, name)(False)
        def f():
            return getattr(A, getter)()
        seen.append((getattr(A, getter)(), f(), getattr(A, getter)()))
        getattr(A, name)(True)
    assert seen[0] == seen[1]


def test_grad_layout_policy_and_view_replay():
    for lib in (torch, ember):
        assert lib.autograd.is_view_replay_enabled() is False
        with lib.autograd.enforce_grad_layout_policy(False):
            p = lib.ones(2, 3, requires_grad=True)
            (p * 2).sum().backward()
        assert p.grad.tolist() == [[2.0] * 3] * 2
    from ember.autograd._flags import _is_grad_layout_enforcement_enabled
    assert _is_grad_layout_enforcement_enabled() is True
    with ember.autograd.enforce_grad_layout_policy(False):
        assert _is_grad_layout_enforcement_enabled() is False
        assert ember.autograd.enforce_grad_layout_policy(False).clone().mode is False
    assert _is_grad_layout_enforcement_enabled() is True
