"""Variable-length sequence classification (the char-RNN name-classification pattern):
a collate_fn pads with pad_sequence, the model packs with pack_padded_sequence
(enforce_sorted=False) for a bidirectional GRU, SGD with momentum, a shuffled DataLoader."""
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader

torch.manual_seed(0)
# two "languages": sequences of symbols drawn from different halves of the alphabet
samples = []
for i in range(96):
    label = i % 2
    length = int(torch.randint(2, 9, ()))
    symbols = torch.randint(1, 9, (length,)) + 8 * label * (torch.rand(length) < 0.7).long()
    samples.append((symbols, label))


def collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True), lengths, torch.tensor(labels)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(17, 8, padding_idx=0)
        self.gru = nn.GRU(8, 12, batch_first=True, bidirectional=True)
        self.out = nn.Linear(24, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(torch.cat([h[0], h[1]], 1))


model = Classifier()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loader = DataLoader(samples, batch_size=16, shuffle=True, collate_fn=collate)
for epoch in range(6):
    total, correct = 0.0, 0
    for x, lengths, y in loader:
        logits = model(x, lengths)
        loss = nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
    print(f"epoch {epoch} loss {total / len(samples):.6f} acc {correct / len(samples):.4f}")
