"""autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) against torch: values and structure."""
import numpy as np
import pytest
import torch

import ember
from tests.oracle import assert_same, same_error

RNG = np.random.default_rng(3)
A = RNG.uniform(-1, 1, (2, 3))
B = RNG.uniform(-1, 1, (3,))
V2 = RNG.uniform(-1, 1, (2, 3))
V3 = RNG.uniform(-1, 1, (3,))


def _t(m, a, grad=False):
    return m.tensor(a, dtype=m.float64, requires_grad=grad)


def _both(fn):
    """fn(m, F) with F = m.autograd.functional; the results must match torch's in structure and value."""
    t = fn(torch, torch.autograd.functional)
    e = fn(ember, ember.autograd.functional)
    assert_same(e, t)
    return e, t


def f_single(x):
    return (x * x).exp() * x


def f_two_in(x, y):
    return (x * y).sin() + x


def f_two_out(x, y):
    return x * y, (y * y).sum()


def scalar(x, y):
    return (x * x * y).exp().sum()


def scalar1(x):
    return (x * x * x).sum()


def test_vjp_structures():
    _both(lambda m, F: F.vjp(f_single, _t(m, A), _t(m, V2)))
    _both(lambda m, F: F.vjp(f_two_in, (_t(m, A), _t(m, B)), _t(m, V2)))
    _both(lambda m, F: F.vjp(f_two_out, (_t(m, A), _t(m, B)), (_t(m, V2), _t(m, 1.5))))
    _both(lambda m, F: F.vjp(lambda x: x.sum(), _t(m, A)))  # v may be omitted for a single-element output


def test_jvp_structures():
    _both(lambda m, F: F.jvp(f_single, _t(m, A), _t(m, V2)))
    _both(lambda m, F: F.jvp(f_two_in, (_t(m, A), _t(m, B)), (_t(m, V2), _t(m, V3))))
    _both(lambda m, F: F.jvp(f_two_out, (_t(m, A), _t(m, B)), (_t(m, V2), _t(m, V3))))


def test_hvp_vhp():
    _both(lambda m, F: F.hvp(scalar, (_t(m, A), _t(m, B)), (_t(m, V2), _t(m, V3))))
    _both(lambda m, F: F.vhp(scalar, (_t(m, A), _t(m, B)), (_t(m, V2), _t(m, V3))))
    _both(lambda m, F: F.hvp(scalar1, _t(m, B), _t(m, V3)))
    _both(lambda m, F: F.vhp(scalar1, _t(m, B), _t(m, V3)))


def test_results_detached_unless_create_graph():
    x = _t(ember, B, grad=True)
    out, g = ember.autograd.functional.vjp(f_single, x, _t(ember, V3))
    assert not out.requires_grad and not g.requires_grad
    out, g = ember.autograd.functional.vjp(f_single, x, _t(ember, V3), create_graph=True)
    assert out.requires_grad and g.requires_grad
    g.sum().backward()
    xt = _t(torch, B, grad=True)
    torch.autograd.functional.vjp(f_single, xt, _t(torch, V3), create_graph=True)[1].sum().backward()
    assert_same(x.grad, xt.grad)


def test_unused_input_gives_zeros_or_strict_error():
    _both(lambda m, F: F.vjp(lambda x, y: x * 2, (_t(m, B), _t(m, B)), _t(m, V3)))
    msg, _ = same_error(lambda m: m.autograd.functional.vjp(lambda x, y: x * 2, (_t(m, B), _t(m, B)), _t(m, V3),
                                                             strict=True))
    assert "independent of input 1" in msg
    msg, _ = same_error(lambda m: m.autograd.functional.vjp(lambda x: x.detach(), _t(m, B), _t(m, V3), strict=True))
    assert "does not require gradients" in msg


def test_errors_like_torch():
    msg, _ = same_error(lambda m: m.autograd.functional.vjp(f_single, _t(m, A)))
    assert "v can only be None" in msg
    msg, _ = same_error(lambda m: m.autograd.functional.vjp(f_single, _t(m, A), _t(m, B)))
    assert "v has invalid size" in msg
    msg, _ = same_error(lambda m: m.autograd.functional.vjp(f_single, [1.0, 2.0], _t(m, B)))
    assert "must be either a Tensor or a tuple of Tensors" in msg
    msg, _ = same_error(lambda m: m.autograd.functional.hvp(f_single, _t(m, B), _t(m, V3)))
    assert "should contain a single element" in msg
    msg, _ = same_error(lambda m: m.autograd.functional.hessian(f_two_out, (_t(m, A), _t(m, B))))
    assert "should return a single Tensor" in msg
    same_error(lambda m: m.autograd.functional.jacobian(f_single, _t(m, B), strategy="forward-mode"))


def test_jacobian_structures():
    _both(lambda m, F: F.jacobian(f_single, _t(m, A)))
    _both(lambda m, F: F.jacobian(f_two_in, (_t(m, A), _t(m, B))))
    _both(lambda m, F: F.jacobian(f_two_out, (_t(m, A), _t(m, B))))
    _both(lambda m, F: F.jacobian(f_two_out, (_t(m, A), _t(m, B)), vectorize=True))
    _both(lambda m, F: F.jacobian(lambda x: x.sum(), _t(m, B)))
    _both(lambda m, F: F.jacobian(lambda x, y: x * 3, (_t(m, B), _t(m, A))))  # unused input: zeros


def test_jacobian_create_graph_is_differentiable():
    out = []
    for m in (torch, ember):
        x = _t(m, B, grad=True)
        m.autograd.functional.jacobian(f_single, x, create_graph=True).sum().backward()
        out.append(x.grad)
    assert_same(out[1], out[0])


def test_hessian_structures():
    _both(lambda m, F: F.hessian(scalar1, _t(m, B)))
    _both(lambda m, F: F.hessian(scalar, (_t(m, A), _t(m, B))))
    _both(lambda m, F: F.hessian(lambda x: (x * x).sum(), _t(m, A)))
