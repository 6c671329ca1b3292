"""`python -m ember run` on an unmodified torchvision program: `import torchvision` is ember.vision,
and a small CIFAR-like CNN trained on FakeData through transforms and a DataLoader learns."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAM = textwrap.dedent('''
    import torch
    import torchvision
    import torchvision.transforms as T
    import torchvision.transforms.v2
    import torchvision.transforms.functional
    import torchvision.datasets
    import torchvision.models
    import torchvision.utils
    import torchvision.ops
    from torch import nn
    from torch.utils.data import DataLoader

    assert torchvision.__name__ == "ember.vision" and torch.__name__ == "ember"
    assert torchvision.transforms.v2.RandomCrop is not None and torchvision.ops.nms is not None
    torch.manual_seed(0)
    tf = T.Compose([T.Resize(16), T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
    data = torchvision.datasets.FakeData(size=64, image_size=(3, 24, 24), num_classes=4, transform=tf)
    loader = DataLoader(data, batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(1024, 4))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(12):
        total, correct, loss_sum = 0, 0, 0.0
        for x, y in loader:
            opt.zero_grad()
            out = model(x)
            loss = nn.functional.cross_entropy(out, y)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
        print(f"epoch {epoch} loss {loss_sum / total:.4f} acc {correct / total:.3f}")
    grid = torchvision.utils.make_grid(next(iter(loader))[0][:8], nrow=4, normalize=True)
    print("grid", tuple(grid.shape))
''')


def test_cnn_on_fakedata_under_ember_run(tmp_path):
    prog = tmp_path / "train_fake.py"
    prog.write_text(PROGRAM)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-m", "ember", "run", str(prog)], capture_output=True, text=True,
                         env=env, timeout=300, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.split("\n")
    epochs = [line.split() for line in lines if line.startswith("epoch")]
    assert len(epochs) == 12
    losses, accs = [float(e[3]) for e in epochs], [float(e[5]) for e in epochs]
    assert losses[-1] < 0.6 * losses[0], losses  # random labels on 64 images: memorised
    assert accs[-1] > 0.6, accs  # chance is 0.25
    assert "grid (3, 38, 74)" in res.stdout
