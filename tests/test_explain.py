"""The chain-rule explainer: symbols, the engine's numbers, and paths that add up."""

import numpy as np
import pytest

import ndgrad as torch
from ndgrad.autograd import explain, grad


def test_lesson_scalar_shows_the_chain_rule():
    x = torch.tensor([2.0], requires_grad=True)
    y = x + 2
    z = y**2 + 3
    e = explain(z, x, print_result=False)
    text = str(e)
    assert "from z = (x + 2)**2 + 3 back to the inputs" in text
    assert "d((x + 2)**2)/d(x + 2) = 2*(x + 2) = 8" in text
    assert text.splitlines()[-1] == "dz/dx = 2*(x + 2) = 8"
    assert e.gradients["x"].tolist() == [8.0]
    assert x.grad is None  # explain leaves .grad alone


def test_paths_add_up_and_match_the_engine():
    a = torch.tensor([3.0], requires_grad=True)
    b = a * 2 + a**2 + 3
    e = explain(b, {"a": a}, print_result=False)
    assert "db/da = 2*a + 2   (2 paths add up) = 8" in str(e)
    assert "d(a**2)/d(a) = 2*a = 6" in str(e)


def _random_graph(rng: np.random.Generator, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    h = x
    for _ in range(6):
        k = rng.integers(0, 6)
        if k == 0:
            h = h * w
        elif k == 1:
            h = h.sin() + h
        elif k == 2:
            h = h.exp() / (1 + h * h)
        elif k == 3:
            h = h**2 - w
        elif k == 4:
            h = h.tanh() * 3
        else:
            h = (h - 0.5).relu() + h.sigmoid()
    return (h * h).sum()


@pytest.mark.parametrize("seed", range(8))
def test_numbers_are_the_engines_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=3), requires_grad=True)
    w = torch.tensor(rng.normal(size=3), requires_grad=True)
    out = _random_graph(np.random.default_rng(seed), x, w)
    e = explain(out, {"x": x, "w": w}, print_result=False)
    gx, gw = grad(_random_graph(np.random.default_rng(seed), x, w), (x, w))
    np.testing.assert_array_equal(e.gradients["x"].numpy(), gx.numpy())
    np.testing.assert_array_equal(e.gradients["w"].numpy(), gw.numpy())
    nodes = [
        ln for ln in e.lines if ln and not ln.startswith(" ") and "Backward" in ln.split(":")[0]
    ]
    assert len(nodes) >= 6


def test_tensors_are_summarised_and_small_ones_shown():
    x = torch.randn(10, 20, requires_grad=True)
    w = torch.randn(20, 5, requires_grad=True)
    out = torch.mean(torch.matmul(x, w))
    text = str(explain(out, [x, w], print_result=False))
    assert "[10x20 tensor: mean" in text and "d(mean(x @ w))/d(x @ w) = 1/50" in text


def test_unused_input_and_no_graph():
    x = torch.tensor([1.0], requires_grad=True)
    u = torch.tensor([1.0], requires_grad=True)
    y = x * 3
    e = explain(y, {"x": x, "u": u}, print_result=False)
    assert e.lines[-1] == "dy/du = no gradient (not used)"
    with pytest.raises(RuntimeError, match="was not computed from tensors that require grad"):
        explain(torch.ones(2), x, print_result=False)


def test_tour_explain_option(capsys):
    from ndgrad import tour

    assert tour.main(["--explain"]) == 0
    assert "dz/dx = 2*(x + 2) = 8" in capsys.readouterr().out
