"""Benchmark workloads, each written once against the torch API and run with any library.

A workload is a ``build(lib)`` function: it makes its inputs (untimed) and returns ``step``, a
function of no arguments that runs one timed iteration and returns the values to compare
across libraries (tensors or arrays: gradients, usually). ``lib`` is ``ndgrad`` or ``torch``.
Where it helps to know how close a NumPy engine could get, a second ``build_numpy()`` does the
same sums with NumPy ufuncs and a hand-written backward pass.

To add a workload: write ``build`` (and, optionally, ``build_numpy``), then add one
``Workload`` line to ``WORKLOADS`` at the bottom. Everything is float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

Step = Callable[[], Any]

F32 = np.float32


@dataclass(frozen=True)
class Workload:
    name: str
    build: Callable[[ModuleType], Step]
    build_numpy: Callable[[], Step] | None
    ops: int | None  # ops per step, for the per-op column; None where it means nothing
    about: str


@cache
def _data(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """The same float32 inputs in [-1, 1) for every library (read-only: they share it)."""
    arr = np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype(F32)
    arr.flags.writeable = False
    return arr


def _leaf(lib: ModuleType, arr: np.ndarray) -> Any:
    return lib.tensor(arr.copy(), requires_grad=True)


# ------------------------------------------------------------------------------------- lesson
def lesson(lib: ModuleType) -> Step:
    """The whole autograd lesson (seed/autograd-lesson.txt), once, without printing."""
    Variable = lib.autograd.Variable

    def step() -> Any:
        # z = (x + 2)^2 + 3
        x = Variable(lib.Tensor([2]), requires_grad=True)
        y = x + 2
        z = y**2 + 3
        z.backward()
        dz = x.grad

        # mean(y - x @ w) for random x, y, w
        x = Variable(lib.randn(10, 20), requires_grad=True)
        y = Variable(lib.randn(10, 5), requires_grad=True)
        w = Variable(lib.randn(20, 5), requires_grad=True)
        out = lib.mean(y - lib.matmul(x, w))
        out.backward()
        dy = y.grad  # the only one of the three that does not depend on the draw

        # n built by index assignment from m
        m = Variable(lib.FloatTensor([[2, 3]]), requires_grad=True)
        n = Variable(lib.zeros(1, 2))
        n[0, 0] = m[0, 0] ** 2
        n[0, 1] = m[0, 1] ** 3
        n.backward(lib.ones_like(n))

        # two backward passes through one graph
        x = Variable(lib.FloatTensor([3]), requires_grad=True)
        y = x * 2 + x**2 + 3
        y.backward(retain_graph=True)
        y.backward()
        dxx = x.grad

        # the 2x2 Jacobian, one row per backward pass
        x = Variable(lib.FloatTensor([2, 3]), requires_grad=True)
        k = Variable(lib.zeros(2))
        k[0] = x[0] ** 2 + 3 * x[1]
        k[1] = x[1] ** 2 + 2 * x[0]
        j = lib.zeros(2, 2)
        k.backward(lib.FloatTensor([1, 0]), retain_graph=True)
        j[0] = x.grad.data
        x.grad.data.zero_()
        k.backward(lib.FloatTensor([0, 1]))
        j[1] = x.grad.data
        return dz, dy, m.grad, dxx, j

    return step


def lesson_numpy() -> Step:
    rng = np.random.default_rng(0)

    def step() -> Any:
        x = np.array([2], F32)
        y = x + 2
        _ = y**2 + 3  # the forward is part of the work, though backward needs only y
        dz = 2 * y

        x = rng.standard_normal((10, 20), F32)
        y = rng.standard_normal((10, 5), F32)
        w = rng.standard_normal((20, 5), F32)
        _ = np.mean(y - x @ w)
        g = np.full((10, 5), 1 / 50, F32)
        dy = g
        gxw = -g
        _ = gxw @ w.T  # dx
        _ = x.T @ gxw  # dw

        m = np.array([[2, 3]], F32)
        n = np.zeros((1, 2), F32)
        n[0, 0] = m[0, 0] ** 2
        n[0, 1] = m[0, 1] ** 3
        gn = np.ones_like(n)
        dm = np.zeros_like(m)
        dm[0, 0] += gn[0, 0] * 2 * m[0, 0]
        dm[0, 1] += gn[0, 1] * 3 * m[0, 1] ** 2

        x = np.array([3], F32)
        _ = x * 2 + x**2 + 3
        dxx = np.zeros_like(x)
        for _ in range(2):
            dxx += 2 + 2 * x

        x = np.array([2, 3], F32)
        k = np.zeros(2, F32)
        k[0] = x[0] ** 2 + 3 * x[1]
        k[1] = x[1] ** 2 + 2 * x[0]
        j = np.zeros((2, 2), F32)
        for i, v in enumerate((np.array([1, 0], F32), np.array([0, 1], F32))):
            j[i, 0] = v[0] * 2 * x[0] + v[1] * 2
            j[i, 1] = v[0] * 3 + v[1] * 2 * x[1]
        return dz, dy, dm, dxx, j

    return step


# -------------------------------------------------------------------------------- chain, deep
# One cycle of six elementwise ops, bounded whatever the length: sin keeps exp's input in
# [-1, 1], tanh keeps its output in (0, 1), and x is drawn from [-1, 1].
# Cycle ops: h*0.5, +0.1, sin, exp, tanh, *x. A chain of n ops runs n // 6 whole cycles, then
# the first n % 6 ops of one more.
_CYCLE = 6


def _tail(lib: ModuleType, h: Any, x: Any, r: int) -> Any:
    if r > 0:
        h = h * 0.5
    if r > 1:
        h = h + 0.1
    if r > 2:
        h = lib.sin(h)
    if r > 3:
        h = lib.exp(h)
    if r > 4:
        h = lib.tanh(h)
    return h


def _chain(lib: ModuleType, x: Any, n: int) -> Any:
    h = x
    for _ in range(n // _CYCLE):
        h = h * 0.5
        h = h + 0.1
        h = lib.sin(h)
        h = lib.exp(h)
        h = lib.tanh(h)
        h = h * x
    return _tail(lib, h, x, n % _CYCLE)


def _chain_numpy(x: np.ndarray, n: int) -> np.ndarray:
    """Forward keeping what backward needs, then the reverse loop by hand: the gradient wrt x."""
    sin, exp, tanh, cos = np.sin, np.exp, np.tanh, np.cos
    tape = []
    h = x
    for _ in range(n // _CYCLE):
        h = h * 0.5
        b = h + 0.1
        d = exp(sin(b))
        e = tanh(d)
        h = e * x
        tape.append((b, d, e))
    r = n % _CYCLE
    tail = []  # the inputs of the tail's ops, in order
    for k in range(r):
        tail.append(h)
        if k == 0:
            h = h * 0.5
        elif k == 1:
            h = h + 0.1
        elif k == 2:
            h = sin(h)
        elif k == 3:
            h = exp(h)
        else:
            h = tanh(h)
    h.sum()

    g = np.ones_like(h)
    for k in reversed(range(r)):
        a = tail[k]
        if k == 0:
            g = g * 0.5
        elif k == 2:
            g = g * cos(a)
        elif k == 3:
            g = g * exp(a)
        elif k == 4:
            t = tanh(a)
            g = g * (1 - t * t)
    gx = np.zeros_like(x)
    for b, d, e in reversed(tape):
        gx = gx + g * e
        g = g * x
        g = g * (1 - e * e)
        g = g * d
        g = g * cos(b)
        g = g * 0.5
    return gx + g


def _build_chain(lib: ModuleType, shape: tuple[int, ...], n: int) -> Step:
    x = _leaf(lib, _data(shape, 1))

    def step() -> Any:
        x.grad = None
        _chain(lib, x, n).sum().backward()
        return x.grad

    return step


def _build_chain_numpy(shape: tuple[int, ...], n: int) -> Step:
    x = _data(shape, 1).copy()
    return lambda: _chain_numpy(x, n)


CHAIN_OPS = 200
DEEP_OPS = 100_000


def chain(lib: ModuleType) -> Step:
    return _build_chain(lib, (16,), CHAIN_OPS)


def chain_numpy() -> Step:
    return _build_chain_numpy((16,), CHAIN_OPS)


def deep(lib: ModuleType) -> Step:
    return _build_chain(lib, (), DEEP_OPS)


def deep_numpy() -> Step:
    return _build_chain_numpy((), DEEP_OPS)


# ------------------------------------------------------------------------------------ matmul
MATMUL_N = 2048


def matmul(lib: ModuleType) -> Step:
    a = _leaf(lib, _data((MATMUL_N, MATMUL_N), 2))
    b = _leaf(lib, _data((MATMUL_N, MATMUL_N), 3))

    def step() -> Any:
        a.grad = None
        b.grad = None
        lib.matmul(a, b).sum().backward()
        return a.grad, b.grad

    return step


def matmul_numpy() -> Step:
    a = _data((MATMUL_N, MATMUL_N), 2)
    b = _data((MATMUL_N, MATMUL_N), 3)

    def step() -> Any:
        out = a @ b
        out.sum()
        g = np.ones_like(out)  # what an engine hands the matmul node: sum's gradient, expanded
        return g @ b.T, a.T @ g

    return step


# ----------------------------------------------------------------------------------- registry
WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("lesson", lesson, lesson_numpy, None, "the autograd lesson, once"),
        Workload("chain", chain, chain_numpy, CHAIN_OPS, "16 floats, 200 elementwise ops"),
        Workload("deep", deep, deep_numpy, DEEP_OPS, "0-d tensor, 100,000 elementwise ops"),
        Workload("matmul", matmul, matmul_numpy, None, "2048x2048 @ 2048x2048, sum"),
    )
}
