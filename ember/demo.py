"""The ember demo: train the seed examples on data shipped inside the package.

    python -m ember.demo            # everything
    python -m ember.demo --quick    # fewer steps (used by the tests)

1. y = sin(x) fitted by a cubic with autograd, then by a custom autograd
   Function (the Legendre polynomial P3), printing the loss as they go.
2. California Housing: linear regression with nn.Linear, MSELoss and SGD,
   compared with the closed-form least-squares solution.
3. Logistic regression: is a block's median house value above the median?
4. An MLP classifier (64-128-128-10, Adam, DataLoader) on the 1797 digits.

Loss curves are written as PNG files when matplotlib is installed.
Written exactly as PyTorch code, with `import ember as torch`.
"""
import argparse
import math
import os
import sys
import time

import ember as torch
from ember import nn
from ember.datasets import california_housing, digits


class Progress:
    """A one-line text progress bar (on a terminal; plain lines otherwise)."""

    def __init__(self, total, label):
        self.total, self.label, self.start = total, label, time.perf_counter()
        self.tty = sys.stdout.isatty()

    def update(self, done, **metrics):
        if not self.tty and done != self.total:
            return
        width = 30
        filled = int(width * done / self.total)
        text = " ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        bar = "#" * filled + "." * (width - filled)
        end = "\n" if done == self.total else ""
        print(f"\r  {self.label} [{bar}] {done}/{self.total} {text} ({time.perf_counter() - self.start:.1f} s)",
              end=end, flush=True)


def fit_sin(predict, params, lr, steps):
    """Fit y = sin(x) on [-pi, pi] with `predict(x)` by gradient descent written by hand
    (torch's autograd tutorial loop), printing the loss four times; returns every loss."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    losses = []
    for t in range(steps):
        loss = (predict(x) - y).pow(2).sum()
        losses.append(loss.item())
        if t % (steps // 4) == steps // 4 - 1:
            print(f"  step {t + 1:5d}  loss {loss.item():10.4f}")
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    return losses


def fit_cubic(steps):
    print("1a. y = sin(x) by a cubic, autograd")
    torch.manual_seed(0)
    a, b, c, d = (torch.randn((), requires_grad=True) for _ in range(4))
    fit_sin(lambda x: a + b * x + c * x ** 2 + d * x ** 3, (a, b, c, d), 1e-6, steps)
    print(f"  Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2, with its derivative written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def fit_legendre(steps):
    print("1b. y = sin(x) by a + b P3(c + d x), a custom autograd Function")
    a, b, c, d = (torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    losses = fit_sin(lambda x: a + b * LegendrePolynomial3.apply(c + d * x), (a, b, c, d), 5e-6, steps)
    print(f"  Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
    return losses


def split(n, test_fraction, seed):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(n, generator=g)
    n_test = int(n * test_fraction)
    return perm[n_test:], perm[:n_test]


def train_full_batch(model, loss_fn, opt, X, y, epochs, metric):
    """Full-batch training with a progress bar; returns the loss of each epoch."""
    bar = Progress(epochs, "epochs")
    losses = []
    for epoch in range(1, epochs + 1):
        loss = loss_fn(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        bar.update(epoch, **{metric: loss.item()})
    return losses


def housing_regression(epochs):
    print("2. California Housing: linear regression, SGD vs least squares")
    X_np, y_np = california_housing()
    X = torch.tensor(X_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.float32).view(-1, 1)
    train, test = split(len(X), 0.2, seed=0)
    mean, std = X[train].mean(0), X[train].std(0)
    X = (X - mean) / std
    torch.manual_seed(0)
    model = nn.Linear(8, 1)
    loss_fn = nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = train_full_batch(model, loss_fn, opt, X[train], y[train], epochs, "mse")
    with torch.no_grad():
        test_mse = loss_fn(model(X[test]), y[test]).item()
    # Closed form: least squares on [X, 1].
    A = torch.cat([X[train], torch.ones(len(train), 1)], dim=1).double()
    theta = torch.linalg.lstsq(A, y[train].double()).solution
    A_test = torch.cat([X[test], torch.ones(len(test), 1)], dim=1).double()
    ls_mse = ((A_test @ theta - y[test].double()) ** 2).mean().item()
    print(f"  test MSE: SGD {test_mse:.4f}, least squares {ls_mse:.4f}")
    return losses


def logistic_regression(epochs):
    print("3. Logistic regression: is a block's median house value above the median?")
    X_np, y_np = california_housing()
    X = torch.tensor(X_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.float32)
    y = (y > y.median()).float().view(-1, 1)
    train, test = split(len(X), 0.2, seed=1)
    X = (X - X[train].mean(0)) / X[train].std(0)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())
    loss_fn = nn.BCELoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = train_full_batch(model, loss_fn, opt, X[train], y[train], epochs, "bce")
    with torch.no_grad():
        acc = (model(X[test]).round() == y[test]).float().mean().item()
    print(f"  test accuracy: {acc:.4f}")
    return losses


def mlp_digits(epochs):
    print("4. MLP classifier on the digits (64-128-128-10, Adam, DataLoader)")
    X_np, y_np = digits()
    X = torch.tensor(X_np / 16.0, dtype=torch.float32)
    y = torch.tensor(y_np)
    train, test = split(len(X), 0.25, seed=2)
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X[train], y[train]), batch_size=64,
                                         shuffle=True)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    bar = Progress(epochs, "epochs")
    losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            count += len(xb)
        losses.append(total / count)
        bar.update(epoch, loss=total / count)
    model.eval()
    with torch.no_grad():
        acc = (model(X[test]).argmax(1) == y[test]).float().mean().item()
    print(f"  test accuracy: {acc:.4f}")
    return losses


def plot(curves, out_dir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no loss-curve plots)")
        return
    os.makedirs(out_dir, exist_ok=True)
    for name, values in curves.items():
        plt.figure(figsize=(5, 3.5))
        plt.plot(values)
        plt.title(name)
        plt.xlabel("step" if "legendre" in name else "epoch")
        plt.ylabel("loss")
        plt.yscale("log")
        plt.tight_layout()
        path = os.path.join(out_dir, f"{name}.png")
        plt.savefig(path)
        plt.close()
    print(f"loss curves written to {out_dir}/")


def main(argv=None):
    ap = argparse.ArgumentParser(description="train the ember demo models")
    ap.add_argument("--quick", action="store_true", help="fewer steps")
    ap.add_argument("--out", default="demo_output", help="folder for the loss-curve plots")
    args = ap.parse_args(argv)
    scale = 10 if args.quick else 1
    t0 = time.perf_counter()
    fit_cubic(2000 // scale)
    curves = {"legendre": fit_legendre(2000 // scale)}
    curves["housing_linear_regression"] = housing_regression(300 // scale)
    curves["housing_logistic_regression"] = logistic_regression(300 // scale)
    curves["digits_mlp"] = mlp_digits(30 // scale if not args.quick else 3)
    plot(curves, args.out)
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
