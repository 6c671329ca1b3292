"""Recurrent layers: RNN, LSTM, GRU and their single-step cells.

Parameter names, shapes, order and initialisation are torch's
(weight_ih_l{k}[_reverse] (G*H, in), weight_hh_l{k} (G*H, H), bias_ih, bias_hh,
all uniform in +-1/sqrt(hidden_size)). A layer projects every time step's input
with one matmul, then steps through time with the recurrent matmul only.
"""
import math

from ... import _creation
from ..._ops._rnn_cell import LstmCellBackward0
from ..._ops._rnn_layer import lstm_layer
from ..._ops.joining import cat, stack
from ..._ops.matmul import addmm
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# -- one time step (LSTM: W_hh transposed once per layer, b_hh folded in; the others as torch's cells) --
def _gates(xw, h, w_hh_t, b_hh):
    """xw + h W_hh^T + b_hh as one addmm node (a layer folds b_hh into xw up front: b_hh None)."""
    return addmm(xw if b_hh is None else xw + b_hh, h, w_hh_t)


def _rnn_tanh_step(xw, h, w_hh, b_hh, state=None):
    """torch's rnn_tanh_cell (its graph: Add(Addmm(hidden), input product)); W_hh as it is."""
    return (F.linear(h, w_hh, b_hh) + xw).tanh(), None


def _rnn_relu_step(xw, h, w_hh, b_hh, state=None):
    return (F.linear(h, w_hh, b_hh) + xw).relu(), None


def _lstm_step(xw, h, w_hh_t, b_hh, c):
    """gates = xW_ih + b_ih + hW_hh + b_hh = [i, f, g, o];  c' = f c + i g;  h' = o tanh(c')."""
    return LstmCellBackward0.apply(_gates(xw, h, w_hh_t, b_hh), c)  # the pointwise part fused


def _lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh):
    """nn.LSTMCell op by op, in the order of torch's lstm_cell, so its graph is torch's node for node
    (Add(Addmm(hidden), Addmm(input)), UnsafeSplit, the activations, then c' and h'). The layers
    (nn.LSTM) keep their fused nodes: torch records a whole layer as one node there."""
    gates = F.linear(hx[0], w_hh, b_hh) + F.linear(input, w_ih, b_ih)
    i, f, g, o = gates.unsafe_chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c = f * hx[1] + i * g
    return o * c.tanh(), c


def _gru_step(xw, h, w_hh, b_hh, state=None):
    """r, z = sigmoid(.);  n = tanh(x_n + r (h W_hn + b_hn));  h' = (1 - z) n + z h, op by op in
    the order of torch's gru_cell (its graph node for node: linear(h) each step, unsafe splits,
    h' = (h - n) z + n). Unlike the other steps it takes W_hh itself, not transposed."""
    hw = F.linear(h, w_hh, b_hh)
    x_r, x_z, x_n = xw.unsafe_chunk(3, 1)
    h_r, h_z, h_n = hw.unsafe_chunk(3, 1)
    r = (h_r + x_r).sigmoid()
    z = (h_z + x_z).sigmoid()
    n = (x_n + h_n * r).tanh()
    return (h - n) * z + n, None


