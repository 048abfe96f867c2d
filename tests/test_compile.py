"""ndgrad.compile: a traced function replays bit for bit like eager, on the benchmark
workloads and on every op-table entry, and refuses what a trace cannot hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad import _compile
from ndgrad.jit import TraceError
from op_db import OPS, OpInfo, make_inputs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import workloads  # noqa: E402

CASES = [(info, shapes) for info in OPS for shapes in info.samples]
IDS = [case_id for info in OPS for case_id in info.ids()]


def _arrays(value: Any) -> list[np.ndarray]:
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in _arrays(v)]
    if isinstance(value, ndgrad.Tensor):
        return [np.array(value.detach().numpy())]
    return [np.asarray(value)]


def _identical(a: Any, b: Any) -> None:
    xs, ys = _arrays(a), _arrays(b)
    assert len(xs) == len(ys)
    for x, y in zip(xs, ys):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)


# ----------------------------------------------------------------- benchmark workloads
def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"MATMUL_N": 64, "MLP_BATCH": 16, "CNN_BATCH": 4, "DEEP_OPS": 300}.items():
        monkeypatch.setattr(workloads, name, value)


@pytest.mark.parametrize("name", ["lesson", "chain", "deep", "mlp", "matmul", "hessian", "cnn"])
def test_workload_replays_like_eager(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _small(monkeypatch)
    build = {"deep": lambda lib: workloads._build_chain(lib, (), workloads.DEEP_OPS)}.get(
        name, workloads.WORKLOADS[name].build
    )
    ndgrad.manual_seed(0)
    eager = build(ndgrad)
    ndgrad.manual_seed(0)
    compiled = ndgrad.compile(build(ndgrad))
    for step in range(5):  # eager, the trace, then replays; training steps change weights
        ndgrad.manual_seed(step)
        expected = _arrays(eager())
        ndgrad.manual_seed(step)
        _identical(compiled(), expected)
    assert len(compiled.cache) == 1


# ------------------------------------------------------------------------- the op table
def _grads(info: OpInfo) -> Any:
    def run(*xs: ndgrad.Tensor) -> Any:
        out = info.fn(ndgrad, *xs)
        weights = ndgrad.linspace(-1.0, 1.0, out.numel(), dtype=out.dtype).reshape(out.shape)
        grads = ndgrad.autograd.grad((out * weights).sum(), xs, allow_unused=True)
        return out, tuple(g for g in grads if g is not None)

    return run


def check_op(info: OpInfo, shapes: Any) -> str | None:
    """Trace the entry on one input, replay it on two more: None, or what went wrong."""
    fn = _grads(info)
    compiled = ndgrad.compile(fn)
    for seed in (1, 2, 3):
        arrays = make_inputs(info, shapes, np.float64, seed=seed)
        expected = fn(*[ndgrad.tensor(a, requires_grad=True) for a in arrays])
        xs = [ndgrad.tensor(a, requires_grad=True) for a in arrays]
        try:
            got = compiled(*xs)
        except TraceError as e:
            # Only a result whose shape follows the values (masks, nonzero) may refuse.
            if "changed shape" in str(e) or "Python value" in str(e):
                return None
            return f"TraceError: {e}"
        try:
            _identical(got, expected)
            for x, a in zip(xs, arrays):
                np.testing.assert_array_equal(x.detach().numpy(), a)  # inputs unchanged
        except AssertionError as e:
            return f"seed {seed}: {e}"
    return None


def test_op_table_replays_like_eager() -> None:
    # In a fresh interpreter: a trace scans every live object for tensors, and this
    # process holds the whole test session's (and torch's) objects.
    here = Path(__file__).resolve().parent
    run = subprocess.run(
        [sys.executable, str(here / "test_compile.py")],
        capture_output=True,
        text=True,
        cwd=here,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert run.stdout.strip() == f"{len(CASES)} op-table cases replay like eager"


# ------------------------------------------------------------------------- semantics
def test_a_new_shape_traces_again() -> None:
    f = ndgrad.compile(lambda x: (x.sin() * 2).sum())
    for n in (3, 3, 4, 3, 4, 4, 3):  # each shape: once eagerly, then traced, then replayed
        x = ndgrad.arange(float(n))
        assert f(x).item() == pytest.approx(float((np.sin(np.arange(n)) * 2).sum()))
    assert len(f.cache) == 2


def test_value_dependent_control_flow_is_reported() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        if x.sum() > 0:
            return x * 2
        return x * -1

    g = ndgrad.compile(f)
    assert g(ndgrad.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]
    assert g(ndgrad.tensor([3.0, 1.0])).tolist() == [6.0, 2.0]  # same branch: replayed
    with pytest.raises(TraceError, match=r"test_compile\.py:\d+ differs from the traced one"):
        g(ndgrad.tensor([-3.0, 1.0]))


def test_values_read_inside_are_checked_on_every_replay() -> None:
    f = ndgrad.compile(lambda x: (x * 2, x.tolist(), x.numpy().copy()))
    x = ndgrad.tensor([1.0, float("nan")])
    for _ in range(3):
        out, listed, host = f(x)
        assert listed[0] == 1.0 and np.isnan(host[1])
    with pytest.raises(TraceError, match="differs from the traced one"):
        f(ndgrad.tensor([2.0, 3.0]))


def test_random_draws_are_drawn_again_on_each_replay() -> None:
    f = ndgrad.compile(lambda x: x + ndgrad.randn(3))
    x = ndgrad.zeros(3)
    ndgrad.manual_seed(0)
    first, second = f(x), f(x)
    ndgrad.manual_seed(0)
    np.testing.assert_array_equal(first.numpy(), ndgrad.randn(3).numpy())
    np.testing.assert_array_equal(second.numpy(), ndgrad.randn(3).numpy())


def test_dropout_masks_are_drawn_again_on_each_replay() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return ndgrad.nn.functional.dropout(x, 0.5, training=True) * 1

    g = ndgrad.compile(f)
    x = ndgrad.ones(64)
    ndgrad.manual_seed(3)
    compiled = [g(x) for _ in range(3)]
    ndgrad.manual_seed(3)
    for c in compiled:
        np.testing.assert_array_equal(c.numpy(), f(x).numpy())
    assert not np.array_equal(compiled[1].numpy(), compiled[2].numpy())


def test_a_step_whose_python_depends_on_random_values_is_refused() -> None:
    # digits_epoch shuffles with a DataLoader inside the step: the batches are chosen in
    # Python from the drawn permutation, which no recording can replay.
    step = ndgrad.compile(workloads.digits_epoch(ndgrad))
    step()  # the first call runs eagerly
    with pytest.raises(TraceError, match="seeds a random generator"):
        step()
    draws = ndgrad.compile(lambda: ndgrad.randperm(5).tolist())
    ndgrad.manual_seed(0)
    draws()
    draws()
    with pytest.raises(TraceError, match="differs from the traced one"):
        draws()


def test_a_training_step_keeps_grads_attached_and_outputs_fresh() -> None:
    ndgrad.manual_seed(0)
    model = ndgrad.nn.Linear(4, 2)
    opt = ndgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = ndgrad.randn(8, 4), ndgrad.randint(0, 2, (8,))

    @ndgrad.compile
    def step() -> ndgrad.Tensor:
        opt.zero_grad()
        loss = ndgrad.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    losses = [step() for _ in range(5)]
    assert all(b.item() < a.item() for a, b in zip(losses, losses[1:]))  # it trains
    assert len({id(loss) for loss in losses}) == 5 and not losses[-1].requires_grad
    model.zero_grad()  # cleared outside: the replay puts the gradients back
    step()
    assert model.weight.grad is not None and model.weight.grad.abs().sum().item() > 0


def _train(make: Any, compiled: bool) -> np.ndarray:
    ndgrad.manual_seed(0)
    model = ndgrad.nn.Linear(3, 2)
    opt = make(model.parameters(), lr=0.1)
    x = ndgrad.randn(4, 3)

    def step() -> None:
        opt.zero_grad()
        (model(x) ** 2).sum().backward()
        opt.step()

    run = ndgrad.compile(step) if compiled else step
    for _ in range(6):
        run()
    return model.weight.detach().numpy().copy()


@pytest.mark.parametrize(
    "make",
    [
        lambda p, lr: ndgrad.optim.SGD(p, lr, momentum=0.9, nesterov=True, weight_decay=0.1),
        ndgrad.optim.RMSprop,
        ndgrad.optim.Adadelta,
    ],
)
def test_optimizer_state_made_on_the_first_step_keeps_updating(make: Any) -> None:
    # State made on the first step (momentum buffers, running averages) exists before the
    # trace (the second call), so the replays update it instead of making it afresh.
    np.testing.assert_array_equal(_train(make, True), _train(make, False))


def _count_traces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    run_traced = _compile._run_traced

    def counted(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return run_traced(*args, **kwargs)

    monkeypatch.setattr(_compile, "_run_traced", counted)
    return count


@pytest.mark.parametrize(
    "make",
    [
        ndgrad.optim.Adam,
        lambda p, lr: ndgrad.optim.AdamW(p, lr, amsgrad=True),
        lambda p, lr: ndgrad.optim.Adam(p, lr, weight_decay=0.1, maximize=True),
        lambda p, lr: ndgrad.optim.Adagrad(p, lr, lr_decay=0.01, weight_decay=0.1),
        ndgrad.optim.Adamax,
    ],
)
def test_step_counting_optimizers_replay_like_eager(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Their step sizes come from the step count: computed from its array on every replay.
    traces = _count_traces(monkeypatch)
    np.testing.assert_array_equal(_train(make, True), _train(make, False))
    assert traces[0] == 1  # traced once, replayed four times


@pytest.mark.parametrize("make", [ndgrad.optim.NAdam, ndgrad.optim.RAdam])
def test_optimizers_whose_python_reads_the_step_count_are_refused(make: Any) -> None:
    # NAdam keeps a running product read with .item(); RAdam branches on the step count.
    with pytest.raises(TraceError, match="differs from the traced one"):
        _train(make, True)


def _schedule(compiled: bool) -> tuple[list[float], np.ndarray]:
    ndgrad.manual_seed(0)
    model = ndgrad.nn.Sequential(
        ndgrad.nn.Linear(6, 8), ndgrad.nn.Dropout(0.3), ndgrad.nn.Linear(8, 2)
    )
    opt = ndgrad.optim.Adam(model.parameters(), lr=0.05)
    sched = ndgrad.optim.lr_scheduler.StepLR(opt, 3, 0.5)
    x, y = ndgrad.randn(5, 6), ndgrad.tensor([0, 1, 1, 0, 1])

    def step() -> Any:
        opt.zero_grad()
        loss = ndgrad.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    run = ndgrad.compile(step) if compiled else step
    losses = []
    for i in range(10):
        if i == 7:
            model.eval()
        losses.append(run().item())
        sched.step()
    return losses, model[0].weight.detach().numpy().copy()


def test_a_new_learning_rate_or_train_mode_traces_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Python values a step depends on: the scheduler's learning rate (changed after calls
    # 3, 6 and 9) and the modules' training flag (eval() before call 8) trace it again.
    traces = _count_traces(monkeypatch)
    compiled, eager = _schedule(True), _schedule(False)
    assert compiled[0] == eager[0]
    np.testing.assert_array_equal(compiled[1], eager[1])
    assert traces[0] == 5  # calls 2, 4, 7, 8 and 10


def test_is_compiling_while_traced() -> None:
    seen = []

    def f(x: Any) -> Any:
        seen.append(ndgrad.compiler.is_compiling())
        return x * 2

    g = ndgrad.compile(f)
    for _ in range(3):
        g(ndgrad.ones(2))
    assert seen == [False, True]  # the eager call, the traced one; replays run no Python
    assert not ndgrad.compiler.is_compiling()


def test_in_place_writes_reach_the_arguments() -> None:
    f = ndgrad.compile(lambda w, g: w.sub_(0.5 * g))
    w = ndgrad.ones(3)
    for _ in range(3):
        f(w, ndgrad.ones(3))
    np.testing.assert_array_equal(w.numpy(), [-0.5, -0.5, -0.5])


def test_jit_trace_and_compile_forms() -> None:
    traced = ndgrad.jit.trace(lambda a, b: a @ b, (ndgrad.ones(2, 3), ndgrad.ones(3, 4)))
    np.testing.assert_array_equal(
        traced(ndgrad.full((2, 3), 2.0), ndgrad.ones(3, 4)).numpy(), np.full((2, 4), 6.0)
    )

    @ndgrad.compile(backend="inductor", mode="max-autotune")
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return x.exp()

    assert f(ndgrad.zeros(2)).tolist() == [1.0, 1.0]
    model = ndgrad.nn.Linear(2, 2)
    with pytest.warns(UserWarning, match="runs a Module eagerly"):
        assert ndgrad.compile(model) is model


if __name__ == "__main__":
    failures = [(i, e) for i, (info, shapes) in zip(IDS, CASES) if (e := check_op(info, shapes))]
    for case_id, error in failures:
        print(f"{case_id}: {error}")
    if failures:
        sys.exit(1)
    print(f"{len(CASES)} op-table cases replay like eager")


def test_watched_python_values_trace_again() -> None:
    scale = [2.0]

    def f(x: Any) -> Any:
        ndgrad.compiler.watch(lambda: scale[0])
        return x * scale[0]

    g = ndgrad.compile(f)
    x = ndgrad.ones(2)
    assert [g(x).tolist() for _ in range(3)] == [[2.0, 2.0]] * 3
    scale[0] = 3.0
    assert [g(x).tolist() for _ in range(2)] == [[3.0, 3.0]] * 2


def test_a_live_vmap_tensor_does_not_stop_a_trace() -> None:
    # A trace swaps the arrays of every live tensor; vmap's batched tensors hold none.
    batched = []
    ndgrad.func.vmap(lambda t: batched.append(t) or t * 2)(ndgrad.ones(3, 2))
    f = ndgrad.compile(lambda x: x.sin().sum())
    x = ndgrad.ones(2)
    assert [f(x).item() for _ in range(3)] == [pytest.approx(2 * np.sin(1.0))] * 3
    assert type(batched[0]).__name__ == "BatchedTensor"
