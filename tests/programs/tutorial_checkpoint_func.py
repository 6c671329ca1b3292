"""Tutorial (issue 10, section 4): activation checkpointing and torch.func. An MLP whose hidden
blocks run under torch.utils.checkpoint (non-reentrant) gives the same gradients as the plain run;
torch.func.functional_call + grad on the plain twin give them again without .backward() (torch.func's
reverse-mode transforms refuse checkpoint's saved tensor hooks: the program shows the error);
vmap(grad) gives per-sample gradients whose mean is the batch gradient; jacrev gives the input
Jacobian, checked against torch.autograd.functional.jacobian; a few SGD steps use the torch.func
gradients."""
import torch
from torch import nn
from torch.func import functional_call, grad, jacrev, vmap
from torch.utils.checkpoint import checkpoint

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        return x + torch.tanh(self.norm(self.fc(x)))


class MLP(nn.Module):
    def __init__(self, width=16, depth=3, use_checkpoint=False):
        super().__init__()
        self.inp = nn.Linear(4, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.out = nn.Linear(width, 2)
        self.use_checkpoint = use_checkpoint

    def forward(self, x):
        h = torch.relu(self.inp(x))
        for block in self.blocks:
            h = checkpoint(block, h, use_reentrant=False) if self.use_checkpoint else block(h)
        return self.out(h)


model = MLP()
ckpt = MLP(use_checkpoint=True)
ckpt.load_state_dict(model.state_dict())
X, Y = torch.randn(8, 4), torch.randn(8, 2)
loss_fn = nn.MSELoss()

for net in (model, ckpt):
    loss_fn(net(X), Y).backward()
diff = max((p.grad - q.grad).abs().max().item() for p, q in zip(model.parameters(), ckpt.parameters()))
print(f"checkpoint grads equal {diff == 0.0} loss {loss_fn(ckpt(X), Y).item():.5f}")

params = {k: v.detach() for k, v in ckpt.named_parameters()}


def compute_loss(params, x, y, net=model):
    return loss_fn(functional_call(net, params, (x,)), y)


try:
    grad(compute_loss)(params, X, Y, ckpt)
except RuntimeError as e:
    print("grad through checkpoint:", type(e).__name__, str(e)[:66])
grads = grad(compute_loss)(params, X, Y)
gdiff = max((grads[k] - p.grad).abs().max().item() for k, p in ckpt.named_parameters())
print(f"func.grad vs backward close {gdiff < 1e-6} grad norm {sum(g.pow(2).sum() for g in grads.values()).sqrt().item():.5f}")


def sample_loss(params, x, y):
    return compute_loss(params, x.unsqueeze(0), y.unsqueeze(0))


per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, X, Y)
w = per_sample["out.weight"]
print("per-sample", tuple(w.shape), " ".join(f"{v:.4f}" for v in w.flatten(1).norm(dim=1).tolist()))
mean_diff = max((per_sample[k].mean(0) - grads[k]).abs().max().item() for k in grads)
print(f"mean of per-sample grads is the batch grad {mean_diff < 1e-6}")

x0 = X[0]
jac = jacrev(lambda x: functional_call(model, params, (x,)))(x0)
ref = torch.autograd.functional.jacobian(lambda x: ckpt(x), x0)
print("jacobian", tuple(jac.shape), f"sum {jac.sum().item():.5f} matches {torch.allclose(jac, ref, atol=1e-6)}")

for step in range(5):
    grads = grad(compute_loss)(params, X, Y)
    params = {k: v - 0.02 * grads[k] for k, v in params.items()}
    print(f"step {step} loss {compute_loss(params, X, Y).item():.5f}")
