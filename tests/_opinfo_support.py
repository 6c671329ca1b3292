"""Run PyTorch's own OpInfo database (torch.testing._internal op_db) against ember.

For every OpInfo entry this module finds the ember callable(s) that correspond to
it, takes the entry's sample inputs (built by torch), converts them to ember and
compares the results of both libraries: values (nan-aware, tests/oracle.py
tolerances), dtype, shape and output structure, then the gradients of a
random-weighted sum of the outputs, and finally ember's gradcheck on a few
float64 samples.

    python tests/_opinfo_support.py --report [--all] [NAME ...]

prints, per op family, how many entries and samples pass, fail, are missing from
ember or are skipped (tests/test_opinfo.py holds the skip table). With --all the
entries of the skip table are run too (those that now pass are listed, so the
table can be worked down).

Sample caps (speed: the whole file must run in a few minutes on one core): at
most SAMPLE_CAP[dtype] samples per entry and dtype (the first ones torch
yields, always with a fixed seed), gradcheck on at most GRADCHECK_SAMPLES small
float64 samples, and the method / in-place / alias variants on the first
VARIANT_SAMPLES samples of each dtype.
"""
import collections
import contextlib
import functools
import sys
import types
import warnings

import numpy as np
import torch

import ember
from oracle import GRAD_TOL, TOL, dtype_name

SAMPLE_CAP = {"float64": 8, "float32": 3, "int64": 3, "bool": 2, "complex128": 4, "complex64": 2}
GRADCHECK_SAMPLES = 2
GRADCHECK_MAX_NUMEL = 60
VARIANT_SAMPLES = 2

# Ops whose results are random (values cannot match torch's generator) or undefined
# (empty*): only the output structure, shapes and dtypes are compared.
RANDOM_OPS = {
    "bernoulli", "cauchy", "exponential", "geometric", "log_normal", "normal", "uniform",
    "multinomial", "rand_like", "randn", "randn_like", "randint", "randint_like",
    "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided", "empty_permuted",
    "nn.functional.dropout", "nn.functional.dropout1d", "nn.functional.dropout2d",
    "nn.functional.dropout3d", "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout",
    "nn.functional.rrelu", "nn.functional.fractional_max_pool2d", "nn.functional.fractional_max_pool3d",
    "svd_lowrank", "pca_lowrank", "torch._C._nn._test_random",
}

# Ops with a dropout argument: a sample that drops (training with p > 0) is random, so its values are
# compared on the same sample with dropout off, and its random form on structure only. name -> index
# of dropout_p in sample.args.
DROPOUT_ARG = {"nn.functional.multi_head_attention_forward": 9}

# Ops whose torch backward the OpInfo itself marks wrong (test_fn_grad expectedFailure): their
# gradients are not compared with torch's; ember's own gradcheck (finite differences) checks them.
TORCH_GRAD_WRONG = {"as_strided_scatter"}
# Matrix functions whose float32 error is normwise (relative to the largest entry), not per entry:
# torch's float32 matrix_exp of a matrix with entries near 1e5 is off by ~0.05 in its small entries
# (checked against torch's float64 result, which ember's float64-internal value matches).
NORMWISE = {"matrix_exp"}
# Ops whose outputs are unique only up to sign/phase (eigenvectors, singular vectors): the
# forward is compared after the sample's output_process_fn_grad (torch's own normalisation).
SIGN_AMBIGUOUS = {"linalg.eigh", "linalg.eig", "linalg.svd", "svd", "eig", "lobpcg"}
# Ops that return indices of equal elements (ties): any index of an equal element is accepted.
TIE_OPS = {"sort", "argsort", "kthvalue", "topk", "mode", "median", "nanmedian", "cummax", "cummin",
           "max.reduction_with_dim", "min.reduction_with_dim"}


# ---------------------------------------------------------------- the database

@functools.lru_cache(maxsize=None)
def op_db():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_methods_invocations import op_db as db
    return tuple(db)


def entry_id(op):
    return f"{op.name}.{op.variant_test_name}" if op.variant_test_name else op.name


@functools.lru_cache(maxsize=None)
def entries():
    return {entry_id(op): op for op in op_db()}


# ---------------------------------------------------------------- families

