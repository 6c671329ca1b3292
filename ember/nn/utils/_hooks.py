"""The forward pre-hooks weight_norm, spectral_norm and prune install on a module."""


def remove_forward_pre_hook(module, matches):
    """Undo (hook.remove(module)) and unregister the first forward pre-hook for which
    matches(hook) holds; whether there was one."""
    for k, hook in module._forward_pre_hooks.items():
        if matches(hook):
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return True
    return False
