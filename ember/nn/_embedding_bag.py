"""F.embedding_bag: sums, means or maxima of bags of embedding rows, composed of
embedding, index_add and max (so the gradients are torch's)."""
import numpy as np

from .._creation import full, zeros
from .._device import xp_of
from .._ops._base import _wrap
from .._ops.nn_ops import _renorm_rows, embedding
from .._ops.selection import where

__all__ = ["embedding_bag"]


def _check(input, weight, offsets, mode, per_sample_weights, scale_grad_by_freq, sparse):
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                         f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 1 and offsets is not None and offsets.numel() and int(offsets.reshape(-1)[0]) != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(offsets.reshape(-1)[0])}")
    if input.dim() == 2 and offsets is not None:
        raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                         f"length sequences. However, found offsets of type {type(offsets)}")
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    if input.dim() not in (1, 2):
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Bag b holds input[offsets[b]:offsets[b + 1]] (2-D input: each row is a bag); padding_idx
    entries are left out (of means' counts too); empty bags give zeros."""
    _check(input, weight, offsets, mode, per_sample_weights, scale_grad_by_freq, sparse)
    xp = xp_of(weight._data)
    idx = input._data.reshape(-1)
    n, dim = idx.shape[0], weight.shape[1]
    if input.dim() == 2:
        nbags = input.shape[0]
        bag = np.arange(n) // max(input.shape[1], 1)
    else:
        offs = np.asarray(offsets._data if type(offsets._data) is np.ndarray else offsets._data.get())
        nbags = len(offs) - 1 if include_last_offset else len(offs)
        bag = np.searchsorted(offs, np.arange(n), side="right") - 1
    host_idx = idx if type(idx) is np.ndarray else idx.get()
    keep = (bag >= 0) & (bag < nbags)
    if padding_idx is not None:
        keep &= host_idx != (padding_idx % weight.shape[0])
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    sel = np.nonzero(keep)[0]
    bags = bag[sel]
    emb = embedding(_wrap(xp.asarray(host_idx[sel])), weight)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.reshape(-1)[_wrap(xp.asarray(sel))].unsqueeze(-1)
    counts = np.bincount(bags, minlength=nbags)
    bag_t = _wrap(xp.asarray(bags))
    if mode != "max" or not len(sel):  # (no entries: zeros, still linked to weight as torch's)
        out = zeros((nbags, dim), dtype=weight.dtype, device=weight.device).index_add(0, bag_t, emb)
        if mode == "mean":
            out = out / _wrap(xp.asarray(np.maximum(counts, 1)[:, None], dtype=weight._data.dtype))
        return out
    # max: lay each bag out as a row of a -inf padded (bags, longest bag, dim) block
    pos = np.arange(len(bags)) - np.searchsorted(bags, bags, side="left")
    dense = full((nbags, int(counts.max()), dim), float("-inf"), dtype=weight.dtype, device=weight.device)
    dense = dense.index_put((bag_t, _wrap(xp.asarray(pos))), emb)
    return where(_wrap(xp.asarray(counts[:, None] > 0)), dense.max(1).values, 0.0)