LINALG_NAMES = {
    "addbmm", "addmm", "addmv", "addr", "baddbmm", "bmm", "mm", "mv", "dot", "vdot", "inner", "outer",
    "ger", "kron", "tensordot", "einsum", "matmul", "chain_matmul", "cholesky", "cholesky_inverse",
    "cholesky_solve", "lu", "lu_solve", "lu_unpack", "svd", "qr", "pinverse", "det", "logdet",
    "inverse", "triangular_solve", "matrix_exp", "geqrf", "ormqr", "orgqr", "svd_lowrank", "pca_lowrank",
    "trace", "cross", "addmm.decomposed", "__rmatmul__", "_addmm_activation", "tril", "triu", "diag",
    "frobenius_norm", "nuclear_norm", "norm", "renorm", "cdist", "pdist", "dist", "trapz", "trapezoid",
    "cumulative_trapezoid", "block_diag", "cov", "corrcoef", "vander", "tril_indices", "triu_indices",
    "slogdet", "eig", "symeig", "matrix_power",
}
REDUCTION_NAMES = {
    "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "cumsum", "cumprod", "cummax", "cummin",
    "logcumsumexp", "median", "nanmedian", "mode", "kthvalue", "std", "var", "std_mean", "var_mean",
    "logsumexp", "sum", "mean", "nanmean", "nansum", "prod", "all", "any", "count_nonzero", "quantile",
    "nanquantile", "histc", "histogram", "histogramdd", "bincount", "unique", "unique_consecutive",
    "_segment_reduce", "segment_reduce", "cumulative_trapezoid",
}
SHAPE_NAMES = {
    "reshape", "reshape_as", "view", "view_as", "squeeze", "unsqueeze", "permute", "transpose", "flatten",
    "unflatten", "expand", "expand_as", "movedim", "moveaxis", "narrow", "narrow_copy", "split",
    "split_with_sizes", "split_with_sizes_copy", "chunk", "cat", "concat", "concatenate", "stack",
    "hstack", "vstack", "dstack", "column_stack", "row_stack", "t", "T", "mT", "mH", "H", "adjoint", "flip",
    "fliplr", "flipud", "roll", "rot90", "tile", "repeat", "repeat_interleave", "ravel", "unbind",
    "unbind_copy", "tensor_split", "hsplit", "vsplit", "dsplit", "swapaxes", "swapdims", "diagonal",
    "diag_embed", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to", "broadcast_tensors",
    "broadcast_shapes", "as_strided", "as_strided_scatter", "as_strided_partial_views", "unfold",
    "unfold_copy", "contiguous", "view_copy", "expand_copy", "permute_copy", "squeeze_copy",
    "unsqueeze_copy", "transpose_copy", "t_copy", "diagonal_copy", "alias_copy", "resize_", "resize_as_",
    "sum_to_size", "flatten", "view_as_real", "view_as_complex", "positive", "clone", "detach",
    "meshgrid", "cartesian_prod", "combinations", "squeeze_", "stft", "istft", "select",
}
INDEXING_NAMES = {
    "__getitem__", "index_select", "index_add", "index_copy", "index_fill", "index_put", "index_reduce",
    "gather", "scatter", "scatter_add", "scatter_reduce", "take", "take_along_dim", "put", "masked_fill",
    "masked_scatter", "masked_select", "select_scatter", "slice_scatter", "diagonal_scatter", "slice",
    "nonzero", "nonzero_static", "argwhere", "where", "searchsorted", "bucketize", "_unsafe_masked_index",
    "_unsafe_masked_index_put_accumulate", "embedding", "sort", "argsort", "msort", "topk",
}
FAMILIES = ("elementwise unary", "elementwise binary", "reductions", "shape/view", "indexing", "linalg",
            "nn.functional", "fft", "special", "other")


def family(op):
    n = op.name
    cls = type(op).__name__
    if n.startswith("fft.") or cls == "SpectralFuncInfo":
        return "fft"
    if n.startswith("special."):
        return "special"
    if n.startswith("linalg.") or n in LINALG_NAMES:
        return "linalg"
    if n.startswith("nn.functional."):
        return "nn.functional"
    if cls == "UnaryUfuncInfo":
        return "elementwise unary"
    if cls == "BinaryUfuncInfo":
        return "elementwise binary"
    if cls == "ReductionOpInfo" or n in REDUCTION_NAMES or n.startswith("masked."):
        return "reductions"
    if cls == "ShapeFuncInfo" or n in SHAPE_NAMES:
        return "shape/view"
    if n in INDEXING_NAMES:
        return "indexing"
    return "other"


# ---------------------------------------------------------------- torch -> ember objects

class Missing(Exception):
    """ember lacks the named function / method."""


def ember_attr(path, root=ember):
    """ember's object for a dotted torch path relative to `torch`, or None."""
    obj = root
    for part in path.split("."):
        try:
            obj = getattr(obj, part)
        except (AttributeError, ImportError):
            return None
    return obj


def _torch_path(fn):
    """'nn.functional.relu' for torch.nn.functional.relu, None if fn is not public torch API."""
    mod = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__name__", None)
    if not name:
        return None
    for prefix, real in (("linalg.", "torch._C._linalg"), ("special.", "torch._C._special"),
                         ("fft.", "torch._C._fft"), ("nn.functional.", "torch._C._nn"),
                         ("nn.functional.", "torch.nn.functional")):
        if mod == real:
            short = name
            for p in ("linalg_", "special_", "fft_"):
                if short.startswith(p) and prefix.startswith(p[:-1]):
                    short = short[len(p):]
            return prefix + short
    if mod in ("torch", "torch.functional", "torch._tensor") or getattr(torch, name, None) is fn:
        return name
    return None


