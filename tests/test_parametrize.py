"""torch.nn.utils.parametrize and parametrizations (orthogonal, spectral_norm, weight_norm) against torch."""
import numpy as np
import pytest
import torch

import ember


def _pair(make, seed=0):
    """The same module in both libraries (ember's weights copied from torch's)."""
    torch.manual_seed(seed)
    t = make(torch)
    e = make(ember)
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return e, t


def _np(x):
    return x.detach().numpy()


class Symmetric:
    """forward: X.triu() + X.triu(1).mT (a module class built per library)."""

    @staticmethod
    def make(lib):
        class Sym(lib.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).mT

            def right_inverse(self, A):
                return A.triu()
        return Sym()


def test_register_custom_parametrization_forward_grad_and_state_dict():
    e, t = _pair(lambda lib: lib.nn.Linear(4, 4))
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Symmetric.make(lib))
    assert type(e).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert list(e.state_dict()) == list(t.state_dict())  # bias, parametrizations.weight.original
    assert np.array_equal(_np(e.weight), _np(t.weight))
    assert ember.nn.utils.parametrize.is_parametrized(e) and ember.nn.utils.parametrize.is_parametrized(e, "weight")
    assert not ember.nn.utils.parametrize.is_parametrized(e, "bias")
    assert ember.nn.utils.parametrize.type_before_parametrizations(e) is ember.nn.Linear
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    e(ember.tensor(x)).sum().backward()
    t(torch.tensor(x)).sum().backward()
    np.testing.assert_allclose(_np(e(ember.tensor(x))), _np(t(torch.tensor(x))), rtol=1e-6, atol=1e-6)
    eo, to = e.parametrizations.weight.original, t.parametrizations.weight.original
    np.testing.assert_allclose(eo.grad.numpy(), to.grad.numpy(), rtol=1e-6, atol=1e-6)
    # assignment goes through right_inverse; original keeps its identity
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    e.weight = ember.tensor(a)
    t.weight = torch.tensor(a)
    assert e.parametrizations.weight.original is eo
    assert np.array_equal(_np(eo), _np(to)) and np.array_equal(_np(e.weight), _np(t.weight))


def test_cached_and_remove_parametrizations():
    e, t = _pair(lambda lib: lib.nn.Linear(3, 3))
    for lib, m in ((ember, e), (torch, t)):
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", Symmetric.make(lib))
        with P.cached():
            assert m.weight is m.weight
        assert m.weight is not m.weight
        P.remove_parametrizations(m, "weight")
        assert type(m) is lib.nn.Linear and not hasattr(m, "parametrizations")
        assert isinstance(m.weight, lib.nn.Parameter)
    assert np.array_equal(_np(e.weight), _np(t.weight))
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        ember.nn.utils.parametrize.remove_parametrizations(e, "weight")
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        ember.nn.utils.parametrize.register_parametrization(e, "nope", Symmetric.make(ember))


def test_chained_parametrizations_and_leave_unparametrized():
    e, t = _pair(lambda lib: lib.nn.Linear(3, 3))
    for lib, m in ((ember, e), (torch, t)):
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", Symmetric.make(lib))
        P.register_parametrization(m, "weight", Symmetric.make(lib))
        assert len(m.parametrizations.weight) == 2
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert np.array_equal(_np(e.weight), _np(t.weight))


