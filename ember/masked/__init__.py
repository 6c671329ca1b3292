"""torch.masked: reductions and normalizations that ignore masked-out elements (strided tensors;
ember has no MaskedTensor)."""
from ._ops import (_canonical_dim, _input_mask, _output_mask, _reduction_identity, _where, amax, amin, argmax,
                   argmin, cumprod, cumsum, log_softmax, logaddexp, logsumexp, mean, median, norm, normalize, prod,
                   softmax, softmin, std, sum, var)

__all__ = ["amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "log_softmax", "logaddexp", "logsumexp", "mean",
           "median", "norm", "normalize", "prod", "softmax", "softmin", "std", "sum", "var"]
