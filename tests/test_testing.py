"""ember.testing against torch.testing: assert_close's outcomes and exact messages, make_tensor's values."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _outcome(lib, f):
    try:
        f(lib)
        return "PASS"
    except Exception as e:  # the message with ember's names spelled as torch's
        text = str(e).replace("ember._tensor.Tensor", "torch.Tensor").replace("ember.", "torch.")
        return type(e).__name__, text


cases = [
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.5])),
 lambda L: L.testing.assert_close(L.tensor([1,2,3]), L.tensor([1,2,4])),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.], dtype=L.float64)),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.])),
 lambda L: L.testing.assert_close(L.tensor(1.), L.tensor(2.)),
 lambda L: L.testing.assert_close(1.0, 1.5),
 lambda L: L.testing.assert_close(1, 2),
 lambda L: L.testing.assert_close([L.tensor(1.), L.tensor(2.)], [L.tensor(1.), L.tensor(3.)]),
 lambda L: L.testing.assert_close({'a': L.tensor(1.)}, {'a': L.tensor(3.)}),
 lambda L: L.testing.assert_close(L.tensor([float('nan')]), L.tensor([float('nan')])),
 lambda L: L.testing.assert_close(L.tensor([float('nan')]), L.tensor([float('nan')]), equal_nan=True),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.5]), msg='custom'),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.5]), msg=lambda m: m+'!!'),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.5]), rtol=0, atol=0),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.5]), rtol=1),
 lambda L: L.testing.assert_close(L.ones(2,2), L.ones(2,2).t(), check_stride=True),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), [1.,2.,3.]),
 lambda L: L.testing.assert_close(L.tensor([True, False]), L.tensor([True, True])),
 lambda L: L.testing.assert_close(L.ones(2,3), L.ones(2,3)*2),
 lambda L: L.testing.assert_close([1,2],[1,2,3]),
 lambda L: L.testing.assert_close({'a':1},{'b':1}),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]), L.tensor([1.,2.,3.], dtype=L.float64), check_dtype=False),
 lambda L: L.testing.assert_close(L.tensor([1,2,30]), L.tensor([1,2,4])),
 lambda L: L.testing.assert_close(L.tensor([0.,2.,3.]), L.tensor([1e-9,2.,3.5])),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.], dtype=L.float16), L.tensor([1.,2.,3.01], dtype=L.float16)),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.], dtype=L.bfloat16), L.tensor([1.,2.,3.1], dtype=L.bfloat16)),
 lambda L: L.testing.assert_close(L.arange(12.).reshape(3,4), L.arange(12.).reshape(3,4).flip(0)),
 lambda L: L.testing.assert_close(True, False),
 lambda L: L.testing.assert_close(None, 1),
 lambda L: L.testing.assert_close(1, 1.0, check_dtype=True),
 lambda L: L.testing.assert_close(L.tensor([1.,0.]), L.tensor([1.,1e-3]), atol=1e-4, rtol=0.1),
 lambda L: L.testing.assert_close((L.tensor(1.), [2, {'x': L.tensor([1.,5.])}]), (L.tensor(1.), [2, {'x': L.tensor([1.,6.])}])),
 lambda L: L.testing.assert_close(L.tensor([1.,2.]), L.tensor([1.,2.]), rtol=1e-3),
 lambda L: L.testing.assert_close(L.tensor([1.,2.]), L.tensor([1.,2.]), rtol=1e-3),
 lambda L: L.testing.make_tensor(3, dtype=L.float32, device='cpu', low=3, high=2),
 lambda L: L.testing.make_tensor(3, dtype=L.int32, device='cpu', requires_grad=True),
 lambda L: L.testing.make_tensor(3, dtype=L.uint8, device='cpu', low=-10, high=-2),
 lambda L: L.testing.make_tensor(3, dtype=L.float32, device='cpu', low=float('nan')),
]

cases += [
 lambda L: L.testing.assert_close(np.array([1.,2.]), np.array([1.,2.5])),
 lambda L: L.testing.assert_close(L.tensor([1,2]), L.tensor([1.,2.5]), check_dtype=False),
 lambda L: L.testing.assert_close(L.tensor([1.,2.], requires_grad=True), L.tensor([1.,2.5])),
 lambda L: L.testing.assert_close(L.tensor(1.), 1.0),
 lambda L: L.testing.assert_close(L.zeros(0), L.zeros(0)),
 lambda L: L.testing.assert_close(L.tensor([float('inf'), 1.]), L.tensor([float('inf'), 1.])),
 lambda L: L.testing.assert_close(L.tensor([float('inf'), 1.]), L.tensor([-float('inf'), 1.])),
 lambda L: L.testing.assert_close(L.tensor([1., 1.]), L.tensor([float('nan'), 1.])),
 lambda L: L.testing.assert_close(L.tensor([[1, 2], [3, 4]], dtype=L.uint8), L.tensor([[1, 2], [3, 0]], dtype=L.uint8)),
 lambda L: L.testing.assert_close(L.tensor([0.]), L.tensor([1e-20])),
 lambda L: L.testing.assert_close(L.tensor([0.]), L.tensor([1.]), msg=None),
 lambda L: L.testing.assert_close((1, 2.0), [1, 2.5]),
 lambda L: L.testing.assert_close(1.0, float('nan'), equal_nan=True),
 lambda L: L.testing.assert_close(float('nan'), float('nan'), equal_nan=True),
 lambda L: L.testing.assert_close(L.tensor([1.,2.]), L.tensor([1.,2.]), rtol=None, atol=0.1),
 lambda L: L.testing.assert_close(L.tensor([1.,2.], dtype=L.float64), L.tensor([1.,2.0000001], dtype=L.float64)),
 lambda L: L.testing.assert_close(L.tensor(5), L.tensor(7)),
 lambda L: L.testing.assert_close(L.tensor([1.,2.,3.]).reshape(3,1).expand(3,4), L.ones(3,4)),
 lambda L: L.testing.assert_allclose(L.tensor([1.,2.]), L.tensor([1.,2.1])),
 lambda L: L.testing.assert_allclose([1.,2.], [1.,2.1]),
]


@pytest.mark.parametrize("i", range(len(cases)))
def test_same_outcome_and_message_as_torch(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # assert_allclose's deprecation
        assert _outcome(ember, cases[i]) == _outcome(torch, cases[i])


def test_message_text_literal():
    with pytest.raises(AssertionError) as e:
        ember.testing.assert_close(ember.tensor([1.0, 2.0, 3.0]), ember.tensor([1.0, 2.0, 3.5]))
    assert str(e.value) == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute "
                            "difference: 0.5 at index (2,) (up to 1e-05 allowed)\nGreatest relative difference: "
                            "0.1428571492433548 at index (2,) (up to 1.3e-06 allowed)")


def test_assert_allclose_deprecated():
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match="assert_allclose\\(\\)` is deprecated"):
            lib.testing.assert_allclose(lib.tensor([1.0, 2.0]), [1.0, 2.00001])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(AssertionError):
                lib.testing.assert_allclose(lib.tensor([1.0, 2.0]), [1.0, 2.1])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "int8", "uint8", "bool"])
@pytest.mark.parametrize("kw", [{}, {"low": -2, "high": 5}, {"exclude_zero": True}, {"noncontiguous": True},
                                {"low": 0.5}])
def test_make_tensor_values_match_torch(dtype, kw):
    if dtype == "bool" and kw.get("low") == -2 or dtype == "uint8" and kw.get("low") == -2:
        kw = {}
    torch.manual_seed(3)
    ember.manual_seed(3)
    a = torch.testing.make_tensor(4, 5, dtype=getattr(torch, dtype), device="cpu", **kw)
    b = ember.testing.make_tensor((4, 5), dtype=getattr(ember, dtype), device="cpu", **kw)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.stride() == b.stride() and a.is_contiguous() == b.is_contiguous()


def test_make_tensor_requires_grad():
    t = ember.testing.make_tensor(3, dtype=ember.float32, device="cpu", requires_grad=True)
    assert t.requires_grad and t.is_leaf
