"""The Tensor: an array plus what autograd needs to know about it.

Only state and the autograd-facing methods live here. Math, shape and indexing
methods are attached by the op modules in `ember/_ops/` (each op is defined
once there, as a function and, where torch has one, as a method).

Storage: `_data` is a NumPy (CPU) or CuPy (CUDA) array. Views share `_data`
memory with their base, and share one version counter (`_vcell`, a
one-element list made on first need) so that an in-place change through any
of them is seen by every saved tensor.
"""
import weakref

import numpy as np

from . import _dtype as D
from ._device import device_of, xp_of
from .autograd import _make_grads, backward as _backward, grad_mode
from .autograd.engine import run_backward
from .autograd.graph import AccumulateGrad, _RemovableHandle

_state = grad_mode.state
_inference_threads = grad_mode.inference_threads


class Tensor:
    __slots__ = ("_data", "_dtype", "_requires_grad", "_grad_fn", "__dict__", "__weakref__")

    # Rare state lives in the instance __dict__, with these class defaults, so
    # that making a tensor in the hot path sets only the four slots above.
    _output_nr = 0
    _grad = None
    _vcell = None  # [int]: the version counter, shared with views; made on first need
    _base = None  # the tensor this one is a view of
    _view_fn = None  # how to re-make this view from its base (for in-place on views)
    _base_fn = None  # the base's grad_fn when this view's grad_fn was made (stale views are re-made)
    _retains_grad = False
    _grad_acc = None
    _is_param = False
    _inference = False  # made under inference_mode: no in-place change or grad outside it (see is_inference)
    _grad_dtype = None  # set by the grad_dtype setter: the dtype .grad must have (None in it: any dtype)

    # Make NumPy defer to our reflected operators: ndarray + Tensor -> Tensor.
    __array_priority__ = 1000

    def __new__(cls, *args, device=None):
        """torch.Tensor(...): the legacy constructor, always of the default dtype."""
        from ._creation import _legacy_new

        return _legacy_new(cls, D.get_default_dtype(), args, device)

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _make(data, dtype=None, requires_grad=False):
        """Wrap an array (no copy). The hot-path constructor for op outputs."""
        t = object.__new__(Tensor)
        if type(data) is not np.ndarray and not hasattr(data, "__cuda_array_interface__"):
            data = np.asarray(data)  # NumPy returns scalars for 0-d results
        t._data = data
        t._dtype = dtype if dtype is not None else D.from_numpy_dtype(data.dtype)
        t._requires_grad = requires_grad
        t._grad_fn = None
        if _inference_threads[0] and _state.inference:
            t._inference = True
        return t

    # -- basic attributes ---------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        from ._size import Size

        return Size(self._data.shape)

    def size(self, dim=None):
        from ._size import Size

        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._dtype.itemsize

    def is_floating_point(self):
        return self._dtype.is_floating_point

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def get_device(self):
        return -1 if self.is_cpu else self._data.device.id

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return int(self._data.size) * self._dtype.itemsize

    def _wrap_dim(self, dim, ndim=None):
        """A dim in [-ndim, ndim) made non-negative; IndexError as torch words it."""
        n = self._data.ndim if ndim is None else ndim
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")  # the public function prefixes its name
        lo, hi = (-1, 0) if n == 0 else (-n, n - 1)
        if dim < lo or dim > hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
        return dim % n if n else 0

    # -- autograd state -------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self._grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if value and not self._dtype._differentiable:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        if value and self._inference and not _state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not self._dtype._differentiable:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            import warnings

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
                "Tensor by mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more informations.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor "
                                   f"of size '{list(self._data.shape)}'. Please ensure that the gradient and the "
                                   "tensor are the same size")
            expected = self._dtype if self._grad_dtype is None else self._grad_dtype[0]
            if value._dtype is not expected and expected is not None:
                from ._ops._inplace import _TYPE_WORDS

                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype_str(value._dtype)}' to a tensor with "
                    f"grad_dtype '{_TYPE_WORDS[expected.name]}'. The gradient must match the tensor's grad_dtype "
                    "(defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific "
                    "dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor "
                    "and its gradient may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def grad_dtype(self):
        """The dtype a leaf's .grad must have (its own dtype unless set; None: any), as torch 2.13."""
        if self._grad_fn is not None:
            raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
        return self._dtype if self._grad_dtype is None else self._grad_dtype[0]

    @grad_dtype.setter
    def grad_dtype(self, value):
        if self._grad_fn is not None:
            raise RuntimeError("grad_dtype can only be set on leaf tensors.")
        if value is not None and not isinstance(value, D.dtype):
            raise RuntimeError(f"grad_dtype must be a torch.dtype or None, but got {type(value).__name__}")
        self._grad_dtype = (value,)  # a cell, so that None (any dtype) differs from "not set"

    def is_inference(self):
        """Whether this tensor was made under inference_mode (or is a view of one that was)."""
        return self._inference

    @property
    def data(self):
        """The same memory, not tracked by autograd, with a version counter of its own."""
        return Tensor._make(self._data, self._dtype)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data
        self._dtype = value._dtype

    @property
    def _version_counter(self):
        if self._vcell is None:
            self._vcell = [0]
        return self._vcell

    def _version_value(self):
        v = self._vcell
        return 0 if v is None else v[0]

    @property
    def _version(self):
        """How many in-place changes this tensor's memory has seen (torch's `t._version`)."""
        return self._version_value()

    def _bump_version(self):
        v = self._vcell
        if v is None:
            self._vcell = [1]
        else:
            v[0] += 1

    def _grad_accumulator(self):
        acc = self._grad_acc
        if acc is None:
            acc = self._grad_acc = AccumulateGrad(self)
        return acc

    def retain_grad(self):
        """Keep this non-leaf's gradient in `.grad` (summed out of place over backward calls, as torch does)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self._attach_retain_hook()

    def _attach_retain_hook(self):
        """retain_grad's hook on the current grad_fn; re-attached when an in-place op gives a new one."""
        node = self._grad_fn
        ref = weakref.ref(self)

        def retain(grad):
            t = ref()
            if t is not None and t._grad_fn is node:  # not once an in-place op moved the tensor on
                if t._grad is None:
                    t._grad = grad if _state.enabled else grad.detach()._copy_array()
                else:
                    t._grad = t._grad + grad
            return None

        node._add_retain_hook(self._output_nr, retain)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after a backward pass has accumulated into this leaf's .grad."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return self._grad_accumulator()._add_post_accumulate_hook(hook)

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._grad_fn if self._grad_fn is not None else self._grad_accumulator()
        return node._add_tensor_pre_hook(self._output_nr, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if gradient is None and inputs is None:  # loss.backward(): skip the general argument handling
            if retain_graph is None:
                retain_graph = create_graph
            run_backward((self,), _make_grads((self,), (None,)), retain_graph, create_graph)
        else:
            _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """Same memory and version counter, cut from the graph."""
        t = Tensor._make(self._data, self._dtype)
        t._vcell = self._version_counter
        if self._inference:
            t._inference = True
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                               "set as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                               "called on these gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def _copy_array(self):
        """Give this tensor a private, contiguous copy of its data (returns self)."""
        self._data = self._data.copy()
        return self

    # -- conversion -------------------------------------------------------------------
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not self.is_cpu:
            if force:
                return self._data.get()
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                            "the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """NumPy ufuncs on tensors (np.sqrt(t)) give tensors, bool results as uint8, as in torch."""
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        return Tensor._make(array)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item() if self.is_cpu else self._data.get().reshape(()).item()

    def tolist(self):
        return (self._data if self.is_cpu else self._data.get()).tolist()

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self._dtype.category > D._INT or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars")
        value = self.item()
        if kind != "complex" and type(value) is complex:
            if value.imag:
                raise RuntimeError(f"value cannot be converted to type {'double' if kind == 'float' else 'int64_t'} "
                                   "without overflow")
            return value.real
        return value

    def __bool__(self):
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def _is_view(self):
        return self._base is not None

    def __contains__(self, element):
        if isinstance(element, (Tensor, int, float, bool)):
            return bool((self == element).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")

    def __format__(self, spec):
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        # Pickling (multiprocessing, copy): rebuild from a host array.
        return (_rebuild, (self.numpy(force=True), self._dtype.name, self._requires_grad, str(self.device)))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = object.__new__(type(self))
        new._data = self._data.copy()
        new._dtype = self._dtype
        new._requires_grad = self._requires_grad
        new._grad_fn = None
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            if k in ("_vcell", "_grad_acc", "_base", "_view_fn"):
                continue
            import copy

            new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """With no argument, the legacy type name ('torch.FloatTensor'); else a cast."""
        if dtype is None:
            return _type_name(self)
        from ._legacy import target_of_type

        target, device_type = target_of_type(dtype)
        if device_type is None or device_type == self.device.type:
            return self if target is self._dtype else self.to(target)
        return self.to(device_type, target)

    @property
    def xp(self):
        """The array module (numpy or cupy) of this tensor's data."""
        return xp_of(self._data)


def _rebuild(array, dtype_name, requires_grad, device):
    from ._creation import tensor

    t = tensor(array, dtype=D._BY_NAME[dtype_name], device=device)
    t._requires_grad = requires_grad
    return t


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
                 "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
                 "complex32": "ComplexHalfTensor", "complex64": "ComplexFloatTensor",
                 "complex128": "ComplexDoubleTensor", "uint16": "UInt16Tensor", "uint32": "UInt32Tensor",
                 "uint64": "UInt64Tensor"}


def _type_name(t):
    prefix = "torch." if t.is_cpu else "torch.cuda."
    return prefix + _LEGACY_NAMES[t._dtype.name]


def _dtype_str(d):
    return {"float32": "float", "float64": "double", "int64": "long", "int32": "int",
            "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}.get(d.name, d.name)
