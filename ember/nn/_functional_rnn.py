"""torch.lstm / torch.gru: the multi-layer recurrences over a flat parameter list (w_ih, w_hh[,
b_ih, b_hh][, w_hr] per layer and direction), run by nn.RNNBase's own loop on a stand-in for
the module (so the recurrence is defined once, in modules/rnn.py)."""
from .modules.rnn import RNNBase


class _FlatRNN:
    """The attributes RNNBase._run reads, from torch's flat-parameter form."""

    _run = RNNBase._run
    _step_fn = RNNBase._step_fn

    def __init__(self, mode, params, has_biases, num_layers, dropout, train, bidirectional):
        self.mode, self.bias, self.num_layers = mode, has_biases, num_layers
        self.dropout, self.training, self.bidirectional = dropout, train, bidirectional
        groups = num_layers * (2 if bidirectional else 1)
        per = len(params) // groups
        self.proj_size = 1 if per in (3, 5) else 0  # only compared with 0: a projection weight comes last
        self._all_weights = []
        for g in range(groups):
            names = [f"p{g}_{i}" for i in range(per)]
            for name, p in zip(names, params[g * per:(g + 1) * per]):
                setattr(self, name, p)
            self._all_weights.append(names)


def _recur(mode, input, h0, c0, params, has_biases, num_layers, dropout, train, bidirectional, batch_first,
           batch_sizes=None):
    rnn = _FlatRNN(mode, list(params), has_biases, num_layers, dropout, train, bidirectional)
    if batch_sizes is not None:
        return rnn._run(input, h0, c0, [int(b) for b in batch_sizes.tolist()])
    x = input.transpose(0, 1) if batch_first else input
    out, h, c = rnn._run(x, h0, c0)
    return (out.transpose(0, 1) if batch_first else out), h, c


def lstm(input, *args):
    """lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first), or the packed
    form lstm(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)."""
    if isinstance(args[0], (list, tuple)):
        hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first = args
        return _recur("LSTM", input, hx[0], hx[1], params, has_biases, num_layers, dropout, train, bidirectional,
                      batch_first)
    batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional = args
    return _recur("LSTM", input, hx[0], hx[1], params, has_biases, num_layers, dropout, train, bidirectional, False,
                  batch_sizes)


def gru(input, *args):
    """gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first), or the packed
    form gru(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)."""
    if isinstance(args[1], (list, tuple)):
        hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first = args
        out, h, _ = _recur("GRU", input, hx, None, params, has_biases, num_layers, dropout, train, bidirectional,
                           batch_first)
        return out, h
    batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional = args
    out, h, _ = _recur("GRU", input, hx, None, params, has_biases, num_layers, dropout, train, bidirectional, False,
                       batch_sizes)
    return out, h
