"""Helpers shared by the distributions (torch.distributions.utils)."""
import numbers

import ember
from ember import Tensor
from ember.nn import functional as F

from . import constraints

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]


def broadcast_all(*values):
    """Broadcast tensors and numbers together; numbers take the first tensor's dtype and device
    (the default dtype when there is none)."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                         "__torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        options = {"dtype": ember.get_default_dtype()}
        for v in values:
            if isinstance(v, Tensor):
                options = {"dtype": v.dtype, "device": v.device}
                break
        values = [v if isinstance(v, Tensor) else ember.tensor(v, **options) for v in values]
    return ember.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    return ember.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sum out the `dim` rightmost dimensions of value."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    if is_binary:
        return ember.sigmoid(logits)
    return F.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Keep probabilities in [eps, 1 - eps] so that their logs stay finite."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(ps_clamped) - ember.log1p(-ps_clamped)
    return ember.log(ps_clamped)


class lazy_property:
    """A property computed on first access and then stored on the instance (the parameter a
    distribution was not built from: probs from logits and the other way round)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a lazy_property looks like on the class: a property too (for introspection)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_mask(n, diag, device):
    arange = ember.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (below diagonal `diag`) of the last two dims, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of tril_matrix_to_vec: a square matrix with zeros above diagonal `diag`."""
    # n solves n * (n + 1) / 2 + n * diag = len(vec), shifted for negative diagonals
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    eps = ember.finfo(vec.dtype).eps
    if round(n) - n > eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + ember.Size((n, n)))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat


def _batch_shape(given, broadcast):
    """torch's rule: a distribution built from Python numbers only has batch shape (), else the
    broadcast parameters' shape."""
    if all(isinstance(v, numbers.Number) for v in given):
        return ember.Size()
    return broadcast.size()


def _probs_or_logits(dist, probs, logits, total_count=None):
    """Store exactly one of probs / logits on dist (the other stays lazy), as `_param` too;
    returns the batch shape. With total_count (Binomial, NegativeBinomial) that is broadcast
    with it and stored in the parameter's dtype, and the batch shape is always the tensors'."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    name, given = ("probs", probs) if probs is not None else ("logits", logits)
    if total_count is None:
        (value,) = broadcast_all(given)
    else:
        total_count, value = broadcast_all(total_count, given)
        dist.total_count = total_count.to(value)
    setattr(dist, name, value)
    dist._param = value
    return value.size() if total_count is not None else _batch_shape((given,), value)


class _BinaryProbs:
    """Mixin for distributions parameterised by a success probability: whichever of probs and
    logits was not given is derived on first use."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()


class _LocScale:
    """Mixin for families with a real location and a positive scale (Normal, Laplace, Cauchy)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(_batch_shape((loc, scale), self.loc), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(_LocScale, batch_shape, _instance, ("loc", "scale"))


class _CenteredAtLoc:
    """Mixin for symmetric unimodal families: mean and mode are loc."""

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


class _WrapsCategorical:
    """Mixin for distributions built on a Categorical `_categorical` (OneHotCategorical,
    Multinomial, ExpRelaxedCategorical): its parameters are theirs."""

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape


def _solve_lower(L, b):
    """L^-1 b for a lower-triangular L (torch's distributions call solve_triangular(..., upper=False))."""
    return ember.linalg.solve_triangular(L, b, upper=False)
