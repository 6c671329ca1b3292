"""The GPU workloads of `python -m ember.bench --device cuda`: ember and torch on the same GPU.

Each setup(m, device) builds the model and data on `device` and returns one training step.
Timing synchronizes the device after each repeat (kernels are queued asynchronously), so a
repeat's time is the GPU's. When torch has no CUDA (a CPU build, or ember's CPU stand-in for
CuPy under EMBER_FAKE_CUDA=1), only ember is timed: the run then checks that every workload
runs end to end (at reduced sizes, named in the table), and its times are NumPy's, not a GPU's.
"""
import statistics
import time

import numpy as np


def _batch(m, device, shape, classes):
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal(shape), dtype=m.float32, device=device)
    y = m.tensor(rng.integers(0, classes, shape[0]), device=device)
    return x, y


def _classifier_step(m, model, opt, x, y):
    loss_fn = m.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def mlp_step(m, device):
    """A 784-1024-1024-10 MLP step at batch 512, SGD momentum."""
    x, y = _batch(m, device, (512, 784), 10)
    nn = m.nn
    m.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                          nn.Linear(1024, 10)).to(device)
    return _classifier_step(m, model, m.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), x, y)


def gpt_step(m, device, batch=64, seq=128, width=256, heads=4, layers=4, vocab=2048):
    """A decoder-only transformer (pre-norm, causal attention, GELU MLP) step at batch 64, AdamW."""
    nn, F = m.nn, m.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
            self.fc, self.out = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

        def forward(self, h):
            b, t, c = h.shape
            q, k, v = self.qkv(self.ln1(h)).split(width, dim=2)
            q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            h = h + self.proj(a.transpose(1, 2).reshape(b, t, c))
            return h + self.out(F.gelu(self.fc(self.ln2(h))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, width), nn.Embedding(seq, width)
            self.blocks = nn.Sequential(*[Block() for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(width), nn.Linear(width, vocab, bias=False)

        def forward(self, idx):
            h = self.tok(idx) + self.pos(m.arange(idx.shape[1], device=idx.device))
            return self.head(self.ln(self.blocks(h)))

    m.manual_seed(0)
    model = GPT().to(device)
    rng = np.random.default_rng(0)
    idx = m.tensor(rng.integers(0, vocab, (batch, seq + 1)), device=device)
    x, y = idx[:, :-1], idx[:, 1:]
    opt = m.optim.AdamW(model.parameters(), lr=3e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1)).backward()
        opt.step()

    return step


def resnet_step(m, device, batch=32, size=32):
    """A ResNet-18-style step (4 stages of 2 basic blocks, 64-512 channels) at batch 32 on 32x32 images."""
    nn = m.nn

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                          if stride != 1 or cin != cout else nn.Identity())

        def forward(self, x):
            return (self.b2(self.c2(self.b1(self.c1(x)).relu())) + self.short(x)).relu()

    layers, cin = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()], 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    m.manual_seed(0)
    model = nn.Sequential(*layers).to(device)
    x, y = _batch(m, device, (batch, 3, size, size), 10)
    return _classifier_step(m, model, m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), x, y)


def adam_step(m, device):
    """Adam's update over 10M parameters (10 tensors of 1M) with gradients in place."""
    m.manual_seed(0)
    params = [m.nn.Parameter(m.randn(1000, 1000, device=device)) for _ in range(10)]
    for p in params:
        p.grad = m.randn(1000, 1000, device=device)
    opt = m.optim.Adam(params, lr=1e-3)
    return opt.step


# (name, setup, iterations per repeat, target ratio ember/torch, the stand-in's smaller sizes)
WORKLOADS = [
    ("MLP 784-1024-1024-10 step b512", mlp_step, 10, 1.0, {}),
    ("GPT 4x256 seq128 step b64", gpt_step, 3, 1.3, dict(batch=4, seq=32)),
    ("ResNet-18-style step b32 32x32", resnet_step, 3, 1.3, dict(batch=2, size=16)),
    ("Adam over 10M parameters", adam_step, 10, 1.0, {}),
]


def _time(fn, sync, iters, repeats):
    fn()
    sync()  # warm up (CuPy compiles each kernel on first use)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        sync()
        times.append((time.perf_counter() - t) / iters)
    return times


def run(ember, torch, k, repeats, fmt):
    """Time each workload on cuda; torch too when it has CUDA. The number of failed workloads."""
    torch_cuda = torch is not None and torch.cuda.is_available()
    stand_in = not torch_cuda
    if stand_in:
        repeats = min(repeats, 2)  # and one iteration each: the stand-in shows that it runs
    print(f"device: {ember.cuda.get_device_name()}" + ("" if torch_cuda else
          " (torch has no CUDA here: ember alone, times are not a GPU's)"))
    print(f"{'workload':34s} {'ember':>12s} {'torch':>12s} {'ratio':>7s} {'target':>7s}")
    failed = 0
    for name, setup, iters, target, small in WORKLOADS:
        if k and k.lower() not in name.lower():
            continue
        n = 1 if stand_in else iters
        if stand_in and small:
            name = f"{name.split(' step')[0]} ({', '.join(f'{a}={v}' for a, v in small.items())})"
        try:
            te = _time(setup(ember, "cuda", **(small if stand_in else {})), ember.cuda.synchronize, n, repeats)
            tt = _time(setup(torch, "cuda"), torch.cuda.synchronize, n, repeats) if torch_cuda else None
        except Exception as e:  # noqa: BLE001 - report and go on with the other workloads
            print(f"{name:34s} failed: {type(e).__name__}: {e}")
            failed += 1
            continue
        if tt is None:
            print(f"{name:34s} {fmt(statistics.median(te))} {'-':>12s} {'-':>7s} {target:7.2f}")
            continue
        ratio = statistics.median(e / t for e, t in zip(te, tt))
        mark = "" if ratio <= target else "  (over target)"
        print(f"{name:34s} {fmt(statistics.median(te))} {fmt(statistics.median(tt))} {ratio:7.2f} "
              f"{target:7.2f}{mark}")
    return failed
