"""NumPy and Python interop of tensors: shared memory, conversions, the Python
protocols (len, iter, bool, int, index, in, hash, copy, pickle), mixed arithmetic
with NumPy, and the libraries that take tensors (matplotlib, pandas, scikit-learn),
each compared with torch."""
import copy
import io
import pickle

import numpy as np
import pytest
import torch
from oracle import assert_same, same_error

import ember

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]


def both(expr, **env):
    """Evaluate expr with m=ember and m=torch."""
    return eval(expr, dict(env, m=ember, np=np)), eval(expr, dict(env, m=torch, np=np))


# -- memory sharing -------------------------------------------------------------------------
def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6.0).reshape(2, 3)
    t = ember.from_numpy(a)
    assert t.dtype is ember.float64 and t.shape == (2, 3)
    a[0, 0] = 100.0
    assert t[0, 0].item() == 100.0
    t[1, 2] = -1.0
    assert a[1, 2] == -1.0
    t.mul_(2)
    assert a[0, 0] == 200.0
    assert np.shares_memory(t.numpy(), a)


def test_numpy_shares_memory_with_tensor():
    t = ember.zeros(3)
    n = t.numpy()
    n[1] = 7.0
    assert t.tolist() == [0.0, 7.0, 0.0]
    t.add_(1)
    assert n.tolist() == [1.0, 8.0, 1.0]
    assert np.shares_memory(np.asarray(t), n)


def test_np_array_copies_and_asarray_does_not():
    t = ember.ones(3)
    c = np.array(t)
    c[0] = 5
    assert t[0].item() == 1.0
    a = np.asarray(t)
    a[0] = 5
    assert t[0].item() == 5.0


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bool"])
def test_numpy_dtypes_round_trip(name):
    e, t = both(f"m.tensor([1, 0, 3], dtype=m.{name})")
    assert e.numpy().dtype == t.numpy().dtype
    assert np.asarray(e).dtype == np.asarray(t).dtype
    assert np.array(e, dtype=np.float64).dtype == np.float64
    back = ember.from_numpy(e.numpy())
    assert back.dtype is e.dtype


def test_from_numpy_non_contiguous_and_errors():
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    assert_same(ember.from_numpy(a), torch.from_numpy(a))
    same_error(lambda m: m.from_numpy([1, 2]))


def test_numpy_on_tensor_requiring_grad():
    e, t = same_error(lambda m: m.ones(2, requires_grad=True).numpy())
    assert e == t
    e, t = same_error(lambda m: np.asarray(m.ones(2, requires_grad=True)))
    assert e == t
    x = ember.ones(2, requires_grad=True)
    assert x.detach().numpy().tolist() == [1.0, 1.0]
    assert (x * 2).detach().numpy().tolist() == [2.0, 2.0]
    assert x.numpy(force=True).tolist() == [1.0, 1.0]


def test_ufuncs_on_tensors_give_tensors():
    for expr in ["np.sqrt(m.tensor([1.0, 4.0]))", "np.sqrt(m.tensor(4.0))", "np.isnan(m.tensor([1.0, np.nan]))",
                 "np.exp(m.tensor([1, 2]))", "np.add(m.tensor([1.0, 2.0]), 1)", "np.maximum(m.tensor([1.0, 4.0]), 2)",
                 "np.argmax(m.tensor([1.0, 4.0]))", "np.clip(m.tensor([1.0, 4.0]), 0, 2)"]:
        e, t = both(expr)
        assert_same(e, t, what=expr)


# -- mixed arithmetic with NumPy -------------------------------------------------------------------
NP_SCALARS = ["np.float64(2.5)", "np.float32(1.5)", "np.float16(3)", "np.int64(3)", "np.int32(2)", "np.int8(-2)",
              "np.uint8(4)"]


