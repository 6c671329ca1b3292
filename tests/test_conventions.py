"""torch's argument conventions, against torch 2.13: NumPy-style keyword aliases
(axis=, keepdims=, x=, x2=), keyword-only arguments, any Python sequence as an
index, dtype names under `ember run`, and the random initial seed."""
import ast
import contextlib
import inspect
import os
import pickle
import subprocess
import sys
import textwrap
import types
import warnings

import numpy as np
import pytest
import torch

import ember
from ember._ops import _arg_parser
from oracle import assert_same, check, same_error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_DIR = os.path.dirname(torch.__file__)
REL = {"dim", "keepdim", "input", "other"}


# -- aliases: which functions take them ----------------------------------------------------------
def _pyi_params(path, cls=None):
    """{name: set of parameter names over all overloads} from one of torch's .pyi stubs
    (generated from the signatures torch's argument parser reads)."""
    tree = ast.parse(open(os.path.join(TORCH_DIR, "_C", path)).read())
    body = tree.body
    if cls:
        body = next(n.body for n in body if isinstance(n, ast.ClassDef) and n.name == cls)
    out = {}
    for n in body:
        if isinstance(n, ast.FunctionDef) and not n.name.startswith("_"):
            a = n.args
            out.setdefault(n.name, set()).update(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs)
    return out


def _is_builtin(obj):
    return type(obj).__name__ in ("builtin_function_or_method", "method_descriptor")


def _aliases_of(fn):
    """The aliases ember's callable takes (empty if it is not wrapped)."""
    return set(getattr(fn, "_aliases", {}))


# ember callables whose parameter names differ from torch's, so torch's aliases for them are
# missing (not the alias mechanism's doing: the names are each function's own).
KNOWN_NAME_GAPS = {
    ("F", "det"), ("F", "slogdet"),  # linalg.det's `A` where torch.det says `input`
    ("F", "result_type"),  # (tensor1, tensor2) where torch has (tensor, other)
    ("M", "copy_"),  # `src` where torch's parser says `other`
    ("M", "to"),  # parses its own *args
    ("F", "hsmm"),  # torch's signature says `input`, but its kernel (hspmm) takes only mat1, mat2
    ("F", "conj_physical_"), ("F", "resize_as_"),  # `self` where torch says `input`
    # comparisons' in-place forms take no keywords at all in ember
    ("M", "eq_"), ("M", "ne_"), ("M", "lt_"), ("M", "le_"), ("M", "gt_"), ("M", "ge_"),
    ("M", "greater_"), ("M", "greater_equal_"), ("M", "less_"), ("M", "less_equal_"), ("M", "not_equal_"),
    ("M", "logical_and_"), ("M", "logical_or_"), ("M", "logical_xor_"),
}


def _alias_coverage():
    cases = []
    for kind, table, e_ns, t_ns in (("F", _pyi_params("_VariableFunctions.pyi"), ember, torch),
                                    ("M", _pyi_params("__init__.pyi", "TensorBase"), ember.Tensor, torch.Tensor)):
        for name, params in sorted(table.items()):
            want = params & REL
            if kind == "M":
                want.discard("input")  # a method's input is self
            if want and _is_builtin(getattr(t_ns, name, None)) and hasattr(e_ns, name):
                cases.append((kind, name, frozenset(want)))
    return cases


def _missing_aliases():
    """{(kind, name): the aliases torch's parser gives it that ember's callable lacks}."""
    out = {}
    for kind, name, want in _alias_coverage():
        fn = getattr(ember if kind == "F" else ember.Tensor, name)
        need = {a for p in want for a in _arg_parser.ALIASES[p]}
        if not need <= _aliases_of(fn):
            out[(kind, name)] = sorted(need - _aliases_of(fn))
    return out


def test_every_parser_function_takes_the_aliases():
    """Every torch builtin function and Tensor method with a dim/keepdim/input/other parameter
    that ember has takes the NumPy aliases torch's parser gives it."""
    assert len(_alias_coverage()) > 300  # the survey itself works
    missing = _missing_aliases()
    assert not {k: v for k, v in missing.items() if k not in KNOWN_NAME_GAPS}, missing
    # The gap list stays honest: an entry whose aliases work now must leave it.
    assert KNOWN_NAME_GAPS <= set(missing), KNOWN_NAME_GAPS - set(missing)


