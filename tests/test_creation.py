"""Tensor creation against torch: dtype inference, values (bit for bit for ranges),
shapes, errors, the legacy constructors and Tensor.new_*."""
import warnings

import numpy as np
import pytest
import torch

import ember

warnings.filterwarnings("ignore", message="To copy construct")
warnings.filterwarnings("ignore", message="Creating a tensor from a list of numpy")


def run(expr, m):
    return eval(expr, {"m": m, "np": np})


def compare(expr):
    """expr (with `m` for the module) gives the same tensor, bit for bit, or the same error."""
    try:
        t = run(expr, torch)
    except Exception as te:  # noqa: BLE001
        with pytest.raises(Exception) as ei:
            run(expr, ember)
        assert type(ei.value).__name__ == type(te).__name__, (expr, ei.value, te)
        tmsg = str(te).splitlines()[0]
        n = 25 if "invalid combination" in tmsg else 60
        assert str(ei.value)[:n] == tmsg[:n], (expr, str(ei.value), tmsg)
        return
    e = run(expr, ember)
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), expr
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (expr, e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), (expr, e.shape, t.shape)
        assert e.requires_grad == t.requires_grad, expr
        np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy(), err_msg=expr)
    else:
        assert str(e).replace("ember", "torch") == str(t), (expr, e, t)


TENSOR = [
    "m.tensor([[1,2],[3,4]])", "m.tensor([1, 2.5])", "m.tensor([True, 1])", "m.tensor([True, False])", "m.tensor(3)",
    "m.tensor(3.5)", "m.tensor([])", "m.tensor([[]])", "m.tensor(np.array([1,2],dtype=np.int32))",
    "m.tensor(np.float32(2))", "m.tensor(np.float64(2))", "m.tensor(np.int32(1))", "m.tensor([np.float32(1), 2])",
    "m.tensor([np.int32(1), 2])", "m.tensor([[1,2]], dtype=m.float64)", "m.tensor([1,2], dtype=m.uint8)",
    "m.tensor([-1], dtype=m.uint8)", "m.tensor([1.5, -2.7], dtype=m.int64)", "m.tensor(1e40, dtype=m.float32)",
    "m.tensor([[1,2],(3,4)])", "m.tensor(((1,2),(3,4)))", "m.tensor([m.tensor(1.), m.tensor(2.)])",
    "m.tensor([m.tensor(1), m.tensor(2.5)])", "m.tensor([[m.tensor(1)], [2]])", "m.tensor([m.tensor(3, dtype=m.int32), 4])",
    "m.tensor([np.array([1,2]), np.array([3,4])])", "m.tensor([1.,2], requires_grad=True)",
    "m.tensor(m.tensor([1,2]))", "m.tensor(m.ones(2, requires_grad=True)).requires_grad",
    # NumPy scalars keep their dtypes, promoted with Python numbers (a Python float as the default dtype)
    "m.tensor(np.float64(2.3))", "m.as_tensor(np.float64(2.3))", "m.tensor(np.float16(2.3))", "m.tensor(np.bool_(True))",
    "m.as_tensor(np.int32(3))", "m.tensor([np.float64(2.3)])", "m.tensor([np.float64(1), 2])", "m.tensor([np.float16(1)])",
    "m.tensor([np.float16(1), 2.5])", "m.tensor([np.float16(1), np.int32(1)])", "m.tensor([[np.float64(1)], [2]])",
    "m.tensor([np.int32(1), np.int8(2)])", "m.tensor([np.int8(1), True])", "m.tensor([np.uint8(3)])",
    "m.tensor([np.int32(1), 2.5])", "m.tensor([m.tensor(1., dtype=m.float64), 2.])", "m.as_tensor([np.float64(2.3)])",
    "m.tensor([np.array([1., 2.], dtype=np.float32), [3, 4]])", "m.tensor([np.float32(1), 2.5], dtype=m.float64)",
    "m.tensor([[np.float64(1.5), 2], [3, np.float32(4)]])",
    # errors
    "m.tensor([[1,2],[3]])", "m.tensor([[1,2],[3,4,5]])", "m.tensor([[1.,2],[3]])", "m.tensor([[1,2],3])",
    "m.tensor([1,[2,3]])", "m.tensor([1.,[2,3]])", "m.tensor([[1,2],[3,[4]]])", "m.tensor([[[1,2],[3,4]],[[1,2],[3]]])",
    "m.tensor([1,2], dtype=m.int64, requires_grad=True)", "m.tensor('a')", "m.tensor([1,'a'])", "m.tensor(None)",
    "m.tensor(2**63)", "m.tensor([2**63])", "m.tensor([300], dtype=m.uint8)",
]


@pytest.mark.parametrize("expr", TENSOR)
def test_tensor(expr):
    compare(expr)


