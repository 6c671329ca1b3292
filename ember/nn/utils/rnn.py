"""Variable-length sequences for the recurrent layers (torch.nn.utils.rnn).

A PackedSequence stores a batch of sequences time step by time step: `data` holds,
for t = 0, 1, ..., the rows of the batch_sizes[t] sequences still running at t,
the sequences sorted by decreasing length. RNN/LSTM/GRU step through it without
computing on padding, and each sequence's final hidden state is the one at its
own last step. Packing and padding are built from differentiable ops (slices,
cat, stack), so gradients flow back to the padded input.
"""
from collections import namedtuple

from ... import _creation
from ... import _dtype as D
from ..._ops.joining import cat, stack
from ..._tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]


def invert_permutation(permutation):
    if permutation is None:
        return None
    out = _creation.empty_like(permutation)
    out[permutation] = _creation.arange(permutation.numel(), device=permutation.device)
    return out


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """(data, batch_sizes, sorted_indices, unsorted_indices); sorted_indices[i] is the
    batch position of the i-th longest sequence (None when the batch came sorted)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: None if t is None else t.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def cpu(self):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=D.float64)

    def float(self):
        return self.to(dtype=D.float32)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _lengths_list(lengths):
    return [int(v) for v in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (B, T, * with batch_first) of sequences of the given lengths."""
    if not isinstance(lengths, Tensor):
        lengths = _creation.tensor(_lengths_list(lengths), dtype=D.int64, device="cpu")
    else:
        lengths = lengths.to(dtype=D.int64, device="cpu")  # torch keeps lengths and batch_sizes on the CPU
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = lengths.sort(descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    lens = _lengths_list(lengths)
    if len(lens) != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} "
                           f"(batch_size={input.shape[1]})")
    if lens and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if any(a < b for a, b in zip(lens, lens[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep "
                           "this requirement if you do not need ONNX exportability.")
    if lens and lens[0] > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to the largest length, but got "
                           f"{input.shape[0]} and {lens[0]}")
    batch_sizes = [sum(1 for n in lens if n > t) for t in range(lens[0] if lens else 0)]
    data = cat([input[t, :bs] for t, bs in enumerate(batch_sizes)])
    return PackedSequence(data, _creation.tensor(batch_sizes, dtype=D.int64, device="cpu"), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: (padded, lengths), in the batch's original order."""
    data, batch_sizes = sequence.data, _lengths_list(sequence.batch_sizes)
    max_len = len(batch_sizes)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_len}")
        max_len = total_length
    batch = batch_sizes[0]
    pad_row = (lambda n: _creation.full((n,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype,
                                        device=data.device))
    steps, offset = [], 0
    for bs in batch_sizes:
        rows = data[offset:offset + bs]
        steps.append(rows if bs == batch else cat([rows, pad_row(batch - bs)]))
        offset += bs
    steps += [pad_row(batch)] * (max_len - len(batch_sizes))
    padded = stack(steps, 1 if batch_first else 0)
    lengths = _creation.tensor([sum(1 for bs in batch_sizes if bs > i) for i in range(batch)], dtype=D.int64,
                               device="cpu")  # torch's lengths are on the CPU whatever the data's device
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into (max L, B, *) (or (B, max L, *)), padding each."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    max_len = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        n = max_len - s.shape[0]
        if n:
            pad = _creation.full((n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype, device=s.device)
            s = cat([s, pad] if padding_side == "right" else [pad, s])
        rows.append(s)
    return stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences, _lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
