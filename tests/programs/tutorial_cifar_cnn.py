"""Tutorial (issue 10, section 1): the CIFAR-10 classifier tutorial on torchvision's FakeData,
with the training augmentation (RandomCrop with padding, RandomHorizontalFlip), ToTensor and
Normalize, a shuffling DataLoader and SGD with momentum; then evaluation on a held-out split."""
import torch
import torchvision
import torchvision.transforms as T
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(0)
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
train_tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(MEAN, STD)])
test_tf = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
train_set = torchvision.datasets.FakeData(size=96, image_size=(3, 32, 32), num_classes=10, transform=train_tf)
test_set = torchvision.datasets.FakeData(size=32, image_size=(3, 32, 32), num_classes=10, transform=test_tf,
                                         random_offset=1000)
train_loader = DataLoader(train_set, batch_size=16, shuffle=True)
test_loader = DataLoader(test_set, batch_size=16, shuffle=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(8, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

images, labels = next(iter(train_loader))
print(f"batch {tuple(images.shape)} labels {labels[:8].tolist()} mean {images.mean().item():.4f} "
      f"std {images.std().item():.4f}")
for epoch in range(3):
    running = 0.0
    for i, (inputs, labels) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        running += loss.item()
        if i % 3 == 2:
            print(f"epoch {epoch} step {i + 1} loss {running / 3:.4f}")
            running = 0.0

net.eval()
correct = total = 0
with torch.no_grad():
    for images, labels in test_loader:
        predicted = net(images).argmax(1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
print(f"test accuracy {correct}/{total}")
