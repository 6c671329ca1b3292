"""What a tensor says about itself, and the methods torch keeps for other backends and for old code:
torch.is_inference / is_distributed, Tensor.dense_dim / to_dense (a dense tensor is its own dense form),
const_data_ptr, the is_<backend> flags and .ipu()/.xpu()/.mtia() of backends this build lacks (as a
CPU-only torch build answers), name and volatile (always None / False), reinforce (removed),
record_stream, module_load and as_subclass.
"""
import warnings

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["is_inference", "is_distributed"]


def is_inference(input):
    """Whether `input` was made under inference_mode (see Tensor.is_inference)."""
    return input.is_inference()


def is_distributed(input):
    """ember's tensors live in one process: never distributed (torch answers False for dense tensors too)."""
    return False


def dense_dim(self):
    """The number of dense dimensions: all of them for a strided tensor."""
    return self._data.ndim


def to_dense(self, dtype=None, *, masked_grad=None):
    """A strided tensor is already dense: itself, or a copy in `dtype`."""
    dtype = D.canonical(dtype)
    return self if dtype is None or dtype is self._dtype else self.to(dtype)


def const_data_ptr(self):
    return self.data_ptr()


def ipu(self, device=None, non_blocking=False, memory_format=None):
    raise RuntimeError("PyTorch is not linked with support for ipu devices")


def xpu(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError("Torch not compiled with XPU enabled")


def mtia(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError("Torch not compiled with MTIA enabled. Ensure you have `import "
                         "mtia.host_runtime.torch_mtia.dynamic_library` in your python src file and include "
                         "`//mtia/host_runtime/torch_mtia:torch_mtia` as your target dependency!")


def _volatile_get(self):
    warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
    return False


def _volatile_set(self, value):
    warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.", UserWarning,
                  stacklevel=2)


def reinforce(self, reward):
    raise RuntimeError("reinforce() was removed.\nUse torch.distributions instead.\n"
                       "See https://pytorch.org/docs/main/distributions.html\n\nInstead of:\n\n"
                       "probs = policy_network(state)\naction = probs.multinomial()\n"
                       "next_state, reward = env.step(action)\naction.reinforce(reward)\naction.backward()\n\n"
                       "Use:\n\nprobs = policy_network(state)\n# NOTE: categorical is equivalent to what used to be "
                       "called multinomial\nm = torch.distributions.Categorical(probs)\naction = m.sample()\n"
                       "next_state, reward = env.step(action)\nloss = -m.log_prob(action) * reward\nloss.backward()\n")


def record_stream(self, stream):
    """Keep the memory alive until `stream`'s queued work is done: CuPy's pool already orders frees after
    the work of the stream that allocated them; CPU tensors have no kernel for it, as in torch."""
    if self.device.type == "cpu":
        raise NotImplementedError("Could not run 'aten::record_stream' with arguments from the 'CPU' backend. This "
                                  "could be because the operator doesn't exist for this backend, or was omitted "
                                  "during the selective/custom build process (if using custom build).")


def module_load(self, other, assign=False):
    """How load_state_dict turns the state-dict value `other` into this parameter's new value (used when
    swapping parameters on conversion): other detached (assign) or self updated from it."""
    if assign:
        return other.detach()
    return self.copy_(other).detach()


def as_subclass(self, cls):
    """An alias of self (same memory, in the graph as AliasBackward0) whose class is `cls`."""
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a type (got {type(cls).__name__})")
    if not issubclass(cls, Tensor):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not possible. "
                        "Make sure your class inherits from Tensor.")
    from .indexing import AliasBackward0

    out = AliasBackward0.apply(self, key=())
    out.__class__ = cls
    return out


for _fn in (dense_dim, to_dense, const_data_ptr, ipu, xpu, mtia, reinforce, record_stream, module_load,
            as_subclass):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.is_distributed = is_distributed
Tensor.volatile = property(_volatile_get, _volatile_set)
Tensor.name = property(lambda self: None)  # named tensors' per-tensor name: ember's tensors have none
for _backend in ("ipu", "xpu", "maia", "mps", "mtia", "xla"):
    setattr(Tensor, f"is_{_backend}", property(lambda self: False))
