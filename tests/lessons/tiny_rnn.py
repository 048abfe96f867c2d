"""Lesson: recurrent layers on a toy sequence: RNN, LSTM and a GRU cell unrolled by hand."""

import torch
import torch.nn as nn

torch.manual_seed(3)
seq = torch.randn(5, 2, 3)  # (time, batch, features)

rnn = nn.RNN(input_size=3, hidden_size=4)
out, h = rnn(seq)
print(out.shape, h.shape)
print(h)

lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
print(lstm)
out, (h, c) = lstm(seq.transpose(0, 1))
print(out[:, -1])
loss = out.pow(2).mean()
loss.backward()
print(f"lstm loss {loss.item():.6f}")
print("grad norms", [round(p.grad.norm().item(), 5) for p in lstm.parameters()][:4])

cell = nn.GRUCell(3, 4)
hx = torch.zeros(2, 4)
for t in range(seq.size(0)):
    hx = cell(seq[t], hx)
print(hx)
head = nn.Linear(4, 1)
pred = head(hx).squeeze(1)
target = torch.tensor([0.5, -0.5])
mse = ((pred - target) ** 2).mean()
mse.backward()
print(f"gru mse {mse:.6f}")
print(cell.weight_hh.grad.abs().sum())
