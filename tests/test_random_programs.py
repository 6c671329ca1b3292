"""Random programs run on torch and on ember: same values, same gradients, same errors.

Known differences kept out of the op list (reported, owned by the op families):
ember's MulBackward0 saves both inputs, so `y = x * 0.5; x.add_(1); y.backward()`
raises in ember where torch, which saves only what each gradient needs, does not.
Programs here avoid NaN (std of a single element would make one).

A program is a short list of steps over a pool of tensors (three leaves to start).
Each step applies one op (elementwise, reduction, matmul, view, in-place on a
non-leaf, or an op under no_grad) to pool entries picked by index, and appends
the result. A step that raises must raise the same exception class in both
libraries (and is then skipped). At the end a weighted sum of the pool is
backpropagated twice (retain_graph=True, then again), and every leaf's .grad
must match after each call - or both must raise the same class.
"""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

SHAPES = [(3, 4), (4,), (3, 1), (4, 3), (2, 3, 4), ()]


def _unary(name):
    return lambda m, a, b, k: getattr(a, name)()


OPS = {
    "add": lambda m, a, b, k: a + b,
    "sub": lambda m, a, b, k: a - b,
    "mul": lambda m, a, b, k: a * b,
    "div": lambda m, a, b, k: a / (b * b + 1.0),
    "pow": lambda m, a, b, k: (a * a + 0.5) ** 1.5,
    "rsub_scalar": lambda m, a, b, k: 2.0 - a,
    "maximum": lambda m, a, b, k: m.maximum(a, b),
    "where": lambda m, a, b, k: m.where(a > 0, a, b),
    "exp": lambda m, a, b, k: a.tanh().exp(),
    "neg": _unary("neg"),
    "sin": _unary("sin"),
    "tanh": _unary("tanh"),
    "sigmoid": _unary("sigmoid"),
    "relu": _unary("relu"),
    "abs": _unary("abs"),
    "sqrt": lambda m, a, b, k: (a * a + 1.0).sqrt(),
    "log": lambda m, a, b, k: (a.abs() + 1.0).log(),
    "sum_all": lambda m, a, b, k: a.sum(),
    "sum_dim": lambda m, a, b, k: a.sum(dim=k % 3 - 1, keepdim=bool(k % 2)),
    "mean_dim": lambda m, a, b, k: a.mean(dim=-1),
    "max_dim": lambda m, a, b, k: a.max(dim=k % 2)[0],
    "matmul": lambda m, a, b, k: m.matmul(a, b),
    "transpose": lambda m, a, b, k: a.transpose(0, 1),
    "t": lambda m, a, b, k: a.t(),
    "slice": lambda m, a, b, k: a[1:],
    "slice_step": lambda m, a, b, k: a[..., ::2],
    "select": lambda m, a, b, k: a[k % 2],
    "reshape": lambda m, a, b, k: a.reshape(-1),
    "view_split": lambda m, a, b, k: a.reshape(-1).view(2, -1),
    "unsqueeze": lambda m, a, b, k: a.unsqueeze(0),
    "expand": lambda m, a, b, k: a.expand(2, *a.shape),
    "cat": lambda m, a, b, k: m.cat([a, b], dim=0),
    "add_": lambda m, a, b, k: a.add_(b),
    "mul_": lambda m, a, b, k: a.mul_(2.0),
    "clone_mul_": lambda m, a, b, k: a.clone().mul_(b),
    "no_grad_mul": lambda m, a, b, k: _no_grad(m, lambda: a * b),
    "detach": lambda m, a, b, k: a.detach() * 2 + b,
    "split": lambda m, a, b, k: a.reshape(-1).split(2)[k % 2],
    "unbind_sum": lambda m, a, b, k: a.unbind(0)[0] * 2 + a.unbind(0)[-1],
    "to_double": lambda m, a, b, k: a * b.double(),
    "softmax": lambda m, a, b, k: a.softmax(dim=-1),
    "clone_view_add_": lambda m, a, b, k: _view_add(a, b),
    "index_tensor": lambda m, a, b, k: a[m.tensor([k % 2, 0])],
    "masked_fill": lambda m, a, b, k: a.masked_fill(a > 0.3, 0.5),
    "clamp": lambda m, a, b, k: a.clamp(-0.5, 0.3),
    "pow_tensor": lambda m, a, b, k: (a * a + 0.5) ** b,
    "mean_all": lambda m, a, b, k: a.mean(),
    "var": lambda m, a, b, k: a.var(dim=-1, correction=0),  # std of one element is NaN: see below
    "logsumexp": lambda m, a, b, k: a.logsumexp(dim=-1),
    "cumsum": lambda m, a, b, k: a.cumsum(dim=-1),
    "norm": lambda m, a, b, k: a.norm(),
    "flip": lambda m, a, b, k: a.flip(-1),
    "roll": lambda m, a, b, k: a.reshape(-1).roll(1, 0),
    "roll_dim": lambda m, a, b, k: a.roll(1, -1),  # a 0-d tensor has no dim to roll along
    "repeat": lambda m, a, b, k: a.repeat(2, 1),
    "stack": lambda m, a, b, k: m.stack([a, b]),
    "squeeze": lambda m, a, b, k: a.squeeze(),
    "permute": lambda m, a, b, k: a.permute(list(reversed(range(a.dim())))),
    "gather": lambda m, a, b, k: a.gather(-1, m.zeros(a.shape, dtype=m.int64)),
    "scatter_add": lambda m, a, b, k: a.reshape(-1).scatter_add(0, m.zeros(b.numel(), dtype=m.int64), b.reshape(-1)),
    "scatter_add_0d": lambda m, a, b, k: a.sum().scatter_add(0, m.zeros((), dtype=m.int64), b.sum()),
    "masked_fill_other": lambda m, a, b, k: a.masked_fill(b > 0.3, 0.5),  # the mask may not broadcast
    "prod": lambda m, a, b, k: (a * 0.5 + 1.0).prod(dim=-1),
    "einsum": lambda m, a, b, k: m.einsum("ij,jk->ik", a, b),
    "index_put_": lambda m, a, b, k: _index_put(a, b),
    "minimum_bcast": lambda m, a, b, k: m.minimum(a, b) * a,
    "softplus": lambda m, a, b, k: m.nn.functional.softplus(a),
    "gelu": lambda m, a, b, k: m.nn.functional.gelu(a),
    "linear": lambda m, a, b, k: m.nn.functional.linear(a, b.reshape(1, -1)),
    "linear_vector_weight": lambda m, a, b, k: m.nn.functional.linear(a, b.reshape(-1)),
    "bmm": lambda m, a, b, k: m.bmm(a, b),
}


