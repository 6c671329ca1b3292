"""The ember demo: train the seed examples on data shipped inside the package.

    python -m ember.demo            # everything
    python -m ember.demo --quick    # fewer steps (used by the tests)

1. y = sin(x) fitted by a cubic with autograd, then by a custom autograd
   Function (the Legendre polynomial P3), printing the loss as they go.
2. California Housing: linear regression with nn.Linear, MSELoss and SGD,
   compared with the closed-form least-squares solution.
3. Logistic regression: is a block's median house value above the median?
4. An MLP classifier (64-128-128-10, Adam, DataLoader) on the 1797 digits.

When matplotlib is installed, PNG pictures are written: the sin(x) fits, predicted
against true house values, the loss curves and the digits' confusion matrix.
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
    (torch's autograd tutorial loop), printing the loss four times; returns what the plots need."""
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
    with torch.no_grad():
        fit = predict(x)
    return {"x": x.tolist(), "y": y.tolist(), "fit": fit.tolist(), "losses": losses}


def fit_cubic(steps):
    print("1a. y = sin(x) by a cubic, autograd")
    torch.manual_seed(0)
    a, b, c, d = (torch.randn((), requires_grad=True) for _ in range(4))
    result = fit_sin(lambda x: a + b * x + c * x ** 2 + d * x ** 3, (a, b, c, d), 1e-6, steps)
    print(f"  Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
    return result


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
    result = fit_sin(lambda x: a + b * LegendrePolynomial3.apply(c + d * x), (a, b, c, d), 5e-6, steps)
    print(f"  Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
    return result


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
        sgd_pred = model(X[test])
        test_mse = loss_fn(sgd_pred, y[test]).item()
    # Closed form: least squares on [X, 1].
    A = torch.cat([X[train], torch.ones(len(train), 1)], dim=1).double()
    theta = torch.linalg.lstsq(A, y[train].double()).solution
    A_test = torch.cat([X[test], torch.ones(len(test), 1)], dim=1).double()
    ls_pred = A_test @ theta
    ls_mse = ((ls_pred - y[test].double()) ** 2).mean().item()
    print(f"  test MSE: SGD {test_mse:.4f}, least squares {ls_mse:.4f}")
    return {"losses": losses, "true": y[test].view(-1).tolist(), "sgd": sgd_pred.view(-1).tolist(),
            "least_squares": ls_pred.view(-1).tolist(), "sgd_mse": test_mse, "ls_mse": ls_mse}


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
    return {"losses": losses, "accuracy": acc}


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
        pred = model(X[test]).argmax(1)
    acc = (pred == y[test]).float().mean().item()
    print(f"  test accuracy: {acc:.4f}")
    # confusion[t][p]: how many test digits t were predicted as p
    confusion = torch.bincount(y[test] * 10 + pred, minlength=100).view(10, 10)
    return {"losses": losses, "accuracy": acc, "confusion": confusion.tolist()}


def plot_sin_fits(plt, cubic, legendre):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, fit, title in ((axes[0], cubic, "cubic a + bx + cx² + dx³"),
                           (axes[1], legendre, "Legendre a + b P3(c + dx)")):
        ax.plot(fit["x"], fit["y"], color="0.6", lw=4, label="true sin(x)")
        ax.plot(fit["x"], fit["fit"], color="C3", lw=1.5, label=f"fit (sum of squared errors {fit['losses'][-1]:.1f})")
        ax.set(title=title, xlabel="x")
        ax.legend(loc="upper left")
    axes[0].set_ylabel("y")
    fig.suptitle("y = sin(x) on [-π, π] fitted by gradient descent")
    return fig


def plot_housing_predictions(plt, h):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharex=True, sharey=True)
    lo, hi = min(h["true"]), max(h["true"])
    for ax, key, name, mse in ((axes[0], "sgd", "nn.Linear trained by SGD", h["sgd_mse"]),
                               (axes[1], "least_squares", "least squares (closed form)", h["ls_mse"])):
        ax.scatter(h["true"], h[key], s=4, alpha=0.3, label="test blocks")
        ax.plot([lo, hi], [lo, hi], color="k", lw=1, label="y = x (perfect)")
        ax.set(title=f"{name}: test MSE {mse:.3f}", xlabel="true value ($100,000)")
        ax.legend(loc="upper left")
    axes[0].set_ylabel("predicted value ($100,000)")
    fig.suptitle("California Housing: predicted against true median house value (test set)")
    return fig


def plot_loss(plt, losses, title, ylabel):
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(1, len(losses) + 1), losses, marker="o" if len(losses) < 40 else None)
    ax.set(title=title, xlabel="epoch", ylabel=ylabel, yscale="log")
    # plain numbers (0.6, 2) instead of 6x10^-1 on the log axis; whole epochs only
    from matplotlib.ticker import MaxNLocator, ScalarFormatter
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(ScalarFormatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def plot_confusion(plt, confusion, acc):
    fig, ax = plt.subplots(figsize=(6, 5.5))
    ax.imshow(confusion, cmap="Blues")
    top = max(max(row) for row in confusion)
    for t, row in enumerate(confusion):
        for p, n in enumerate(row):
            if n:
                ax.text(p, t, n, ha="center", va="center", fontsize=8, color="white" if n > top / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
           title=f"Digits MLP on its test set: accuracy {acc:.1%}")
    return fig


def plot(results, out_dir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plots)")
        return
    os.makedirs(out_dir, exist_ok=True)
    h, lr, mlp = results["housing"], results["logistic"], results["digits"]
    figures = {
        "sin_fits": plot_sin_fits(plt, results["cubic"], results["legendre"]),
        "housing_predictions": plot_housing_predictions(plt, h),
        "housing_linear_regression_loss": plot_loss(
            plt, h["losses"], f"California Housing: linear regression, MSE per epoch\n"
                              f"(test MSE: SGD {h['sgd_mse']:.3f}, least squares {h['ls_mse']:.3f})",
            "training MSE"),
        "housing_logistic_regression_loss": plot_loss(
            plt, lr["losses"], f"California Housing: logistic regression (value above median?),\n"
                               f"BCE per epoch (test accuracy {lr['accuracy']:.1%})", "training BCE"),
        "digits_mlp_loss": plot_loss(
            plt, mlp["losses"], f"Digits: MLP classifier, cross-entropy per epoch\n"
                                f"(test accuracy {mlp['accuracy']:.1%})", "training cross-entropy"),
        "digits_confusion": plot_confusion(plt, mlp["confusion"], mlp["accuracy"]),
    }
    for name, fig in figures.items():
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, f"{name}.png"), dpi=100)
        plt.close(fig)
    print(f"plots written to {out_dir}/")


def main(argv=None):
    ap = argparse.ArgumentParser(description="train the ember demo models")
    ap.add_argument("--quick", action="store_true", help="fewer steps")
    ap.add_argument("--out", default="demo_output", help="folder for the PNG plots")
    args = ap.parse_args(argv)
    scale = 10 if args.quick else 1
    t0 = time.perf_counter()
    results = {"cubic": fit_cubic(2000 // scale), "legendre": fit_legendre(2000 // scale),
               "housing": housing_regression(300 // scale), "logistic": logistic_regression(300 // scale),
               "digits": mlp_digits(30 // scale if not args.quick else 3)}
    plot(results, args.out)
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
