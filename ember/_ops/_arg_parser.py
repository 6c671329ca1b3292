"""NumPy-style keyword names, accepted where torch's argument parser accepts them.

torch's C++ argument parser (torch/csrc/utils/python_arg_parser.cpp, its
`numpy_compatibility_arg_names`) lets every builtin function and Tensor method
take a keyword under a NumPy name when the torch name is not given:

    dim -> axis    keepdim -> keepdims    input -> x, a, x1    other -> x2

so `torch.sum(x, axis=1, keepdims=True)`, `x.mean(axis=0)`, `torch.cat(ts, axis=0)`
and `torch.add(x=a, x2=b)` all work. An alias given next to its torch name, or
for a parameter already given positionally, is refused as torch refuses it
("sum() got an unexpected keyword argument 'axis'"). Functions torch defines
in Python (torch/functional.py, torch/_tensor.py, most of torch.nn.functional)
bypass the parser and take no aliases: `torch.split(x, 2, axis=1)` and
`F.softmax(x, axis=1)` are TypeErrors.

How ember does it, once for every function: `install(namespace, Tensor)` runs at
the end of `import ember` (ember/__init__.py). It wraps each public function of
the namespace and each public Tensor method whose parameters include one of the
torch names above (read from the code object, so it is cheap), unless torch
defines that name in Python (`PYTHON_DEFINED`). The wrapper costs one call
frame and, with keywords, one set test; calls without keywords go straight
through. A function added later needs nothing more as long as it reaches the
ember namespace at import (a module in `ember/_ops` FAMILIES, or any name
`ember/__init__.py` imports) or is set on Tensor before that; ember's own code
calls the unwrapped functions. A namespace of its own calls install on itself:
ember.linalg, ember.special and ember.fft (torch's are all builtins) and
ember.nn.functional (for the few that torch binds from C++: linear, conv2d,
cosine_similarity...).
In-place methods written as `op_(self, *args, **kwargs)` take `op`'s aliases.
Parameters must carry torch's names (`input`, `dim`, `keepdim`, `other`) for
their aliases to work.
"""
import inspect
import types

ALIASES = {"dim": ("axis",), "keepdim": ("keepdims",), "input": ("x", "a", "x1"), "other": ("x2",)}

# torch names defined in Python (torch/functional.py, torch/_linalg_utils.py, torch/_tensor.py):
# torch's parser never sees their arguments, so they stay strict.
PYTHON_DEFINED = frozenset({
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors", "cartesian_prod",
    "block_diag", "cdist", "chain_matmul", "einsum", "lu", "norm", "meshgrid", "pca_lowrank", "split",
    "stft", "svd_lowrank", "tensordot", "unique", "unique_consecutive", "unravel_index",
    "lstsq", "matrix_rank", "solve", "symeig",
})
PYTHON_DEFINED_METHODS = frozenset({
    "norm", "split", "unflatten", "unique", "unique_consecutive", "lstsq", "solve", "module_load", "stft", "istft",
    "lu", "align_to", "refine_names", "rename", "rename_",
})

_VARKEYWORDS = inspect.CO_VARKEYWORDS


def _alias_table(fn):
    """{alias: (torch name, its positional index or None)} for a plain function's parameters
    (a decorated function's: those of the function it wraps)."""
    fn = getattr(fn, "__wrapped__", fn)
    code = fn.__code__
    n_pos = code.co_argcount
    names = code.co_varnames[:n_pos + code.co_kwonlyargcount]
    table = {}
    for i, name in enumerate(names):
        for alias in ALIASES.get(name, ()):
            if alias not in names:  # a real parameter of that name wins
                table[alias] = (name, i if i < n_pos else None)
    return table


