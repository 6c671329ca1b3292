"""LeNet-5 style convnet on synthetic 1x28x28 images: Conv2d, BatchNorm2d, MaxPool2d,
Dropout, SGD with momentum, train() and eval() phases."""
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
n_train, n_test = 128, 64
templates = torch.randn(4, 1, 28, 28)
y_train = torch.randint(0, 4, (n_train,))
y_test = torch.randint(0, 4, (n_test,))
x_train = templates[y_train] + 1.5 * torch.randn(n_train, 1, 28, 28)
x_test = templates[y_test] + 1.5 * torch.randn(n_test, 1, 28, 28)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        x = self.drop(torch.flatten(x, 1))
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


model = LeNet()
opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
for epoch in range(4):
    model.train()
    perm = torch.randperm(n_train)
    total = 0.0
    for i in range(0, n_train, 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        loss.backward()
        opt.step()
        total += loss.item()
    model.eval()
    with torch.no_grad():
        out = model(x_test)
        acc = (out.argmax(1) == y_test).float().mean().item()
        test_loss = F.cross_entropy(out, y_test).item()
    print(f"epoch {epoch} loss {total / 4:.6f} test_loss {test_loss:.6f} acc {acc:.4f}")
print(f"running_mean {model.bn2.running_mean.sum().item():.6f} running_var {model.bn2.running_var.sum().item():.6f}")
