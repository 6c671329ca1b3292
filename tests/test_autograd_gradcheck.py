"""gradcheck / gradgradcheck: pass on right gradients, fail like torch on wrong ones."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.autograd.gradcheck import GradcheckError  # the module path torch code imports from
from tests.oracle import same_error


def _inputs(m, *shapes, dtype="float64"):
    rng = np.random.default_rng(0)
    return tuple(m.tensor(rng.uniform(-1, 1, s), dtype=getattr(m, dtype), requires_grad=True) for s in shapes)


class _WrongSecondOrder(ember.autograd.Function):
    """x**2 whose backward detaches x: right first derivative, zero second derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x.detach()


@pytest.mark.parametrize("m", [torch, ember], ids=["torch", "ember"])
def test_passes_on_correct_gradients(m):
    x, y = _inputs(m, (3, 1), (1, 4))
    assert m.autograd.gradcheck(lambda a, b: (a * b).exp() + a, (x, y))
    assert m.autograd.gradcheck(lambda a, b: (a * b, a.sin()), (x, y), fast_mode=True)
    assert m.autograd.gradgradcheck(lambda a, b: a * b * a.exp(), (x, y))
    assert m.autograd.gradgradcheck(lambda a, b: a * b * a.exp(), (x, y), gen_non_contig_grad_outputs=True)


def test_forward_ad_check_uses_double_backward():
    x, y = _inputs(ember, (2, 3), (3,))
    assert gradcheck(lambda a, b: a.exp() * b, (x, y), check_forward_ad=True)


def test_non_tensor_and_non_grad_inputs():
    x, = _inputs(ember, (4,))
    c = ember.tensor([1.0, 2.0, 3.0, 4.0], dtype=ember.float64)
    assert gradcheck(lambda a, k, b: a * k + b, (x, 3.0, c))


@pytest.mark.parametrize("fast", [False, True])
def test_mismatch_message_and_class(fast):
    e_x, = _inputs(ember, (3,))
    t_x, = _inputs(torch, (3,))
    with pytest.raises(RuntimeError) as t_err:
        torch.autograd.gradcheck(lambda a: a.detach() * 2 + a, (t_x,), fast_mode=fast)
    with pytest.raises(GradcheckError) as e_err:
        gradcheck(lambda a: a.detach() * 2 + a, (e_x,), fast_mode=fast)
    assert isinstance(e_err.value, RuntimeError)
    head = "Jacobian mismatch for output 0 with respect to input 0,"
    assert str(t_err.value).startswith(head) and str(e_err.value).startswith(head)
    assert gradcheck(lambda a: a.detach() * 2 + a, (e_x,), fast_mode=fast, raise_exception=False) is False


def test_mismatch_reports_the_input_index():
    x, y = _inputs(ember, (2,), (2,))
    with pytest.raises(GradcheckError, match="output 0 with respect to input 1,"):
        gradcheck(lambda a, b: a * b + b.detach(), (x, y))


def test_gradgradcheck_catches_wrong_second_derivative():
    x, = _inputs(ember, (3,))
    assert gradcheck(_WrongSecondOrder.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(_WrongSecondOrder.apply, (x,))
    assert gradgradcheck(lambda a: a * a, (x,))


def test_warns_on_single_precision_like_torch():
    for m, check in ((torch, torch.autograd.gradcheck), (ember, gradcheck)):
        x, = _inputs(m, (2,), dtype="float32")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            check(lambda a: a * 2, (x,), atol=1e-2, rtol=1e-2)
        assert any("Input #0 requires gradient and is not a double precision" in str(i.message) for i in w), m


def test_errors_like_torch():
    msg, _ = same_error(lambda m: (m.autograd.gradcheck(lambda a: a * 2, (m.ones(2, dtype=m.float64),))))
    assert "expects at least one input tensor to require gradient" in msg
    msg, _ = same_error(lambda m: m.autograd.gradcheck(
        lambda a: a * 2, (m.ones(2, dtype=m.float64, requires_grad=True).expand(3, 2),)))
    assert "has a dimension with stride 0" in msg


def test_inputs_restored_after_check():
    x, = _inputs(ember, (5,))
    before = x.detach().numpy().copy()
    gradcheck(lambda a: a.exp().sum(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None


def test_empty_input_is_not_overlapping():
    # NumPy gives an empty array zero strides; torch's gradcheck accepts an empty input.
    for m in (torch, ember):
        x = m.zeros(1, 0, 3, dtype=m.float64, requires_grad=True)
        assert m.autograd.gradcheck(m.exp, (x,))