RANGES = [
    "m.arange(5)", "m.arange(0,1,0.1)", "m.arange(1,2.5,0.5)", "m.arange(0., 1., 0.3)", "m.arange(-1, -5, -1.5)",
    "m.arange(5, dtype=m.float32)", "m.arange(0, 10, 3)", "m.arange(0.5, 5)", "m.arange(m.tensor(3))",
    "m.arange(0, 0.9, 0.3)", "m.arange(1, 4, dtype=m.float64)", "m.arange(0.1, 1.0, 0.1)", "m.arange(-0.7, 2.3, 0.1)",
    "m.arange(-0.7, 2.3, 0.1, dtype=m.float64)", "m.arange(10, dtype=m.uint8)", "m.arange(0, 5, 1.5, dtype=m.int64)",
    "m.arange(1, 10, 2.5, dtype=m.int32)", "m.arange(0.5, 3, 1, dtype=m.int64)", "m.arange(-5, -1.2, 1.3, dtype=m.int64)",
    "m.arange(0, 5.5)", "m.arange(1.3, 97.1, 0.37)", "m.arange(-3.1, 40.2, 0.013, dtype=m.float64)",
    "m.arange(1,0)", "m.arange(0,1,-1)", "m.arange(0, 1, 0)", "m.arange(float('inf'))", "m.arange(0, float('nan'))",
    "m.linspace(0,1,5)", "m.linspace(-3.3, 7.1, 11)", "m.linspace(0, 1, 1)", "m.linspace(0, 1, 0)",
    "m.linspace(0, 10, 7, dtype=m.int64)", "m.linspace(-1, 1, 100)", "m.linspace(0.1, 0.9, 50, dtype=m.float64)",
    "m.linspace(2, 2, 5)", "m.linspace(m.tensor(0.), m.tensor(1.), 4)", "m.linspace(10, -10, 33)",
    "m.linspace(0.118, -3.715, 43)", "m.linspace(4.486, 82.636, 126, dtype=m.float64)", "m.linspace(-7, 9, 1001)",
    "m.linspace(0,1,-1)", "m.linspace(0,1,2.5)",
    "m.logspace(0, 2, 5, dtype=m.float64)", "m.logspace(-1, 1, 4, base=2)", "m.logspace(0,3,4,dtype=m.int64)",
    "m.logspace(1.495, 27.545, 126, dtype=m.float64)",
    "m.eye(3)", "m.eye(2,3)", "m.eye(3, dtype=m.int64)", "m.eye(0)", "m.eye(-1)", "m.eye(2, -3)",
]


@pytest.mark.parametrize("expr", RANGES)
def test_ranges_bit_exact(expr):
    compare(expr)


def test_linspace_arange_many_bit_exact():
    rng = np.random.default_rng(1)
    for _ in range(60):
        a = float(rng.uniform(-5, 5))
        st = float(rng.choice([0.1, 0.3, 0.01, 0.7, 1 / 3, 0.05])) * float(rng.choice([1, -1]))
        b = a + st * int(rng.integers(1, 300)) + st * 0.5
        n = int(rng.integers(0, 300))
        for dt in ("float32", "float64"):
            for e, t in ((ember.arange(a, b, st, dtype=getattr(ember, dt)), torch.arange(a, b, st, dtype=getattr(torch, dt))),
                         (ember.linspace(a, b, n, dtype=getattr(ember, dt)), torch.linspace(a, b, n, dtype=getattr(torch, dt)))):
                np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_logspace_float32_close():
    # float32 logspace follows torch's formula but is not bit-exact: within float32 rounding
    np.testing.assert_allclose(ember.logspace(1.495, 27.545, 126).numpy(), torch.logspace(1.495, 27.545, 126).numpy(),
                               rtol=1e-5)  # exponents near 27: one float32 ulp of the exponent
    np.testing.assert_allclose(ember.logspace(-1, 1, 50).numpy(), torch.logspace(-1, 1, 50).numpy(), rtol=2e-7)


