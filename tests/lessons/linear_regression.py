"""Lesson: fit y = 3x + 2 with nn.Linear, MSE and plain SGD."""

import torch
import torch.nn as nn

torch.manual_seed(42)
x = torch.rand(64, 1) * 4 - 2
y = 3 * x + 2 + 0.1 * torch.randn(64, 1)

model = nn.Linear(1, 1)
print(model)
print("initial weight", model.weight.data, "bias", model.bias.data)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
print(optimizer)

for epoch in range(60):
    pred = model(x)
    loss = criterion(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1:3d}  loss {loss.item():.6f}")

w, b = model.weight.item(), model.bias.item()
print(f"learned w = {w:.4f}, b = {b:.4f}")
with torch.no_grad():
    print(model(torch.tensor([[0.0], [1.0], [-1.5]])))
print(list(model.state_dict().keys()))
