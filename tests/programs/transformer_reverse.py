"""Sequence-to-sequence with nn.Transformer: learn to reverse short digit sequences.

Teacher forcing with a causal target mask and padding masks, dropout on, Adam with a
warm-up LambdaLR; greedy decoding in eval mode at the end.
"""
import math

import torch
from torch import nn

torch.manual_seed(0)
PAD, BOS, VOCAB, LEN, D = 0, 1, 12, 6, 32


def batch(n):
    lengths = torch.randint(3, LEN + 1, (n,))
    src = torch.randint(2, VOCAB, (n, LEN))
    src[torch.arange(LEN)[None, :] >= lengths[:, None]] = PAD
    tgt = torch.full((n, LEN + 1), PAD)
    tgt[:, 0] = BOS
    for i in range(n):
        k = int(lengths[i])
        tgt[i, 1:k + 1] = src[i, :k].flip(0)
    return src, tgt


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(LEN + 1, D) * 0.1)
        self.core = nn.Transformer(D, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=64,
                                   dropout=0.1, batch_first=True)
        self.out = nn.Linear(D, VOCAB)

    def embed(self, x):
        return self.emb(x) * math.sqrt(D) + self.pos[:x.shape[1]]

    def forward(self, src, tgt_in):
        mask = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        h = self.core(self.embed(src), self.embed(tgt_in), tgt_mask=mask, src_key_padding_mask=src == PAD,
                      memory_key_padding_mask=src == PAD)
        return self.out(h)


model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10))
loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
for step in range(36):
    src, tgt = batch(32)
    logits = model(src, tgt[:, :-1])
    loss = loss_fn(logits.reshape(-1, VOCAB), tgt[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 4 == 3:
        print(f"step {step} loss {loss.item():.6f} lr {sched.get_last_lr()[0]:.6f}")

model.eval()
src, tgt = batch(8)
out = torch.full((8, 1), BOS)
with torch.no_grad():
    for _ in range(LEN):
        nxt = model(src, out)[:, -1].argmax(-1, keepdim=True)
        out = torch.cat([out, nxt], 1)
mask = tgt[:, 1:] != PAD
acc = ((out[:, 1:] == tgt[:, 1:]) & mask).sum().item() / mask.sum().item()
print(f"greedy token accuracy {acc:.4f}")
