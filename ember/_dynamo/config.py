"""torch._dynamo.config: the settings scripts read and set. ember compiles nothing, so they are only kept;
unknown names raise as torch's config module does."""
import contextlib
import sys
import types

_DEFAULTS = {
    "suppress_errors": False,
    "cache_size_limit": 8,
    "recompile_limit": 8,
    "accumulated_cache_size_limit": 256,
    "accumulated_recompile_limit": 256,
    "verbose": False,
    "capture_scalar_outputs": False,
    "capture_dynamic_output_shape_ops": False,
    "optimize_ddp": True,
    "automatic_dynamic_shapes": True,
    "assume_static_by_default": True,
    "specialize_int": False,
    "specialize_float": False,
    "dynamic_shapes": True,
    "force_parameter_static_shapes": True,
    "guard_nn_modules": True,
    "error_on_recompile": False,
    "replay_record_enabled": False,
    "log_compilation_metrics": True,
    "inline_inbuilt_nn_modules": True,
    "skip_nnmodule_hook_guards": True,
    "allow_unspec_int_on_nn_module": False,
    "raise_on_ctx_manager_usage": True,
    "debug_dir_root": "torch_compile_debug",
}


class _ConfigModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"torch._dynamo.config.{name} does not exist")

    def __setattr__(self, name, value):
        if not name.startswith("_") and name not in _DEFAULTS and name not in self.__dict__:
            raise AttributeError(f"torch._dynamo.config.{name} does not exist")
        super().__setattr__(name, value)

    def get_config_copy(self):
        return {k: self.__dict__[k] for k in _DEFAULTS}

    def load_config(self, config):
        for k, v in dict(config).items():
            setattr(self, k, v)

    def patch(self, arg1=None, arg2=None, **kwargs):
        """Set settings for the duration of a with-block or a decorated function."""
        changes = dict(kwargs)
        if isinstance(arg1, str):
            changes[arg1] = arg2
        elif isinstance(arg1, dict):
            changes.update(arg1)

        @contextlib.contextmanager
        def _patched():
            old = {k: getattr(self, k) for k in changes}
            for k, v in changes.items():
                setattr(self, k, v)
            try:
                yield
            finally:
                for k, v in old.items():
                    setattr(self, k, v)

        return _patched()


globals().update(_DEFAULTS)
sys.modules[__name__].__class__ = _ConfigModule
