"""The LSTM cell's pointwise part as one node: gates (B, 4H) = [i, f, g, o] and c (B, H) ->
h' = o tanh(c'), c' = f c + i g (i, f, o through sigmoid, g through tanh).

One node per time step instead of ~12: the forward is a handful of in-place passes
and the backward one formula (`_cell_grads`) written with arithmetic operators only,
so it runs on arrays (plain backward) or on Tensors (create_graph: the activations
recomputed from the saved gates with ember ops, so higher-order gradients flow).
"""

from .._device import xp_of
from ..autograd import grad_mode
from ._base import Op, _wrap
from .elementwise import _sigmoid_into
from .joining import cat

_state = grad_mode.state


def _cell_grads(gh, gc, c, i, f, g, o, tc, join):
    """d(gates), dc from the gradients of h' and c' (arrays or Tensors alike)."""
    gct = gc + gh * o * (1 - tc * tc)
    return join([gct * g * i * (1 - i), gct * c * f * (1 - f), gct * i * (1 - g * g), gh * tc * o * (1 - o)]), gct * f


class LstmCellBackward0(Op):
    save_inputs = True

    def forward(self, gates, c):
        xp = xp_of(gates)
        hs = c.shape[-1]
        act = _sigmoid_into(xp, gates, xp.empty_like(gates))
        act[..., 2 * hs:3 * hs] = xp.tanh(gates[..., 2 * hs:3 * hs])
        i, f, g, o = (act[..., k * hs:(k + 1) * hs] for k in range(4))
        c2 = f * c
        c2 += i * g
        tc = xp.tanh(c2)
        self.act, self.tc = act, tc
        return o * tc, c2

    def backward(self, gh, gc):
        gates, c = self.saved_tensors
        if not _state.enabled:  # plain backward: the formula on the arrays saved by forward
            hs = c._data.shape[-1]
            i, f, g, o = (self.act[..., k * hs:(k + 1) * hs] for k in range(4))
            xp = xp_of(c._data)
            dgates, dc = _cell_grads(gh._data, gc._data, c._data, i, f, g, o, self.tc,
                                     lambda parts: xp.concatenate(parts, axis=-1))
            return _wrap(dgates), _wrap(dc)
        i, f, g, o = gates.chunk(4, -1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c2 = f * c + i * g
        return _cell_grads(gh, gc, c, i, f, g, o, c2.tanh(), lambda parts: cat(parts, -1))
