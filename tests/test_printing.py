"""repr/str of tensors: character for character what torch prints (torch. -> ember.)."""
import numpy as np
import pytest
import torch

import ember

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int8", "uint8", "bool"]


def same_repr(make, dtype=None, fn=None):
    """make(m) builds a tensor with module m; its repr must match torch's."""
    e, t = make(ember), make(torch)
    if fn is not None:
        e, t = fn(e), fn(t)
    assert repr(e) == repr(t).replace("torch.", "ember."), f"\nember:\n{e!r}\ntorch:\n{t!r}"
    assert str(e) == str(t).replace("torch.", "ember.")


def from_array(a, dtype, **kw):
    return lambda m: m.tensor(a, dtype=getattr(m, dtype), **kw)


@pytest.fixture(autouse=True)
def _reset_printoptions():
    yield
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def random_array(rng):
    ndim = int(rng.integers(0, 5))
    if rng.random() < 0.15:  # around the summarisation threshold
        n = int(rng.choice([999, 1000, 1001, 1200]))
        shape = [n] if ndim < 2 else [int(rng.choice([1, 2, 3, 7, 8])), n // 5] + [1] * (ndim - 2)
    else:
        shape = [int(rng.integers(0, 7)) for _ in range(ndim)]
    kind = rng.integers(0, 5)
    if kind == 0:  # whole numbers
        a = rng.integers(-50, 50, size=shape).astype(np.float64)
    elif kind == 1:  # mixed magnitudes
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 11, size=shape)
    elif kind == 2:
        a = rng.uniform(-1, 1, size=shape) * 10.0 ** int(rng.integers(-6, 11))
    elif kind == 3:  # specials and zeros
        a = rng.choice([0.0, np.nan, np.inf, -np.inf, 1.5, -3.0, 1e9, 1e-7], size=shape)
    else:
        a = rng.standard_normal(shape)
    return np.asarray(a)


