"""Character-level language model: Embedding + LayerNorm + TransformerEncoderLayer + Linear.

AdamW, and a DataLoader with two worker processes over a Dataset of text windows.
"""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

TEXT = ("the quick brown fox jumps over the lazy dog. " * 6
        + "pack my box with five dozen liquor jugs. " * 6)


class CharWindows(Dataset):
    def __init__(self, text, block):
        chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(chars)}
        self.data = torch.tensor([self.stoi[c] for c in text], dtype=torch.long)
        self.block = block

    def __len__(self):
        return len(self.data) - self.block

    def __getitem__(self, i):
        chunk = self.data[i:i + self.block + 1]
        return chunk[:-1], chunk[1:]


class CharModel(nn.Module):
    def __init__(self, vocab, dim, block):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(block, dim) * 0.02)
        self.norm = nn.LayerNorm(dim)
        self.block = nn.TransformerEncoderLayer(dim, nhead=2, dim_feedforward=64, dropout=0.1,
                                                batch_first=True)
        self.head = nn.Linear(dim, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(block))

    def forward(self, idx):
        x = self.norm(self.tok(idx) + self.pos[:idx.shape[1]])
        x = self.block(x, src_mask=self.mask, is_causal=True)
        return self.head(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    data = CharWindows(TEXT, block=16)
    loader = DataLoader(data, batch_size=32, shuffle=True, num_workers=2)
    model = CharModel(len(data.stoi), 32, 16)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    for epoch in range(4):
        total, n = 0.0, 0
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            n += 1
        print(f"epoch {epoch} loss {total / n:.6f}")
    model.eval()
    with torch.no_grad():
        print(f"eval loss {F.cross_entropy(model(data.data[None, :16]).reshape(-1, len(data.stoi)), data.data[1:17]).item():.6f}")
