"""torch.cond and torch.while_loop: structured control flow, run eagerly.

torch compiles these through dynamo even in eager code, so that both branches (or the loop body) are
traced; ember has no compiler, so it checks the arguments as torch does and runs the branch (the loop)
directly, which gives the values torch's compiled call gives.
"""
from ._dynamo.exc import UncapturedHigherOrderOpError
from ._tensor import Tensor
from .func._pytree import tree_flatten

__all__ = ["cond", "while_loop"]

_UNCAPTURED = "This higher order operator doesn't work unless it is captured completely with torch.compile. " \
              "Got graph break/error:\n\n"


def cond(pred, true_fn, false_fn, operands=()):
    """`true_fn(*operands)` if pred else `false_fn(*operands)`; pred is a Python bool (or number) or a
    one-element tensor."""
    if not isinstance(pred, (bool, int, float)):
        if not isinstance(pred, Tensor):
            raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
        if pred.numel() != 1:
            raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
        if not callable(true_fn) or not callable(false_fn):
            raise RuntimeError("Expect both branches to be callable.")
        if not isinstance(operands, (tuple, list)) or not all(isinstance(t, Tensor)
                                                              for t in tree_flatten(operands)[0]):
            raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple that only "
                               f"consists of tensor leaves, but got {operands}.")
        pred = bool(pred)
    return true_fn(*operands) if pred else false_fn(*operands)


def _check_cond_output(pred):
    if isinstance(pred, bool) or isinstance(pred, Tensor) and pred.dim() == 0 and pred.dtype.name == "bool":
        return
    got = pred.shape if isinstance(pred, Tensor) else pred
    raise UncapturedHigherOrderOpError(_UNCAPTURED + "torch.while_loop: unsupported cond_fn return type\n"
                       "  Higher Order Operator: torch.while_loop\n"
                       f"  Explanation: Expected cond_fn to return a scalar tensor or a bool but got {got}.")


def while_loop(cond_fn, body_fn, carried_inputs):
    """Run `body_fn(*carried)` while `cond_fn(*carried)` is a True scalar (bool tensor or bool); returns
    the last body output, or clones of carried_inputs when the loop never runs."""
    flat = tree_flatten(carried_inputs)[0]
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    if not all(isinstance(x, (Tensor, int)) for x in flat):
        raise AssertionError(f"{flat} can only be of (<class 'torch.Tensor'>, <class 'int'>, <class 'torch.SymInt'>) "
                             f"but got {tuple(type(x) for x in flat)}")
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list but got {type(carried_inputs)}")
    carried = carried_inputs
    should_loop = cond_fn(*carried)
    _check_cond_output(should_loop)
    if not should_loop:
        return tuple(x.clone() if isinstance(x, Tensor) else x for x in carried)
    while should_loop:
        out = body_fn(*carried)
        if not isinstance(out, (tuple, list)):
            raise AssertionError(f"body_fn should return a tuple but got {type(out)}")
        if len(out) != len(carried_inputs):
            raise AssertionError("body_fn should return the same number of elements as carried_inputs, got "
                                 f"{len(out)} vs {len(carried_inputs)}")
        carried = out
        should_loop = cond_fn(*carried)
        _check_cond_output(should_loop)
    return carried
