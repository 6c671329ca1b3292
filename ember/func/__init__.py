"""torch.func: composable function transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap) and
functional_call, on ember's reverse-mode tape."""
from .eager_transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from .functional_call import functional_call, stack_module_state
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "vmap", "replace_all_batch_norm_modules_", "functionalize", "hessian",
           "jacfwd", "jacrev", "jvp", "linearize", "rearrange", "vjp", "functional_call", "stack_module_state",
           "debug_unwrap"]


def functionalize(func, *, remove="mutations"):
    """ember's tensors are plain eager arrays, so there are no mutations to rewrite: func itself."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
                           " Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                           "removed from the program, and replaced with their out-of-place equivalents.\n     "
                           "remove='mutations_and_views': In addition to the above, all aliasing operators "
                           "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func


def debug_unwrap(tensor, *, recurse=True):
    """Transforms here never wrap tensors, so there is nothing to unwrap."""
    return tensor


def replace_all_batch_norm_modules_(root):
    """Make every batch norm under root stop tracking running statistics (in place), as torch.func needs
    for vmap over a batch norm; returns root."""
    from ..nn.modules.normalization import _BatchNorm

    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root


def rearrange(tensor, pattern, **axes_lengths):
    """einops.rearrange on ember tensors (torch.func's port of it)."""
    from ._rearrange import rearrange as _impl

    return _impl(tensor, pattern, **axes_lengths)
