"""The autograd lesson, cell by cell, number by number (and the tour that walks it)."""

import numpy as np
import pytest

import ndgrad as torch
from ndgrad.autograd import Variable


def test_scalar_backward():
    x = Variable(torch.Tensor([2]), requires_grad=True)
    y = x + 2
    z = y**2 + 3
    assert repr(z) == "tensor([19.], grad_fn=<AddBackward0>)"
    z.backward()
    assert repr(x.grad) == "tensor([8.])"


def test_mean_of_matmul():
    torch.manual_seed(1)
    x = Variable(torch.randn(10, 20), requires_grad=True)
    y = Variable(torch.randn(10, 5), requires_grad=True)
    w = Variable(torch.randn(20, 5), requires_grad=True)
    out = torch.mean(y - torch.matmul(x, w))
    out.backward()
    np.testing.assert_allclose(y.grad.numpy(), np.full((10, 5), 1 / 50), rtol=1e-6)
    xs, ws = x.detach().numpy(), w.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.tile(-ws.sum(1) / 50, (10, 1)), rtol=1e-5)
    np.testing.assert_allclose(
        w.grad.numpy(), np.tile(-xs.sum(0)[:, None] / 50, (1, 5)), rtol=1e-5
    )
    assert x.grad.dtype is torch.float32


def test_index_assignment_joins_graph():
    m = Variable(torch.FloatTensor([[2, 3]]), requires_grad=True)
    n = Variable(torch.zeros(1, 2))
    assert repr(m) == "tensor([[2., 3.]], requires_grad=True)"
    assert repr(n) == "tensor([[0., 0.]])"
    n[0, 0] = m[0, 0] ** 2
    n[0, 1] = m[0, 1] ** 3
    assert repr(n) == "tensor([[ 4., 27.]], grad_fn=<CopySlices>)"
    n.backward(torch.ones_like(n))
    assert m.grad.tolist() == [[4.0, 27.0]]


def test_retain_graph_and_accumulation():
    x = Variable(torch.FloatTensor([3]), requires_grad=True)
    y = x * 2 + x**2 + 3
    assert y.item() == 18
    y.backward(retain_graph=True)
    assert x.grad.tolist() == [8.0]
    y.backward()
    assert x.grad.tolist() == [16.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_jacobian_row_by_row():
    x = Variable(torch.FloatTensor([2, 3]), requires_grad=True)
    k = Variable(torch.zeros(2))
    k[0] = x[0] ** 2 + 3 * x[1]
    k[1] = x[1] ** 2 + 2 * x[0]
    assert k.tolist() == [13.0, 13.0]
    j = torch.zeros(2, 2)
    k.backward(torch.FloatTensor([1, 0]), retain_graph=True)
    j[0] = x.grad.data
    x.grad.data.zero_()
    k.backward(torch.FloatTensor([0, 1]))
    j[1] = x.grad.data
    assert j.tolist() == [[4.0, 3.0], [2.0, 6.0]]
    assert repr(j) == "tensor([[4., 3.],\n        [2., 6.]])"


def test_tour_passes_and_reports_each_step():
    from ndgrad import tour

    lines = []
    assert tour.run(lines.append) == 0
    text = "\n".join(lines)
    assert "summary: 5 of 5 steps agree" in text
    assert "dz/dx = 2*(x + 2) = 2*(2 + 2) = 8" in text
    assert "DISAGREES" not in text


def test_tour_reports_a_wrong_result(monkeypatch):
    from ndgrad import tour

    step = tour.STEPS[0]
    broken = tour.Step(
        step.title, step.code.replace("y ** 2 + 3", "y ** 2 + 4"), step.check, step.output
    )
    monkeypatch.setattr(tour, "STEPS", [broken])
    lines = []
    assert tour.run(lines.append) == 1
    assert any("DISAGREES" in line for line in lines)