@pytest.mark.parametrize("seed", range(60))
def test_random_tensors(seed):
    rng = np.random.default_rng(seed)
    a = random_array(rng)
    for dtype in DTYPES:
        b = a
        if not dtype.startswith(("float", "bfloat")):
            b = np.nan_to_num(a, nan=0.0, posinf=7, neginf=-7)
            b = np.clip(b, 0, 100) if dtype in ("uint8", "bool") else np.clip(b, -100, 100)
            b = b.astype(np.int64).astype(dtype) if dtype != "bool" else b > 0.5
        elif dtype == "float16":
            b = np.clip(a, -6e4, 6e4)
        same_repr(from_array(b, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("values", [
    [8.0, 8.0, 8.0], [1.5, 2.0], [0.0], [1e-5, 1.0], [1e9], [123456.0, 0.001], [-0.0, 0.5],
    [float("nan"), float("inf"), -float("inf")], [float("nan"), 1.0], [1e-10, 1e10], [100.0, 100000.0],
])
def test_known_values(values, dtype):
    a = np.array(values)
    if not dtype.startswith(("float", "bfloat")):
        a = np.nan_to_num(a, nan=0, posinf=1, neginf=1)
        a = (np.abs(a) > 0.5) if dtype == "bool" else np.clip(a, 0, 100).astype(dtype)
    same_repr(from_array(a, dtype))
    same_repr(from_array(a[0], dtype))  # zero-dim


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (3, 0, 2), (0, 0, 0, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_empty(shape, dtype):
    same_repr(lambda m: m.zeros(shape, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("shape", [(1000,), (1001,), (40, 30), (3, 400), (2, 3, 200), (11, 11, 11), (4, 5, 6, 10)])
def test_summarised(shape):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    same_repr(from_array(a, "int64"))
    same_repr(from_array(a / 7, "float32"))
    same_repr(from_array(a * 1e5 + 1, "float64"))


def test_line_wrapping():
    rng = np.random.default_rng(1)
    for n in (20, 30, 100, 300):
        same_repr(from_array(rng.standard_normal(n), "float32"))
        same_repr(from_array(rng.standard_normal((3, n)), "float64"))
        same_repr(from_array(rng.integers(-10**6, 10**6, n), "int64"))


@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(precision=8), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(edgeitems=0, threshold=3), dict(linewidth=40), dict(linewidth=200), dict(sci_mode=True),
    dict(sci_mode=False), dict(profile="short"), dict(profile="full"), dict(profile="short", precision=6),
])
def test_printoptions(opts):
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    rng = np.random.default_rng(2)
    for a in (rng.standard_normal((4, 50)), rng.standard_normal(7) * 1e6, np.arange(12.0), rng.standard_normal(3) * 1e-6,
              np.arange(2000).reshape(20, 100)):
        same_repr(from_array(a, "float32"))
        same_repr(from_array(a.astype(np.int64), "int64"))
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    same_repr(from_array(rng.standard_normal(5), "float32"))


def test_get_printoptions_and_reset():
    ember.set_printoptions(precision=3, linewidth=50)
    assert ember._printing.get_printoptions()["precision"] == 3
    ember.set_printoptions(profile="default")
    assert ember._printing.get_printoptions() == torch._tensor_str.get_printoptions()


def test_requires_grad_and_grad_fn():
    same_repr(lambda m: m.ones(3, requires_grad=True))
    same_repr(lambda m: m.ones(2, 2, dtype=m.float64, requires_grad=True))
    same_repr(lambda m: m.zeros(0, 2, requires_grad=True))
    same_repr(lambda m: m.ones(3, requires_grad=True), fn=lambda x: x * 2)
    same_repr(lambda m: m.ones(3, requires_grad=True), fn=lambda x: x + 1)
    same_repr(lambda m: m.ones(3, requires_grad=True), fn=lambda x: x.sum())
    same_repr(lambda m: m.ones(2, 3, requires_grad=True), fn=lambda x: x.exp())
    same_repr(lambda m: m.ones(2, 3, requires_grad=True), fn=lambda x: x @ x.T)
    # a long row forces the suffix onto its own line
    same_repr(lambda m: m.arange(30.0, requires_grad=True), fn=lambda x: x * 1.5)
    same_repr(lambda m: m.arange(14.0, dtype=m.float64, requires_grad=True), fn=lambda x: x / 3)


def test_default_dtype_changes_suffix():
    for d in ("float64", "float16"):
        ember.set_default_dtype(getattr(ember, d))
        torch.set_default_dtype(getattr(torch, d))
        try:
            for dt in ("float32", "float64", "float16", "int64"):
                same_repr(from_array([1.0, 2.5], dt))
                same_repr(lambda m: m.zeros(0, dtype=getattr(m, dt)))
        finally:
            torch.set_default_dtype(torch.float32)


def test_format_and_fstrings():
    e, t = ember.tensor(3.14159), torch.tensor(3.14159)
    assert f"{e:.2f}" == f"{t:.2f}" == "3.14"
    assert format(e, "e") == format(t, "e")
    assert f"{ember.tensor(7):5d}" == f"{torch.tensor(7):5d}"
    assert f"{e}" == f"{t}"
    assert f"{ember.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"
    with pytest.raises(TypeError):
        format(ember.tensor([1.0, 2.0]), ".2f")


def test_parameter_and_subclass_prefix():
    import ember.nn

    p = ember.nn.Parameter(ember.ones(2))
    q = torch.nn.Parameter(torch.ones(2))
    assert repr(p) == repr(q)

    class MyTensor(ember.Tensor):
        pass

    t = ember.ones(2)
    t.__class__ = MyTensor
    assert repr(t) == "MyTensor([1., 1.])"


def test_print_uses_str(capsys):
    print(ember.tensor([[1, 2], [3, 4]]))
    print(torch.tensor([[1, 2], [3, 4]]))
    out = capsys.readouterr().out.split("\n")
    assert out[0:2] == out[2:4]


GRAD_OPS = ["x+1", "x-y", "x*y", "x/y", "x**2", "-x", "x.exp()", "x.log()", "x.tanh()", "x.sigmoid()", "x.relu()",
            "x.sum()", "x.mean()", "x.sum(0)", "x.max()", "x.T", "x[0]", "x[:, 1]", "x.view(-1)", "x.reshape(6)",
            "x.unsqueeze(0)", "x @ y.T", "x.abs()", "x.sqrt()", "x.clamp(0, 1)", "x.permute(1, 0)", "x.expand(2, 2, 3)",
            "x.softmax(-1)", "x.log_softmax(-1)", "m.cat([x, y])", "m.stack([x, y])", "x.pow(y)", "x.std()",
            "x.norm()", "x.cumsum(0)", "x.max(0)[0]", "x.clone()", "x.double()", "m.where(x > 0, x, y)",
            "x.split(1)[0]", "x.prod()", "x.logsumexp(0)", "(x * 1).add_(1)", "x.flip(0)", "x.tril()",
            "m.nn.functional.gelu(x)", "m.nn.functional.cross_entropy(x, m.tensor([0, 1]))",
            "m.nn.functional.mse_loss(x, y)",
            "m.nn.functional.linear(x, y)", "m.nn.functional.linear(x, y, y[:, 0])",
            "m.nn.functional.linear(x[0], y)"]


@pytest.mark.parametrize("expr", GRAD_OPS)
def test_grad_fn_names(expr):
    """The grad_fn suffix names torch's backward node of each op."""
    def make(m):
        x = m.tensor([[1.0, 2, 3], [4, 5, 6]], requires_grad=True)
        y = m.tensor([[1.0, 2, 1], [2, 1, 2]], requires_grad=True)
        return eval(expr, {"m": m, "x": x, "y": y})

    same_repr(make)


@pytest.mark.parametrize("expr", [
    "m.arange(12.0).reshape(3, 4).T", "m.arange(24.0).reshape(2, 3, 4)[:, ::2]", "m.tensor([-0.0, 0.0, 1.0])",
    "m.tensor([-0.0, 0.5])", "m.tensor([1e10, 1.0])", "m.tensor([1e10, 1.5])", "m.tensor([123456789.0])",
    "m.tensor([0.0001, 0.001])", "m.tensor([0.00009999])", "m.tensor([999.99996, 1.0])", "m.tensor([9.99996])",
    "m.tensor([2**62, -2**62])", "m.tensor([65504.0, float('inf')], dtype=m.float16)",
    "m.tensor([[1e-8, 1], [float('nan'), -1e8]], dtype=m.float64)", "m.zeros(1, 1, 1, 1)", "m.ones(2, 1, 3)",
    "m.tensor(float('nan'))", "m.tensor(-float('inf'))", "m.tensor(True)", "m.tensor(-5, dtype=m.int8)",
    "m.tensor([0.1, 0.2], dtype=m.bfloat16)", "m.full((2, 2), 1e-5, dtype=m.float16)",
    "m.arange(1001) * 1000", "m.ones(1000, 1000)",
])
def test_edge_values(expr):
    same_repr(lambda m: eval(expr, {"m": m}))


def test_str_of_list_and_dict_of_tensors():
    e = str([ember.tensor(1.5), {"a": ember.ones(2, dtype=ember.float64)}])
    t = str([torch.tensor(1.5), {"a": torch.ones(2, dtype=torch.float64)}])
    assert e == t.replace("torch.", "ember.")