@pytest.mark.parametrize("name", sorted(_arg_parser.PYTHON_DEFINED))
def test_python_defined_functions_take_no_aliases(name):
    """torch.split/norm/unique... are Python functions: torch's parser never sees their
    arguments, so `axis=` is a TypeError there, and in ember."""
    t = getattr(torch, name, None)
    assert t is not None and not _is_builtin(t), name
    e = getattr(ember, name, None)
    if e is not None:
        assert not _aliases_of(e), name


def test_python_defined_methods_take_no_aliases():
    for name in _arg_parser.PYTHON_DEFINED_METHODS:
        t = getattr(torch.Tensor, name, None)
        assert t is None or not _is_builtin(t), name
        e = getattr(ember.Tensor, name, None)
        if e is not None:
            assert not _aliases_of(e), name


# -- aliases: what they do, against torch ---------------------------------------------------------
ALIAS_CALLS = [
    # reductions, as functions and methods
    lambda m, x: m.sum(x, axis=1, keepdims=True),
    lambda m, x: x.sum(1, keepdims=True),
    lambda m, x: m.sum(x, axis=(0, 1)),
    lambda m, x: m.sum(x=x, axis=0),
    lambda m, x: x.mean(axis=0),
    lambda m, x: m.mean(a=x, axis=1, keepdims=True),
    lambda m, x: x.prod(axis=1, keepdims=True),
    lambda m, x: m.std(x, axis=1, keepdims=True),
    lambda m, x: x.var(axis=0, correction=0),
    lambda m, x: m.var_mean(x, axis=1),
    lambda m, x: tuple(m.max(x, axis=1)),
    lambda m, x: tuple(x.min(axis=0, keepdims=True)),
    lambda m, x: m.amax(x, axis=1, keepdims=True),
    lambda m, x: x.amin(axis=0),
    lambda m, x: m.logsumexp(x, axis=1),
    lambda m, x: x.cumsum(axis=1),
    lambda m, x: m.cumprod(x, axis=0),
    lambda m, x: tuple(m.median(x, axis=1)),
    lambda m, x: x.norm(dim=1),
    # softmax family, joining, shape, selection, sorting
    lambda m, x: m.softmax(x, axis=1),
    lambda m, x: x.log_softmax(axis=0),
    lambda m, x: m.cat([x, x], axis=0),
    lambda m, x: m.stack([x, x], axis=1),
    lambda m, x: x.unsqueeze(axis=0),
    lambda m, x: m.squeeze(x.unsqueeze(0), axis=0),
    lambda m, x: m.flatten(x, start_dim=0),
    lambda m, x: m.gather(x, axis=1, index=m.tensor([[0], [2], [1]])),
    lambda m, x: x.index_select(axis=0, index=m.tensor([2, 0])),
    lambda m, x: tuple(m.sort(x, axis=1, descending=True)),
    lambda m, x: tuple(x.topk(2, axis=0)),
    lambda m, x: m.flip(x, [0]).roll(1, 1),
    # binary ops: input -> x, a, x1; other -> x2
    lambda m, x: m.add(x=x, other=x * 2),
    lambda m, x: m.add(a=x, x2=x, alpha=2),
    lambda m, x: m.mul(x1=x, x2=x),
    lambda m, x: x.sub(x2=x * 3),
    lambda m, x: m.maximum(x, x2=x.flip(0)),
    lambda m, x: m.max(x, x2=x.flip(0)),
    lambda m, x: m.where(x > 0, x, x2=x * 0),
    lambda m, x: x.where(x > 0, other=-x),
    lambda m, x: m.exp(x=x),
    lambda m, x: m.clamp(a=x, min=0.5),
    lambda m, x: m.matmul(x, x2=x.T),
    # torch.linalg's functions are builtins too
    lambda m, x: m.linalg.vector_norm(x, axis=1, keepdims=True),
    lambda m, x: m.linalg.norm(x, axis=0),
    lambda m, x: m.linalg.matrix_norm(x.unsqueeze(0), axis=(1, 2)),
    lambda m, x: m.linalg.cross(x[:, :3], x[:, 1:], axis=1),
    lambda m, x: m.special.logsumexp(x, axis=1, keepdims=True),  # and torch.special's, torch.fft's
    lambda m, x: m.special.softmax(x, axis=0),
    lambda m, x: m.special.xlogy(x.abs(), x2=x.abs() + 1),
    lambda m, x: m.fft.fft(x, axis=0).abs(),
    # in-place methods take their out-of-place twin's aliases
    lambda m, x: x.detach().clone().cumsum_(axis=0),
    lambda m, x: x.detach().clone().add_(x2=x.detach(), alpha=3),
    lambda m, x: x.detach().clone().unsqueeze_(axis=1),
]


