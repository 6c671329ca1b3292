"""Tutorial (issue 10, section 3): REINFORCE (the policy-gradient example) on a toy environment
written here: a corridor of 7 cells, the agent starts in the middle, moves left or right, earns +1
at the right end, -1 at the left end and -0.05 per step, 12 steps at most. The policy is a small MLP
over a one-hot of the position; actions are drawn from torch.distributions.Categorical, and the loss
is -sum(log_prob * normalized discounted return)."""
import torch
from torch import nn
from torch.distributions import Categorical

torch.manual_seed(0)
N_CELLS, MAX_STEPS, GAMMA = 7, 12, 0.95


class Corridor:
    def reset(self):
        self.pos, self.t = N_CELLS // 2, 0
        return self.obs()

    def obs(self):
        return torch.nn.functional.one_hot(torch.tensor(self.pos), N_CELLS).float()

    def step(self, action):
        self.pos += 1 if action == 1 else -1
        self.t += 1
        if self.pos == N_CELLS - 1:
            return self.obs(), 1.0, True
        if self.pos == 0:
            return self.obs(), -1.0, True
        return self.obs(), -0.05, self.t >= MAX_STEPS


policy = nn.Sequential(nn.Linear(N_CELLS, 16), nn.Tanh(), nn.Linear(16, 2))
optimizer = torch.optim.Adam(policy.parameters(), lr=0.03)
env = Corridor()
eps = torch.finfo(torch.float32).eps

for episode in range(40):
    state, log_probs, rewards, done = env.reset(), [], [], False
    while not done:
        dist = Categorical(logits=policy(state))
        action = dist.sample()
        log_probs.append(dist.log_prob(action))
        state, reward, done = env.step(action.item())
        rewards.append(reward)
    returns, g = [], 0.0
    for r in reversed(rewards):
        g = r + GAMMA * g
        returns.insert(0, g)
    returns = torch.tensor(returns)
    if len(returns) > 1:
        returns = (returns - returns.mean()) / (returns.std() + eps)
    loss = -(torch.stack(log_probs) * returns).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if episode % 4 == 3:
        print(f"episode {episode + 1} steps {len(rewards)} reward {sum(rewards):.2f} loss {loss.item():.4f}")

with torch.no_grad():
    probs = torch.softmax(policy(torch.eye(N_CELLS)), dim=1)[:, 1]
    entropy = Categorical(probs=torch.stack([1 - probs, probs], 1)).entropy().mean()
print("p(right) by cell", " ".join(f"{p:.3f}" for p in probs.tolist()), f"entropy {entropy.item():.4f}")