@pytest.mark.parametrize("scalar", NP_SCALARS)
@pytest.mark.parametrize("name", ["int32", "int64", "uint8", "float16", "float32", "float64", "bfloat16"])
@pytest.mark.parametrize("op", ["+", "*", "-", "/"])
def test_numpy_scalars_both_orders(scalar, name, op):
    for expr in [f"m.tensor([1, 2, 3], dtype=m.{name}) {op} {scalar}", f"{scalar} {op} m.tensor([1, 2, 3], dtype=m.{name})",
                 f"m.tensor(2, dtype=m.{name}) {op} {scalar}"]:
        e, t = both(expr)
        assert type(e) is ember.Tensor
        assert_same(e, t, what=expr)


@pytest.mark.parametrize("array", ["np.ones(3)", "np.arange(3, dtype=np.float32)", "np.arange(3)",
                                   "np.arange(3, dtype=np.int32)", "np.ones((2, 3), dtype=np.float16)",
                                   "np.array([True, False, True])", "np.array(2.0)"])
@pytest.mark.parametrize("name", ["int64", "float32", "float64", "bool"])
@pytest.mark.parametrize("op", ["+", "*", "-", "==", "<"])
def test_numpy_arrays_both_orders(array, name, op):
    """An array operand acts as the tensor torch.as_tensor makes of it, on either side
    (torch itself raises TypeError for ndarray OP tensor and for tensor < ndarray)."""
    if op == "-" and (name == "bool" or "True" in array):
        return  # bool subtraction is an error in both libraries
    tensor = f"m.tensor([1, 0, 2], dtype=m.{name})"
    for expr in (f"{tensor} {op} A", f"A {op} {tensor}"):
        e = eval(expr, dict(m=ember, A=eval(array)))
        t = eval(expr, dict(m=torch, A=torch.as_tensor(eval(array))))
        assert type(e) is ember.Tensor
        assert_same(e, t, what=f"{expr} with A={array}")


# -- Python protocols ----------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "len(m.ones(3, 2))", "[type(v).__name__ for v in m.tensor([1, 2])]", "[v.tolist() for v in m.ones(2, 3)]",
    "float(m.tensor([2.5]))", "float(m.tensor(3))", "int(m.tensor(2.7))", "int(m.tensor(-2.7))", "int(m.tensor([[3]]))",
    "bool(m.tensor([0.0]))", "bool(m.tensor(3))", "bool(m.tensor([True]))", "[1, 2, 3][m.tensor(1)]",
    "[1, 2, 3][m.tensor([2])]", "[1, 2, 3][m.tensor(1, dtype=m.int8)]", "range(m.tensor(3))", "hex(m.tensor(255))",
    "m.tensor(2) in m.tensor([1, 2])", "2 in m.tensor([1, 2])", "5 in m.tensor([1, 2])", "2.0 in m.tensor([1, 2])",
    "m.tensor([1.5]).item()", "m.tensor([1, 2]).tolist()", "m.tensor(3).tolist()", "m.tensor([[True]]).tolist()",
    "type(m.tensor(2, dtype=m.int8).item()).__name__", "type(m.tensor(2, dtype=m.float16).item()).__name__",
    "m.tensor(2.5, dtype=m.bfloat16).item()", "m.tensor([0.1]).item()", "m.tensor([0.1], dtype=m.float64).item()",
    "m.ones(2, 3, dtype=m.float16).tolist()", "m.zeros(0).tolist()", "m.zeros(2, 0).tolist()",
    "complex(m.tensor(1.5))", "round(float(m.tensor(1.26)), 1)", "f'{m.tensor(3.14159):.2f}'",
    "'{:>6}'.format(m.tensor(7))", "abs(m.tensor(-2))", "-m.tensor(2)", "m.ones(2).element_size()",
    "m.ones(2, dtype=m.float64).element_size()",
])
def test_python_protocols(expr):
    e, t = both(expr)
    if isinstance(t, torch.Tensor):
        assert_same(e, t)
    else:
        assert e == t and type(e) is type(t), (e, t)


@pytest.mark.parametrize("expr", [
    "len(m.tensor(2.0))", "iter(m.tensor(2.0))", "bool(m.tensor([1, 2]))", "bool(m.tensor([]))", "float(m.ones(2))",
    "int(m.ones(2))", "[1, 2, 3][m.tensor(1.0)]", "[1, 2, 3][m.tensor([1, 2])]", "'a' in m.tensor([1, 2])",
    "m.ones(2).item()", "m.zeros(0).item()",
])
def test_python_protocol_errors(expr):
    e, t = same_error(lambda mod: eval(expr, dict(m=mod, np=np)))
    assert e.split(".")[0] == t.split(".")[0]


