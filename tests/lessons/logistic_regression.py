"""Lesson: logistic regression on two Gaussian blobs, batches from a seeded DataLoader."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
n = 100
blob0 = torch.randn(n, 2) + torch.tensor([-1.5, -1.0])
blob1 = torch.randn(n, 2) + torch.tensor([1.5, 1.0])
features = torch.cat([blob0, blob1])
labels = torch.cat([torch.zeros(n), torch.ones(n)]).unsqueeze(1)

loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)
first_x, first_y = next(iter(loader))
print("first batch labels", first_y[:8].view(-1))


class LogisticRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


model = LogisticRegression()
print(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
for epoch in range(5):
    total = 0.0
    for xb, yb in loader:
        prob = model(xb)
        loss = F.binary_cross_entropy(prob, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.size(0)
    with torch.no_grad():
        accuracy = ((model(features) > 0.5).float() == labels).float().mean()
    print(f"epoch {epoch}  loss {total / len(features):.5f}  accuracy {accuracy:.3f}")

print("weight", model.linear.weight.data)
print("bias", model.linear.bias.data)
