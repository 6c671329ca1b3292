"""StepLR, OneCycleLR and SequentialLR(LinearLR, CosineAnnealingWarmRestarts) in training loops;
gradient clipping with clip_grad_norm_ (2-norm and inf-norm) and clip_grad_value_."""
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(128, 10)
Y = torch.randint(0, 2, (128,)).float()
model = nn.Sequential(nn.Linear(10, 32), nn.SiLU(), nn.Linear(32, 1))
loss_fn = nn.BCEWithLogitsLoss()

opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, nesterov=True)
step_lr = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
for epoch in range(8):
    opt.zero_grad()
    loss = loss_fn(model(X).squeeze(1), Y)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    opt.step()
    step_lr.step()
    print(f"steplr epoch {epoch} loss {loss.item():.6f} norm {norm.item():.6f} lr {step_lr.get_last_lr()[0]:.6f}")

opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
one_cycle = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=12)
for step in range(12):
    opt.zero_grad()
    loss = loss_fn(model(X).squeeze(1), Y)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0, norm_type=2.0)
    nn.utils.clip_grad_value_(model.parameters(), clip_value=0.2)
    opt.step()
    one_cycle.step()
    print(f"onecycle step {step} loss {loss.item():.6f} norm {norm.item():.6f} "
          f"lr {one_cycle.get_last_lr()[0]:.6f} beta1 {opt.param_groups[0]['betas'][0]:.6f}")

# warm-up then cosine with warm restarts, chained by SequentialLR
opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-4)
warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
restarts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)
sched = torch.optim.lr_scheduler.SequentialLR(opt, [warmup, restarts], milestones=[3])
for step in range(10):
    opt.zero_grad()
    loss = loss_fn(model(X).squeeze(1), Y)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0, norm_type=float("inf"))
    opt.step()
    sched.step()
    print(f"sequential step {step} loss {loss.item():.6f} norm {norm.item():.6f} lr {sched.get_last_lr()[0]:.6f}")
