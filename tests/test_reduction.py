"""Reductions against torch: values, dtypes, shapes, gradients (ties, zeros), errors; gradcheck."""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import check, make_arrays, same_error

FLOATS = ["float32", "float64"]

# name: fn(m, x) on a (3, 4) input (or the shape given by the test)
REDUCTIONS = {
    "sum": lambda m, x: m.sum(x),
    "sum_dim": lambda m, x: x.sum(1),
    "sum_dims_keep": lambda m, x: m.sum(x, (0, -1), keepdim=True),
    "sum_dtype": lambda m, x: x.sum(0, dtype=m.float64),
    "mean": lambda m, x: m.mean(x),
    "mean_dim": lambda m, x: x.mean(-1, keepdim=True),
    "prod": lambda m, x: m.prod(x),
    "prod_dim": lambda m, x: x.prod(1),
    "prod_keep": lambda m, x: m.prod(x, 0, keepdim=True),
    "std": lambda m, x: m.std(x),
    "std_dim": lambda m, x: x.std(0),
    "std_unbiased_false": lambda m, x: m.std(x, unbiased=False),
    "std_positional_unbiased": lambda m, x: m.std(x, 1, False, True),
    "var": lambda m, x: x.var(),
    "var_dim": lambda m, x: m.var(x, 1, keepdim=True),
    "var_correction": lambda m, x: m.var(x, 0, correction=2),
    "var_correction0": lambda m, x: x.var(dim=(0, 1), correction=0),
    "std_mean": lambda m, x: m.std_mean(x, 1),
    "var_mean": lambda m, x: m.var_mean(x, dim=0, keepdim=True),
    "std_mean_all": lambda m, x: m.std_mean(x),
    "max": lambda m, x: m.max(x),
    "min": lambda m, x: x.min(),
    "max_dim": lambda m, x: m.max(x, 1),
    "min_dim_keep": lambda m, x: x.min(dim=0, keepdim=True),
    "max_dim_unpacked": lambda m, x: tuple(x.max(-1)),
    "max_dim_fields": lambda m, x: (x.max(0).values, x.max(0).indices),
    "amax": lambda m, x: m.amax(x, 1),
    "amax_dims": lambda m, x: x.amax((0, 1), keepdim=True),
    "amin": lambda m, x: m.amin(x, -1),
    "amax_all": lambda m, x: x.amax(),
    "argmax": lambda m, x: m.argmax(x),
    "argmin_dim": lambda m, x: x.argmin(1),
    "argmax_keep": lambda m, x: m.argmax(x, 0, keepdim=True),
    "logsumexp": lambda m, x: m.logsumexp(x, 1),
    "logsumexp_dims": lambda m, x: x.logsumexp((0, 1), keepdim=True),
    "cumsum": lambda m, x: m.cumsum(x, 1),
    "cumsum0": lambda m, x: x.cumsum(0),
    "cumprod": lambda m, x: m.cumprod(x, 1),
    "cumprod0": lambda m, x: x.cumprod(dim=0),
    "norm": lambda m, x: m.norm(x),
    "norm_fro": lambda m, x: x.norm("fro"),
    "norm_1": lambda m, x: x.norm(1),
    "norm_3": lambda m, x: m.norm(x, 3),
    "norm_half": lambda m, x: m.norm(x, 0.5),
    "norm_inf": lambda m, x: x.norm(float("inf")),
    "norm_ninf": lambda m, x: m.norm(x, -math.inf),
    "norm_0": lambda m, x: m.norm(x, 0),
    "norm_dim": lambda m, x: x.norm(dim=1),
    "norm_dim_keep_p1": lambda m, x: m.norm(x, 1, 0, True),
    "norm_dtype": lambda m, x: m.norm(x, dtype=m.float64),
    "dist": lambda m, x: m.dist(x, x[0] * 0.5),
    "dist_p3": lambda m, x: m.dist(x, x[:, :1], 3),
    "all": lambda m, x: m.all(x > 0),
    "any_dim": lambda m, x: (x > 1).any(1),
    "all_float": lambda m, x: x.all(),
    "any_float_dim": lambda m, x: m.any(x, 0, keepdim=True),
    "count_nonzero": lambda m, x: m.count_nonzero(x > 0),
    "count_nonzero_dim": lambda m, x: (x > 0).count_nonzero(1),
    "count_nonzero_dims": lambda m, x: m.count_nonzero(x > 0, (0, 1)),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction(name, dtype):
    check(REDUCTIONS[name], [(3, 4)], dtype)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_noncontiguous_and_3d(name):
    check(lambda m, x: REDUCTIONS[name](m, x.t()), [(4, 3)], "float64")
    check(lambda m, x: REDUCTIONS[name](m, x[:, 1]), [(3, 2, 4)], "float32")


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_empty(name):
    """(0, 4) inputs: the same result or the same exception class as torch."""
    fn = REDUCTIONS[name]
    a = np.zeros((0, 4), dtype="float32")
    try:
        fn(torch, torch.tensor(a))
    except Exception:  # noqa: BLE001
        same_error(lambda m: fn(m, m.tensor(a)))
        return
    check(fn, None, "float32", arrays=[a])


ZERO_DIM_OK = ["sum", "mean", "prod", "max", "min", "amax_all", "argmax", "norm", "all_float", "count_nonzero",
               "norm_1", "norm_inf", "std_unbiased_false"]


@pytest.mark.parametrize("name", ZERO_DIM_OK)
def test_reduction_zero_dim(name):
    check(REDUCTIONS[name], [()], "float64")


@pytest.mark.parametrize("fn", [lambda m, x: x.sum(0), lambda m, x: x.max(0), lambda m, x: x.argmax(-1),
                                lambda m, x: x.cumsum(0), lambda m, x: x.cumprod(-1), lambda m, x: x.logsumexp(0),
                                lambda m, x: x.amax(0), lambda m, x: x.prod(0), lambda m, x: x.mean(-1),
                                lambda m, x: x.min(0, keepdim=True), lambda m, x: x.argmin(0, keepdim=True),
                                lambda m, x: x.norm(dim=0), lambda m, x: x.all(0)])
def test_zero_dim_with_dim(fn):
    check(fn, [()], "float64")


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_integer_and_bool(name, dtype):
    """sum/prod/cumsum of ints give int64, mean/std/norm of ints raise as in torch, and so on."""
    fn = REDUCTIONS[name]
    a = make_arrays([(3, 4)], dtype, seed=4)[0]
    try:
        fn(torch, torch.tensor(a))
    except Exception:  # noqa: BLE001
        same_error(lambda m: fn(m, m.tensor(a)))
        return
    check(fn, None, dtype, arrays=[a])


def test_mean_of_ints_error_message():
    e, t = same_error(lambda m: m.ones(2, dtype=m.int64).mean())
    assert e.split(".")[0] == t.split(".")[0]


# -- ties, zeros and NaN ------------------------------------------------------------------------
def test_max_min_gradients_with_ties():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, -1.0, 5.0, 4.0]])
    for name in ("max", "min", "max_dim", "min_dim_keep", "amax", "amin", "amax_dims", "amax_all", "norm_inf",
                 "norm_ninf", "logsumexp"):
        check(REDUCTIONS[name], None, "float64", arrays=[x])


