"""Classification with a shuffled DataLoader over a TensorDataset (CrossEntropyLoss, Adam)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
torch.manual_seed(0)
centers = torch.randn(3, 4) * 2
labels = torch.randint(0, 3, (300,))
X = centers[labels] + torch.randn(300, 4)
loader = DataLoader(TensorDataset(X, labels), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)).to(device)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(8):
    total, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
        correct += (out.argmax(1) == yb).sum().item()
        seen += len(yb)
    print(f"epoch {epoch} loss {total / seen:.6f} acc {correct / seen:.4f}")
