"""Lesson: 0.3/0.4-era idioms that modern torch still accepts."""

import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

warnings.simplefilter("ignore")  # the deprecation warnings go to stderr; we compare stdout
torch.manual_seed(11)
use_cuda = torch.cuda.is_available()
device = torch.device("cuda" if use_cuda else "cpu")
print("cuda:", use_cuda, "devices:", torch.cuda.device_count(), "device:", device)

x = Variable(torch.randn(4, 3), volatile=False)
print(x.requires_grad, x.data.size(), x.size(0))
empty = torch.FloatTensor(2, 3).zero_()
print(empty, torch.FloatTensor([2, 3]))
print(torch.LongTensor([1, 2, 3]).type(torch.FloatTensor))
print(x.type(torch.DoubleTensor).dtype, x.type())
print(torch.from_numpy(np.arange(3.0)).float().cpu())

w = torch.FloatTensor(3, 2)
nn.init.xavier_uniform(w)
b = torch.FloatTensor(2)
nn.init.constant(b, 0.1)
h = F.sigmoid(x.mm(w) + b)
print(h)
print(F.tanh(h).sum())

target = Variable(torch.FloatTensor([[0, 1], [1, 0], [1, 1], [0, 0]]))
loss = F.binary_cross_entropy(h, target, size_average=False)
print(loss, f"{loss:.4f}", float(loss), int(loss), bool(loss > 0))
mse = nn.MSELoss(reduce=False)(h, target)
print(mse.shape, mse.sum().item())

model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
for m in model.modules():
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal(m.weight)
        nn.init.normal(m.bias, std=0.01)
model = model.cpu()
print(model)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
print(opt)
out = model(x)
l2 = F.cross_entropy(out, torch.LongTensor([0, 1, 1, 0]))
opt.zero_grad()
l2.backward()
opt.step()
print("loss", l2.data.item(), "grad", model[0].weight.grad.data.norm())
try:
    l2.data[0]
except IndexError as e:
    print("IndexError:", e)
try:
    x.cuda()
except AssertionError as e:
    print("AssertionError:", e)
try:
    float(x)
except ValueError as e:
    print("ValueError:", e)
try:
    bool(x)
except RuntimeError as e:
    print("RuntimeError:", e)
