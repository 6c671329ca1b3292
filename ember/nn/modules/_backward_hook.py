"""register_full_backward_hook support: identity nodes around a module call.

The module's tensor inputs and outputs pass through one identity node each
way. The output node's pre-hook sees grad_output; the input node's pre-hook
sees grad_input, calls the user hooks with both, and passes on what they
return (torch's BackwardHook, in small)."""
from ..._ops._base import Op
from ..._tensor import Tensor


class BackwardHookFunctionBackward(Op):
    def forward(self, *arrays):
        return tuple(arrays)

    def backward(self, *grads):
        return grads


def _wrap_tensors(values):
    """Pass the tensors that require grad in `values` through one identity node."""
    idx = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
    if not idx:
        return list(values), None
    outs = BackwardHookFunctionBackward.apply(*[values[i] for i in idx])
    new = list(values)
    for i, o in zip(idx, outs):
        new[i] = o
    return new, (idx, outs[0].grad_fn)


def call_with_backward_hooks(module, args, kwargs):
    state = {"grad_output": None}
    n_in = len(args)
    args, in_info = _wrap_tensors(args)

    def run_hooks(grad_input):
        for hook in tuple(module._backward_hooks.values()):
            res = hook(module, grad_input, state["grad_output"])
            if res is not None:
                grad_input = tuple(res)
        return grad_input

    if in_info is not None:
        in_idx, in_node = in_info

        def on_inputs(grads):
            full = [None] * n_in
            for i, g in zip(in_idx, grads):
                full[i] = g
            full = run_hooks(tuple(full))
            return tuple(full[i] for i in in_idx)

        in_node.register_prehook(on_inputs)
    result = module.forward(*args, **kwargs)
    single = isinstance(result, Tensor)
    outs, out_info = _wrap_tensors([result] if single else list(result) if isinstance(result, tuple) else [result])
    if out_info is not None:
        out_idx, out_node = out_info

        def on_outputs(grads):
            state["grad_output"] = tuple(grads)
            if in_info is None:
                run_hooks((None,) * n_in)
            return None

        out_node.register_prehook(on_outputs)
    return outs[0] if single else tuple(outs) if isinstance(result, tuple) else outs[0]
