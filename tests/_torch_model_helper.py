"""A user-defined model class for test_serialization_torch_models: pickled by real torch, then
unpickled by ember under `ember run` (where this file's `import torch` is ember)."""
import torch
from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab=12, dim=5, hidden=6, classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.norm = nn.BatchNorm1d(hidden)
        self.head = nn.Linear(hidden, classes)
        self.register_buffer("scale", torch.tensor(0.5))
        self.note = "kept"  # plain attributes travel in the pickle too

    def forward(self, tokens):
        out, _ = self.lstm(self.emb(tokens))
        return self.head(self.norm(out[:, -1])) * self.scale


class Point:
    """A plain user class that weights-only loading refuses until it is allowlisted."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)
