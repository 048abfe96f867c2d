"""The tour: the autograd lesson run step by step, each result checked against the maths."""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import ndgrad
from ndgrad import viz
from ndgrad.autograd import Variable


@dataclass
class Step:
    title: str
    code: str
    # Given the namespace the code ran in: (what ndgrad gave, what the maths says, agree?).
    check: Callable[[dict[str, Any]], tuple[str, str, bool]]
    # The variable whose graph `tour --graph DIR` draws for this step.
    output: str


def _close(a: Any, b: Any) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=np.float64), b, rtol=1e-5, atol=1e-6))


def _scalar(ns: dict[str, Any]) -> tuple[str, str, bool]:
    x = ns["x"].item()
    z_hand, dz_hand = (x + 2) ** 2 + 3, 2 * (x + 2)
    got = f"z = {ns['z']!r}, x.grad = {ns['x'].grad!r}"
    hand = f"z = (x + 2)**2 + 3 = {z_hand:g};  dz/dx = 2*(x + 2) = 2*({x:g} + 2) = {dz_hand:g}"
    ok = _close(ns["z"].detach(), z_hand) and _close(ns["x"].grad, dz_hand)
    return got, hand, ok


def _matmul(ns: dict[str, Any]) -> tuple[str, str, bool]:
    x, y, w = (ns[k].detach().numpy().astype(np.float64) for k in "xyw")
    n = y.size
    dx = np.broadcast_to(-w.sum(axis=1) / n, x.shape)
    dy = np.full(y.shape, 1 / n)
    dw = np.broadcast_to(-x.sum(axis=0)[:, None] / n, w.shape)
    got = (
        f"y.grad all {ns['y'].grad[0, 0].item():.4f}; x.grad rows equal, "
        f"x.grad[0, :3] = {ns['x'].grad[0, :3]!r}"
    )
    hand = (
        f"d/dy = 1/{n} = {1 / n:.4f};  d/dx[i, k] = -sum_j w[k, j] / {n};  "
        f"d/dw[k, j] = -sum_i x[i, k] / {n}"
    )
    ok = _close(ns["x"].grad, dx) and _close(ns["y"].grad, dy) and _close(ns["w"].grad, dw)
    return got, hand, ok


def _index_assign(ns: dict[str, Any]) -> tuple[str, str, bool]:
    m0, m1 = ns["m"].detach().numpy()[0]
    hand_grad = [2 * m0, 3 * m1**2]
    got = f"n = {ns['n']!r}, m.grad = {ns['m'].grad!r}"
    hand = f"dn0/dm0 = 2*m0 = {hand_grad[0]:g};  dn1/dm1 = 3*m1**2 = {hand_grad[1]:g}"
    ok = _close(ns["n"].detach(), [[m0**2, m1**3]]) and _close(ns["m"].grad, [hand_grad])
    return got, hand, ok


def _retain(ns: dict[str, Any]) -> tuple[str, str, bool]:
    x = ns["x"].item()
    d = 2 + 2 * x
    got = (
        f"y = {ns['y']!r}, x.grad after one backward = {ns['first']!r}, after two = "
        f"{ns['x'].grad!r}; a third backward raised: {ns['error'][:60]}..."
    )
    hand = f"dy/dx = 2 + 2*x = {d:g}; gradients add up: {d:g} + {d:g} = {2 * d:g}"
    ok = (
        _close(ns["first"], d)
        and _close(ns["x"].grad, 2 * d)
        and ns["error"].startswith("Trying to backward through the graph a second time")
    )
    return got, hand, ok


def _jacobian(ns: dict[str, Any]) -> tuple[str, str, bool]:
    x0, x1 = ns["x"].detach().numpy()
    hand_j = [[2 * x0, 3], [2, 2 * x1]]
    got = f"k = {ns['k']!r}, j = {ns['j']!r}"
    hand = f"dk0/dx = (2*x0, 3) = ({2 * x0:g}, 3);  dk1/dx = (2, 2*x1) = (2, {2 * x1:g})"
    return got, hand, _close(ns["j"], hand_j)