def test_nan_propagation():
    x = np.array([[1.0, np.nan, 3.0], [0.0, 2.0, 1.0]])
    for name in ("max", "min", "max_dim", "amax", "argmax", "argmin_dim", "sum", "logsumexp", "norm"):
        check(REDUCTIONS[name], None, "float64", arrays=[x], grad=name not in ("max", "min", "amax"))


def test_prod_and_cumprod_gradients_with_zeros():
    for x in (np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 1.0], [1.0, 2.0, 3.0, 4.0]]),
              np.array([[0.0, 2.0, 0.0, 3.0], [2.0, 0.5, 0.0, 4.0], [0.0, 1.0, 1.0, 1.0]])):
        for name in ("prod", "prod_dim", "prod_keep", "cumprod", "cumprod0"):
            check(REDUCTIONS[name], None, "float64", arrays=[x])


@pytest.mark.parametrize("reduce", [lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.prod(0, keepdim=True),
                                    lambda x: x.prod(dtype=x.new_ones(()).double().dtype)])
def test_prod_saves_its_output(reduce):
    """torch's ProdBackward saves the result: changing it in place before backward is refused."""
    def fn(m):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = reduce(x)
        y.add_(1)
        y.sum().backward()

    msg, tmsg = same_error(fn)
    assert msg.split(":")[0] == tmsg.split(":")[0]