def _index_put(a, b):
    c = a * 1
    c[0] = b[0] * 2  # setitem on a non-leaf
    return c


def _view_add(a, b):
    c = a.clone()
    c[0].add_(b[0])  # in-place through a view of a non-leaf: the base's history is rewritten
    return c


def _no_grad(m, fn):
    with m.no_grad():
        return fn()


def _tolerance(t, single):
    """Relative, plus an absolute part scaled by the array's magnitude (sums cancel differently).
    Programs on float32 inputs get float32 tolerances even where a result was promoted to float64."""
    finite = np.abs(t[np.isfinite(t)])
    scale = 1.0 + (float(finite.max()) if finite.size else 0.0)
    if single:
        return dict(rtol=1e-4, atol=1e-5 * scale)
    return dict(rtol=1e-7, atol=1e-10 * scale)


def run(m, shapes, seed, steps, dtype):
    """Run a program; return its trace: one entry per step, then the gradients."""
    rng = np.random.default_rng(seed)
    dt = getattr(m, dtype)
    leaves = [m.tensor(rng.uniform(-1, 1, s), dtype=dt, requires_grad=True) for s in shapes]
    pool = list(leaves)
    trace = []
    for op, i, j, k in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        try:
            out = OPS[op](m, a, b, k)
        except Exception as e:  # noqa: BLE001 - errors are part of the trace
            trace.append(("error", op, type(e).__name__))
            continue
        pool.append(out)
        trace.append(("value", op, out.detach().numpy().copy(), out.requires_grad, str(out.dtype).split(".")[-1]))
    weights = np.linspace(0.5, 1.5, len(pool))
    try:
        loss = sum(float(w) * p.sum() for w, p in zip(weights, pool) if p.requires_grad)
        for retain in (True, False):
            loss.backward(retain_graph=retain)
            trace.append(("grads", [None if x.grad is None else x.grad.numpy().copy() for x in leaves]))
    except Exception as e:  # noqa: BLE001
        trace.append(("error", "backward", type(e).__name__))
    return trace


