"""Compare ember against real PyTorch (the test oracle) on the same inputs.

    check(lambda m, x, y: m.add(x, y), [(3, 4), (4,)])

`fn(m, *tensors)` is run once with m=ember and once with m=torch, on tensors
built from the same NumPy arrays (uniform in [-2, 2], fixed seed). Forward
values, dtypes and shapes must match; then, for float inputs, the gradients of
`(out * upstream).sum()` for a random upstream gradient.
"""
import numpy as np
import torch

import ember

TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-9),
       "float16": dict(rtol=1e-2, atol=1e-3), "bfloat16": dict(rtol=2e-2, atol=1e-2)}
GRAD_TOL = {"float32": dict(rtol=1e-3, atol=1e-4), "float64": dict(rtol=1e-6, atol=1e-8),
            "float16": dict(rtol=2e-2, atol=1e-2), "bfloat16": dict(rtol=5e-2, atol=5e-2)}


def dtype_name(d):
    return str(d).split(".")[-1]


def make_arrays(shapes, dtype="float32", low=-2.0, high=2.0, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        if dtype in ("int64", "int32", "int16", "int8", "uint8"):
            lo = 0 if dtype == "uint8" else -5
            out.append(rng.integers(lo, 6, size=s).astype(dtype))
        elif dtype == "bool":
            out.append(rng.random(s) > 0.5)
        else:
            out.append(rng.uniform(low, high, size=s).astype("float64" if dtype == "bfloat16" else dtype))
    return out


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float64).numpy() if x.dtype == torch.bfloat16 else x.detach().numpy()
    if isinstance(x, ember.Tensor):
        x = x.detach().cpu()
        return np.asarray(x.double().numpy()) if x.dtype is ember.bfloat16 else x.numpy()
    return np.asarray(x)


def assert_same(e, t, tol=None, what="value"):
    """ember result e equals torch result t: type structure, shape, dtype and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{what}: {type(e)} vs {type(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, tol, f"{what}[{i}]")
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e).__name__}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs torch {tuple(t.shape)}"
        assert dtype_name(e.dtype) == dtype_name(t.dtype), f"{what}: dtype {e.dtype} vs torch {t.dtype}"
        tol = tol or TOL.get(dtype_name(t.dtype), dict(rtol=0, atol=0))
        np.testing.assert_allclose(to_numpy(e), to_numpy(t), equal_nan=True, err_msg=what, **tol)
        return
    if isinstance(t, float):
        np.testing.assert_allclose(e, t, rtol=1e-6, err_msg=what)
        return
    assert e == t, f"{what}: {e!r} vs torch {t!r}"


def check(fn, shapes, dtype="float32", grad=True, arrays=None, seed=0, tol=None, grad_tol=None, requires=None):
    """Run fn on ember and torch with the same inputs; compare outputs and gradients."""
    arrays = arrays if arrays is not None else make_arrays(shapes, dtype, seed=seed)
    is_float = dtype in ("float16", "bfloat16", "float32", "float64")
    want_grad = grad and is_float
    requires = requires if requires is not None else [want_grad] * len(arrays)
    tdt = getattr(torch, dtype)
    edt = getattr(ember, dtype)
    tt = [torch.tensor(a, dtype=tdt, requires_grad=r) for a, r in zip(arrays, requires)]
    et = [ember.tensor(a, dtype=edt, requires_grad=r) for a, r in zip(arrays, requires)]
    t_out = fn(torch, *tt)
    e_out = fn(ember, *et)
    assert_same(e_out, t_out, tol, "forward")
    if not want_grad:
        return e_out
    t_outs = [o for o in (t_out if isinstance(t_out, (tuple, list)) else [t_out])
              if isinstance(o, torch.Tensor) and o.requires_grad]
    e_outs = [o for o in (e_out if isinstance(e_out, (tuple, list)) else [e_out])
              if isinstance(o, ember.Tensor) and o.requires_grad]
    assert len(t_outs) == len(e_outs), "which outputs require grad differs from torch"
    if not t_outs:
        return e_out
    rng = np.random.default_rng(seed + 1)
    ups = [rng.uniform(-1, 1, size=tuple(o.shape)) for o in t_outs]
    t_loss = sum((o * torch.tensor(u, dtype=o.dtype)).sum() for o, u in zip(t_outs, ups))
    e_loss = sum((o * ember.tensor(u, dtype=o.dtype)).sum() for o, u in zip(e_outs, ups))
    t_loss.backward()
    e_loss.backward()
    gt = GRAD_TOL.get(dtype) if grad_tol is None else grad_tol
    for i, (a, b) in enumerate(zip(et, tt)):
        if b.grad is None:
            assert a.grad is None, f"grad[{i}]: torch has none"
        else:
            assert a.grad is not None, f"grad[{i}]: ember has none"
            assert_same(a.grad, b.grad, gt, f"grad[{i}]")
    return e_out


def same_error(fn, *args_builders):
    """fn(m) raises in torch; ember raises the same exception class. Returns both messages."""
    try:
        fn(torch)
    except Exception as te:  # noqa: BLE001
        t_exc = te
    else:
        raise AssertionError("torch did not raise")
    try:
        fn(ember)
    except Exception as ee:  # noqa: BLE001
        assert isinstance(ee, type(t_exc)) or type(ee).__name__ == type(t_exc).__name__, \
            f"ember raised {type(ee).__name__}: {ee}; torch raised {type(t_exc).__name__}: {t_exc}"
        return str(ee), str(t_exc)
    raise AssertionError(f"ember did not raise; torch raised {type(t_exc).__name__}: {t_exc}")
