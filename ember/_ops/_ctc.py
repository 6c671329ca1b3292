"""Connectionist temporal classification loss (F.ctc_loss): the forward-backward
(alpha-beta) recursion in log space over the blank-extended targets, all samples at once
(one loop over time; positions past a sample's extended target are -inf).

The node returns each sample's negative log likelihood; its gradient with respect to
log_probs is torch's: exp(lp) - exp(log(sum of alpha*beta over the positions of each
label) + nll - lp) for the frames in the sample's input length, 0 after them (torch's
formula takes log_probs as a log_softmax output, so it includes the exp(lp) term).
"""
import numpy as np

from .._device import xp_of
from ._base import Op, _wrap

_NINF = -np.inf


def _lse(*terms):
    """Elementwise log(sum(exp)) of arrays, -inf where every term is -inf."""
    m = np.maximum.reduce(terms)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(sum(np.exp(t - safe) for t in terms))


def _shift(a, k):
    """a[..., s - k] along the last axis, -inf shifted in."""
    out = np.full(a.shape, _NINF)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


def _ctc(lp, targets, in_lens, blank):
    """lp (T, N, C) float64, targets: N int arrays -> (nll (N,), grad (T, N, C))."""
    t_max, n, c = lp.shape
    lens = np.array([2 * len(tg) + 1 for tg in targets])
    width = int(lens.max())
    ext = np.full((n, width), blank, dtype=np.int64)
    for b, tg in enumerate(targets):
        ext[b, 1:2 * len(tg):2] = tg
    valid = np.arange(width) < lens[:, None]  # (N, L)
    skip = np.zeros((n, width), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    skip_next = np.zeros((n, width), dtype=bool)
    skip_next[:, :-2] = skip[:, 2:]
    emit = np.where(valid, np.take_along_axis(lp, np.broadcast_to(ext, (t_max, n, width)), axis=2), _NINF)
    in_lens = np.asarray(in_lens)
    alpha = np.full((t_max, n, width), _NINF)
    alpha[0, :, :2] = emit[0, :, :2]
    for t in range(1, t_max):
        a = alpha[t - 1]
        alpha[t] = _lse(a, _shift(a, 1), np.where(skip, _shift(a, 2), _NINF)) + emit[t]
    rows = np.arange(n)
    last = alpha[np.maximum(in_lens - 1, 0), rows]  # (N, L) at each sample's final frame
    nll = -_lse(last[rows, lens - 1], np.where(lens > 1, last[rows, np.maximum(lens - 2, 0)], _NINF))
    ends = valid & (np.arange(width) >= lens[:, None] - 2)  # where a path may finish
    beta = np.full((t_max, n, width), _NINF)
    for t in range(t_max - 1, -1, -1):
        start = np.where(ends, emit[t], _NINF)
        if t == t_max - 1:
            rec = np.full((n, width), _NINF)
        else:
            b = beta[t + 1]
            rec = _lse(b, _shift(b, -1), np.where(skip_next, _shift(b, -2), _NINF)) + emit[t]
        here = (t == in_lens - 1)[:, None]
        inside = (t < in_lens - 1)[:, None]
        beta[t] = np.where(here, start, np.where(inside, rec, _NINF))
    ab = alpha + beta
    top = ab.max(axis=2, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    onehot = np.zeros((n, width, c))
    onehot[rows[:, None], np.arange(width), ext] = valid
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        lcab = np.log(np.einsum("tns,nsc->tnc", np.exp(ab - top), onehot)) + top
        grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
    grad[np.arange(t_max)[:, None] >= in_lens[None, :]] = 0.0
    nll[in_lens == 0] = np.where(lens[in_lens == 0] == 1, 0.0, np.inf)
    return nll, grad


class CtcLossBackward0(Op):
    """log_probs (T, N, C) -> (N,) negative log likelihoods."""

    def forward(self, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        xp = xp_of(log_probs)
        lp = np.asarray(log_probs.get() if xp is not np else log_probs, dtype=np.float64)
        nll, grad = _ctc(lp, targets, input_lengths, blank)
        if zero_infinity:
            bad = np.isinf(nll)
            nll[bad] = 0.0
            grad[:, bad] = 0.0
        self.grad = xp.asarray(grad.astype(log_probs.dtype))
        return xp.asarray(nll.astype(log_probs.dtype))

    def backward(self, g):
        return _wrap(self.grad) * g.reshape(1, -1, 1)
