"""Tutorial (issue 10, section 2): automatic mixed precision on the CPU. A small conv net trained
with its forward pass and loss under torch.autocast("cpu", dtype=torch.bfloat16): conv and linear
run in bfloat16, the loss in float32, a region inside opts out with autocast(enabled=False), and a
function decorated with torch.autocast; the backward pass runs outside autocast and the gradients
come back in the parameters' float32."""
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
X = torch.randn(64, 1, 12, 12)
Y = (X.mean(dim=(1, 2, 3)) > 0).long() + (X[:, 0, :6].mean(dim=(1, 2)) > 0).long()  # 3 classes


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.norm = nn.LayerNorm([8, 6, 6])
        self.fc = nn.Linear(8 * 6 * 6, 3)

    def forward(self, x):
        h = F.max_pool2d(torch.relu(self.conv(x)), 2)
        with torch.autocast(device_type="cpu", enabled=False):
            h = self.norm(h.float())  # kept in float32
        return self.fc(h.flatten(1))


@torch.autocast(device_type="cpu", dtype=torch.bfloat16)
def predict(model, x):
    return model(x).softmax(dim=1)


def name(t):
    return str(getattr(t, "dtype", t)).split(".")[-1]


model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(15):
    opt.zero_grad()
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        logits = model(X)
        loss = F.cross_entropy(logits, Y)
        if step == 0:
            print("enabled", torch.is_autocast_enabled("cpu"), "dtype", name(torch.get_autocast_dtype("cpu")))
    loss.backward()
    opt.step()
    if step == 0:
        print("logits", name(logits), "loss", name(loss), "grad", name(model.fc.weight.grad))
    print(f"step {step} loss {loss.item():.3f}")

probs = predict(model, X[:4])
print("predict", name(probs), probs.argmax(1).tolist(), Y[:4].tolist(),
      [f"{p:.2f}" for p in probs.max(1).values.float().tolist()])
with torch.no_grad():
    full = F.cross_entropy(model(X), Y).item()
    acc = (model(X).argmax(1) == Y).float().mean().item()
print(f"float32 loss {full:.3f} accuracy {acc:.3f}")
