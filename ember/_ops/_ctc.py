"""Connectionist temporal classification loss (F.ctc_loss): the forward-backward
(alpha-beta) recursion in log space over the blank-extended target, per sample.

The node returns each sample's negative log likelihood; its gradient with respect to
log_probs is torch's: exp(lp) - exp(log(sum of alpha*beta over the positions of each
label) + nll - lp) for the frames in the sample's input length, 0 after them (torch's
formula takes log_probs as a log_softmax output, so it includes the exp(lp) term).
"""
import numpy as np

from .._device import xp_of
from ._base import Op, _wrap


def _lse(*terms):
    """Elementwise log(sum(exp)) of arrays, -inf where every term is -inf."""
    m = np.maximum.reduce(terms)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(sum(np.exp(t - safe) for t in terms))


def _one(lp, target, blank):
    """(nll, grad) of one sample: lp (T, C) float64, target (S,) int."""
    t_len, c = lp.shape
    ext = np.full(2 * len(target) + 1, blank, dtype=np.int64)
    ext[1::2] = target
    n = len(ext)
    skip = np.zeros(n, dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    emit = lp[:, ext]  # (T, L)
    ninf = -np.inf
    alpha = np.full((t_len, n), ninf)
    alpha[0, :min(2, n)] = emit[0, :min(2, n)]
    for t in range(1, t_len):
        a = alpha[t - 1]
        a1 = np.concatenate(([ninf], a[:-1]))
        a2 = np.where(skip, np.concatenate(([ninf, ninf], a[:-2])), ninf)
        alpha[t] = _lse(a, a1, a2) + emit[t]
    beta = np.full((t_len, n), ninf)
    beta[-1, max(n - 2, 0):] = emit[-1, max(n - 2, 0):]
    skip_next = np.concatenate((skip[2:], [False, False]))  # whether s -> s + 2 is allowed
    for t in range(t_len - 2, -1, -1):
        b = beta[t + 1]
        b1 = np.concatenate((b[1:], [ninf]))
        b2 = np.where(skip_next, np.concatenate((b[2:], [ninf, ninf])), ninf)
        beta[t] = _lse(b, b1, b2) + emit[t]
    nll = -_lse(alpha[-1, -1:], alpha[-1, -2:-1] if n > 1 else alpha[-1, -1:])[0]
    ab = alpha + beta
    lcab = np.full((t_len, c), ninf)
    for label in np.unique(ext):
        cols = ab[:, ext == label]
        lcab[:, label] = _lse(*cols.T)
    with np.errstate(over="ignore", invalid="ignore"):
        grad = np.exp(lp) - np.exp(lcab + nll - lp)
    return nll, grad


class CtcLossBackward0(Op):
    """log_probs (T, N, C) -> (N,) negative log likelihoods."""

    def forward(self, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        xp = xp_of(log_probs)
        lp = np.asarray(log_probs.get() if xp is not np else log_probs, dtype=np.float64)
        n = lp.shape[1]
        nll = np.zeros(n)
        grad = np.zeros(lp.shape)
        for b in range(n):
            t_len = input_lengths[b]
            if t_len == 0:
                nll[b] = 0.0 if targets[b].size == 0 else np.inf
                continue
            nll[b], grad[:t_len, b] = _one(lp[:t_len, b], targets[b], blank)
        if zero_infinity:
            bad = np.isinf(nll)
            nll[bad] = 0.0
            grad[:, bad] = 0.0
        self.grad = xp.asarray(grad.astype(log_probs.dtype))
        return xp.asarray(nll.astype(log_probs.dtype))

    def backward(self, g):
        return _wrap(self.grad) * g.reshape(1, -1, 1)
