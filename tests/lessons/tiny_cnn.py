"""Lesson: a tiny CNN, one forward and backward pass, and one Adam step."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(4, 8, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = x.view(x.size(0), -1)
        return F.log_softmax(self.fc(x), dim=1)


torch.manual_seed(1)
net = Net()
print(net)
print("parameters:", sum(p.numel() for p in net.parameters()))
images = torch.randn(4, 1, 10, 10)
targets = torch.tensor([3, 1, 4, 1])
out = net(images)
print(out.shape)
print(out.exp().sum(dim=1))
loss = F.nll_loss(out, targets)
print(f"loss {loss:.5f}")
loss.backward()
for name, p in net.named_parameters():
    print(f"{name:14s} {tuple(p.shape)}  grad norm {p.grad.norm():.5f}")
optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
optimizer.step()
print(f"loss after one Adam step {F.nll_loss(net(images), targets):.5f}")
print(net(images).argmax(dim=1))
