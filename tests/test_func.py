"""ember.func against torch.func: values, shapes, nesting and error messages."""
import numpy as np
import pytest
import torch

import ember
from ember.func._pytree import tree_flatten

rng = np.random.default_rng(0)
X = rng.standard_normal(3).astype("f")
Y = rng.standard_normal(3).astype("f")
M = rng.standard_normal((2, 3)).astype("f")


def both(fn, *arrays):
    return [fn(lib, *[lib.tensor(a) for a in arrays]) for lib in (torch, ember)]


def same(pair):
    a, b = pair
    fa = torch.utils._pytree.tree_leaves(a)
    fb = tree_flatten(b)[0]
    assert len(fa) == len(fb)
    for x, y in zip(fa, fb):
        if isinstance(x, torch.Tensor):
            assert tuple(x.shape) == tuple(y.shape)
            assert str(x.dtype)[6:] == str(y.dtype)[6:]
            np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=1e-5, atol=1e-6)
        else:
            assert x == y


CASES = {
    "grad": (lambda L, x: L.func.grad(lambda x: (x.sin() ** 2).sum())(x), (X,)),
    "grad_argnums": (lambda L, x, y: L.func.grad(lambda x, y: (x * y.exp()).sum(), argnums=(0, 1))(x, y), (X, Y)),
    "grad_and_value_aux": (lambda L, x: L.func.grad_and_value(lambda x: ((x ** 3).sum(), x.cos()), has_aux=True)(x),
                           (X,)),
    "grad_of_grad": (lambda L, x: L.func.grad(lambda x: L.func.grad(lambda y: (y ** 3).sum())(x).sum())(x), (X,)),
    "grad_closure": (lambda L, x, y: L.func.grad(lambda a: L.func.grad(lambda b: (a * b * b).sum())(y).sum())(x),
                     (X, Y)),
    "grad_dict": (lambda L, x, y: L.func.grad(lambda d: (d["a"] * d["b"]).sum())({"a": x, "b": y}), (X, Y)),
    "grad_unused": (lambda L, x, y: L.func.grad(lambda x, y: x.sum(), argnums=1)(x, y), (X, Y)),
    "vjp": (lambda L, x, y: L.func.vjp(lambda x: x.sin() * 2, x)[1](y), (X, Y)),
    "vjp_out": (lambda L, x, y: L.func.vjp(lambda x, y: (x * y, x + y), x, y)[0], (X, Y)),
    "jvp": (lambda L, x, y: L.func.jvp(lambda x: x.sin() * x, (x,), (y,)), (X, Y)),
    "jvp_aux": (lambda L, x, y: L.func.jvp(lambda x: (x.exp(), x * 2), (x,), (y,), has_aux=True), (X, Y)),
    "jacrev": (lambda L, x, m: L.func.jacrev(lambda x: m @ x.tanh())(x), (X, M)),
    "jacrev_aux": (lambda L, x: L.func.jacrev(lambda x: (x.sin(), x.sum()), has_aux=True)(x), (X,)),
    "jacfwd_argnums": (lambda L, x, m: L.func.jacfwd(lambda x, m: m @ x.tanh(), argnums=(0, 1))(x, m), (X, M)),
    "hessian": (lambda L, x: L.func.hessian(lambda x: (x.sin() * x.sum()).sum())(x), (X,)),
    "vmap": (lambda L, m: L.func.vmap(lambda r: r.sum() * r)(m), (M,)),
    "vmap_in_dims": (lambda L, m, x: L.func.vmap(lambda r, x: (r * x).sum(), in_dims=(1, None))(m, x[:2]), (M, X)),
    "vmap_out_dims": (lambda L, m: L.func.vmap(lambda r: (r, r.sum()), out_dims=(1, 0))(m), (M,)),
    "vmap_out_none": (lambda L, m, x: L.func.vmap(lambda r: (r * 2, x), out_dims=(0, None))(m), (M, X)),
    "vmap_nested": (lambda L, m: L.func.vmap(L.func.vmap(lambda a: a * 2 + a.sum()))(m), (M,)),
    "vmap_kwargs_chunk": (lambda L, m: L.func.vmap(lambda r, s=1.0: r * s, chunk_size=1)(m, s=3.0), (M,)),
    "vmap_of_grad": (lambda L, m: L.func.vmap(L.func.grad(lambda r: (r ** 2).sum()))(m), (M,)),
    "vmap_of_jacrev": (lambda L, m: L.func.vmap(L.func.jacrev(lambda r: r.sin()))(m), (M,)),
    "vmap_of_vjp": (lambda L, m: L.func.vmap(lambda r: L.func.vjp(lambda r: r.exp(), r)[1](r)[0])(m), (M,)),
    "grad_of_vmap": (lambda L, m: L.func.grad(lambda m: L.func.vmap(lambda r: r.prod())(m).sum())(m), (M,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_transform_matches_torch(name):
    fn, arrays = CASES[name]
    same(both(fn, *arrays))


def test_results_carry_no_graph_at_top_level_but_do_for_inputs_requiring_grad():
    x = ember.tensor(X)
    assert not ember.func.grad(lambda x: (x ** 2).sum())(x).requires_grad
    x.requires_grad_()
    g = ember.func.grad(lambda x: (x ** 3).sum())(x)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * X, rtol=1e-5)


def _module_pair(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))


def test_functional_call_params_buffers_and_restores():
    out = []
    for lib in (torch, ember):
        m = _module_pair(lib)
        params = {k: v * 2 for k, v in m.named_parameters()}
        buffers = {k: v + 1 for k, v in m.named_buffers()}
        x = lib.tensor(np.stack([X, Y]))
        y = lib.func.functional_call(m, (params, buffers), (x,))
        m.eval()
        z = lib.func.functional_call(m, {**params, **buffers}, x)
        out.append((y, z, m(x), m[0].weight))
    same(out)


def test_functional_call_tied_weights_and_strict():
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.Linear(3, 3, bias=False), lib.nn.Linear(3, 3, bias=False))
        m[1].weight = m[0].weight
        w = lib.eye(3) * 2
        x = lib.tensor(X)
        np.testing.assert_allclose(lib.func.functional_call(m, {"0.weight": w}, (x,)).detach().numpy(), 4 * X,
                                   rtol=1e-6)
        np.testing.assert_allclose(lib.func.functional_call(m, {"0.weight": w}, (x,), tie_weights=False)
                                   .detach().numpy(), (m[1].weight @ (2 * x)).detach().numpy(), rtol=1e-5)
        with pytest.raises(ValueError, match="which are tied"):
            lib.func.functional_call(m, {"0.weight": w, "1.weight": w * 2}, (x,))
        with pytest.raises(RuntimeError) as e:
            lib.func.functional_call(m, {"0.weight": w, "extra": w}, (x,), tie_weights=False, strict=True)
        msgs = getattr(test_functional_call_tied_weights_and_strict, "msgs", [])
        msgs.append(str(e.value))
        test_functional_call_tied_weights_and_strict.msgs = msgs
    assert msgs[0] == msgs[1]


