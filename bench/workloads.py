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


# Where the tensors live; configure("cuda") also scales the workloads up to fill a GPU.
DEVICE = "cpu"
GPU_SIZES = {"MATMUL_N": 8192, "MLP_BATCH": 4096, "CNN_BATCH": 256}
GPU_WORKLOADS = ("chain", "mlp", "matmul", "cnn")


def configure(device: str) -> None:
    """Run the workloads on ``device``: on a GPU with the sizes of ``GPU_SIZES``."""
    global DEVICE
    DEVICE = device
    if device != "cpu":
        globals().update(GPU_SIZES)


def _leaf(lib: ModuleType, arr: np.ndarray) -> Any:
    return lib.tensor(arr.copy(), device=DEVICE, requires_grad=True)


def _on(lib: ModuleType, arr: np.ndarray) -> Any:
    """A tensor holding a copy of ``arr`` on the configured device."""
    return lib.from_numpy(arr.copy()).to(DEVICE)


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


# --------------------------------------------------------------------------- mlp, cnn: shared
LR = 0.01  # plain SGD, no momentum, for mlp and cnn


@cache
def _params(shapes: tuple[tuple[int, ...], ...], seed: int) -> tuple[np.ndarray, ...]:
    """Weights and biases, layer by layer (torch's layouts), uniform in +-1/sqrt(fan_in)."""
    out = []
    for i, shape in enumerate(shapes):
        if len(shape) > 1:  # a weight; the bias after it shares its fan-in
            scale = F32(1 / np.sqrt(np.prod(shape[1:])))
        arr = _data(shape, seed + i) * scale
        arr.flags.writeable = False
        out.append(arr)
    return tuple(out)


@cache
def _labels(n: int, seed: int) -> np.ndarray:
    arr = np.random.default_rng(seed).integers(0, 10, n)
    arr.flags.writeable = False
    return arr


def _load(lib: ModuleType, model: Any, arrays: tuple[np.ndarray, ...]) -> list[Any]:
    """Overwrite ``model``'s parameters (in order) with ``arrays``: every library starts equal."""
    model.to(DEVICE)
    params = list(model.parameters())
    assert [tuple(p.shape) for p in params] == [a.shape for a in arrays]
    with lib.no_grad():
        for p, a in zip(params, arrays):
            p.copy_(_on(lib, a))
    return params


def _sgd_step(lib: ModuleType, model: Any, x: Any, y: Any) -> Step:
    """One training step: forward, cross-entropy, backward, SGD update."""
    F = lib.nn.functional
    params = list(model.parameters())
    opt = lib.optim.SGD(params, lr=LR)

    def step() -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss, tuple(p.grad for p in params)

    return step


