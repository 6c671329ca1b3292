"""Small MLP regressor on California Housing (MSELoss, SGD), full-batch.

Reads the raw StatLib file shipped in shared/data; falls back to synthetic data
when it is not there.
"""
import os

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data",
                    "cal_housing.data.gz")
if os.path.exists(path):
    raw = np.loadtxt(path, delimiter=",", dtype=np.float64)[:2000]
    x = raw[:, :8]
    y = raw[:, 8:] / 100000.0
    x = (x - x.mean(0)) / x.std(0)
    X = torch.tensor(x, dtype=torch.float32)
    Y = torch.tensor(y, dtype=torch.float32)
else:
    X = torch.randn(2000, 8)
    Y = X @ torch.randn(8, 1) * 0.5 + 2.0

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()
for epoch in range(30):
    opt.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    opt.step()
    print(f"epoch {epoch} loss {loss.item():.6f}")