@pytest.mark.parametrize("i", range(len(ALIAS_CALLS)))
def test_alias_values_and_grads(i):
    check(ALIAS_CALLS[i], [(3, 4)], dtype="float64")


INT_ALIAS_CALLS = [
    lambda m, x: m.argmax(x, axis=1, keepdims=True),
    lambda m, x: x.argmin(axis=0),
    lambda m, x: m.all(x, axis=1),
    lambda m, x: x.any(axis=0, keepdims=True),
    lambda m, x: m.count_nonzero(x, axis=1),
    lambda m, x: m.argsort(x, axis=0),
    lambda m, x: x.eq(x2=x.flip(0)),
]


@pytest.mark.parametrize("i", range(len(INT_ALIAS_CALLS)))
def test_alias_values_int(i):
    check(INT_ALIAS_CALLS[i], [(3, 4)], dtype="int64")


ALIAS_ERRORS = [
    lambda m: m.sum(m.ones(2, 3), dim=1, axis=1),  # both names
    lambda m: m.sum(m.ones(2, 3), 1, axis=1),  # positional and alias
    lambda m: m.ones(2, 3).sum(1, keepdim=True, keepdims=True),
    lambda m: m.sum(m.ones(2, 3), x=m.ones(2)),  # input given positionally
    lambda m: m.ones(2, 3).sum(x=m.ones(2)),  # a method's self has no alias
    lambda m: m.add(m.ones(2), m.ones(2), x2=m.ones(2)),
    lambda m: m.nn.functional.softmax(m.ones(2, 3), axis=1),  # Python functions: no aliases
    lambda m: m.nn.functional.log_softmax(m.ones(2, 3), axis=1),
    lambda m: m.split(m.ones(4), 2, axis=0),
    lambda m: m.ones(4).split(2, axis=0),
    lambda m: m.norm(m.ones(2, 3), axis=1),
    lambda m: m.ones(2, 3).norm(axis=1),
    lambda m: m.unique(m.ones(2, 3), axis=0),
    lambda m: m.ones(2, 3).unique(axis=0),
    lambda m: m.transpose(m.ones(2, 3), axis0=0, axis1=1),  # dim0/dim1 have no alias
]


@pytest.mark.parametrize("i", range(len(ALIAS_ERRORS)))
def test_alias_errors(i):
    same_error(ALIAS_ERRORS[i])


def test_alias_error_message():
    with pytest.raises(TypeError, match=r"^sum\(\) got an unexpected keyword argument 'axis'"):
        ember.sum(ember.ones(2, 3), 1, axis=1)


def test_aliases_keep_the_signature_name_and_pickling():
    assert inspect.signature(ember.sum) == inspect.signature(ember.sum.__wrapped__)
    assert ember.sum.__name__ == "sum" and ember.Tensor.sum is ember.sum
    assert ember.Tensor.cumsum_.__name__ == "cumsum_"
    for fn in (ember.sum, ember.Tensor.size, ember.Tensor.cumsum_, ember.cat, ember.concat, ember.softmax,
               ember.is_floating_point):
        assert pickle.loads(pickle.dumps(fn)) is fn


def test_later_functions_are_covered():
    """A function reaching the namespace through the normal path gets the aliases."""
    ns = {"f": lambda input, dim=None, keepdim=False: (input, dim, keepdim), "_private": lambda dim: dim}

    class T:
        def g(self, other, dim=0):
            return other, dim

        def g_(self, *args, **kwargs):
            return self.g(*args, **kwargs)

    private = ns["_private"]
    _arg_parser.install(ns, T)
    assert ns["f"](x=1, axis=2, keepdims=True) == (1, 2, True)
    assert ns["_private"] is private
    assert T().g(x2=3, axis=4) == (3, 4)
    assert T().g_(x2=5, axis=6) == (5, 6)
    with pytest.raises(TypeError):
        T().g(1, x2=3)


