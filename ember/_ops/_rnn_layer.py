"""A whole LSTM layer (one direction) as one node, as torch records it on the CPU
(`MkldnnRnnLayerBackward0`, inputs: input, w_ih, w_hh, b_ih, b_hh, hx, cx).

Why one node: stepping through time with one node per step makes the backward do
T small recurrent-weight GEMMs (dW_hh += dgates_t^T h_{t-1}) and T input-weight
ones; here the backward walks time once for the recurrence only (dh = dgates W_hh,
the pointwise cell formula of `_rnn_cell`) and then computes dW_ih, dW_hh, the
biases and dinput as single GEMMs over the (T*B, 4H) buffer of every step's gate
gradients. With a graph to record (create_graph), the backward recomputes the layer
step by step with ember ops and differentiates that, so higher-order gradients flow.
"""
import numpy as np

from .._device import xp_of
from ..autograd import grad_mode
from ._base import Op, _wrap
from ._rnn_cell import LstmCellBackward0, _cell_grads, _sigmoid_into
from .joining import stack
from .matmul import addmm

_state = grad_mode.state


def lstm_layer_steps(x, w_ih, w_hh, b_ih, b_hh, h, c, reverse):
    """The same layer composed of per-step ember ops (the create_graph path and the reference)."""
    from ..nn.functional import linear

    xw = linear(x, w_ih, b_ih)
    if b_hh is not None:
        xw = xw + b_hh
    w_hh_t = w_hh.t()
    xs = xw.unbind(0)
    out = [None] * len(xs)
    for t in (range(len(xs) - 1, -1, -1) if reverse else range(len(xs))):
        h, c = LstmCellBackward0.apply(addmm(xs[t], h, w_hh_t), c)
        out[t] = h
    return stack(out), h, c


class MkldnnRnnLayerBackward0(Op):
    save_inputs = True

    saved_names = ("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_", "reverse=reverse")

    def forward(self, x, w_ih, w_hh, b_ih, b_hh, hx, cx, reverse):
        xp = xp_of(x)
        self.reverse = reverse
        T, B = x.shape[0], x.shape[1]
        hs = hx.shape[-1]
        xw = (x.reshape(T * B, -1) @ w_ih.T).reshape(T, B, -1)
        for b in (b_ih, b_hh):
            if b is not None:
                xw += b
        acts = xp.empty_like(xw)  # i, f, g, o after their activations, per step
        cs = xp.empty((T + 1, B, hs), x.dtype)  # cs[k]: the cell state before step k
        hseq = xp.empty((T + 1, B, hs), x.dtype)  # hseq[k]: the hidden state before step k
        tcs = xp.empty((T, B, hs), x.dtype)
        cs[0], hseq[0] = cx, hx
        w_hh_t = w_hh.T
        order = range(T - 1, -1, -1) if reverse else range(T)
        for k, t in enumerate(order):
            gates = xw[t]
            gates += hseq[k] @ w_hh_t
            a = _sigmoid_into(xp, gates, acts[k])
            xp.tanh(gates[:, 2 * hs:3 * hs], out=a[:, 2 * hs:3 * hs])
            c2 = cs[k + 1]
            xp.multiply(a[:, hs:2 * hs], cs[k], out=c2)
            c2 += a[:, :hs] * a[:, 2 * hs:3 * hs]
            xp.tanh(c2, out=tcs[k])
            xp.multiply(a[:, 3 * hs:], tcs[k], out=hseq[k + 1])
        self.acts, self.cs, self.hseq, self.tcs = acts, cs, hseq, tcs
        out = hseq[1:][::-1] if reverse else hseq[1:]
        return xp.ascontiguousarray(out), hseq[T].copy(), cs[T].copy()

    def backward(self, g_out, g_h, g_c):
        x, w_ih, w_hh, b_ih, b_hh, hx, cx = self.saved_tensors
        if _state.enabled:  # create_graph: differentiate the step-by-step composition
            return self._backward_graph(g_out, g_h, g_c)
        xd, wi, wh = x._data, w_ih._data, w_hh._data
        xp = xp_of(xd)
        T, B = xd.shape[0], xd.shape[1]
        hs = wh.shape[-1]
        acts, cs, tcs = self.acts, self.cs, self.tcs
        zeros = xp.zeros((B, hs), xd.dtype)
        go = None if g_out is None else g_out._data
        dh = zeros if g_h is None else g_h._data
        dc = zeros if g_c is None else g_c._data
        dgates = xp.empty((T, B, 4 * hs), xd.dtype)
        order = range(T - 1, -1, -1) if self.reverse else range(T)
        for k in range(T - 1, -1, -1):
            t = order[k]
            if go is not None:
                dh = dh + go[t]
            a = acts[k]
            i, f, g, o = a[:, :hs], a[:, hs:2 * hs], a[:, 2 * hs:3 * hs], a[:, 3 * hs:]
            dg, dc = _cell_grads(dh, dc, cs[k], i, f, g, o, tcs[k], lambda parts: xp.concatenate(parts, axis=-1))
            dgates[t] = dg
            dh = dg @ wh
        want = [e[0] is not None for e in self.next_functions]
        flat = dgates.reshape(T * B, -1)
        gx = (flat @ wi).reshape(xd.shape) if want[0] else None
        gwi = flat.T @ xd.reshape(T * B, -1) if want[1] else None
        gwh = None
        if want[2]:  # the hidden state each step saw, in time order
            prev = self.hseq[:T][::-1] if self.reverse else self.hseq[:T]
            gwh = flat.T @ prev.reshape(T * B, hs)
        gb = xp.ones(T * B, xd.dtype) @ flat if want[3] or want[4] else None
        return tuple(None if v is None else _wrap(v)
                     for v in (gx, gwi, gwh, gb if want[3] else None, gb if want[4] else None,
                               dh if want[5] else None, dc if want[6] else None))

    def _backward_graph(self, g_out, g_h, g_c):
        from ..autograd import grad

        inputs = self.saved_tensors
        outs = lstm_layer_steps(*inputs, self.reverse)
        pairs = [(o, g) for o, g in zip(outs, (g_out, g_h, g_c)) if g is not None]
        wanted = [i for i, e in enumerate(self.next_functions) if e[0] is not None]
        grads = grad([o for o, _ in pairs], [inputs[i] for i in wanted], [g for _, g in pairs],
                     create_graph=True, allow_unused=True)
        result = [None] * len(inputs)
        for i, g in zip(wanted, grads):
            result[i] = g
        return tuple(result)


def lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h, c, reverse=False):
    """One LSTM layer over a (T, B, in) sequence: (output (T, B, H), h_T, c_T)."""
    if x._data.dtype not in (np.float32, np.float64) or x._data.size == 0:  # (no steps, or an empty batch)
        return lstm_layer_steps(x, w_ih, w_hh, b_ih, b_hh, h, c, reverse)
    return MkldnnRnnLayerBackward0.apply(x, w_ih, w_hh, b_ih, b_hh, h, c, reverse=reverse)
