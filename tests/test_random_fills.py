"""cauchy_, log_normal_ and geometric_: the same numbers as torch for the same seed (and the
generator left in the same state), torch's errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import same_error

FILLS = [("cauchy_", (0.5, 2.0)), ("cauchy_", ()), ("log_normal_", (0.2, 0.7)), ("log_normal_", ()),
         ("geometric_", (0.3,))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args", FILLS)
@pytest.mark.parametrize("shape", [(7,), (100,), (3, 5)])
def test_fill_matches_torch_bit_for_bit(name, args, dtype, shape):
    torch.manual_seed(5)
    ember.manual_seed(5)
    t = getattr(torch.empty(shape, dtype=getattr(torch, dtype)), name)(*args)
    e = getattr(ember.empty(shape, dtype=getattr(ember, dtype)), name)(*args)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    np.testing.assert_array_equal(ember.rand(3, dtype=ember.float64).numpy(), torch.rand(3, dtype=torch.float64).numpy())


def test_geometric_fills_integers_too():
    torch.manual_seed(1)
    ember.manual_seed(1)
    assert ember.empty(6, dtype=ember.int64).geometric_(0.4).tolist() == \
        torch.empty(6, dtype=torch.int64).geometric_(0.4).tolist()


@pytest.mark.parametrize("call", [
    lambda m: m.ones(2).cauchy_(0, -1), lambda m: m.ones(2).log_normal_(0, 0), lambda m: m.ones(2).geometric_(1.5),
    lambda m: m.ones(2, dtype=m.int64).cauchy_(), lambda m: m.ones(2, dtype=m.int16).cauchy_(),
    lambda m: m.ones(2, dtype=m.int32).log_normal_()])
def test_errors_as_torch(call):
    ember_msg, torch_msg = same_error(call)
    assert ember_msg == torch_msg