def test_hash_is_identity():
    a, b = ember.ones(2), ember.ones(2)
    assert hash(a) != hash(b) and hash(a) == hash(a)
    assert len({a, b, a}) == 2
    assert {a: 1}[a] == 1


def test_deepcopy():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.is_leaf and y.tolist() == x.tolist()
    assert not np.shares_memory(y.numpy(force=True), x.numpy(force=True))
    x.grad = ember.ones(2)
    z = copy.deepcopy(x)
    assert z.grad.tolist() == [1.0, 1.0] and z.grad is not x.grad
    views = copy.deepcopy([x, x])
    assert views[0] is views[1]
    same_error(lambda m: copy.deepcopy(m.ones(2, requires_grad=True) * 2))
    c = copy.copy(ember.ones(2))
    assert c.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip(name):
    e, t = both(f"m.tensor([[1, 0], [2, 3]], dtype=m.{name})")
    back = pickle.loads(pickle.dumps(e))
    assert_same(back, pickle.loads(pickle.dumps(t)))
    r = pickle.loads(pickle.dumps(ember.ones(2, requires_grad=True)))
    assert r.requires_grad and r.is_leaf
    nc = pickle.loads(pickle.dumps(ember.arange(6.0).reshape(2, 3).t()))
    assert nc.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


# -- libraries -------------------------------------------------------------------------------
def test_matplotlib_takes_tensors():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = ember.arange(40.0).reshape(20, 2)
    y = ember.arange(20)
    tX = torch.arange(40.0).reshape(20, 2)
    fig, ax = plt.subplots()
    line, = ax.plot(X[:, 0], X[:, 1])
    assert np.array_equal(line.get_xydata(), tX.numpy())
    sc = ax.scatter(X[:, 0], y)
    assert np.array_equal(np.asarray(sc.get_offsets()), np.stack([tX[:, 0].numpy(), np.arange(20)], 1))
    counts, edges, _ = ax.hist(X[:, 0], bins=5)
    t_counts, t_edges, _ = plt.subplots()[1].hist(tX[:, 0], bins=5)
    assert np.array_equal(counts, t_counts) and np.array_equal(edges, t_edges)
    ax.plot(y)
    ax.bar(ember.arange(3), ember.tensor([1.0, 2.0, 3.0]))
    ax.imshow(X)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    plt.close("all")


def test_pandas_from_tensors():
    import pandas as pd

    for m in (ember, torch):
        X = m.arange(10.0).reshape(5, 2)
        y = m.arange(5)
        df = pd.DataFrame({"a": X[:, 0], "b": y})
        df2 = pd.DataFrame({"a": X[:, 0].numpy(), "b": y.numpy()})
        if m is ember:
            e_df, e_df2, e_frame, e_series = df, df2, pd.DataFrame(X), pd.Series(m.tensor([1.5, 2.0]))
        else:
            pd.testing.assert_frame_equal(e_df, df)
            pd.testing.assert_frame_equal(e_df2, df2)
            pd.testing.assert_frame_equal(e_frame, pd.DataFrame(X))
            pd.testing.assert_series_equal(e_series, pd.Series(m.tensor([1.5, 2.0])))
    assert ember.tensor(e_df.values).dtype is ember.float64
    assert_same(ember.from_numpy(e_df["a"].to_numpy()), torch.from_numpy(df["a"].to_numpy()))


def test_sklearn_train_test_split_returns_tensors():
    from sklearn.model_selection import train_test_split

    e = train_test_split(ember.arange(20.0).reshape(10, 2), ember.arange(10), test_size=0.3, random_state=0)
    t = train_test_split(torch.arange(20.0).reshape(10, 2), torch.arange(10), test_size=0.3, random_state=0)
    assert all(type(a) is ember.Tensor for a in e)
    assert_same(list(e), list(t))
