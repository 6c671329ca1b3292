"""DLPack round trips with real torch and NumPy, sharing memory; torch.tensor / as_tensor of ember tensors."""
import numpy as np
import pytest
import torch

import ember
import ember.utils.dlpack as edl


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool", "float16"])
def test_torch_reads_ember_memory(dtype):
    e = (ember.arange(6) % 2).to(getattr(ember, dtype)).reshape(2, 3)
    t = torch.from_dlpack(e)
    assert t.dtype == getattr(torch, dtype) and tuple(t.shape) == (2, 3)
    np.testing.assert_array_equal(t.numpy(), e.numpy())
    if dtype != "bool":
        t[0, 0] = 1
        assert e[0, 0].item() == 1  # the same memory


def test_ember_reads_torch_memory_and_capsules():
    t = torch.arange(6.0).reshape(3, 2)[:, 1]  # strided
    e = ember.from_dlpack(t)
    assert e.tolist() == [1.0, 3.0, 5.0] and e.dtype is ember.float32
    t[0] = -1
    assert e[0].item() == -1
    e2 = edl.from_dlpack(torch.utils.dlpack.to_dlpack(torch.tensor([1, 2], dtype=torch.int32)))
    assert e2.tolist() == [1, 2] and e2.dtype is ember.int32
    back = torch.utils.dlpack.from_dlpack(edl.to_dlpack(ember.tensor([1.5, 2.5])))
    assert back.tolist() == [1.5, 2.5]


def test_numpy_round_trip_shares_memory():
    e = ember.zeros(4)
    n = np.from_dlpack(e)
    n[2] = 7
    assert e.tolist() == [0.0, 0.0, 7.0, 0.0]
    e2 = ember.from_dlpack(n)
    e2[0] = 1
    assert n[0] == 1


def test_torch_tensor_and_as_tensor_of_ember_tensors():
    assert torch.tensor(ember.tensor(3.5)).item() == 3.5  # a 0-d tensor used to fail with len()
    e = ember.arange(3.0)
    a = torch.as_tensor(e)
    c = torch.tensor(e)
    a[0] = 9
    assert e[0].item() == 9 and c[0].item() == 0  # as_tensor shares, tensor copies
    assert torch.from_dlpack(ember.ones(3).expand(2, 3)).tolist() == [[1.0] * 3] * 2


def test_requires_grad_export_is_refused_as_torch():
    with pytest.raises(BufferError) as t:
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError) as e:
        ember.ones(2, requires_grad=True).__dlpack__()
    assert str(e.value) == str(t.value)
    assert tuple(int(v) for v in ember.ones(1).__dlpack_device__()) == \
        tuple(int(v) for v in torch.ones(1).__dlpack_device__())
