"""NAdam and RAdam against torch: 50 steps, equal at every step (helpers from test_optim)."""
import numpy as np
import pytest
import torch

import ember
from oracle import same_error
from test_optim import TOL, run_against_torch

CASES = [
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.02, weight_decay=0.2, decoupled_weight_decay=True, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch_every_step(name, kwargs, dtype):
    eo, to = run_against_torch(name, kwargs, dtype)
    sd, tsd = eo.state_dict(), to.state_dict()
    assert sd["param_groups"][0] == tsd["param_groups"][0]
    for i, s in tsd["state"].items():
        assert set(sd["state"][i]) == set(s)
        for k, v in s.items():
            assert str(sd["state"][i][k].dtype) == str(v.dtype).replace("torch", "ember") or k == "step"
            np.testing.assert_allclose(sd["state"][i][k].numpy(), v.numpy(), **TOL)


@pytest.mark.parametrize("name,kw", [("NAdam", dict(lr=-1)), ("NAdam", dict(momentum_decay=-1)),
                                     ("RAdam", dict(betas=(0.5, 1.0))), ("RAdam", dict(eps=-1))])
def test_invalid_hyperparameters(name, kw):
    same_error(lambda m: getattr(m.optim, name)([m.zeros(2, requires_grad=True)], **kw))
