"""GRU regressor (batch_first) predicting the next value of noisy sine waves, Adam."""
import math

import torch
from torch import nn

torch.manual_seed(0)
t = torch.arange(0, 21, dtype=torch.float32) * 0.3
phase = torch.rand(64, 1) * 2 * math.pi
waves = torch.sin(t + phase) + 0.05 * torch.randn(64, 21)
inputs = waves[:, :-1].unsqueeze(-1)   # (batch, seq, 1)
targets = waves[:, 1:].unsqueeze(-1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, 16, batch_first=True)
        self.rnn2 = nn.RNN(16, 8, batch_first=True, nonlinearity="tanh")
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        out, h = self.rnn(x)
        out, _ = self.rnn2(out)
        return self.head(out)


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for step in range(40):
    opt.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    opt.step()
    if step % 2 == 1:
        print(f"step {step} loss {loss.item():.6f}")
