"""Checkpointing: train, save model and optimizer state, rebuild, reload, continue training."""
import os
import tempfile

import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(64, 5)
Y = (X[:, :1] * 2 - X[:, 1:2]).tanh() + 0.1 * torch.randn(64, 1)


def make_model():
    return nn.Sequential(nn.Linear(5, 12), nn.GELU(), nn.BatchNorm1d(12), nn.Linear(12, 1))


def train(model, opt, sched, steps, tag):
    for step in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
        sched.step()
        print(f"{tag} step {step} loss {loss.item():.6f} lr {sched.get_last_lr()[0]:.6f}")


model = make_model()
opt = torch.optim.Adam(model.parameters(), lr=0.02)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
train(model, opt, sched, 5, "first")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "ckpt.pt")
    torch.save({"model": model.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict(),
                "epoch": 5}, path)
    ckpt = torch.load(path)

torch.manual_seed(123)  # a different init: everything must come from the checkpoint
model2 = make_model()
opt2 = torch.optim.Adam(model2.parameters(), lr=0.5)
sched2 = torch.optim.lr_scheduler.ExponentialLR(opt2, gamma=0.9)
model2.load_state_dict(ckpt["model"])
opt2.load_state_dict(ckpt["optim"])
sched2.load_state_dict(ckpt["sched"])
model.eval()
model2.eval()
with torch.no_grad():
    print("identical outputs", torch.equal(model(X), model2(X)), "epoch", ckpt["epoch"])
model.train()
model2.train()
train(model, opt, sched, 3, "original")
train(model2, opt2, sched2, 3, "reloaded")
