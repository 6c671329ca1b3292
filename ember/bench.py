"""Benchmark: the same workloads timed with ember and with PyTorch in one run.

    python -m ember.bench            # all workloads
    python -m ember.bench -k matmul  # only those whose name contains 'matmul'
    python -m ember.bench --device cuda  # the GPU workloads (ember/_bench_gpu.py), vs torch on the GPU

Both libraries run at one thread (OMP_NUM_THREADS=1 is set before NumPy and
torch load). Each workload is written once, against a module `m` that is
either ember or torch; the two alternate repeat by repeat. The table gives
each library's median time per iteration and the median of the per-repeat
ratios ember/torch (lower is better for ember) next to the target ratio. PyTorch is needed (the test
extras install it); ember never imports it outside this script.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


# -- workloads: setup(m) returns a zero-argument function doing one iteration --------------
def tiny_op_nograd(m):
    a, b = m.ones(3), m.ones(3)
    return lambda: a + b


def tiny_op_grad(m):
    x, b = m.ones(3, requires_grad=True), m.ones(3)
    return lambda: x * b


def small_graph_fwd_bwd(m):
    x, b = m.ones(3, requires_grad=True), m.ones(3)

    def step():
        (x * b + b).sum().backward()

    return step


def legendre_loop(m):
    """One iteration of the seeds' Legendre fit (s1c): custom Function, 2000 points."""

    class P3(m.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    x = m.linspace(-math.pi, math.pi, 2000)
    y = m.sin(x)
    a, b, c, d = (m.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))

    def step():
        y_pred = a + b * P3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with m.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None

    return step


def one_hidden_layer_loop(m):
    """One iteration of the seeds' tanh network (s4): 100x50 inputs, 11 hidden units."""
    rng = np.random.default_rng(0)
    X = m.tensor(rng.standard_normal((100, 50)), dtype=m.float32)
    y = m.tensor(np.sign(rng.standard_normal(100)), dtype=m.float32)
    W = m.tensor(rng.standard_normal((50, 11)), dtype=m.float32).requires_grad_()
    w = m.tensor(rng.standard_normal(11), dtype=m.float32).requires_grad_()

    def step():
        h = X @ W
        y_pred = m.tanh(h) @ w
        loss = 0.5 * ((y_pred - y) ** 2).mean()
        loss.item()
        if W.grad is not None:
            W.grad.zero_()
            w.grad.zero_()
        loss.backward()
        W.data -= 0.1 * W.grad
        w.data -= 0.1 * w.grad

    return step


def matmul_1024_fwd_bwd(m):
    rng = np.random.default_rng(0)
    a = m.tensor(rng.standard_normal((1024, 1024)), dtype=m.float32, requires_grad=True)
    b = m.tensor(rng.standard_normal((1024, 1024)), dtype=m.float32, requires_grad=True)

    def step():
        (a @ b).sum().backward()
        a.grad = None
        b.grad = None

    return step


def housing_step(m):
    """The seeds' California Housing step (s0): 20640x8 full batch, Linear + MSELoss + SGD."""
    from ember.datasets import california_housing

    X, y = california_housing()
    X = m.nn.functional.normalize(m.tensor(X, dtype=m.float32))
    y = m.tensor(y, dtype=m.float32).view(-1, 1)
    m.manual_seed(0)
    model = m.nn.Linear(8, 1)
    loss_fn = m.nn.MSELoss()
    opt = m.optim.SGD(model.parameters(), lr=0.5)

    def step():
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        opt.zero_grad()

    return step


def mlp_digits_epoch(m):
    """An epoch of a 64-128-128-10 MLP on the 1797 digits, Adam, DataLoader of batch 64."""
    from ember.datasets import digits

    X, y = digits()
    ds = m.utils.data.TensorDataset(m.tensor(X / 16.0, dtype=m.float32), m.tensor(y))
    m.manual_seed(0)
    loader = m.utils.data.DataLoader(ds, batch_size=64, shuffle=True)
    nn = m.nn
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = m.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()

    return epoch