def test_stack_module_state_ensemble():
    out = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        models = [lib.nn.Linear(3, 2) for _ in range(4)]
        p, b = lib.func.stack_module_state(models)
        f = lambda p, b, x: lib.func.functional_call(models[0], (p, b), (x,))  # noqa: E731
        y = lib.func.vmap(f, in_dims=(0, 0, None))(p, b, lib.tensor(X))
        out.append((y, p["weight"].requires_grad, p["weight"].is_leaf, p["bias"].shape))
    same(out)


def _err(fn):
    msgs = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as e:
            fn(lib, lib.tensor(X), lib.tensor(M))
        msgs.append((type(e.value).__name__, str(e.value)))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("fn", [
    lambda L, x, m: L.func.grad(lambda x: x)(x),
    lambda L, x, m: L.func.grad(lambda x: 1.0)(x),
    lambda L, x, m: L.func.grad(lambda x: x.sum(), has_aux=True)(x),
    lambda L, x, m: L.func.grad(lambda x: x.sum(), argnums=2)(x),
    lambda L, x, m: L.func.vmap(lambda a, b: a)(x, m),
    lambda L, x, m: L.func.vmap(lambda a: L.rand(1))(x),
    lambda L, x, m: L.func.vmap(lambda a: 1.0)(x),
    lambda L, x, m: L.func.vmap(lambda a: a, in_dims=1)(x),
    lambda L, x, m: L.func.jvp(lambda x: x, [x], (x,)),
    lambda L, x, m: L.func.stack_module_state([]),
])
def test_errors_match_torch(fn):
    _err(fn)