class RNNBase(Module):
    _gates = 1

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        factory = {"device": device, "dtype": dtype}
        num_directions = 2 if bidirectional else 1
        gate_size = self._gates * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih_l{}{}", (gate_size, layer_input)), ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, suffix)
                    setattr(self, name, Parameter(_creation.empty(shape, **factory)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """cuDNN's weight packing: nothing to do here."""

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _step_fn(self):
        return {"LSTM": _lstm_step, "GRU": _gru_step, "RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step}[self.mode]

    def _run(self, input, h0, c0, batch_sizes=None):
        """input (L, N, in), or a PackedSequence's data with its batch_sizes (a list);
        h0/c0 (layers * directions, N, H). Returns output (laid out like input), h_n, c_n."""
        step = self._step_fn()
        num_directions = 2 if self.bidirectional else 1
        if batch_sizes is None:
            seq_len = input.shape[0]
        else:
            seq_len = len(batch_sizes)
            starts = [sum(batch_sizes[:t]) for t in range(seq_len)]
        h_n, c_n = [], []
        layer_input = input
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                idx = layer * num_directions + direction
                params = [getattr(self, n) for n in self._all_weights[idx]]
                w_ih, w_hh = params[0], params[1]
                b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
                w_hr = params[-1] if self.proj_size > 0 else None
                if self.mode == "LSTM" and w_hr is None and batch_sizes is None:  # one node per layer, as torch
                    out, h, c = lstm_layer(layer_input, w_ih, w_hh, b_ih, b_hh, h0[idx], c0[idx], direction == 1)
                    outs.append(out)
                    h_n.append(h)
                    c_n.append(c)
                    continue
                xw = F.linear(layer_input, w_ih, b_ih)  # every time step at once
                if self.mode == "LSTM":  # the fused LSTM step: b_hh folded into xw, W_hh transposed once
                    xw, b_hh = xw if b_hh is None else xw + b_hh, None
                    w_hh = w_hh.t()
                h = h0[idx]
                c = c0[idx] if c0 is not None else None
                steps = range(seq_len - 1, -1, -1) if direction == 1 else range(seq_len)
                out = [None] * seq_len
                # unbind: one node whose backward stacks the T step gradients into one buffer
                # (indexing xw[t] would add T full-size gradients: cost quadratic in T)
                xw_steps = xw.unbind(0) if batch_sizes is None else None
                for t in steps:
                    if batch_sizes is None:
                        h, c = step(xw_steps[t], h, w_hh, b_hh, c)
                        if w_hr is not None:
                            h = F.linear(h, w_hr)
                        out[t] = h
                        continue
                    # packed: only the first bs (longest) sequences run at step t; the others keep
                    # their state (finished ones their last, not-yet-started reversed ones h0)
                    bs = batch_sizes[t]
                    running = bs == h.shape[0]
                    h_t, c_t = step(xw[starts[t]:starts[t] + bs], h if running else h[:bs], w_hh, b_hh,
                                    c if running or c is None else c[:bs])
                    if w_hr is not None:
                        h_t = F.linear(h_t, w_hr)
                    out[t] = h_t
                    h = h_t if running else cat([h_t, h[bs:]])
                    c = c_t if running or c is None else cat([c_t, c[bs:]])
                outs.append(stack(out) if batch_sizes is None else cat(out))
                h_n.append(h)
                c_n.append(c)
            layer_input = outs[0] if num_directions == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, stack(h_n), (stack(c_n) if c0 is not None else None)

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        batched = input.dim() == 3
        if input.dim() not in (2, 3):
            raise ValueError(f"{self.mode.split('_')[0]}: Expected input to be 2D or 3D, got {input.dim()}D tensor "
                             "instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.shape[-1]}")
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        batch = input.shape[1]
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        is_lstm = self.mode == "LSTM"
        if hx is None:
            zeros = _creation.zeros((self.num_layers * num_directions, batch, real_hidden), dtype=input.dtype,
                                    device=input.device)
            h0 = zeros
            c0 = _creation.zeros((self.num_layers * num_directions, batch, self.hidden_size), dtype=input.dtype,
                                 device=input.device) if is_lstm else None
        else:
            h0, c0 = hx if is_lstm else (hx, None)
            if not batched:
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            expected = (self.num_layers * num_directions, batch, real_hidden)
            if tuple(h0.shape) != expected:
                raise RuntimeError(f"Expected hidden size {expected}, got {list(h0.shape)}")
        output, h_n, c_n = self._run(input, h0, c0)
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return (output, (h_n, c_n)) if is_lstm else (output, h_n)


    def _forward_packed(self, packed, hx):
        """A PackedSequence in, a PackedSequence out; hx and h_n in the batch's own order."""
        data, batch_sizes = packed.data, [int(b) for b in packed.batch_sizes.tolist()]
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{data.shape[-1]}")
        batch = batch_sizes[0]
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        is_lstm = self.mode == "LSTM"
        if hx is None:
            h0 = _creation.zeros((self.num_layers * num_directions, batch, real_hidden), dtype=data.dtype,
                                 device=data.device)
            c0 = _creation.zeros((self.num_layers * num_directions, batch, self.hidden_size), dtype=data.dtype,
                                 device=data.device) if is_lstm else None
        else:
            h0, c0 = hx if is_lstm else (hx, None)
            expected = (self.num_layers * num_directions, batch, real_hidden)
            if tuple(h0.shape) != expected:
                raise RuntimeError(f"Expected hidden size {expected}, got {list(h0.shape)}")
            if packed.sorted_indices is not None:
                h0 = h0.index_select(1, packed.sorted_indices)
                c0 = c0.index_select(1, packed.sorted_indices) if c0 is not None else None
        output, h_n, c_n = self._run(data, h0, c0, batch_sizes)
        if packed.unsorted_indices is not None:
            h_n = h_n.index_select(1, packed.unsorted_indices)
            c_n = c_n.index_select(1, packed.unsorted_indices) if c_n is not None else None
        output = PackedSequence(output, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
        return (output, (h_n, c_n)) if is_lstm else (output, h_n)


class RNN(RNNBase):
    _gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    _gates = 4

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    _gates = 3

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)


# -- cells -------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), **factory))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), **factory))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = _creation.zeros((input.shape[0], self.hidden_size), dtype=input.dtype, device=input.device)
        elif not batched:
            hx = hx.unsqueeze(0)
        return input, hx, batched


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity
        if nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")

    def forward(self, input, hx=None):
        input, hx, batched = self._prepare(input, hx, "RNNCell")
        step = _rnn_tanh_step if self.nonlinearity == "tanh" else _rnn_relu_step
        h, _ = step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = _creation.zeros((input.shape[0], self.hidden_size), dtype=input.dtype, device=input.device)
            hx = (zeros, zeros)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = _lstm_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, batched = self._prepare(input, hx, "GRUCell")
        h, _ = _gru_step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