STEPS = [
    Step(
        "A scalar and its derivative",
        """
        x = Variable(torch.Tensor([2]), requires_grad=True)
        y = x + 2
        z = y ** 2 + 3
        z.backward()
        """,
        _scalar,
        "z",
    ),
    Step(
        "Gradients through a matrix product",
        """
        torch.manual_seed(0)
        x = Variable(torch.randn(10, 20), requires_grad=True)
        y = Variable(torch.randn(10, 5), requires_grad=True)
        w = Variable(torch.randn(20, 5), requires_grad=True)
        out = torch.mean(y - torch.matmul(x, w))
        out.backward()
        """,
        _matmul,
        "out",
    ),
    Step(
        "Index assignment joins the graph; backward with a gradient",
        """
        m = Variable(torch.FloatTensor([[2, 3]]), requires_grad=True)
        n = Variable(torch.zeros(1, 2))
        n[0, 0] = m[0, 0] ** 2
        n[0, 1] = m[0, 1] ** 3
        n.backward(torch.ones_like(n))
        """,
        _index_assign,
        "n",
    ),
    Step(
        "retain_graph, and gradients that accumulate",
        """
        x = Variable(torch.FloatTensor([3]), requires_grad=True)
        y = x * 2 + x ** 2 + 3
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        try:
            y.backward()
        except RuntimeError as e:
            error = str(e)
        """,
        _retain,
        "y",
    ),
    Step(
        "A Jacobian, one row per backward",
        """
        x = Variable(torch.FloatTensor([2, 3]), requires_grad=True)
        k = Variable(torch.zeros(2))
        k[0] = x[0] ** 2 + 3 * x[1]
        k[1] = x[1] ** 2 + 2 * x[0]
        j = torch.zeros(2, 2)
        k.backward(torch.FloatTensor([1, 0]), retain_graph=True)
        j[0] = x.grad.data
        x.grad.data.zero_()
        k.backward(torch.FloatTensor([0, 1]))
        j[1] = x.grad.data
        """,
        _jacobian,
        "k",
    ),
]


def run(
    out: Callable[[str], None] = print, graph_dir: str | None = None, explain: bool = False
) -> int:
    """Run every step; return the number that disagree with the maths.

    With ``graph_dir``, also write each step's autograd graph there as an SVG picture; with
    ``explain``, show how the chain rule formed the first step's gradient.
    """
    out("ndgrad tour: the autograd lesson, with ndgrad's results beside the hand-worked maths\n")
    failed = 0
    for i, step in enumerate(STEPS, 1):
        code = textwrap.dedent(step.code).strip()
        ns: dict[str, Any] = {"torch": ndgrad, "Variable": Variable}
        out(f"[{i}/{len(STEPS)}] {step.title}")
        for line in code.splitlines():
            out(("    ... " if line.startswith(" ") else "    >>> ") + line)
        try:
            exec(code, ns)
            got, hand, ok = step.check(ns)
        except Exception as e:  # a failing step is reported, and the tour goes on
            got, hand, ok = f"raised {type(e).__name__}: {e}", "", False
        out(textwrap.indent(f"ndgrad:  {got}", "  "))
        if hand:
            out(f"  by hand: {hand}")
        if graph_dir is not None and isinstance(ns.get(step.output), ndgrad.Tensor):
            path = os.path.join(graph_dir, f"step{i}_{step.output}.svg")
            viz.draw(ns[step.output]).save(path)
            out(f"  graph of {step.output}: {path}")
        out(f"  {'agrees' if ok else 'DISAGREES'}\n")
        failed += not ok
        if explain and i == 1:
            out(textwrap.indent(_explain_first_step(), "    "))
    passed = len(STEPS) - failed
    out(f"summary: {passed} of {len(STEPS)} steps agree with the hand-worked derivatives")
    return failed


def _explain_first_step() -> str:
    """The chain rule of step 1, on a fresh graph (the tour's own was freed by backward)."""
    x = Variable(ndgrad.Tensor([2]), requires_grad=True)
    y = x + 2
    z = y**2 + 3
    names = {"x": x, "y": y, "z": z}
    return str(ndgrad.autograd.explain(z, {"x": x}, names=names, print_result=False)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ndgrad tour")
    parser.add_argument("--graph", metavar="DIR", help="write each step's graph as an SVG")
    parser.add_argument("--explain", action="store_true", help="show the chain rule at work")
    args = parser.parse_args(argv)
    if args.graph:
        os.makedirs(args.graph, exist_ok=True)
    return 1 if run(graph_dir=args.graph, explain=args.explain) else 0
