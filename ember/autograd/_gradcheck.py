"""gradcheck and gradgradcheck: autograd's gradients against finite differences.

For f: inputs -> outputs, the Jacobian block of output k with respect to
input i is J[i][k], of shape (input.numel(), output.numel()) as in PyTorch:

- numerical: J[i][k][j, :] = (f(x + eps e_j) - f(x - eps e_j))_k / (2 eps),
  perturbing element j of input i in place (central differences);
- analytical: row by row, J[i][k][:, m] = autograd.grad(out_k, x_i, e_m),
  i.e. one vector-Jacobian product per output element.

They must agree within `atol + rtol * |numerical|`. `fast_mode` compares the
scalar v^T J u for random u, v instead of whole Jacobians (PyTorch's fast
mode). ember has no vmap and no forward-mode AD: the batched checks compare
gradients computed one by one (what a vmap computes), and the forward-AD check
gets each Jacobian column from the double-backward trick (J u = d/dv (v^T J u)).
"""
import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when a check fails (raise_exception=True)."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _is_tensor(x):
    from .._tensor import Tensor

    return isinstance(x, Tensor)


def _host(t):
    """A float64 NumPy copy of a tensor's values."""
    data = t._data
    if type(data) is not np.ndarray:
        data = data.get()
    return np.array(data, dtype=np.float64)


def _diff_outputs(out):
    return tuple(o for o in _as_tuple(out) if _is_tensor(o) and o._requires_grad)


def _real_outputs(func):
    """func with each complex output replaced by its real and imaginary parts (two real outputs).

    Like PyTorch, a complex output is checked as the two real functions Re f and Im f;
    without this, complex outputs took no part in the numerical Jacobian at all.
    """
    def split(*inputs):
        out = func(*inputs)
        if not any(_is_tensor(o) and o._dtype.is_complex for o in _as_tuple(out)):
            return out
        parts = []
        for o in _as_tuple(out):
            parts.extend((o.real, o.imag) if _is_tensor(o) and o._dtype.is_complex else (o,))
        return tuple(parts)

    return split


def _float_outputs(out):
    return tuple(o for o in _as_tuple(out) if _is_tensor(o) and o._dtype.is_floating_point)


def _fmt(matrix):
    from .._creation import tensor
    from .._dtype import float64

    return repr(tensor(matrix, dtype=float64))


def _check_inputs(inputs, func_name):
    diff = [i for i, x in enumerate(inputs) if _is_tensor(x) and x._requires_grad]
    if not diff:
        raise ValueError(f"{func_name} expects at least one input tensor to require gradient, but none of them "
                         "have requires_grad=True.")
    for i in diff:
        x = inputs[i]
        if x._dtype.name != "float64":
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=3)
        # An empty array has no overlapping elements, whatever strides NumPy gives it (it gives 0).
        if x._data.size and any(s == 0 and n > 1 for s, n in zip(x._data.strides, x._data.shape)):
            raise RuntimeError(f"The {i}th input has a dimension with stride 0. gradcheck only supports inputs that "
                               "are non-overlapping to be able to compute the numerical gradients correctly. You "
                               "should call .contiguous on the input before passing it to gradcheck.")
    return diff


def _numerical_jacobian(func, inputs, diff, eps):
    """J[i][k]: (numel of diff input i, numel of float output k), by central differences."""
    outs = _float_outputs(func(*inputs))
    jac = [[np.zeros((inputs[i]._data.size, o._data.size)) for o in outs] for i in diff]
    for a, i in enumerate(diff):
        arr = inputs[i]._data
        for j in range(arr.size):
            idx = np.unravel_index(j, arr.shape)
            orig = arr[idx].copy()
            arr[idx] = orig - eps
            lo = [_host(o).ravel() for o in _float_outputs(func(*inputs))]
            arr[idx] = orig + eps
            hi = [_host(o).ravel() for o in _float_outputs(func(*inputs))]
            arr[idx] = orig
            for k in range(len(outs)):
                jac[a][k][j] = (hi[k] - lo[k]) / (2 * eps)
    return jac


def _vjp(out, diff_inputs, grad_out):
    from . import grad as autograd_grad

    return autograd_grad((out,), diff_inputs, (grad_out,), retain_graph=True, allow_unused=True)


def _analytical_jacobian(outs, diff_inputs, check_grad_dtypes):
    """J[i][k] from one vector-Jacobian product per element of output k."""
    from .._creation import zeros_like

    jac = [[np.zeros((x._data.size, o._data.size)) for o in outs] for x in diff_inputs]
    for k, o in enumerate(outs):
        for m in range(o._data.size):
            g = zeros_like(o)
            g._data.reshape(-1)[m] = 1
            for a, (x, gx) in enumerate(zip(diff_inputs, _vjp(o, diff_inputs, g))):
                if gx is None:
                    continue
                if gx._data.shape != x._data.shape:
                    raise GradcheckError("Analytical gradient has incorrect size")
                if check_grad_dtypes and gx._dtype is not x._dtype:
                    raise GradcheckError("Gradient has dtype mismatch")
                jac[a][k][:, m] = _host(gx).ravel()
    return jac


def _forward_jacobian(outs, diff_inputs):
    """J[i][k] column by column, J u = d/dv (v^T J) u: the double-backward trick (no forward-mode AD here)."""
    from .._creation import zeros_like
    from . import grad as autograd_grad

    jac = [[np.zeros((x._data.size, o._data.size)) for o in outs] for x in diff_inputs]
    for k, o in enumerate(outs):
        v = zeros_like(o).requires_grad_(True)
        vjps = autograd_grad((o,), diff_inputs, (v,), retain_graph=True, create_graph=True, allow_unused=True)
        for a, (x, gx) in enumerate(zip(diff_inputs, vjps)):
            if gx is None or not gx._requires_grad:
                continue
            for j in range(x._data.size):
                u = zeros_like(x)
                u._data.reshape(-1)[j] = 1
                (col,) = autograd_grad((gx,), (v,), (u,), retain_graph=True, allow_unused=True)
                if col is not None:
                    jac[a][k][j] = _host(col).ravel()
    return jac