# -- keyword-only arguments, positional counts ------------------------------------------------------
POSITIONAL_ERRORS = [
    lambda m: m.sum(m.ones(2, 3), 1, False, m.float64),  # dtype is keyword-only
    lambda m: m.ones(2, 3).sum(1, True, m.float64),
    lambda m: m.mean(m.ones(2, 3), 1, True, m.float64),
    lambda m: m.prod(m.ones(2, 3), 1, True, m.float64),
    lambda m: m.max(m.ones(2, 3), 1, True, None),  # out is keyword-only
    lambda m: m.min(m.ones(2, 3), 1, True, None),
    lambda m: m.std(m.ones(2, 3), 1, 1, False),  # correction is keyword-only: an int is no `unbiased`
    lambda m: m.var(m.ones(2, 3), 1, 0),
    lambda m: m.argmax(m.ones(2, 3), 1, True, None),
    lambda m: m.cat([m.ones(2)], 0, None),
    lambda m: m.stack([m.ones(2)], 0, None),
    lambda m: m.topk(m.ones(2, 3), 2, 1, True, True, None),
    lambda m: m.sort(m.ones(2, 3), 1, False, True),  # stable is keyword-only
    lambda m: m.argsort(m.ones(2, 3), 1, False, True),
    lambda m: m.ones(2, 3).sort(1, False, True),
    lambda m: m.softmax(m.ones(2, 3)),  # torch.softmax needs dim
    lambda m: m.softmax(m.ones(2, 3), 1, None, 3),
    lambda m: m.cumsum(m.ones(2, 3), 1, m.float64),
    lambda m: m.logsumexp(m.ones(2, 3), 1, False, None),
    lambda m: m.scatter(m.ones(2, 3), 0, m.zeros(1, 3, dtype=m.long), m.ones(1, 3), 1.0),
    lambda m: m.add(m.ones(2), m.ones(2), 2),  # alpha is keyword-only
]


@pytest.mark.parametrize("i", range(len(POSITIONAL_ERRORS)))
def test_keyword_only_errors(i):
    same_error(POSITIONAL_ERRORS[i])


POSITIONAL_OK = [
    lambda m, x: m.sum(x, 1, True),
    lambda m, x: m.std(x, 1, False, True),
    lambda m, x: m.var(x, 1, correction=0, keepdims=True),
    lambda m, x: m.softmax(x, 1, m.float64),  # torch.softmax's dtype may be positional
    lambda m, x: x.softmax(0, m.float64),
    lambda m, x: m.log_softmax(x, 1, m.float64),
    lambda m, x: tuple(m.sort(x, stable=True, dim=1)),
    lambda m, x: tuple(m.topk(x, 2, 1, False, True)),
    lambda m, x: m.scatter(x, 0, m.tensor([[1, 0, 1, 0]]), value=2.0),
    lambda m, x: m.scatter(x, 0, m.tensor([[1, 0, 1, 0]]), 2.0),
]


@pytest.mark.parametrize("i", range(len(POSITIONAL_OK)))
def test_positional_forms_torch_takes(i):
    check(POSITIONAL_OK[i], [(3, 4)], dtype="float32")


def test_functional_softmax_keeps_its_signature():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        e = ember.nn.functional.softmax(ember.tensor(x))
    with pytest.warns(UserWarning):
        t = torch.nn.functional.softmax(torch.tensor(x))
    assert_same(e, t)
    assert_same(ember.nn.functional.log_softmax(ember.tensor(x), 1, 3, ember.float64),
                torch.nn.functional.log_softmax(torch.tensor(x), 1, 3, torch.float64))