def test_shape_change_rejected_as_torch():
    class Bad(ember.nn.Module):
        def forward(self, X):
            return X[:1]
    with pytest.raises(ValueError, match="may not change the shape of the tensor"):
        ember.nn.utils.parametrize.register_parametrization(ember.nn.Linear(3, 3), "weight", Bad())


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization(dim):
    e, t = _pair(lambda lib: lib.nn.Conv2d(3, 4, 3))
    ember.nn.utils.parametrizations.weight_norm(e, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(t, dim=dim)
    assert list(e.state_dict()) == list(t.state_dict())
    assert "parametrizations.weight.original0" in e.state_dict()
    for k in e.state_dict():
        np.testing.assert_allclose(e.state_dict()[k].numpy(), t.state_dict()[k].numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(e.weight), _np(t.weight), rtol=1e-6, atol=1e-7)
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 5)).astype(np.float32)
    e(ember.tensor(x)).pow(2).sum().backward()
    t(torch.tensor(x)).pow(2).sum().backward()
    for i in (0, 1):
        np.testing.assert_allclose(getattr(e.parametrizations.weight, f"original{i}").grad.numpy(),
                                   getattr(t.parametrizations.weight, f"original{i}").grad.numpy(), rtol=2e-5,
                                   atol=1e-5)
    # a state_dict saved by torch loads into ember
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})


def test_weight_norm_parametrization_loads_an_old_weight_norm_state_dict():
    import warnings
    torch.manual_seed(0)
    old = torch.nn.Linear(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.nn.utils.weight_norm(old)
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in old.state_dict().items()}
    assert {"weight_g", "weight_v"} <= set(sd)
    new = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(4, 3))
    new.load_state_dict(sd)
    np.testing.assert_allclose(_np(new.weight), _np(old.weight), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(_np(new.parametrizations.weight.original0), _np(old.weight_g))


def test_spectral_norm_parametrization_same_power_iteration_from_the_same_seed():
    ms = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Linear(5, 4)
        lib.manual_seed(1)
        lib.nn.utils.parametrizations.spectral_norm(m)
        ms.append(m)
    t, e = ms
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})  # same weight
    assert list(e.state_dict()) == list(t.state_dict())
    for _ in range(3):  # training mode: one power iteration per access
        np.testing.assert_allclose(_np(e.weight), _np(t.weight), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e.parametrizations.weight[0]._u.numpy(), t.parametrizations.weight[0]._u.numpy(),
                               rtol=1e-5, atol=1e-6)
    e.eval()
    t.eval()
    np.testing.assert_allclose(_np(e.weight), _np(t.weight), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_orthogonal(orthogonal_map, shape):
    torch.manual_seed(0)
    t = torch.nn.Linear(shape[1], shape[0])
    e = ember.nn.Linear(shape[1], shape[0])
    e.weight.data = ember.tensor(_np(t.weight))
    torch.nn.utils.parametrizations.orthogonal(t, orthogonal_map=orthogonal_map)
    ember.nn.utils.parametrizations.orthogonal(e, orthogonal_map=orthogonal_map)
    assert list(e.state_dict()) == list(t.state_dict())
    W = _np(e.weight)
    n, k = W.shape
    gram = W.T @ W if n >= k else W @ W.T
    np.testing.assert_allclose(gram, np.eye(min(n, k)), atol=1e-5)
    np.testing.assert_allclose(W, _np(t.weight), atol=1e-5)
    # gradients flow to the unconstrained original
    e.weight.sum().backward()
    assert e.parametrizations.weight.original.grad is not None


def test_orthogonal_without_trivialization_householder():
    torch.manual_seed(0)
    t = torch.nn.Linear(3, 5)
    e = ember.nn.Linear(3, 5)
    e.weight.data = ember.tensor(_np(t.weight))
    torch.nn.utils.parametrizations.orthogonal(t, "weight", "householder", use_trivialization=False)
    ember.nn.utils.parametrizations.orthogonal(e, "weight", "householder", use_trivialization=False)
    np.testing.assert_allclose(_np(e.parametrizations.weight.original), _np(t.parametrizations.weight.original),
                               atol=1e-5)
    np.testing.assert_allclose(_np(e.weight), _np(t.weight), atol=1e-5)
    for lib in (torch, ember):  # registering works; assigning needs the trivialization
        m = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3), use_trivialization=False)
        with pytest.raises(NotImplementedError, match="not possible to assign to the matrix exponential"):
            m.weight = lib.eye(3)
