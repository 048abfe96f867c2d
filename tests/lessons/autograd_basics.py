"""Lesson: automatic differentiation, from a scalar to a matrix (0.3-era style)."""

import torch
from torch.autograd import Variable

# A scalar: z = (x + 2)^2 + 3, so dz/dx = 2 (x + 2) = 8 at x = 2.
x = Variable(torch.Tensor([2]), requires_grad=True)
y = x + 2
z = y**2 + 3
print(z)
z.backward()
print(x.grad)

# Matrices: the mean of y - x @ w, seeded so the numbers repeat.
torch.manual_seed(2017)
x = Variable(torch.randn(10, 20), requires_grad=True)
y = Variable(torch.randn(10, 5), requires_grad=True)
w = Variable(torch.randn(20, 5), requires_grad=True)
out = torch.mean(y - torch.matmul(x, w))
out.backward()
print(x.grad[:2])
print(y.grad[0])
print(w.grad.sum(dim=1))

# Several backward passes accumulate; zero the gradient in between.
a = torch.tensor([3.0], requires_grad=True)
b = a * 2
b.backward(retain_graph=True)
print(a.grad)
b.backward()
print(a.grad)
a.grad.data.zero_()
(a**3).backward()
print(a.grad)

# A vector output needs the gradient of what it feeds: here all ones.
m = Variable(torch.FloatTensor([[2, 3]]), requires_grad=True)
n = Variable(torch.zeros(1, 2))
n[0, 0] = m[0, 0] ** 2
n[0, 1] = m[0, 1] ** 3
n.backward(torch.ones_like(n))
print(m.grad)

# The Jacobian of a small linear map, one row per backward pass.
torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
k = torch.randn(3, 3)
y = k @ x
jac = torch.zeros(3, 3)
for i in range(3):
    g = torch.zeros(3)
    g[i] = 1
    (row,) = torch.autograd.grad(y, x, g, retain_graph=True)
    jac[i] = row
print(jac)
print(torch.allclose(jac, k))
print(f"{z.item():.4f} {float(out):.6f}")