@pytest.mark.parametrize("fn", [
    lambda m: m.ones(2).sum(dtype="float"), lambda m: m.ones(2).sum(dtype=3), lambda m: m.ones(2).mean(dtype="float"),
    lambda m: m.ones(2).prod(dtype="float"), lambda m: m.ones(2).cumsum(0, dtype="float"),
    lambda m: m.ones(2).cumprod(0, dtype="double"),
])
def test_dtype_argument_must_be_a_dtype(fn):
    same_error(fn)


def test_dtype_argument_takes_python_types():
    check(lambda m, x: x.sum(dtype=float), [(2, 3)], "float32")
    check(lambda m, x: x.mean(0, dtype=float), [(2, 3)], "float32")
    check(lambda m, x: x.cumsum(0, dtype=int), [(2, 3)], "int64")


def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -np.inf], [-np.inf, -np.inf]])
    check(lambda m, t: m.logsumexp(t, 1), None, "float64", arrays=[x], grad=False)
    check(lambda m, t: m.logsumexp(t[:2], 1), None, "float64", arrays=[x])


def test_std_var_with_too_few_elements_warns():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        r = ember.ones(1).std()
    assert math.isnan(r.item())
    check(lambda m, x: m.var(x, 0, correction=3), [(3, 2)], "float64", grad=False)


def test_return_type_behaves_like_torch():
    r = ember.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    values, indices = r
    assert values is r.values and indices is r.indices and r[0] is values and len(r) == 2
    assert indices.tolist() == [1, 0] and indices.dtype is ember.int64
    assert repr(r).startswith("torch.return_types.max(\nvalues=")
    assert type(ember.ones(2).min(0)).__name__ == "min"


def test_reduction_errors():
    same_error(lambda m: m.ones(2, 3).sum(2))
    same_error(lambda m: m.ones(2, 3).sum((0, 0)))
    same_error(lambda m: m.ones(0, 3).max())
    same_error(lambda m: m.ones(0, 3).max(0))
    same_error(lambda m: m.ones(0, 3).argmax())
    same_error(lambda m: m.ones(0, 3).amax(0))
    same_error(lambda m: m.ones(3, dtype=m.int64).std())
    same_error(lambda m: m.ones(3, dtype=m.int64).norm())
    same_error(lambda m: m.ones(3).var(unbiased=True, correction=1))
    same_error(lambda m: m.ones(3).logsumexp())


def test_all_any_keep_uint8():
    a = np.array([[1, 0, 3], [2, 2, 2]], dtype="uint8")
    check(lambda m, x: (x.all(), x.any(1), m.all(x, 0)), None, "uint8", arrays=[a])


# -- gradcheck -------------------------------------------------------------------------------------
DIFFERENTIABLE = ["sum", "sum_dim", "sum_dims_keep", "mean", "mean_dim", "prod", "prod_dim", "std", "std_dim",
                  "var", "var_correction", "max", "min", "max_dim", "min_dim_keep", "amax", "amin", "amax_all",
                  "logsumexp", "cumsum", "cumprod", "cumprod0", "norm", "norm_1", "norm_3", "norm_inf", "norm_dim",
                  "norm_half", "dist", "dist_p3"]