def mlp_784_step(m):
    """A step of a 784-1024-1024-10 MLP at batch 256 with SGD momentum."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((256, 784)), dtype=m.float32)
    y = m.tensor(rng.integers(0, 10, 256))
    nn = m.nn
    m.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
    return _sgd_classifier_step(m, model, x, y)


def _sgd_classifier_step(m, model, x, y):
    """One step of cross-entropy training with SGD momentum on a fixed batch."""
    opt = m.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = m.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def lenet5_step(m):
    """A LeNet-5 training step at batch 64 (28x28 inputs, max-pool, SGD momentum)."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((64, 1, 28, 28)), dtype=m.float32)
    y = m.tensor(rng.integers(0, 10, 64))
    nn = m.nn
    m.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    return _sgd_classifier_step(m, model, x, y)


def conv_bn_block_step(m):
    """A 3x3 conv + BatchNorm + ReLU block at batch 32 (64 channels, 32x32), forward and backward."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((32, 64, 32, 32)), dtype=m.float32)
    nn = m.nn
    m.manual_seed(0)
    block = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
    opt = m.optim.SGD(block.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        block(x).square().mean().backward()
        opt.step()

    return step


def char_lstm_step(m):
    """A char-level LSTM language-model step: 2 layers of 128, seq 64, batch 32, vocab 65, Adam."""
    rng = np.random.default_rng(0)
    tokens = m.tensor(rng.integers(0, 65, (64, 32)))
    target = m.tensor(rng.integers(0, 65, (64 * 32,)))
    nn = m.nn
    m.manual_seed(0)
    emb, lstm, head = nn.Embedding(65, 64), nn.LSTM(64, 128, num_layers=2), nn.Linear(128, 65)
    params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = m.optim.Adam(params, lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        out, _ = lstm(emb(tokens))
        loss_fn(head(out).reshape(-1, 65), target).backward()
        opt.step()

    return step


def embedding_backward(m):
    """Embedding(10000, 200) forward and backward over 32x64 token ids."""
    rng = np.random.default_rng(0)
    idx = m.tensor(rng.integers(0, 10000, (32, 64)))
    m.manual_seed(0)
    emb = m.nn.Embedding(10000, 200)

    def step():
        emb.weight.grad = None
        emb(idx).sum().backward()

    return step


def policy_gradient_b1_step(m):
    """A REINFORCE-style step at batch 1: 784-256-4 policy, 16 single-sample forward passes."""
    rng = np.random.default_rng(0)
    obs = [m.tensor(rng.standard_normal((1, 784)), dtype=m.float32) for _ in range(16)]
    actions = rng.integers(0, 4, 16).tolist()
    nn = m.nn
    m.manual_seed(0)
    policy = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 4))
    opt = m.optim.SGD(policy.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        for o, a in zip(obs, actions):
            logp = m.log_softmax(policy(o), dim=-1)[0, a]
            (-logp).backward()
        opt.step()

    return step


def gelu_alone(m):
    """Exact F.gelu forward and backward on 16x64x512 float32."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((16, 64, 512)), dtype=m.float32, requires_grad=True)

    def step():
        x.grad = None
        m.nn.functional.gelu(x).sum().backward()

    return step


def layer_norm_fwd_bwd(m):
    """LayerNorm(512) forward and backward on 16x64x512."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((16, 64, 512)), dtype=m.float32, requires_grad=True)
    ln = m.nn.LayerNorm(512)

    def step():
        x.grad = None
        ln(x).sum().backward()

    return step


def max_pool_fwd_bwd(m):
    """max_pool2d(2) forward and backward on 32x16x32x32."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((32, 16, 32, 32)), dtype=m.float32, requires_grad=True)

    def step():
        x.grad = None
        m.nn.functional.max_pool2d(x, 2).sum().backward()

    return step