def _cross_entropy_numpy(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy of logits ``z`` (N, K) and its gradient wrt ``z``."""
    n = len(y)
    rows = np.arange(n)
    m = z.max(1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(1, keepdims=True)
    loss = (np.log(s[:, 0]) + m[:, 0] - z[rows, y]).mean()
    e /= s
    e[rows, y] -= 1
    e *= F32(1 / n)
    return loss, e


def _sgd_numpy(params: list[np.ndarray], grads: tuple[np.ndarray, ...]) -> None:
    lr = F32(LR)
    for p, g in zip(params, grads):
        p -= lr * g


# ---------------------------------------------------------------------------------------- mlp
MLP_SIZES = (784, 512, 256, 10)
MLP_BATCH = 128
_MLP_SHAPES = tuple(
    s for i, o in zip(MLP_SIZES, MLP_SIZES[1:]) for s in ((o, i), (o,))
)  # W1, b1, W2, b2, W3, b3


def mlp(lib: ModuleType) -> Step:
    nn = lib.nn
    layers: list[Any] = []
    for i, o in zip(MLP_SIZES, MLP_SIZES[1:]):
        layers += [nn.Linear(i, o), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    _load(lib, model, _params(_MLP_SHAPES, 10))
    x = _on(lib, _data((MLP_BATCH, MLP_SIZES[0]), 4))
    y = _on(lib, _labels(MLP_BATCH, 5))
    return _sgd_step(lib, model, x, y)


def mlp_numpy() -> Step:
    params = [a.copy() for a in _params(_MLP_SHAPES, 10)]
    x = _data((MLP_BATCH, MLP_SIZES[0]), 4)
    y = _labels(MLP_BATCH, 5)

    def step() -> Any:
        w1, b1, w2, b2, w3, b3 = params
        h1 = x @ w1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ w3.T
        z += b3
        loss, g = _cross_entropy_numpy(z, y)
        gw3, gb3 = g.T @ h2, g.sum(0)
        g = g @ w3
        g[h2 <= 0] = 0
        gw2, gb2 = g.T @ h1, g.sum(0)
        g = g @ w2
        g[h1 <= 0] = 0
        gw1, gb1 = g.T @ x, g.sum(0)
        grads = (gw1, gb1, gw2, gb2, gw3, gb3)
        _sgd_numpy(params, grads)
        return loss, grads

    return step


# ------------------------------------------------------------------------------------ hessian
HESSIAN_N = 100


def hessian(lib: ModuleType) -> Step:
    """torch.autograd.functional.hessian of sum(tanh(A @ x)): one backward per row, twice."""
    a = lib.from_numpy(_data((HESSIAN_N, HESSIAN_N), 6) * F32(0.1))  # keeps tanh unsaturated
    x = lib.from_numpy(_data((HESSIAN_N,), 7).copy())

    def f(v: Any) -> Any:
        return lib.tanh(a @ v).sum()

    return lambda: lib.autograd.functional.hessian(f, x)


# ---------------------------------------------------------------------------------------- cnn
CNN_BATCH = 32
CNN_CHANNELS = 16
_CNN_FLAT = CNN_CHANNELS * 14 * 14
_CNN_SHAPES = ((CNN_CHANNELS, 1, 3, 3), (CNN_CHANNELS,), (10, _CNN_FLAT), (10,))


def cnn(lib: ModuleType) -> Step:
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, CNN_CHANNELS, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(_CNN_FLAT, 10),
    )
    _load(lib, model, _params(_CNN_SHAPES, 20))
    x = _on(lib, _data((CNN_BATCH, 1, 28, 28), 8))
    y = _on(lib, _labels(CNN_BATCH, 9))
    return _sgd_step(lib, model, x, y)


def cnn_numpy() -> Step:
    """im2col + one matmul for the convolution, channels first inside (C, N, H, W): the bias,
    ReLU and pooling then run over long rows; torch's layouts for the parameters outside."""
    params = [a.copy() for a in _params(_CNN_SHAPES, 20)]
    x = _data((CNN_BATCH, 1, 28, 28), 8)
    y = _labels(CNN_BATCH, 9)
    n, c = CNN_BATCH, CNN_CHANNELS
    zero = np.zeros((c, n * 28 * 28), F32)  # np.maximum(a, 0) is ~3x slower than with an array
    corners = [(slice(None),) * 3 + (a, slice(None), b) for a in (0, 1) for b in (0, 1)]

    def step() -> Any:
        wc, bc, wf, bf = params
        xp = np.zeros((n, 30, 30), F32)
        xp[:, 1:-1, 1:-1] = x[:, 0]
        cols = np.empty((9, n, 28, 28), F32)  # (C_in*3*3, N, H, W)
        for k in range(9):
            i, j = divmod(k, 3)
            cols[k] = xp[:, i : i + 28, j : j + 28]
        cols = cols.reshape(9, -1)
        h = wc.reshape(c, 9) @ cols  # (C, N*H*W)
        h += bc[:, None]
        np.maximum(h, zero, out=h)
        h6 = h.reshape(c, n, 14, 2, 14, 2)
        v = [h6[k] for k in corners]
        pooled = np.maximum(np.maximum(v[0], v[1]), np.maximum(v[2], v[3]))  # (C, N, 14, 14)
        flat = pooled.transpose(1, 0, 2, 3).reshape(n, _CNN_FLAT)  # torch's (C, H, W) order
        z = flat @ wf.T
        z += bf
        loss, g = _cross_entropy_numpy(z, y)
        gwf, gbf = g.T @ flat, g.sum(0)
        gp = (g @ wf).reshape(n, c, 14, 14).transpose(1, 0, 2, 3)
        gp = gp * (pooled > 0)  # ReLU's zeros pass nothing back
        gh6 = np.empty_like(h6)
        for k, corner in zip(v, corners):  # the max of each window (ties have measure 0)
            np.multiply(k == pooled, gp, out=gh6[corner])
        gh = gh6.reshape(c, -1)
        gwc, gbc = (gh @ cols.T).reshape(c, 1, 3, 3), gh.sum(1)
        grads = (gwc, gbc, gwf, gbf)
        _sgd_numpy(params, grads)
        return loss, grads

    return step


# ------------------------------------------------------------------------------- digits_epoch
def digits_epoch(lib: ModuleType) -> Step:
    """One epoch of ``python -m ndgrad digits``: its model, data split and recipe (Adam, batch
    32, cross-entropy, seeded shuffle), from a fresh seeded model each step, as
    ``ndgrad.digits.train`` runs its first epoch (without the evaluation on held-out data)."""
    from ndgrad.digits import BATCH_SIZE, LR, SEED, build_model, split

    data = lib.utils.data
    x_train, y_train, _, _ = split(SEED)
    dataset = data.TensorDataset(lib.from_numpy(x_train), lib.from_numpy(y_train))

    def step() -> Any:
        lib.manual_seed(SEED)
        model = build_model(lib)
        optimizer = lib.optim.Adam(model.parameters(), lr=LR)
        loss_fn = lib.nn.CrossEntropyLoss()
        loader = data.DataLoader(
            dataset,
            batch_size=BATCH_SIZE,
            shuffle=True,
            generator=lib.Generator().manual_seed(SEED),
        )
        model.train()
        loss_sum, seen, hits = 0.0, 0, 0
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            n = int(yb.shape[0])
            loss_sum += loss.item() * n
            seen += n
            hits += int((logits.argmax(1) == yb).sum().item())
        stats = np.array([loss_sum / seen, hits / seen], F32)
        return stats, tuple(p.detach() for p in model.parameters())

    return step


# ----------------------------------------------------------------------------------- registry
WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("lesson", lesson, lesson_numpy, None, "the autograd lesson, once"),
        Workload("chain", chain, chain_numpy, CHAIN_OPS, "16 floats, 200 elementwise ops"),
        Workload("deep", deep, deep_numpy, DEEP_OPS, "0-d tensor, 100,000 elementwise ops"),
        Workload("mlp", mlp, mlp_numpy, None, "SGD step, 784-512-256-10 ReLU MLP, batch 128"),
        Workload("matmul", matmul, matmul_numpy, None, "2048x2048 @ 2048x2048, sum"),
        Workload("hessian", hessian, None, None, "autograd Hessian of sum(tanh(A @ x)), n=100"),
        Workload("cnn", cnn, cnn_numpy, None, "SGD step, conv-relu-pool-linear, 32x1x28x28"),
        Workload("digits_epoch", digits_epoch, None, None, "one epoch of the digits demo"),
    )
}
