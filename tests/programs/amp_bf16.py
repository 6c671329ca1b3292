"""Mixed precision on the CPU, as in PyTorch's AMP recipe: an MLP classifier trained
with Adam for 20 steps, its forward pass and loss under torch.autocast("cpu") in
bfloat16 (the Linear layers run in bfloat16, cross_entropy in float32), the backward
pass outside it, and a GradScaler in the loop (bfloat16 needs none, but recipes keep
one so the same loop also runs float16).
"""
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(256, 20)
true_w = torch.randn(20, 4)
Y = (X @ true_w + 0.1 * torch.randn(256, 4)).argmax(1)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()
scaler = torch.amp.GradScaler("cpu")


def dtype_name(t):
    return str(t.dtype).split(".")[-1]


for step in range(20):
    opt.zero_grad()
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        logits = model(X)
        loss = loss_fn(logits, Y)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    print(f"step {step} loss {loss.item():.6f} dtypes {dtype_name(logits)} {dtype_name(loss)}")

print("weight", dtype_name(model[0].weight), "grad", dtype_name(model[0].weight.grad), "scale", scaler.get_scale())
with torch.no_grad(), torch.autocast("cpu"):
    final = loss_fn(model(X), Y)
print(f"final loss {final.item():.6f}")
