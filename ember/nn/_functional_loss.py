"""More losses of torch.nn.functional: the margin losses, the triplet losses, ctc_loss
(and pdist, the distance they build on). Re-exported by nn/functional.py.

All but ctc_loss are compositions of differentiable ember ops, so their gradients
are the ops'; ctc_loss is one node (ember/_ops/_ctc.py) whose gradient is torch's.
"""
import numpy as np

from .._ops import nn_ops as _nn
from .._ops._base import _wrap
from .._ops._ctc import CtcLossBackward0
from .._ops._inplace import _TYPE_WORDS
from .._ops.selection import where
from .._autocast import call as _autocast, state as _amp
from .._tensor import Tensor

__all__ = ["multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "ctc_loss", "pdist", "linear_cross_entropy"]


def _reduce(loss, reduction):
    """The loss reduced as `reduction` says ('none' leaves it); shared with nn/functional.py's losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_matrix(input, name):
    # torch takes a 0-d input as one sample of one class (nframe = dim = 1)
    if input.dim() > 2 or input.numel() == 0 and input.dim() != 2:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    return input.reshape(1, -1) if input.dim() <= 1 else input


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """sum over i != y of max(0, margin - x[y] + x[i]) ** p (times weight[y]), over C."""
    if _amp.active: return _autocast("multi_margin_loss", multi_margin_loss, input, target, p, margin, weight, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _nn._legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    if input.dtype.is_floating_point and input.dtype.itemsize == 2:  # torch's CPU kernel has no half types
        raise NotImplementedError(f"\"multi_margin_loss_cpu_kernel\" not implemented for "
                                  f"'{_TYPE_WORDS[input.dtype.name]}'")
    x = _as_matrix(input, "multi_margin_loss")
    n, c = x.shape
    t = target.reshape(-1)
    if target.dim() > 1 or t.numel() != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n}], but got {list(target.shape)}. Input "
                           f"has shape {list(input.shape)}.")
    if t.numel() and (int(t.min()) < 0 or int(t.max()) >= c):
        raise RuntimeError("target out of range")
    z = margin - x.gather(1, t.unsqueeze(1)) + x
    z = where(z > 0, z, 0.0)  # torch adds z only when z > 0: NaN adds nothing, z = 0 passes no gradient
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    others = t.unsqueeze(1) != _wrap(x.xp.arange(c))
    loss = where(others, z, z * 0).sum(1) / c
    if input.dim() <= 1:
        loss = loss.squeeze(0)
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """For the targets y (the row's indices before the first -1) and the other classes i:
    sum of max(0, 1 - (x[y] - x[i])) over C."""
    if _amp.active: return _autocast("multilabel_margin_loss", multilabel_margin_loss, input, target, size_average, reduce, reduction)  # noqa: E701,E501
    reduction = _nn._legacy_reduction(size_average, reduce, reduction)
    x = _as_matrix(input, "multilabel_margin_loss")
    if input.dim() <= 1:  # torch: a target of <= 1 dims with one entry per class
        ok = target.dim() <= 1 and target.numel() == x.shape[1]
        t = target.reshape(1, -1)
    else:
        ok = tuple(target.shape) == tuple(x.shape)
        t = target
    if not ok:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    c = x.shape[1]
    tgt = np.asarray(t.numpy(force=True))
    if tgt.size and (tgt.min() < -1 or tgt.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    valid = np.cumprod(tgt != -1, axis=1).astype(bool)  # targets end at the first -1
    safe = np.where(valid, tgt, 0)
    is_target = np.zeros(tgt.shape, dtype=bool)
    rows = np.nonzero(valid)[0]
    is_target[rows, safe[valid]] = True
    xp = x.xp
    xy = x.gather(1, _wrap(xp.asarray(safe)))
    pair = (1 - xy.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)
    mask = _wrap(xp.asarray((valid[:, :, None] & ~is_target[:, None, :]).astype(pair._data.dtype)))
    loss = (pair * mask).sum((1, 2)) / c
    if input.dim() <= 1:
        loss = loss.squeeze(0)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    from .functional import logsigmoid

    if size_average is not None or reduce is not None:
        reduction = _nn._legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not a == p == n:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)), d the pairwise p-norm distance (swap: the nearer of d(a, n), d(p, n))."""
    if _amp.active: return _autocast("triplet_margin_loss", triplet_margin_loss, anchor, positive, negative, margin, p, eps, swap, size_average, reduce, reduction)  # noqa: E701,E501
    from .functional import pairwise_distance

    reduction = _nn._legacy_reduction(size_average, reduce, reduction)
    _check_triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = dist_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    from .functional import pairwise_distance

    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    distance_function = distance_function if distance_function is not None else pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance_function(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp(min=0), reduction)


def pdist(input, p=2):
    """The p-norm distances between the rows of (N, M) input, for each pair i < j in row-major order."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    xp = input.xp
    rows = lambda k: input.index_select(0, _wrap(xp.asarray(k, dtype=np.int64)))  # noqa: E731
    return (rows(i) - rows(j)).norm(p, 1)


# -- ctc ------------------------------------------------------------------------------------------------------
def _lengths(v, name):
    if isinstance(v, Tensor):
        return [int(a) for a in np.asarray(v.numpy(force=True)).reshape(-1)]
    if isinstance(v, int):
        return [v]
    return [int(a) for a in v]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    if _amp.active: return _autocast("ctc_loss", ctc_loss, log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)  # noqa: E701,E501
    _nn.reduction_enum(reduction)
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    t_max, n, c = lp.shape
    in_lens, tg_lens = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if len(in_lens) != n:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got {len(in_lens)} and batch_size {n}")
    if len(tg_lens) != n:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got {len(tg_lens)} and batch_size {n}")
    tg = np.asarray(targets.numpy(force=True)).astype(np.int64)
    if not batched and tg.ndim == 1 and targets.dim() == 1 and log_probs.dim() == 2:
        tg = tg[None, :]
    per_sample = []
    if tg.ndim == 2:
        need = max(tg_lens) if tg_lens else 0
        if tg.shape[1] < need:
            raise RuntimeError(f"Expected tensor to have size at least {need} at dimension 1, but got size "
                               f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        per_sample = [tg[b, :tg_lens[b]] for b in range(n)]
    else:
        ends = np.cumsum(tg_lens)
        per_sample = [tg[e - k:e] for e, k in zip(ends, tg_lens)]
    for k in in_lens:
        if k > t_max:
            raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value {k} (while "
                               "checking arguments for ctc_loss_allocate_outputs)")
    nll = CtcLossBackward0.apply(lp, targets=per_sample, input_lengths=in_lens, target_lengths=tg_lens,
                                 blank=blank, zero_infinity=zero_infinity)
    if reduction == "mean":
        lens = _wrap(lp.xp.asarray(np.maximum(tg_lens, 1), dtype=lp._data.dtype))
        return (nll / lens).mean()
    if reduction == "sum":
        return nll.sum()
    return nll if batched else nll.squeeze(0)


# -- linear_cross_entropy -------------------------------------------------------------------------------------
def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias), target). torch's `options` choose a chunked
    evaluation that saves memory; ember computes the reference form, whose values are the same."""
    import math

    from .functional import cross_entropy, linear

    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    num_batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), got "
                           f"{input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not num_batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires"
                           f" batched input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*num_batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    if out_features:
        linear_weight = linear_weight.reshape((math.prod(out_features, start=num_classes), in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(math.prod(out_features, start=num_classes))
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)