def test_vmap_randomness():
    m = ember.zeros(4, 3)
    ember.manual_seed(1)
    same_rows = ember.func.vmap(lambda r: r + ember.rand(3), randomness="same")(m)
    after_same = ember.rand(2)
    ember.manual_seed(1)
    first = ember.rand(3)
    assert ember.equal(ember.rand(2), after_same)  # 'same' consumes one unbatched draw
    assert all(ember.equal(row, first) for row in same_rows)
    diff = ember.func.vmap(lambda r: r + ember.rand(3), randomness="different")(m)
    assert not ember.equal(diff[0], diff[1])


def test_other_names():
    assert set(torch.func.__all__) <= set(dir(ember.func))
    f = lambda x: x * 2  # noqa: E731
    assert ember.func.functionalize(f) is f
    x = ember.tensor(X)
    out, jvp_fn = ember.func.linearize(lambda x: x.sin(), x)
    np.testing.assert_allclose(jvp_fn(ember.ones(3)).numpy(), np.cos(X), rtol=1e-5)
    bn = ember.nn.Sequential(ember.nn.BatchNorm1d(3))
    ember.func.replace_all_batch_norm_modules_(bn)
    assert bn[0].running_mean is None and not bn[0].track_running_stats


@pytest.mark.parametrize("pattern,lengths", [
    ("a b c -> c (a b)", {}), ("a b (c d) -> (a c) b d", {"d": 2}), ("a ... -> ... a", {}),
    ("a b c -> a 1 b c", {}), ("a ... c -> (a ...) c", {}), ("a b c -> (c b a)", {}),
])
def test_rearrange_matches_torch(pattern, lengths):
    x = np.arange(24, dtype="f").reshape(2, 3, 4)
    same(both(lambda L, t: L.func.rearrange(t, pattern, **lengths), x))


def test_rearrange_errors():
    x = ember.ones(2, 3, 4)
    with pytest.raises(ValueError, match="Number of dimensions in pattern \\(2\\) must be equal"):
        ember.func.rearrange(x, "a b -> b a")
    with pytest.raises(ValueError):
        ember.func.rearrange(x, "a b c -> a b")


def test_per_sample_gradients_tutorial():
    """torch's per-sample-gradient recipe: vmap(grad(loss over functional_call)) over data and targets."""
    data = rng.standard_normal((5, 3)).astype("f")
    targets = np.array([0, 1, 1, 0, 1])
    out = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def loss(p, b, x, t):
            y = lib.func.functional_call(model, (p, b), (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(y, t.unsqueeze(0))

        per_sample = lib.func.vmap(lib.func.grad(loss), in_dims=(None, None, 0, 0))(
            params, buffers, lib.tensor(data), lib.tensor(targets))
        out.append(per_sample)
    same(out)
    assert tuple(out[1]["0.weight"].shape) == (5, 4, 3)


def _first(a, b):
    return a


MORE_ERRORS = [
    lambda L: L.func.vmap(_first, in_dims=(0,))(L.ones(2), L.ones(2)),
    lambda L: L.func.vmap(_first, in_dims=(0, 0))(L.ones(2), 3.0),
    lambda L: L.func.vmap(_first, in_dims=(None, None))(L.ones(2), L.ones(2)),
    lambda L: L.func.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(L.ones(2)),
    lambda L: L.func.vmap(lambda a: a, in_dims=({"x": 0, "y": None},))({"x": L.ones(2), "y": L.ones(2), "z": 1}),
    lambda L: L.func.vmap(_first, in_dims=[0, 0])(L.ones(2), L.ones(2)),
    lambda L: L.func.vmap(_first)(),
    lambda L: L.func.vmap(_first, randomness="x"),
    lambda L: L.func.jacrev(lambda a: a, chunk_size=0),
    lambda L: L.func.vjp(lambda a: a * 2, L.ones(2))[1](L.ones(3)),
    lambda L: L.func.jvp(lambda a: a, (L.ones(2),), (L.ones(3),)),
    lambda L: L.func.functional_call(L.nn.Linear(2, 2), 3, (L.ones(2),)),
    lambda L: L.func.functional_call(L.nn.Linear(2, 2), ({"weight": L.ones(2, 2)}, {"weight": L.ones(2, 2)}),
                                     (L.ones(2),)),
]


@pytest.mark.parametrize("i", range(len(MORE_ERRORS)))
def test_more_errors_match_torch(i):
    msgs = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as e:
            MORE_ERRORS[i](lib)
        msgs.append((type(e.value).__name__, str(e.value)))
    assert msgs[0] == msgs[1]