def _map_global(value, memo):
    """The ember counterpart of a global / closure value of a torch-side test lambda."""
    if isinstance(value, types.ModuleType):
        if value is torch:
            return ember
        if value.__name__.startswith("torch."):
            return _ModuleProxy(value.__name__[len("torch."):])
        return value
    if value is torch.Tensor:
        return ember.Tensor
    if isinstance(value, (torch.dtype, torch.device, torch.memory_format)):
        return to_ember(value, {})
    if isinstance(value, types.FunctionType) and value.__name__ == "wrapper_set_seed":
        return _set_seed_and_call
    if isinstance(value, types.FunctionType) and value.__module__.startswith("torch.testing._internal"):
        return rebind(value, memo)
    if callable(value) and not isinstance(value, type):
        path = _torch_path(value)
        if path is not None:
            return _Deferred(path)
    return value


def _set_seed_and_call(op, *args, **kwargs):
    """ember's torch.testing wrapper_set_seed: the op under a fixed seed."""
    ember.manual_seed(42)
    return op(*args, **kwargs)


class _ModuleProxy:
    """Stands for ember's counterpart of a torch submodule (torch.nn.functional as F, ...)."""

    def __init__(self, path):
        self._path = path

    def __getattr__(self, name):
        obj = ember_attr(f"{self._path}.{name}")
        if obj is None:
            raise Missing(f"{self._path}.{name}")
        return obj


class _Deferred:
    """A torch function captured by a lambda: ember's function of the same path, looked up when called."""

    def __init__(self, path):
        self._path = path

    def __call__(self, *args, **kwargs):
        fn = ember_attr(self._path)
        if fn is None:
            raise Missing(self._path)
        return fn(*args, **kwargs)


def _global_names(code):
    """Names a code object and the lambdas / comprehensions nested in it look up."""
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def rebind(fn, memo=None):
    """The same Python function (a test lambda) with torch replaced by ember in its globals/closure."""
    memo = {} if memo is None else memo
    if fn in memo:
        return memo[fn]
    code = fn.__code__
    g = dict(fn.__globals__)
    cells = None
    if fn.__closure__:
        cells = tuple(types.CellType(_map_global(c.cell_contents, memo)) for c in fn.__closure__)
    new = types.FunctionType(code, g, fn.__name__, fn.__defaults__, cells)
    memo[fn] = new
    for name in _global_names(code):
        if name in g:
            g[name] = _map_global(g[name], memo)
    if fn.__kwdefaults__:
        new.__kwdefaults__ = {k: _map_global(v, memo) for k, v in fn.__kwdefaults__.items()}
    return new


def is_test_lambda(fn):
    return isinstance(fn, types.FunctionType) and fn.__module__.startswith("torch.testing._internal")


def method_name(fn):
    """'add' for torch.Tensor.add (method / wrapper descriptors and plain functions on Tensor)."""
    name = getattr(fn, "__name__", None)
    if name and getattr(torch.Tensor, name, None) is fn:
        return name
    return None


def function_variant(op):
    """(label, ember callable or None when ember lacks it) for op's function variant, or None."""
    fn = op.op
    if fn is None:
        return None
    if is_test_lambda(fn):
        return (op.name, rebind(fn))
    m = method_name(fn)
    if m is not None and getattr(torch, m, None) is not fn:
        return (f"Tensor.{m}", getattr(ember.Tensor, m, None))
    path = op.name if ember_attr(op.name, torch) is fn else (_torch_path(fn) or op.name)
    return (path, ember_attr(path))


def other_variants(op):
    """[(kind, label, torch callable, ember callable or None)] for method / in-place / alias variants."""
    out = []
    seen = set()

    def add(kind, tfn, inplace=False):
        if tfn is None or tfn is op.op:
            return
        if is_test_lambda(tfn):
            label, efn = f"{kind}:{op.name}", rebind(tfn)
        else:
            m = method_name(tfn)
            if m is not None:
                label, efn = f"Tensor.{m}", getattr(ember.Tensor, m, None)
            else:
                path = _torch_path(tfn)
                if path is None:
                    return
                label, efn = path, ember_attr(path)
        if label in seen:
            return
        seen.add(label)
        out.append((kind, label, tfn, efn, inplace))

    add("method", op.method_variant)
    add("inplace", op.inplace_variant, inplace=True)
    for a in getattr(op, "aliases", ()) or ():
        if a.op is not None:
            path = a.name[len("torch."):] if a.name.startswith("torch.") else a.name
            efn = ember_attr(path)
            if path not in seen:
                seen.add(path)
                out.append(("alias", path, a.op, efn, False))
        add("alias method", a.method_variant)
        add("alias inplace", a.inplace_variant, inplace=True)
    return out


# ---------------------------------------------------------------- converting samples

_DTYPES = {}


def ember_dtype(d):
    if d not in _DTYPES:
        name = dtype_name(d)
        e = getattr(ember, name, None)
        if e is None:
            raise Missing(f"dtype {name}")
        _DTYPES[d] = e
    return _DTYPES[d]


# Ops that read a tensor's storage beyond its view (storage_offset is absolute): their sample
# input keeps its whole storage (as_strided.partial_views passes base[5:15] of a 20-element base).
STORAGE_OPS = {"as_strided"}