FACTORIES = [
    "m.zeros(2,3)", "m.zeros((2,3))", "m.zeros([2,3])", "m.zeros(size=(2,3))", "m.ones(size=[2])", "m.empty(size=(0,))",
    "m.zeros(())", "m.zeros(m.Size([2,3]))", "m.ones(2, dtype=m.int32)", "m.zeros(2, requires_grad=True)",
    "m.full((2,), 3)", "m.full((2,), 3.)", "m.full((2,), True)", "m.full([2,2], 1.5, dtype=m.float64)",
    "m.full((2,), m.tensor(2.5))", "m.empty(2,3).shape", "m.empty(2, 3, dtype=m.int64).dtype",
    "m.zeros_like(m.ones(2,dtype=m.int32))", "m.ones_like(m.ones(2), dtype=m.float64)",
    "m.full_like(m.ones(2,dtype=m.int64), 2.7)", "m.empty_like(m.ones(3)).shape", "m.ones_like(m.ones(2), requires_grad=True)",
    "m.zeros(2, -1)", "m.ones(2, -1)", "m.empty(2.5)", "m.zeros(2.5)", "m.ones((2,2.5))", "m.full(2, 1.)",
    "m.full((2,-1), 1.)", "m.zeros(2, dtype=m.int32, requires_grad=True)", "m.zeros((2,3), 4)",
    # legacy constructors
    "m.Tensor([1,2])", "m.Tensor(np.array([1,2]))", "m.Tensor()", "m.Tensor([[1,2],[3,4]])", "m.Tensor(2, 3).shape",
    "m.Tensor(m.Size([2])).shape", "m.FloatTensor([1,2])", "m.LongTensor([1.5,2])", "m.FloatTensor(2,2).shape",
    "m.DoubleTensor([1])", "m.BoolTensor([1,0])", "m.ByteTensor([1,2])", "m.IntTensor(3).dtype",
    "m.Tensor(m.tensor([1,2]))", "m.Tensor(m.tensor([1.,2]))", "m.Tensor((1,2))", "m.Tensor([])",
    "m.Tensor([1,2], device='cpu')", "m.Tensor(3.5)", "m.FloatTensor(3.5)", "m.Tensor('ab')", "m.Tensor(np.float64(2))",
    "m.Tensor(2, 3.)",
    # Tensor.new_*
    "m.tensor([1,2]).new_tensor([3.,4])", "m.tensor([1.,2], dtype=m.float64).new_tensor([3,4])",
    "m.tensor([1.,2]).new_zeros(2,3)", "m.tensor([1.,2]).new_zeros((2,3))", "m.tensor([1,2]).new_ones(3)",
    "m.tensor([1.,2]).new_full((2,), 7)", "m.tensor([1.,2]).new_empty(2).shape", "m.tensor([1.,2]).new_zeros(2, dtype=m.int64)",
    "m.tensor([1.,2]).new_ones(2, requires_grad=True)", "m.tensor([1.,2]).new_tensor(m.tensor([5,6]))",
    "m.tensor([1,2], dtype=m.int32).new_full((2,), 2.5)", "m.tensor([1.,2]).new_empty((2,2), dtype=m.float64).dtype",
    "m.tensor([1,2]).new_zeros(size=(2,))", "m.tensor([1,2]).new_tensor([1,2], requires_grad=True)",
    "m.ones(2).new_zeros(-1)", "m.ones(2, dtype=m.float64).new_tensor(np.array([1, 2], dtype=np.float32))",
    # a fill value that is not a number
    "m.full((2,), 'a')", "m.full((2,), None)", "m.full((2,), [1], dtype=m.float64)", "m.full_like(m.ones(2), 'a')",
    "m.ones(2).new_full((2,), 'a')",
]


@pytest.mark.parametrize("expr", FACTORIES)
def test_factories(expr):
    compare(expr)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = ember.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5 and t.dtype is ember.float32
    b = ember.as_tensor(a)
    b[1] = 7
    assert a[1] == 7
    x = ember.ones(3)
    assert ember.as_tensor(x) is x
    assert ember.as_tensor(a, dtype=ember.float64).dtype is ember.float64 and a[1] == 7
    c = ember.tensor(a)
    c[0] = -1
    assert a[0] == 5  # tensor() copies
    with pytest.raises(TypeError):
        ember.from_numpy([1, 2])


def test_tensor_copies_and_detaches():
    x = ember.ones(2, requires_grad=True)
    with pytest.warns(UserWarning):
        y = ember.tensor(x)
    assert not y.requires_grad
    y[0] = 3
    assert x[0].item() == 1
    assert ember.tensor([x[0], x[1] * 2]).tolist() == [1.0, 2.0]


def test_default_dtype_and_device():
    ember.set_default_dtype(ember.float64)
    assert ember.tensor([1.5]).dtype is ember.float64 and ember.zeros(2).dtype is ember.float64
    assert ember.arange(0.5, 2).dtype is ember.float64 and ember.Tensor([1]).dtype is ember.float64
    ember.set_default_dtype(ember.float32)
    assert ember.zeros(2, device="cpu").device == ember.device("cpu")
    assert ember.tensor([1], device=ember.device("cpu")).device.type == "cpu"


def test_out_arguments():
    out = ember.empty(0)
    r = ember.zeros(2, 3, out=out)
    assert r is out and out.shape == (2, 3)
    o = ember.empty(5, dtype=ember.int64)
    ember.arange(5, out=o)
    assert o.tolist() == [0, 1, 2, 3, 4]
    o2 = ember.empty(4)
    ember.linspace(0, 1, 4, out=o2)
    np.testing.assert_array_equal(o2.numpy(), torch.linspace(0, 1, 4).numpy())
