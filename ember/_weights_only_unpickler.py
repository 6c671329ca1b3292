"""The opcodes a weights-only load runs, as strict as torch._weights_only_unpickler.

The pure-Python unpickler runs a checkpoint's pickle, but only with the opcodes torch's
weights-only loader knows (protocol 2's containers, numbers, strings, memo and
persistent ids); any other opcode is refused. The opcodes that call or mutate objects
are checked as torch checks them: REDUCE and NEWOBJ only call allowed globals, BUILD
only fills a Tensor or Parameter through their legacy state (so bounds are checked and
no internal attribute is overwritten), an OrderedDict or an allowlisted type, and
APPEND/SETITEM only fill lists and dicts.
"""
import collections
import pickle

_ALLOWED_OPS = {op[0] for op in (
    pickle.GLOBAL, pickle.NEWOBJ, pickle.REDUCE, pickle.BUILD, pickle.APPEND, pickle.APPENDS, pickle.SETITEM,
    pickle.SETITEMS, pickle.MARK, pickle.TUPLE, pickle.TUPLE1, pickle.TUPLE2, pickle.TUPLE3, pickle.NONE,
    pickle.NEWFALSE, pickle.NEWTRUE, pickle.EMPTY_TUPLE, pickle.EMPTY_LIST, pickle.EMPTY_DICT, pickle.EMPTY_SET,
    pickle.BININT, pickle.BININT1, pickle.BININT2, pickle.BINFLOAT, pickle.BINUNICODE, pickle.SHORT_BINSTRING,
    pickle.BINPERSID, pickle.BINGET, pickle.LONG_BINGET, pickle.BINPUT, pickle.LONG_BINPUT, pickle.LONG1,
    pickle.PROTO, pickle.STOP)}


class _Dispatch(dict):
    def __missing__(self, key):
        raise pickle.UnpicklingError(f"Unsupported operand {key}")


class WeightsOnlyOps:
    """Mixed into a pickle._Unpickler subclass that provides `_is_allowed(obj)` (whether GLOBAL may give
    obj) and `_legacy_setstate(tensor, state)` (Tensor.__setstate__ with checked bounds)."""

    def _load_newobj(self):
        from ._tensor import Tensor
        from .nn.parameter import Parameter

        args = self.stack.pop()
        cls = self.stack.pop()
        if cls is Parameter:
            self.append(Parameter(*args))
        elif cls is Tensor or self._is_allowed(cls):
            self.append(cls.__new__(cls, *args))
        else:
            raise pickle.UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted "
                                         f"via `add_safe_globals` but got {cls}")

    def _load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not self._is_allowed(func):
            msg = f"Trying to call reduce for unrecognized function {func}"
            if hasattr(func, "__self__"):
                msg += f" which belongs to {func.__self__}"
            raise pickle.UnpicklingError(msg)
        self.stack[-1] = func(*args)

    def _load_build(self):
        from ._tensor import Tensor
        from .nn.parameter import Parameter

        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) is Tensor:
            if not isinstance(state, tuple) or len(state) != 4:  # torch calls inst.set_(*state)
                raise TypeError(f"set_() received an invalid combination of arguments - got {state!r}")
            self._legacy_setstate(inst, state)
        elif type(inst) is Parameter:
            self._legacy_setstate(inst, state)
        elif type(inst) is collections.OrderedDict:
            inst.__dict__.update(state)
        elif self._is_allowed(type(inst)):
            if hasattr(inst, "__setstate__"):
                inst.__setstate__(state)
            else:  # as pickle's load_build
                slotstate = None
                if isinstance(state, tuple) and len(state) == 2:
                    state, slotstate = state
                if state:
                    inst.__dict__.update(state)
                for k, v in (slotstate or {}).items():
                    setattr(inst, k, v)
        else:
            raise pickle.UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                                         f"via `add_safe_globals`, but got {type(inst)}")

    def _load_append(self):
        item = self.stack.pop()
        if type(self.stack[-1]) is not list:
            raise pickle.UnpicklingError(f"Can only append to lists, but got {type(self.stack[-1])}")
        self.stack[-1].append(item)

    def _load_appends(self):
        items = self.pop_mark()
        if type(self.stack[-1]) is not list:
            raise pickle.UnpicklingError(f"Can only extend lists, but got {type(self.stack[-1])}")
        self.stack[-1].extend(items)

    def _check_set_item_target(self, opcode):
        if type(self.stack[-1]) not in (dict, collections.OrderedDict, collections.Counter):
            raise pickle.UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, "
                                         f"collections.Counter, but got {type(self.stack[-1])}")

    def _load_setitem(self):
        value, key = self.stack.pop(), self.stack.pop()
        self._check_set_item_target("SETITEM")
        self.stack[-1][key] = value

    def _load_setitems(self):
        items = self.pop_mark()
        self._check_set_item_target("SETITEMS")
        for i in range(0, len(items), 2):
            self.stack[-1][items[i]] = items[i + 1]

    def _load_binpersid(self):
        pid = self.stack.pop()
        if type(pid) is not tuple and type(pid) is not int:
            raise pickle.UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
        if type(pid) is tuple and pid and _decode_ascii(pid[0]) != "storage":
            raise pickle.UnpicklingError(f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
        self.append(self.persistent_load(pid))

    dispatch = _Dispatch({k: v for k, v in pickle._Unpickler.dispatch.items() if k in _ALLOWED_OPS})
    dispatch.update({pickle.NEWOBJ[0]: _load_newobj, pickle.REDUCE[0]: _load_reduce, pickle.BUILD[0]: _load_build,
                     pickle.APPEND[0]: _load_append, pickle.APPENDS[0]: _load_appends,
                     pickle.SETITEM[0]: _load_setitem, pickle.SETITEMS[0]: _load_setitems,
                     pickle.BINPERSID[0]: _load_binpersid})


def _decode_ascii(s):
    return s.decode("ascii") if isinstance(s, bytes) else s


_DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
                 "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to "
    "`True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in "
    "arbitrary code execution. Do it only if you got the file from a trusted source.")


def weights_only_message(message):
    """torch.load's wording around a weights-only unpickler error (torch.serialization._get_wo_message)."""
    import re

    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                f"\n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
                "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message + _DOCS_MESSAGE)
    if re.search(r"(\S+) must be (\S+) to load", message):
        return f"Weights only load failed. {message}\n {_UNSAFE_MESSAGE}\n"
    updated = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", message):
        updated += ("Please file an issue with the following so that we can make `weights_only=True` compatible "
                    "with your use case: WeightsUnpickler error: ")
    return updated + "\n\n" + message + _DOCS_MESSAGE
