"""Functions run in child processes by test_multiprocessing (a module without torch, so that
spawned children import only ember)."""
import os

import ember
import ember.multiprocessing  # noqa: F401  (registers the tensor reducers, as a script's own import does)


def add_one_in_place(t):
    t.add_(1)


def receive_and_double(q_in, q_out):
    t = q_in.get()
    t.mul_(2)
    q_out.put(t.sum().item())


def train(rank, model, steps, lr):
    """Hogwild-style: SGD steps on the shared parameters (as in PyTorch's mnist_hogwild example)."""
    ember.manual_seed(rank)
    opt = ember.optim.SGD(model.parameters(), lr=lr)
    x = ember.linspace(-1, 1, 32).reshape(16, 2)
    y = x.sum(1, keepdim=True) * 3 - 1
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()


def write_rank(rank, t):
    t[rank] = rank + 10


def fail_on_one(rank):
    if rank == 1:
        raise ValueError("rank one is unhappy")


def exit_three(rank):
    os._exit(3)


def send_new_tensor(q):
    q.put(ember.arange(5.0) * 3)  # made here; this process exits before the parent reads it