# -- any Python sequence as an index ---------------------------------------------------------------
GET_KEYS = [
    lambda m: (range(3), m.tensor([1, 2, 0])),
    lambda m: [0, 2],
    lambda m: [[[0, 1], [1, 0]]],  # nested: one 2-d index
    lambda m: [[0, 1], [1, 0]],  # a short list holding lists is a tuple (torch's legacy rule)
    lambda m: ([0, 1], [1, 2]),
    lambda m: [m.tensor(0), m.tensor(2)],  # ...and one holding tensors
    lambda m: [m.tensor([0, 1]), m.tensor([2, 3])],
    lambda m: ([m.tensor(0), m.tensor(3)], 1),  # single-element tensors inside an index list
    lambda m: range(2),
    lambda m: range(3, 0, -2),
    lambda m: (range(2), slice(None)),
    lambda m: (range(2), [0, 5]),
    lambda m: [range(2), range(2)],
    lambda m: range(0),
    lambda m: np.array([0, 3]),
    lambda m: np.array([[0, 1], [2, 3]], dtype=np.int32),
    lambda m: (np.array([0, 1]), np.array([1, 2])),
    lambda m: [np.int64(0), np.int64(3)],
    lambda m: np.array([True, False, True, False]),
    lambda m: np.array([1, 0, 1, 0], dtype=np.uint8),  # a byte array is a mask, as torch reads it
    lambda m: [True, False, True, False],
    lambda m: [[[True, False, True, True, False, False]] * 4],  # a nested bool list: a 2-d mask
    lambda m: [0.7, 1.9, -0.5],  # floats truncate to int64
    lambda m: __import__("collections").deque([0, 2, 2]),  # repeated: gradients accumulate
    lambda m: (True, 1),
    lambda m: [0, 1] * 17 + [3],  # 32 or more items: an index, never a tuple
    lambda m: [0, [1, 2]],
    lambda m: [slice(0, 2), 1],
    lambda m: [None, 1],
]


@pytest.mark.parametrize("i", range(len(GET_KEYS)))
def test_sequence_index_values_and_grads(i):
    with _quiet():
        check(lambda m, x: x[GET_KEYS[i](m)], [(4, 6)], dtype="float64")