def run_second_order(m, shapes, seed, steps, dtype):
    """The same program; then d/dleaves of |d loss / d leaves|^2 through create_graph=True."""
    trace = run(m, shapes, seed, steps, dtype)[:len(steps)]  # the values, without the two backward calls
    rng = np.random.default_rng(seed)
    dt = getattr(m, dtype)
    leaves = [m.tensor(rng.uniform(-1, 1, s), dtype=dt, requires_grad=True) for s in shapes]
    pool = list(leaves)
    for op, i, j, k in steps:
        try:
            pool.append(OPS[op](m, pool[i % len(pool)], pool[j % len(pool)], k))
        except Exception:  # noqa: BLE001 - already compared in the trace
            pass
    try:
        loss = sum(p.sum() for p in pool if p.requires_grad)
        grads = m.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
        trace.append(("grads", [_values(g, x) for g, x in zip(grads, leaves)]))
        square = [(g * g).sum() for g in grads if g is not None and g.requires_grad]
        if square:
            sum(square).backward()
        trace.append(("grads", [_values(x.grad, x) for x in leaves]))
    except Exception as e:  # noqa: BLE001
        trace.append(("error", "double backward", type(e).__name__))
    return trace


def _values(g, like):
    """A gradient's values; None (no path) as zeros: torch links zero-derivative paths (relu, abs...)
    into the double-backward graph and gets zeros where ember finds no path."""
    if g is None or isinstance(g, torch.Tensor) and g._is_zerotensor():  # torch's lazy zeros have no data
        return np.zeros(tuple(like.shape))
    return g.detach().numpy().astype(np.float64)


def compare(te, tt, dtype="float64"):
    single = dtype == "float32"
    assert len(te) == len(tt), f"ember trace {[s[:2] for s in te]} vs torch {[s[:2] for s in tt]}"
    for e, t in zip(te, tt):
        assert e[0] == t[0] and e[1] == t[1] if e[0] != "grads" else e[0] == t[0], f"ember {e[:3]} vs torch {t[:3]}"
        if t[0] == "error":
            assert e[2] == t[2], f"{t[1]}: ember raised {e[2]}, torch raised {t[2]}"
        elif t[0] == "value":
            assert e[2].shape == t[2].shape, f"{t[1]}: shape {e[2].shape} vs {t[2].shape}"
            assert e[3] == t[3], f"{t[1]}: requires_grad {e[3]} vs {t[3]}"
            assert e[4] == t[4], f"{t[1]}: dtype {e[4]} vs {t[4]}"
            np.testing.assert_allclose(e[2], t[2], equal_nan=True, err_msg=t[1], **_tolerance(t[2], single))
        else:
            for i, (ge, gt) in enumerate(zip(e[1], t[1])):
                assert (ge is None) == (gt is None), f"grad {i}: ember {ge} vs torch {gt}"
                if gt is not None:
                    np.testing.assert_allclose(ge, gt, equal_nan=True, err_msg=f"grad {i}", **_tolerance(gt, single))


program = st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 30), st.integers(0, 30),
                             st.integers(0, 5)), min_size=1, max_size=8)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(shapes=st.lists(st.sampled_from(SHAPES), min_size=3, max_size=3), seed=st.integers(0, 2**16),
       steps=program, dtype=st.sampled_from(["float64", "float64", "float32"]))
def test_random_program_matches_torch(shapes, seed, steps, dtype):
    compare(run(ember, shapes, seed, steps, dtype), run(torch, shapes, seed, steps, dtype), dtype)


def test_programs_exercise_errors_in_place_and_no_grad():
    """The fixed examples above include the interesting cases (checked on torch's side)."""
    trace = run(torch, [(3, 4), (4,), (3, 1)], 0,
                [("mul", 0, 1, 0), ("add_", 3, 1, 0), ("matmul", 0, 0, 0), ("add_", 0, 1, 0),
                 ("no_grad_mul", 0, 1, 0)], "float64")
    kinds = [s[0] + ":" + s[1] for s in trace if s[0] != "grads"]
    assert "error:matmul" in kinds and "error:add_" in kinds and "value:no_grad_mul" in kinds
    compare(run(ember, [(3, 4), (4,), (3, 1)], 0,
                [("mul", 0, 1, 0), ("add_", 3, 1, 0), ("matmul", 0, 0, 0), ("add_", 0, 1, 0),
                 ("no_grad_mul", 0, 1, 0)], "float64"), trace)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(shapes=st.lists(st.sampled_from(SHAPES), min_size=3, max_size=3), seed=st.integers(0, 2**16),
       steps=program)
def test_random_program_second_order_matches_torch(shapes, seed, steps):
    compare(run_second_order(ember, shapes, seed, steps, "float64"),
            run_second_order(torch, shapes, seed, steps, "float64"))
