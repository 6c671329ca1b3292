"""Custom autograd.Function, grad of grad with create_graph=True, functional jacobian/hessian.

A particle in the potential U(x) = sum(softplus(w*x)) + |x|^2/2: the force is -dU/dx (a
gradient kept in the graph), and w is fitted so that the force matches a target force.
"""
import torch
from torch.autograd.functional import hessian, jacobian


class SoftPlus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log1p(torch.exp(x))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * torch.sigmoid(x)


def potential(x, w):
    return SoftPlus.apply(w * x).sum() + 0.5 * (x * x).sum()


torch.manual_seed(0)
x = torch.randn(8, 3, dtype=torch.float64)
w_true = torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64)
xs = x.clone().requires_grad_(True)
(target_force,) = torch.autograd.grad(-potential(xs, w_true), xs)

w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.5)
for step in range(15):
    xs = x.clone().requires_grad_(True)
    (grad_x,) = torch.autograd.grad(potential(xs, w), xs, create_graph=True)
    loss = ((-grad_x - target_force) ** 2).mean()
    opt.zero_grad()
    loss.backward()          # through the gradient: second derivatives of SoftPlus
    opt.step()
    print(f"step {step} loss {loss.item():.8f} w {' '.join(f'{v:.6f}' for v in w.tolist())}")


def f(v):
    return torch.stack([v[0] * v[1].sin(), v[1] ** 2 + v.exp().sum(), (v * v).sum().sqrt()])


v = torch.tensor([0.3, -1.2, 0.7], dtype=torch.float64)
J = jacobian(f, v)
H = hessian(lambda u: potential(u.view(1, 3), w.detach()), v)
print("jacobian", " ".join(f"{a:.6f}" for a in J.flatten().tolist()))
print("hessian", " ".join(f"{a:.6f}" for a in H.flatten().tolist()))