@contextlib.contextmanager
def _quiet():
    """torch and ember both warn for a non-tuple sequence holding sequences (tested below)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_sequence_index_3d():
    mask = [[True, False, True], [False, True, False]]
    for key in (lambda m: (range(2), range(2), range(2)), lambda m: (m.tensor(mask), 1),
                lambda m: (m.tensor(mask), slice(1, 3)), lambda m: (1, [True, False, True]),
                lambda m: (True, 1, None), lambda m: (None, range(2)), lambda m: (Ellipsis, range(3)),
                lambda m: (Ellipsis, np.array([[0, 3]]))):
        check(lambda m, x: x[key(m)], [(2, 3, 4)], dtype="float64")


SET_KEYS = [
    (lambda m: range(2), (6,)),
    (lambda m: (range(3), m.tensor([1, 2, 0])), (3,)),
    (lambda m: [0, 2], (1, 6)),
    (lambda m: [[0, 1], [1, 0]], (2,)),
    (lambda m: np.array([3, 1]), (2, 6)),
    (lambda m: __import__("collections").deque([1, 3]), ()),
    (lambda m: [True, False, False, True], (6,)),
    (lambda m: (True, 1), ()),
    (lambda m: [0.5, 2.9], (6,)),
]


@pytest.mark.parametrize("i", range(len(SET_KEYS)))
def test_sequence_index_setitem_values_and_grads(i):
    key, vshape = SET_KEYS[i]

    def fn(m, x, v):
        y = x * 1
        y[key(m)] = v
        return y

    with _quiet():
        check(fn, [(4, 6), vshape], dtype="float64")


SEQUENCE_INDEX_ERRORS = [
    lambda m: m.zeros(4, 6)[[[0, 1], [1]],],  # ragged
    lambda m: m.zeros(4, 6)[([0, 1], [[1], [2, 3]])],
    lambda m: m.zeros(4, 6)[([m.tensor([0, 1]), m.tensor([1, 2])], 2)],  # tensors inside must be single ints
    lambda m: m.zeros(4, 6)[([m.tensor(0.0), m.tensor(1.0)], 2)],
    lambda m: m.zeros(4, 6)[m.tensor([0.0, 1.0])],
    lambda m: m.zeros(4, 6)[(["a"],)],
    lambda m: m.zeros(4, 6)["ab"],
    lambda m: m.zeros(4, 6)[[1j]],
    lambda m: m.zeros(4, 6)[[5]],
    lambda m: m.zeros(4, 6)[np.bool_(True)],
    lambda m: m.zeros(4, 6)[range(5)],
]


@pytest.mark.parametrize("i", range(len(SEQUENCE_INDEX_ERRORS)))
def test_sequence_index_errors(i):
    with _quiet():
        e, t = same_error(SEQUENCE_INDEX_ERRORS[i])
    assert e.split(" ")[:3] == t.split(" ")[:3], (e, t)


def test_non_tuple_sequence_warns_as_torch():
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional indexing"):
        ember.zeros(4, 6)[[range(2), range(2)]]


# -- dtypes print as torch's under `ember run` -------------------------------------------------------
PRINTING_SCRIPT = """
import torch
x = torch.ones(2, dtype=torch.int32)
print(x)
print(torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True))
print(torch.float64, repr(torch.float16), str(torch.bfloat16), [torch.bool], f"{torch.uint8}")
print(torch.finfo(torch.float32), torch.iinfo(torch.int16))
print({torch.float32: 1})
"""


def _run_script(tmp_path, source, via_ember_run):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    cmd = [sys.executable, "-m", "ember", "run", str(script)] if via_ember_run else [sys.executable, str(script)]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_dtypes_print_as_torch_under_ember_run(tmp_path):
    ours = _run_script(tmp_path, PRINTING_SCRIPT, via_ember_run=True)
    assert ours == _run_script(tmp_path, PRINTING_SCRIPT, via_ember_run=False)  # plain python: real torch
    assert "dtype=torch.int32" in ours and "ember" not in ours


def test_dtypes_print_as_ember_with_import_ember():
    assert repr(ember.float32) == str(ember.float32) == "ember.float32"
    assert repr(ember.ones(2, dtype=ember.int8)) == "tensor([1, 1], dtype=ember.int8)"
    assert f"{ember.bool}" == "ember.bool"


# -- the default generator's seed ----------------------------------------------------------------------
SEED_SCRIPT = "import {m} as t; print(t.initial_seed(), t.random.initial_seed(), t.Generator().initial_seed())"


def _initial_seeds(module):
    out = subprocess.run([sys.executable, "-c", SEED_SCRIPT.format(m=module)], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, PYTHONPATH=ROOT), check=True).stdout
    return [int(v) for v in out.split()]


def test_initial_seed_is_random_per_process():
    """torch seeds its default CPU generator with 64 bits from the OS at start-up."""
    runs = [_initial_seeds("ember") for _ in range(2)]
    (a, a2, g), (b, b2, g2) = runs
    assert a == a2 and b == b2 and a != b
    assert 0 <= a < 2**64 and 0 <= b < 2**64 and max(a, b) >= 2**32  # a 64-bit value, not a 32-bit one
    t = _initial_seeds("torch")
    assert g == g2 == t[2] == 67280421310721  # a new Generator() starts from torch's fixed default


def test_manual_seed_stays_deterministic():
    ember.manual_seed(0)
    torch.manual_seed(0)
    assert ember.initial_seed() == torch.initial_seed() == 0
    np.testing.assert_array_equal(ember.rand(5).numpy(), torch.rand(5).numpy())
    s = ember.seed()
    assert ember.initial_seed() == s and 0 <= s < 2**64


def test_functional_builtins_take_aliases_and_python_ones_do_not():
    """torch.nn.functional mixes C++ bindings (cosine_similarity, linear, conv2d...), which take the
    aliases, and Python functions (softmax, normalize, relu...), which do not."""
    import torch.nn.functional as TF

    builtins_ = {n for n in dir(TF) if not n.startswith("_") and _is_builtin(getattr(TF, n))}
    assert builtins_ - {"has_torch_function", "has_torch_function_unary", "has_torch_function_variadic"} \
        == ember.nn.functional._PARSER_BUILTINS
    for n in dir(ember.nn.functional):
        f = getattr(ember.nn.functional, n)
        if isinstance(f, types.FunctionType) and not n.startswith("_") and n not in builtins_:
            assert not _aliases_of(f), n
    check(lambda m, a, b: m.nn.functional.cosine_similarity(a, b, axis=0), [(3, 4), (3, 4)])
    check(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, keepdims=True), [(3, 4), (3, 4)])
    check(lambda m, a, w: m.nn.functional.linear(x=a, weight=w), [(3, 4), (2, 4)])
    same_error(lambda m: m.nn.functional.normalize(m.ones(2, 3), axis=1))