def gpt_step(m):
    """A GPT training step: 4 layers, 4 heads, n_embd 128, block 64, batch 8, vocab 65, exact GELU,
    LayerNorm, causal attention written with masked_fill + softmax, AdamW."""
    nn, F = m.nn, m.nn.functional
    T, C, H, V, B = 64, 128, 4, 65, 8

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
            self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
            self.fc, self.out = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
            self.register_buffer("mask", m.tril(m.ones(T, T)).view(1, 1, T, T))

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q, k, v = (z.view(b, t, H, c // H).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // H))
            att = F.softmax(att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf")), dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
            x = x + self.proj(y)
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(V, C), nn.Embedding(T, C)
            self.blocks = nn.Sequential(*[Block() for _ in range(4)])
            self.ln, self.head = nn.LayerNorm(C), nn.Linear(C, V)

        def forward(self, idx):
            x = self.tok(idx) + self.pos(m.arange(idx.shape[1]))
            return self.head(self.ln(self.blocks(x)))

    rng = np.random.default_rng(0)
    idx = m.tensor(rng.integers(0, V, (B, T)))
    tgt = m.tensor(rng.integers(0, V, (B, T)))
    m.manual_seed(0)
    model = GPT()
    opt = m.optim.AdamW(model.parameters(), lr=3e-4)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(idx).view(-1, V), tgt.view(-1)).backward()
        opt.step()

    return step


def inference_loop(m):
    """A no_grad evaluation loop: 64 single samples through a 64-128-128-10 MLP and argmax."""
    rng = np.random.default_rng(0)
    xs = [m.tensor(rng.standard_normal((1, 64)), dtype=m.float32) for _ in range(64)]
    nn = m.nn
    m.manual_seed(0)
    net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    net.eval()

    def step():
        with m.no_grad():
            for x in xs:
                m.softmax(net(x), dim=-1).argmax(dim=-1)

    return step


def _tiny_forward(op):
    """A tiny forward-only call (no grad) on 4x8 float32 inputs."""
    def setup(m):
        a = m.ones(4, 8)
        b = m.ones(4, 8)
        t = m.zeros(4, dtype=m.int64)
        F = m.nn.functional
        fns = {
            "view": lambda: a.view(8, 4),
            "reshape": lambda: a.reshape(-1),
            "cat": lambda: m.cat([a, b]),
            "stack": lambda: m.stack([a, b]),
            "softmax": lambda: m.softmax(a, dim=-1),
            "sigmoid": lambda: m.sigmoid(a),
            "relu": lambda: m.relu(a),
            "cross_entropy": lambda: F.cross_entropy(a, t),
        }
        return fns[op]
    return setup


# (name, setup, iterations per repeat, target ratio ember/torch)
WORKLOADS = [
    ("tiny op, no grad (a + b)", tiny_op_nograd, 20000, 1.5),
    ("tiny op, with grad (x * b)", tiny_op_grad, 20000, 1.5),
    ("3-op forward+backward", small_graph_fwd_bwd, 3000, 0.7),
    ("Legendre loop step (s1c)", legendre_loop, 300, 1.0),
    ("one-hidden-layer step (s4)", one_hidden_layer_loop, 500, 1.0),
    ("matmul 1024 forward+backward", matmul_1024_fwd_bwd, 3, 1.1),
    ("Housing step 20640x8 (s0)", housing_step, 20, 1.0),
    ("MLP 64-128-128-10 digits epoch", mlp_digits_epoch, 1, 1.0),
    ("MLP 784-1024-1024-10 step b256", mlp_784_step, 3, 1.1),
    ("LeNet-5 step b64", lenet5_step, 5, 1.2),
    ("conv3x3+BN block step b32", conv_bn_block_step, 2, 1.2),
    ("char-LSTM 2x128 seq64 b32 step", char_lstm_step, 1, 1.2),
    ("Embedding(10000, 200) backward", embedding_backward, 20, 1.2),
    ("policy-gradient b1 step", policy_gradient_b1_step, 5, 1.2),
    ("GPT 4x128 step b8 (AdamW)", gpt_step, 1, 1.2),
    ("F.gelu exact fwd+bwd 16x64x512", gelu_alone, 3, 1.5),
    ("LayerNorm fwd+bwd 16x64x512", layer_norm_fwd_bwd, 3, 1.2),
    ("max_pool2d fwd+bwd 32x16x32x32", max_pool_fwd_bwd, 3, 1.2),
    ("no_grad inference loop (64 x b1)", inference_loop, 10, 1.5),
] + [(f"tiny forward: {op}", _tiny_forward(op), 5000, 1.5)
     for op in ("view", "reshape", "cat", "stack", "softmax", "sigmoid", "relu", "cross_entropy")]


def time_pair(setup, iters, repeats, ember, torch, clock=time.perf_counter):
    """Median seconds per iteration for ember and torch, and the median of the
    per-repeat ratios. The two libraries alternate repeat by repeat, so that a
    slow spell of a shared machine hits both rather than one."""
    fns = (setup(ember), setup(torch))
    for fn in fns:
        fn()  # warm up (and fail early)
    times = ([], [])
    for _ in range(repeats):
        for fn, out in zip(fns, times):
            t = clock()
            for _ in range(iters):
                fn()
            out.append((clock() - t) / iters)
    ratios = [e / t for e, t in zip(*times)]
    return statistics.median(times[0]), statistics.median(times[1]), statistics.median(ratios)


def import_time(module):
    """Median wall time of `import module` in a fresh interpreter, with bytecode
    caching allowed as in a normal install (one warm-up run writes the cache)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["OMP_NUM_THREADS"] = "1"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 env=env).stdout) for _ in range(4)]
    return statistics.median(runs[1:])


def _fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:9.2f} ms"
    return f"{seconds:9.2f} s "


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", default="", help="only workloads whose name contains this text")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--cpu-time", action="store_true",
                    help="time with this process's CPU time, not the wall clock (steadier on a shared machine)")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("the benchmark compares with PyTorch: pip install torch (the test extras do)", file=sys.stderr)
        return 2
    import ember

    if args.device == "cuda":
        if not ember.cuda.is_available():
            print("no CUDA device: ember's CUDA backend needs CuPy and an NVIDIA GPU", file=sys.stderr)
            return 2
        from . import _bench_gpu

        return 1 if _bench_gpu.run(ember, torch, args.k, args.repeats, _fmt) else 0

    torch.set_num_threads(1)
    ember.set_num_threads(1)
    print(f"ember {ember.__version__} vs torch {torch.__version__}, 1 thread, median of {args.repeats}")
    print(f"{'workload':34s} {'ember':>12s} {'torch':>12s} {'ratio':>7s} {'target':>7s}")
    failed = 0
    for name, setup, iters, target in WORKLOADS:
        if args.k and args.k.lower() not in name.lower():
            continue
        try:
            te, tt, ratio = time_pair(setup, iters, args.repeats, ember, torch,
                                      time.process_time if args.cpu_time else time.perf_counter)
        except Exception as e:  # noqa: BLE001 - report and go on with the other workloads
            print(f"{name:34s} failed: {type(e).__name__}: {e}")
            failed += 1
            continue
        mark = "" if ratio <= target else "  (over target)"
        print(f"{name:34s} {_fmt(te)} {_fmt(tt)} {ratio:7.2f} {target:7.2f}{mark}")
    if not args.k or "import" in args.k:
        ie, it = import_time("ember"), import_time("torch")
        print(f"{'import (seconds)':34s} {_fmt(ie)} {_fmt(it)} {ie / it:7.2f}    <= 0.2 s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