def _first(fn):
    """Differentiate the values of a (values, indices) result."""
    def f(x):
        out = fn(ember, x)
        return out[0] if isinstance(out, tuple) else out
    return f


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradcheck(name):
    # distinct magnitudes away from zero: no ties for max/min/inf-norm, no kink for |x|
    x = ember.tensor(np.linspace(0.3, 2.0, 12).reshape(3, 4) * np.where(np.arange(12) % 3, 1, -1).reshape(3, 4),
                     dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(_first(REDUCTIONS[name]), (x,))


@pytest.mark.parametrize("name", ["sum_dim", "mean", "prod_dim", "std_dim", "var", "logsumexp", "cumsum", "cumprod",
                                  "norm", "norm_3", "amax", "max_dim", "dist"])
def test_gradgradcheck(name):
    x = ember.tensor(np.linspace(0.3, 2.0, 12).reshape(3, 4) * np.where(np.arange(12) % 3, 1, -1).reshape(3, 4),
                     dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(_first(REDUCTIONS[name]), (x,))


def test_gradcheck_prod_with_a_zero():
    x = ember.tensor([[1.5, 0.0, 2.0], [0.7, 1.2, -0.8]], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: t.prod(), (x,))
    assert ember.autograd.gradcheck(lambda t: t.prod(1), (x,))
    assert ember.autograd.gradcheck(lambda t: t.cumprod(1), (x,))


def test_reduction_names_exist():
    for n in ["sum", "mean", "prod", "std", "var", "std_mean", "var_mean", "max", "min", "amax", "amin", "argmax",
              "argmin", "logsumexp", "cumsum", "cumprod", "norm", "dist", "all", "any", "count_nonzero"]:
        assert callable(getattr(ember, n)), n
    for n in ["sum", "mean", "prod", "std", "var", "max", "min", "amax", "amin", "argmax", "argmin", "norm",
              "cumsum", "cumprod", "logsumexp", "all", "any", "count_nonzero", "cumsum_", "cumprod_"]:
        assert callable(getattr(ember.Tensor, n)), n


def test_out_arguments():
    for fn in (lambda m, x: m.sum(x, 1, out=m.empty(0)), lambda m, x: m.mean(x, out=m.empty(0)),
               lambda m, x: m.amax(x, 0, out=m.empty(4)), lambda m, x: m.cumsum(x, 1, out=m.empty(3, 4)),
               lambda m, x: m.prod(x, 1, out=m.empty(3)), lambda m, x: m.logsumexp(x, 1, out=m.empty(3)),
               lambda m, x: m.std(x, 1, out=m.empty(3)), lambda m, x: m.all(x, 1, out=m.empty(3, dtype=m.bool)),
               lambda m, x: m.max(x, out=m.empty(())),
               lambda m, x: tuple(m.max(x, 1, out=(m.empty(3), m.empty(3, dtype=m.int64))))):
        check(fn, [(3, 4)], "float32", grad=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_half_precision(name, dtype):
    check(REDUCTIONS[name], [(3, 4)], dtype)


def test_gradients_at_kinks_follow_torch():
    """norm'(0) = 0, dist of equal tensors, std of a constant, |x| norms at x = 0."""
    zeros = np.zeros((2, 3))
    for name in ("norm", "norm_dim", "norm_1", "norm_3", "norm_half", "norm_inf", "std", "std_dim", "dist"):
        check(REDUCTIONS[name], None, "float64", arrays=[zeros])
    mixed = np.array([[0.0, 1.0, -2.0], [0.0, 0.0, 3.0]])
    for name in ("norm_1", "norm_3", "norm_half", "norm_inf", "norm_ninf", "norm_0"):
        check(REDUCTIONS[name], None, "float64", arrays=[mixed])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_median_against_torch(dtype):
    # odd and even counts (torch takes the lower middle value), with and without dim, keepdim
    for shape in [(5,), (6,), (4, 7), (3, 4, 2)]:
        check(lambda m, x: m.median(x), [shape], dtype)
        for d in range(-len(shape), len(shape)):
            check(lambda m, x: x.median(d), [shape], dtype)
            check(lambda m, x: m.median(x, dim=d, keepdim=True), [shape], dtype)
    check(lambda m, x: m.median(x), [(5,)], "int64")


def test_median_ties_and_nan_like_torch():
    ties = [np.array([1.0, 2.0, 2.0, 2.0, 3.0]), np.array([[3.0, 1.0, 1.0], [2.0, float("nan"), 0.0]])]
    for a in ties:
        check(lambda m, x: m.median(x), None, "float64", arrays=[a])
    check(lambda m, x: m.median(x, 1).values, None, "float64", arrays=[ties[1]])


def test_median_gradcheck():
    x = ember.tensor(np.random.default_rng(0).uniform(-2, 2, (4, 5)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: t.median(), (x,))
    assert ember.autograd.gradcheck(lambda t: t.median(1).values, (x,))