def _non_contiguous(array):
    """The same values in a strided (non-contiguous) array of the same module."""
    from .._device import xp_of

    wide = xp_of(array).repeat(array, 2, axis=-1)
    return wide[..., ::2]


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _compare(numerical, analytical, atol, rtol, raise_exception):
    for a, row in enumerate(numerical):
        for k, n in enumerate(row):
            an = analytical[a][k]
            if not np.allclose(an, n, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {k} with respect to input {a},\n"
                             f"numerical:{_fmt(n)}\nanalytical:{_fmt(an)}\n", raise_exception)
    return True


def _fast_compare(numerical, analytical, atol, rtol, raise_exception):
    """Fast mode: compare u^T J v for random unit u (inputs) and v (outputs)."""
    rng = np.random.default_rng(0)
    for a, row in enumerate(numerical):
        for k, n in enumerate(row):
            u = rng.standard_normal(n.shape[0])
            v = rng.standard_normal(n.shape[1])
            u /= max(np.linalg.norm(u), 1e-300)
            v /= max(np.linalg.norm(v), 1e-300)
            num, an = u @ n @ v, u @ analytical[a][k] @ v
            if not np.allclose(an, num, rtol=rtol, atol=atol):
                diff = np.abs(analytical[a][k] - n).max()
                return _fail(
                    f"Jacobian mismatch for output {k} with respect to input {a},\nnumerical:{float(num)}\n"
                    f"analytical:{float(an)}\n\nThe above quantities relating the numerical and analytical jacobians "
                    "are computed \nin fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more "
                    "background \nabout fast mode. Below, we recompute numerical and analytical jacobians in slow "
                    f"mode:\n\nNumerical:\n {_fmt(n)}\nAnalytical:\n{_fmt(analytical[a][k])}\n\nThe max "
                    f"per-element difference (slow mode) is: {diff}.\n", raise_exception)
    return True


def _check_undefined_grad(outs, diff_inputs, raise_exception):
    """Backward must cope with zero (never-filled) output gradients: they give zero input gradients."""
    from .._creation import zeros_like
    from . import grad as autograd_grad

    grads = autograd_grad(outs, diff_inputs, tuple(zeros_like(o) for o in outs), retain_graph=True,
                          allow_unused=True)
    for g in grads:
        if g is not None and np.any(_host(g) != 0):
            return _fail("Expected backward function to handle undefined output grads. Please look at "
                         "\"Notes about undefined output gradients\" in \"tools/autograd/derivatives.yaml\"",
                         raise_exception)
    return True


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """True when the analytical Jacobian of `func` at `inputs` matches finite differences.

    Otherwise raises GradcheckError ("Jacobian mismatch for output k with respect
    to input i, ...") or, with raise_exception=False, returns False.
    """
    inputs = _as_tuple(inputs)
    func = _real_outputs(func)
    diff = _check_inputs(inputs, "gradcheck")
    diff_inputs = tuple(inputs[i] for i in diff)
    out = func(*inputs)
    outs = _diff_outputs(out)
    numerical = _numerical_jacobian(func, inputs, diff, eps)
    if not outs:
        # Nothing differentiable comes out: every finite difference must be zero.
        for row in numerical:
            for n in row:
                if np.any(n != 0):
                    return _fail("Numerical gradient for function expected to be zero", raise_exception)
        return True
    numerical = [[n for n, o in zip(row, _float_outputs(out)) if o._requires_grad] for row in numerical]
    compare = _fast_compare if fast_mode else _compare
    if check_backward_ad:
        analytical = _analytical_jacobian(outs, diff_inputs, check_grad_dtypes)
        if not compare(numerical, analytical, atol, rtol, raise_exception):
            return False
        again = _analytical_jacobian(outs, diff_inputs, check_grad_dtypes)
        for row, row2 in zip(analytical, again):
            for a1, a2 in zip(row, row2):
                if np.abs(a1 - a2).max(initial=0.0) > nondet_tol:
                    return _fail("Backward is not reentrant, i.e., running backward with same input and "
                                 "grad_output multiple times gives different values, although analytical gradient "
                                 f"matches numerical gradient.The tolerance for nondeterminism was {nondet_tol}.",
                                 raise_exception)
        if check_undefined_grad and not _check_undefined_grad(outs, diff_inputs, raise_exception):
            return False
    if check_forward_ad and not compare(numerical, _forward_jacobian(outs, diff_inputs), atol, rtol,
                                        raise_exception):
        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the map (inputs, grad_outputs) -> vector-Jacobian products of `func`.

    This checks second derivatives: the gradients of `func`'s backward. Random
    grad_outputs in [-1, 1) are made when none are given (fixed seed).
    """
    from .._creation import tensor
    from . import grad as autograd_grad

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = []
        for o in _diff_outputs(func(*inputs)):
            g = tensor(rng.uniform(-1, 1, size=o._data.shape), dtype=o._dtype, device=o.device)
            if gen_non_contig_grad_outputs and g._data.ndim:
                g._data = _non_contiguous(g._data)
            grad_outputs.append(g.requires_grad_(True))
    grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)

    def vjp_of_func(*args):
        ins, gos = args[:-n_out], args[-n_out:]
        outs = _diff_outputs(func(*ins))
        diff_ins = tuple(x for x in ins if _is_tensor(x) and x._requires_grad)
        grads = autograd_grad(outs, diff_ins, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp_of_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, fast_mode=fast_mode)