def _with_storage(x):
    """ember view of a copy of x's whole storage, at x's size, stride and storage offset."""
    full = torch.empty(0, dtype=x.dtype).set_(x.untyped_storage())
    base = ember.tensor(full.detach().numpy().copy(), dtype=ember_dtype(x.dtype))
    e = base.as_strided(tuple(x.shape), tuple(x.stride()), x.storage_offset()).detach()
    return e.requires_grad_(True) if x.requires_grad else e


def to_ember(x, memo, keep_storage=False):
    """ember counterpart of a sample value; one ember tensor per torch tensor (identity kept)."""
    if isinstance(x, torch.Tensor):
        if id(x) in memo:
            return memo[id(x)][1]
        if keep_storage and x.dtype in (torch.float32, torch.float64, torch.int64, torch.bool):
            memo[id(x)] = (x, _with_storage(x))
            return memo[id(x)][1]
        if x.layout != torch.strided or x.dtype in (torch.bfloat16, torch.float16, torch.complex32) and \
                getattr(ember, dtype_name(x.dtype), None) is None:
            raise Missing(f"{x.dtype} / {x.layout} tensors")
        arr = x.detach().numpy() if x.dtype != torch.bfloat16 else x.detach().float().numpy()
        e = ember.tensor(np.array(arr), dtype=ember_dtype(x.dtype))
        if x.requires_grad:
            e.requires_grad_(True)
        memo[id(x)] = (x, e)
        return e
    if isinstance(x, torch.Size):
        return ember.Size(x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(to_ember(v, memo) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(to_ember(v, memo) for v in x)
    if isinstance(x, dict):
        return {k: to_ember(v, memo) for k, v in x.items()}
    if isinstance(x, torch.dtype):
        return ember_dtype(x)
    if isinstance(x, torch.device):
        return ember.device(str(x))
    if isinstance(x, torch.memory_format):
        name = str(x).split(".")[-1]
        f = getattr(ember, name, None)
        if f is None:
            raise Missing(name)
        return f
    if isinstance(x, torch.layout):
        f = getattr(ember, str(x).split(".")[-1], None)
        if f is None:
            raise Missing(str(x))
        return f
    if isinstance(x, torch.Generator):
        raise Missing("torch.Generator arguments")
    if isinstance(x, types.FunctionType) and is_test_lambda(x):
        return rebind(x)
    if isinstance(x, torch.nn.Module):
        return _ember_module(x)
    return x


def _ember_module(m):
    """ember's module of the same class with the same (stateless) settings, e.g. a distance_function=
    nn.PairwiseDistance() sample argument: an ember function must not be handed a torch module."""
    if any(True for _ in m.parameters()) or any(True for _ in m.buffers()):
        raise Missing(f"torch module arguments with state ({type(m).__name__})")
    cls = ember_attr(f"nn.{type(m).__name__}")
    if cls is None:
        raise Missing(f"nn.{type(m).__name__}")
    e = cls.__new__(cls)
    ember.nn.Module.__init__(e)
    for k, v in vars(m).items():
        if not k.startswith("_"):
            setattr(e, k, v)
    return e


def leaves(x, out=None):
    """Every tensor in a nested sample value, in order, without repeats."""
    out = [] if out is None else out
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        if not any(x is y for y in out):
            out.append(x)
    elif isinstance(x, (list, tuple)):
        for v in x:
            leaves(v, out)
    elif isinstance(x, dict):
        for v in x.values():
            leaves(v, out)
    return out


# ---------------------------------------------------------------- comparing results

class Mismatch(AssertionError):
    pass


def _np(x):
    if isinstance(x, torch.Tensor):
        # force=True: torch hands out lazily-conjugated / negated views and ZeroTensors (fft, sgn
        # gradients) that plain .numpy() refuses; force materialises them
        return x.numpy(force=True) if x.dtype != torch.bfloat16 else x.detach().double().numpy()
    return np.asarray(x.detach().numpy())


def compare(e, t, what, values=True, grad=False, normwise=False):
    """ember result e matches torch result t (structure, shape, dtype and - with values - values)."""
    if isinstance(t, (tuple, list)):
        if not isinstance(e, (tuple, list)) or len(e) != len(t):
            raise Mismatch(f"{what}: {type(e).__name__} of {_len(e)} vs torch {type(t).__name__} of {len(t)}")
        for i, (a, b) in enumerate(zip(e, t)):
            compare(a, b, f"{what}[{i}]", values, grad, normwise)
        return
    if isinstance(t, torch.Tensor):
        if not isinstance(e, ember.Tensor):
            raise Mismatch(f"{what}: expected a Tensor, got {type(e).__name__}")
        if tuple(e.shape) != tuple(t.shape):
            raise Mismatch(f"{what}: shape {tuple(e.shape)} vs torch {tuple(t.shape)}")
        if dtype_name(e.dtype) != dtype_name(t.dtype):
            raise Mismatch(f"{what}: dtype {dtype_name(e.dtype)} vs torch {dtype_name(t.dtype)}")
        if values:
            a, b = _np(e), _np(t)
            table = GRAD_TOL if grad else TOL
            # a complex result is held to the tolerance of its real component dtype
            real = t.real.dtype if t.is_complex() else t.dtype
            tl = table.get(dtype_name(real), dict(rtol=0, atol=0)) if real.is_floating_point else {}
            if tl and normwise and b.size:
                tl = dict(tl, atol=max(tl["atol"], tl["rtol"] * float(np.nanmax(np.abs(b)))))
            try:
                if tl:
                    np.testing.assert_allclose(a, b, equal_nan=True, **tl)
                else:
                    np.testing.assert_array_equal(a, b)
            except AssertionError as err:
                msg = str(err).strip().splitlines()
                raise Mismatch(f"{what}: values differ ({'; '.join(m.strip() for m in msg[2:5])})") from None
        return
    if isinstance(t, torch.Size):
        if tuple(e) != tuple(t):
            raise Mismatch(f"{what}: {tuple(e)} vs torch {tuple(t)}")
        return
    if isinstance(t, float) and isinstance(e, (float, int, np.floating)):
        if values and not (np.isnan(t) and np.isnan(e)) and not np.isclose(e, t, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"{what}: {e!r} vs torch {t!r}")
        return
    if isinstance(t, torch.dtype):
        if dtype_name(e) != dtype_name(t):
            raise Mismatch(f"{what}: {e} vs torch {t}")
        return
    if values and e != t:
        raise Mismatch(f"{what}: {e!r} vs torch {t!r}")


def _len(x):
    try:
        return len(x)
    except TypeError:
        return "-"


def float_outputs(out, lib_tensor):
    return [o for o in leaves(out) if isinstance(o, lib_tensor) and (o.is_floating_point() or o.is_complex())
            and o.requires_grad]


def _weighted(o, w, lib):
    """sum(w * o), a real scalar: a complex output enters through its real part (the loss must be real)."""
    s = (o * lib.tensor(w, dtype=o.dtype)).sum()
    return s.real if o.is_complex() else s


# ---------------------------------------------------------------- running one entry

def _tie_dim(op, sample):
    """The dim argument of a sort-like op's sample (None: the op's default)."""
    if "dim" in sample.kwargs:
        return sample.kwargs["dim"]
    pos = 1 if op.name in ("kthvalue", "topk") else 0
    args = [a for a in sample.args if isinstance(a, int) and not isinstance(a, bool)]
    return args[pos] if len(args) > pos else -1


def compare_with_ties(op, sample, e_out, t_out):
    """Values exact; an index output may pick another of equal elements (torch leaves ties unspecified)."""
    e_idx, t_idx = (e_out[-1], t_out[-1]) if isinstance(t_out, tuple) else (e_out, t_out)
    if isinstance(t_out, tuple):
        compare(e_out[:-1], t_out[:-1], "output")
    compare(e_idx, t_idx, "indices", values=False)
    a, b = _np(e_idx), _np(t_idx)
    if np.array_equal(a, b):
        return
    inp = _np(sample.input)
    if inp.ndim == 0:
        raise Mismatch(f"indices: {a} vs torch {b}")
    dim = _tie_dim(op, sample) % inp.ndim
    if a.ndim < inp.ndim:
        a, b = np.expand_dims(a, dim), np.expand_dims(b, dim)
    if a.min(initial=0) < 0 or a.max(initial=0) >= inp.shape[dim]:
        raise Mismatch("indices: out of range")
    va, vb = np.take_along_axis(inp, a, dim), np.take_along_axis(inp, b, dim)
    if not np.array_equal(va, vb, equal_nan=inp.dtype.kind == "f"):
        raise Mismatch("indices: point at other values than torch's (not only a different tie)")


Result = collections.namedtuple("Result", "status passed failed messages")
# status: "pass", "fail", "missing" (message says what ember lacks), "skip"


def _seeded_samples(op, dtype, requires_grad):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(_take(op.sample_inputs("cpu", dtype, requires_grad=requires_grad), SAMPLE_CAP[dtype_name(dtype)]))


def _take(it, n):
    out = []
    for s in it:
        out.append(s)
        if len(out) >= n:
            break
    return out


def _missing(name, passed, failed, msgs):
    """The result when ember lacks `name`; samples that already differ are not hidden behind it."""
    note = f"ember lacks {name}"
    return Result("fail", passed, failed, msgs + [note]) if failed else Result("missing", passed, failed,
                                                                                 [note] + msgs)


def tested_dtypes(op):
    """float64, float32, int64, bool where the op supports them; complex128 / complex64 for an op
    that supports none of those (complex-only entries: imag, istft, view_as_real, ...)."""
    supported = op.supported_dtypes("cpu")
    real = [d for d in (torch.float64, torch.float32, torch.int64, torch.bool) if d in supported]
    return real or [d for d in (torch.complex128, torch.complex64) if d in supported]


def _call(fn, inputs):
    inp, args, kwargs = inputs
    return fn(inp, *args, **kwargs)


def _run_torch(fn, sample):
    return fn(sample.input, *sample.args, **sample.kwargs)


def _process(fn, out, what):
    with ember_errors(f"{what}: output_process_fn_grad on ember's output"):
        return fn(out)


@contextlib.contextmanager
def ember_errors(what):
    """An exception on ember's side becomes Missing (ember lacks a name) or Mismatch."""
    try:
        yield
    except (Missing, Mismatch):
        raise
    except AttributeError as exc:
        _raise_if_missing(exc)
        raise Mismatch(f"{what} raises AttributeError: {exc}") from None
    except Exception as exc:  # noqa: BLE001
        raise Mismatch(f"{what} raises {type(exc).__name__}: {str(exc)[:200]}") from None


def check_sample(op, efn, tfn, sample, dtype, grads, random_op, inplace=False):
    """Compare ember and torch on one SampleInput; raises Mismatch / Missing on a difference."""
    name = dtype_name(dtype)
    if inplace:
        sample = sample.transform(lambda t: t.detach().clone() if isinstance(t, torch.Tensor) else t)
    memo = {}
    e_inputs = (to_ember(sample.input, memo, keep_storage=op.name in STORAGE_OPS), to_ember(sample.args, memo),
                to_ember(sample.kwargs, memo))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_out = _run_torch(tfn, sample)
    except Exception as t_exc:  # noqa: BLE001
        try:
            _call(efn, e_inputs)
        except Missing:
            raise
        except Exception as e_exc:  # noqa: BLE001
            if isinstance(e_exc, AttributeError):
                _raise_if_missing(e_exc)
            if type(e_exc).__name__ != type(t_exc).__name__ and not isinstance(e_exc, type(t_exc)):
                raise Mismatch(f"torch raises {type(t_exc).__name__}, ember {type(e_exc).__name__}: {e_exc}")
            return
        raise Mismatch(f"torch raises {type(t_exc).__name__} ({str(t_exc)[:80]}), ember does not")
    with ember_errors("ember"):
        e_out = _call(efn, e_inputs)
    if op.name in SIGN_AMBIGUOUS:
        compare(_process(sample.output_process_fn_grad, e_out, "output"), sample.output_process_fn_grad(t_out),
                "output (up to sign)")
    elif entry_id(op) in TIE_OPS or op.name in TIE_OPS:
        compare_with_ties(op, sample, e_out, t_out)
    else:
        compare(e_out, t_out, "output", values=not random_op, normwise=op.name in NORMWISE)
    if inplace:
        compare(e_inputs[0], sample.input, "in-place input", values=not random_op)
    if not grads or random_op or op.name in TORCH_GRAD_WRONG:
        return
    t_leaves = [t for t in leaves((sample.input, sample.args, sample.kwargs)) if t.requires_grad]
    if not t_leaves:
        return
    e_leaves = [memo[id(t)][1] for t in t_leaves]
    t_p = sample.output_process_fn_grad(t_out)
    e_p = _process(sample.output_process_fn_grad, e_out, "gradient")
    t_outs, e_outs = float_outputs(t_p, torch.Tensor), float_outputs(e_p, ember.Tensor)
    if len(t_outs) != len(e_outs):
        raise Mismatch(f"{len(e_outs)} ember outputs require grad, torch {len(t_outs)}")
    if not t_outs:
        return
    rng = np.random.default_rng(1)
    ws = [rng.uniform(0.5, 1.5, size=tuple(o.shape)) for o in t_outs]
    t_loss = sum(_weighted(o, w, torch) for o, w in zip(t_outs, ws))
    e_loss = sum(_weighted(o, w, ember) for o, w in zip(e_outs, ws))
    t_g = torch.autograd.grad(t_loss, t_leaves, allow_unused=True)
    with ember_errors("ember backward"):
        e_g = ember.autograd.grad(e_loss, e_leaves, allow_unused=True)
    for i, (a, b) in enumerate(zip(e_g, t_g)):
        if b is None:
            b = torch.zeros_like(t_leaves[i])
        if a is None:
            a = ember.zeros_like(e_leaves[i])
        compare(a, b, f"grad[{i}]", grad=True, normwise=op.name in NORMWISE)


def torch_skips_gradcheck(op):
    """The OpInfo itself marks test_fn_grad as skipped / expected to fail on CPU float64."""
    from torch.testing._internal.opinfo.core import DecorateInfo

    for d in op.decorators:
        if not isinstance(d, DecorateInfo) or d.cls_name not in (None, "TestBwdGradients", "TestGradients"):
            continue
        if d.test_name not in (None, "test_fn_grad") or d.device_type not in (None, "cpu"):
            continue
        if d.dtypes is not None and torch.float64 not in d.dtypes or not d.active_if:
            continue
        if any(getattr(x, "__qualname__", "") in ("expectedFailure", "skip.<locals>.decorator")
               for x in d.decorators):
            return True
    return False


def _raise_if_missing(exc):
    """An AttributeError that says ember lacks a function / method becomes Missing."""
    msg = str(exc)
    if "has no attribute" in msg and ("'Tensor' object" in msg or "type object 'Tensor'" in msg):
        raise Missing("Tensor." + msg.split("'")[-2]) from None
    if "does not provide" in msg:
        name = msg.split("does not provide ")[-1].rstrip(")").replace(" yet", "")
        raise Missing(name[len("torch."):] if name.startswith("torch.") else name) from None
    if msg.startswith("module 'ember") and "has no attribute" in msg:
        raise Missing(msg.split("'")[1][len("ember"):].lstrip(".") + "." + msg.split("'")[3]) from None


def run_gradcheck(op, efn, sample):
    """ember.autograd.gradcheck of efn at a float64 sample (all inputs that require grad vary)."""
    memo = {}
    e_inputs = (to_ember(sample.input, memo), to_ember(sample.args, memo), to_ember(sample.kwargs, memo))
    diff = [e for e in leaves(e_inputs) if e.requires_grad]
    if not diff or sum(d.numel() for d in diff) > GRADCHECK_MAX_NUMEL:
        return False

    def fn(*xs):
        swap = {id(d): x for d, x in zip(diff, xs)}

        def sub(v):
            if isinstance(v, ember.Tensor):
                return swap.get(id(v), v)
            if isinstance(v, tuple) and hasattr(v, "_fields"):
                return type(v)(*(sub(u) for u in v))
            if isinstance(v, (list, tuple)):
                return type(v)(sub(u) for u in v)
            if isinstance(v, dict):
                return {k: sub(u) for k, u in v.items()}
            return v

        out = wrapper(efn, sub(e_inputs[0]), *sub(e_inputs[1]), **sub(e_inputs[2]))
        return sample.output_process_fn_grad(out)

    wrapper = rebind(op.gradcheck_wrapper)

    with ember_errors("gradcheck"):
        ember.autograd.gradcheck(fn, tuple(diff), eps=1e-6, atol=1e-5, rtol=1e-3, check_undefined_grad=False)
    return True


def _without_dropout(op, sample):
    """sample with dropout off when it drops (see DROPOUT_ARG), else None."""
    i = DROPOUT_ARG.get(op.name)
    if i is None or not sample.kwargs.get("training", True):
        return None
    args = list(sample.args)
    if i >= len(args) or not args[i]:
        return None
    args[i] = 0.0
    return type(sample)(sample.input, args=tuple(args), kwargs=dict(sample.kwargs),
                        output_process_fn_grad=sample.output_process_fn_grad)


def run_entry(op, skip_reason=None):
    """Result of comparing ember with torch on (a capped number of) op's samples."""
    if skip_reason is not None:
        return Result("skip", 0, 0, [skip_reason])
    if not tested_dtypes(op):
        return Result("skip", 0, 0, ["no CPU sample dtype among float64/float32/int64/bool/complex128/complex64"])
    fv = function_variant(op)
    if fv is None:
        return Result("skip", 0, 0, ["no function variant"])
    label, efn = fv
    if efn is None:
        return Result("missing", 0, 0, [f"ember lacks {label}"])
    random_op = op.name in RANDOM_OPS
    gradcheck = not random_op and (op.name in TORCH_GRAD_WRONG or not torch_skips_gradcheck(op))
    passed, failed, msgs, lacks = 0, 0, [], []
    for dtype in tested_dtypes(op):
        grads = op.supports_autograd and (dtype.is_floating_point or dtype.is_complex)
        try:
            samples = _seeded_samples(op, dtype, grads)
        except Exception as exc:  # noqa: BLE001 - torch's own sample generator failing is not ember's fault
            msgs.append(f"{dtype_name(dtype)}: torch sample_inputs raises {type(exc).__name__}: {exc}")
            continue
        checked = 0
        for i, s in enumerate(samples):
            try:
                deterministic = _without_dropout(op, s)
                if deterministic is not None:
                    check_sample(op, efn, op.op, s, dtype, grads, True)
                    s = deterministic
                check_sample(op, efn, op.op, s, dtype, grads, random_op)
            except Missing as m:
                return _missing(m, passed, failed, msgs)
            except Mismatch as m:
                failed += 1
                msgs.append(f"{dtype_name(dtype)} sample {i} ({_describe(s)}): {m}")
                continue
            if dtype in (torch.float64, torch.complex128) and grads and checked < GRADCHECK_SAMPLES and gradcheck and not lacks:
                try:
                    checked += run_gradcheck(op, efn, s)
                except Missing as m:
                    lacks.append(f"ember lacks {m} (gradcheck wrapper)")
                except Mismatch as m:
                    failed += 1
                    msgs.append(f"{dtype_name(dtype)} sample {i} ({_describe(s)}): {m}")
                    continue
            passed += 1
    if failed:
        return Result("fail", passed, failed, msgs)
    if lacks:
        return Result("missing", passed, failed, lacks + msgs)
    if not passed and not msgs:
        msgs.append("no samples in the tested dtypes")
    return Result("pass" if passed else "skip", passed, failed, msgs)


def run_variant(op, variant):
    """Forward-only comparison of a method / in-place / alias variant on the first samples."""
    kind, label, tfn, efn, inplace = variant
    if efn is None:
        return Result("missing", 0, 0, [f"ember lacks {label}"])
    random_op = op.name in RANDOM_OPS
    passed, failed, msgs = 0, 0, []
    for dtype in tested_dtypes(op)[:2]:
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                samples = _take(op.sample_inputs("cpu", dtype), VARIANT_SAMPLES + 4)
            except Exception:  # noqa: BLE001
                continue
        if inplace:
            samples = [s for s in samples if not s.broadcasts_input]
        for i, s in enumerate(samples[:VARIANT_SAMPLES]):
            try:
                check_sample(op, efn, tfn, s, dtype, False, random_op, inplace=inplace)
                passed += 1
            except Missing as m:
                return _missing(m, passed, failed, msgs)
            except Mismatch as m:
                failed += 1
                msgs.append(f"{label} {dtype_name(dtype)} sample {i} ({_describe(s)}): {m}")
    return Result("fail" if failed else ("pass" if passed else "skip"), passed, failed, msgs)


def _describe(s):
    def d(v):
        if isinstance(v, torch.Tensor):
            return f"T{tuple(v.shape)}"
        if isinstance(v, (list, tuple)) and len(v) > 4:
            return f"[{len(v)} items]"
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(d(u) for u in v) + ")"
        return repr(v)
    parts = [d(s.input)] + [d(a) for a in s.args] + [f"{k}={d(v)}" for k, v in s.kwargs.items()]
    return ", ".join(parts)[:150]


# ---------------------------------------------------------------- the report

def report(names=(), run_skipped=False, verbose=False):
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from test_opinfo import SKIP

    rows = collections.defaultdict(collections.Counter)
    failures, now_pass, missing, skipped = [], [], [], []
    for eid, op in entries().items():
        if names and eid not in names and op.name not in names:
            continue
        fam = family(op)
        c = rows[fam]
        reason = SKIP.get(eid, SKIP.get(op.name))
        res = run_entry(op, None if run_skipped else reason)
        if reason is not None:
            if run_skipped and res.status == "pass":
                now_pass.append(eid)
            res = Result("skip", 0, 0, [reason])
        c["entries"] += 1
        c[res.status] += 1
        c["samples pass"] += res.passed
        c["samples fail"] += res.failed
        if res.status == "fail":
            failures.append((eid, res.messages))
        elif res.status == "missing":
            missing.append(f"[{fam}] {eid}: {res.messages[0]}")
        elif res.status == "skip":
            skipped.append(f"[{fam}] {eid}: {res.messages[0]}")
        for v in [] if reason is not None else other_variants(op):
            vreason = SKIP.get(f"{eid}:{v[0]}")
            r = Result("skip", 0, 0, [vreason]) if vreason else run_variant(op, v)
            c["variants " + r.status] += 1
            if r.status == "missing":
                missing.append(f"[{fam}] {eid} ({v[0]} variant): {r.messages[0]}")
            elif r.status == "fail":
                failures.append((f"{eid}:{v[0]}", r.messages))
            elif r.status == "skip":
                skipped.append(f"[{fam}] {eid}:{v[0]}: {r.messages[0] if r.messages else 'no samples'}")
        if verbose:
            print(f"{res.status:8s} {eid}: {res.passed}/{res.passed + res.failed} {res.messages[:1]}", flush=True)
    cols = [("entries", "entries"), ("pass", "pass"), ("fail", "fail"), ("missing", "missing"), ("skip", "skip"),
            ("samples pass", "smp pass"), ("samples fail", "smp fail"), ("variants pass", "var pass"),
            ("variants fail", "var fail"), ("variants missing", "var miss"), ("variants skip", "var skip")]
    print(f"{'family':20s}" + "".join(f"{h:>9s}" for _, h in cols))
    total = collections.Counter()
    for fam in FAMILIES:
        c = rows.get(fam, collections.Counter())
        total.update(c)
        print(f"{fam:20s}" + "".join(f"{c[k]:>9d}" for k, _ in cols))
    print(f"{'TOTAL':20s}" + "".join(f"{total[k]:>9d}" for k, _ in cols))
    print("\n(entries: OpInfo entries, each pass/fail/missing/skip; smp: samples compared, a sample being one "
          "SampleInput in one dtype with its gradients and gradcheck; var: method / in-place / alias variants)")
    if failures:
        print("\nFailing entries:")
        for eid, msgs in failures:
            print(f"  {eid}: {msgs[0]}" + (f"  (+{len(msgs) - 1} more)" if len(msgs) > 1 else ""))
    if verbose:
        print("\nMissing from ember:")
        print("\n".join(f"  {m}" for m in missing))
        print("\nSkipped:")
        print("\n".join(f"  {m}" for m in skipped))
    if run_skipped:
        print("\nSkip-table entries that now pass:", ", ".join(now_pass) or "none")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--report" not in args:
        print(__doc__)
        sys.exit(2)
    report(names=[a for a in args if not a.startswith("-")], run_skipped="--all" in args,
           verbose="-v" in args)