def accept_aliases(fn, table=None):
    """fn, taking torch's NumPy-style keyword aliases (fn itself when it has none to take).
    `table` (from `_alias_table`) defaults to fn's own parameters."""
    if hasattr(fn, "_aliases"):  # wrapped already (a name imported from another namespace)
        return fn
    if table is None:
        table = _alias_table(fn)
    if not table:
        return fn
    aliases = frozenset(table)
    fname = fn.__name__

    def rename(args, kwargs):
        for alias in [k for k in kwargs if k in aliases]:
            name, pos = table[alias]
            if name in kwargs or (pos is not None and pos < len(args)):
                raise TypeError(f"{fname}() got an unexpected keyword argument '{alias}'")
            kwargs[name] = kwargs.pop(alias)

    takes_input = fn.__code__.co_argcount and fn.__code__.co_varnames[0] == "input"
    takes_other = takes_input and fn.__code__.co_argcount > 1 and fn.__code__.co_varnames[1] == "other"

    def with_aliases(*args, **kwargs):
        try:
            if not kwargs:
                return fn(*args)
            if not aliases.isdisjoint(kwargs):
                rename(args, kwargs)
            return fn(*args, **kwargs)
        except AttributeError:
            try:
                if takes_input:
                    _check_input_is_tensor(fname, args[0] if args else kwargs.get("input"))
                if takes_other and (len(args) > 1 or "other" in kwargs):
                    _check_input_is_tensor(fname, args[1] if len(args) > 1 else kwargs.get("other"), "other", 2)
            except TypeError as e:
                raise _parser_error(fname, e, args, kwargs) from None
            raise
        except TypeError as e:
            raise _parser_error(fname, e, args, kwargs)

    with_aliases.__name__, with_aliases.__qualname__ = fname, fn.__qualname__
    with_aliases.__module__, with_aliases.__doc__ = fn.__module__, fn.__doc__
    with_aliases.__wrapped__ = fn  # inspect.signature shows fn's parameters
    with_aliases._aliases = table
    return with_aliases


# torch functions with several signatures: a bad argument makes their parser report the whole call.
OVERLOADED = frozenset({"sum", "mean", "prod", "std", "var", "all", "any", "count_nonzero", "max", "min", "std_mean",
                        "var_mean", "squeeze", "sort", "argsort"})


def _parser_error(fname, e, args, kwargs):
    """An argument TypeError ("argument 'dim' must be int, not str") worded as torch's parser words it
    for fname: named for the function, or the whole call for functions with several signatures."""
    message = e.args[0] if e.args and isinstance(e.args[0], str) else ""
    if message.startswith(f"{fname}(): argument '"):
        message = message[len(fname) + 4:]
    if not message.startswith("argument '"):
        return e
    if fname in OVERLOADED:
        from .._tensor import Tensor

        got = [type(a).__name__ if not isinstance(a, Tensor) else "Tensor" for a in args]
        got += [f"{k}={type(v).__name__ if not isinstance(v, Tensor) else 'Tensor'}" for k, v in kwargs.items()]
        e.args = (f"{fname}() received an invalid combination of arguments - got ({', '.join(got)}), but expected "
                  f"one of: ...",)
    else:
        e.args = (f"{fname}(): {message}",)
    return e


def _check_input_is_tensor(fname, x, name="input", position=1):
    """torch's parser error for a non-Tensor `input` (a list, a number...), which ember's code
    met as an AttributeError; raised from that error, so it costs nothing on good calls."""
    from .._tensor import Tensor

    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}") from None


def install(namespace, tensor_cls=None, python_defined=PYTHON_DEFINED):
    """Wrap the public functions of `namespace` (a module's globals) but those named in
    `python_defined`, and the public methods of `tensor_cls` (if given), in place. A function
    used under several names gets one wrapper, named where it is first installed (so pickle
    finds it: `ember.sum`, `ember._tensor.Tensor.size`)."""
    done = {}

    def wrap(fn, module, qualname, table=None):
        w = done.get(id(fn))
        if w is None:
            w = done[id(fn)] = accept_aliases(fn, table)
            if w is not fn and module:
                w.__module__, w.__qualname__ = module, qualname
        return w

    for name, obj in list(namespace.items()):
        if type(obj) is types.FunctionType and not name.startswith("_") and name not in python_defined:
            namespace[name] = wrap(obj, namespace.get("__name__"), name, _twin_table(name, obj, namespace))
    if tensor_cls is None:
        return
    methods = vars(tensor_cls)
    for name, obj in list(methods.items()):
        if type(obj) is types.FunctionType and not name.startswith("_") and name not in PYTHON_DEFINED_METHODS:
            setattr(tensor_cls, name, wrap(obj, tensor_cls.__module__, f"{tensor_cls.__qualname__}.{name}",
                                           _twin_table(name, obj, methods)))


def _twin_table(name, fn, scope):
    """op_(self, *args, **kwargs) forwarding to op takes op's parameters, so op's aliases
    (None: fn's own parameters decide)."""
    twin = scope.get(name[:-1]) if name.endswith("_") else None
    if fn.__code__.co_flags & _VARKEYWORDS and type(twin) is types.FunctionType:
        return _alias_table(getattr(twin, "__wrapped__", twin)) or None
    return None
