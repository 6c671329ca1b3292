"""The "Sequence Models and LSTM Networks" tutorial: a part-of-speech tagger."""
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(1)

training_data = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
]
word_to_ix = {}
for sent, tags in training_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}


def prepare_sequence(seq, to_ix):
    return torch.tensor([to_ix[w] for w in seq], dtype=torch.long)


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


model = LSTMTagger(6, 6, len(word_to_ix), len(tag_to_ix))
loss_function = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(300):
    total = 0.0
    for sentence, tags in training_data:
        model.zero_grad()
        scores = model(prepare_sequence(sentence, word_to_ix))
        loss = loss_function(scores, prepare_sequence(tags, tag_to_ix))
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch % 30 == 29:
        print(f"epoch {epoch} loss {total:.6f}")

with torch.no_grad():
    scores = model(prepare_sequence(training_data[0][0], word_to_ix))
    print("tags", " ".join(str(i) for i in scores.argmax(1).tolist()))
    print("scores", " ".join(f"{v:.5f}" for v in scores[0].tolist()))
