"""ndgrad.optim.lr_scheduler: lr (and momentum) sequences step for step against torch's."""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import ndgrad
from ndgrad import optim
from ndgrad.optim import lr_scheduler as S


def make_opt(lib: Any, opt_name: str = "SGD", groups: int = 2) -> Any:
    """An optimizer with ``groups`` param groups of different base lrs."""
    params = [
        {"params": [lib.zeros(2, requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(groups)
    ]
    kwargs = {"momentum": 0.9} if opt_name == "SGD" else {}
    return getattr(lib.optim, opt_name)(params, lr=0.1, **kwargs)


def trace(opt: Any, sched: Any, steps: int, metrics: list[float] | None = None) -> list[Any]:
    """Per step: get_last_lr() and each group's lr / momentum / betas after scheduler.step()."""
    out = [sched.get_last_lr()]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        row = [sched.get_last_lr()]
        for g in opt.param_groups:
            row.append((g["lr"], g.get("momentum"), g.get("betas")))
        out.append(row)
    return out


def same(got: Any, want: Any, rel: float = 1e-13) -> None:
    """Nested lists/tuples equal, floats to ``rel`` (both libraries do the same Python maths)."""
    if isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), (got, want)
        for g, w in zip(got, want):
            same(g, w, rel)
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=rel, abs=1e-15), (got, want)
    else:
        assert got == want


# (name, kwargs as a function of the library, steps, optimizer)
CASES: list[tuple[str, Callable[[Any], dict[str, Any]], int, str]] = [
    ("StepLR", lambda lib: dict(step_size=3), 20, "SGD"),
    ("StepLR", lambda lib: dict(step_size=2, gamma=0.5), 20, "SGD"),
    ("MultiStepLR", lambda lib: dict(milestones=[2, 5, 5, 11], gamma=0.3), 20, "SGD"),
    ("ExponentialLR", lambda lib: dict(gamma=0.9), 30, "SGD"),
    ("CosineAnnealingLR", lambda lib: dict(T_max=10), 45, "SGD"),
    ("CosineAnnealingLR", lambda lib: dict(T_max=7, eta_min=0.01), 40, "SGD"),
    ("LambdaLR", lambda lib: dict(lr_lambda=lambda e: 0.95**e + 0.01 * e), 20, "SGD"),
    (
        "LambdaLR",
        lambda lib: dict(lr_lambda=[lambda e: 1 / (e + 1), lambda e: math.cos(e)]),
        20,
        "SGD",
    ),
    ("MultiplicativeLR", lambda lib: dict(lr_lambda=lambda e: 0.9 if e % 2 else 1.1), 20, "SGD"),
    ("LinearLR", lambda lib: dict(), 12, "SGD"),
    ("LinearLR", lambda lib: dict(start_factor=0.25, end_factor=0.5, total_iters=8), 15, "SGD"),
    ("ConstantLR", lambda lib: dict(), 10, "SGD"),
    ("ConstantLR", lambda lib: dict(factor=0.5, total_iters=3), 10, "SGD"),
    ("PolynomialLR", lambda lib: dict(total_iters=8, power=2.0), 12, "SGD"),
    ("OneCycleLR", lambda lib: dict(max_lr=1.0, total_steps=30), 30, "SGD"),
    ("OneCycleLR", lambda lib: dict(max_lr=[0.5, 2.0], total_steps=25, pct_start=0.4), 25, "Adam"),
    (
        "OneCycleLR",
        lambda lib: dict(
            max_lr=1.0, epochs=4, steps_per_epoch=6, anneal_strategy="linear", three_phase=True
        ),
        24,
        "SGD",
    ),
    (
        "OneCycleLR",
        lambda lib: dict(max_lr=0.3, total_steps=20, cycle_momentum=False, div_factor=10.0),
        20,
        "Adagrad",
    ),
    (
        "OneCycleLR",
        lambda lib: dict(
            max_lr=0.3, total_steps=20, base_momentum=0.7, max_momentum=0.99, final_div_factor=50.0
        ),
        20,
        "Adam",
    ),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize(("name", "kwargs", "steps", "opt_name"), CASES, ids=IDS)
def test_schedule_matches_torch(name: str, kwargs: Any, steps: int, opt_name: str) -> None:
    torch = pytest.importorskip("torch")
    opt, topt = make_opt(ndgrad, opt_name), make_opt(torch, opt_name)
    got = trace(opt, getattr(S, name)(opt, **kwargs(ndgrad)), steps)
    want = trace(topt, getattr(torch.optim.lr_scheduler, name)(topt, **kwargs(torch)), steps)
    same(got, want)


@pytest.mark.parametrize(("name", "kwargs", "steps", "opt_name"), CASES, ids=IDS)
def test_state_dict_round_trip(name: str, kwargs: Any, steps: int, opt_name: str) -> None:
    opt = make_opt(ndgrad, opt_name)
    sched = getattr(S, name)(opt, **kwargs(ndgrad))
    half = steps // 2
    trace(opt, sched, half)
    saved_opt = copy.deepcopy(opt.state_dict())
    saved = copy.deepcopy(sched.state_dict())
    assert "optimizer" not in saved
    opt2 = make_opt(ndgrad, opt_name)
    sched2 = getattr(S, name)(opt2, **kwargs(ndgrad))
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    assert trace(opt2, sched2, steps - half) == trace(opt, sched, steps - half)


def _sequential(lib: Any, opt: Any) -> Any:
    L = lib.optim.lr_scheduler
    first = L.LinearLR(opt, start_factor=0.1, total_iters=4)
    second = L.ExponentialLR(opt, gamma=0.8)
    third = L.CosineAnnealingLR(opt, T_max=5)
    return L.SequentialLR(opt, [first, second, third], milestones=[4, 9])


def _chained(lib: Any, opt: Any) -> Any:
    L = lib.optim.lr_scheduler
    return L.ChainedScheduler([L.ConstantLR(opt, factor=0.5, total_iters=3), L.StepLR(opt, 4)])


@pytest.mark.parametrize("build", [_sequential, _chained])
def test_composite_schedulers_match_torch(build: Callable[[Any, Any], Any]) -> None:
    torch = pytest.importorskip("torch")
    opt, topt = make_opt(ndgrad), make_opt(torch)
    got = trace(opt, build(ndgrad, opt), 20)
    want = trace(topt, build(torch, topt), 20)
    same(got, want)


def test_sequential_state_dict_round_trip() -> None:
    opt = make_opt(ndgrad)
    sched = _sequential(ndgrad, opt)
    trace(opt, sched, 6)
    saved = copy.deepcopy(sched.state_dict())
    saved_opt = copy.deepcopy(opt.state_dict())
    opt2 = make_opt(ndgrad)
    sched2 = _sequential(ndgrad, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    assert trace(opt2, sched2, 10) == trace(opt, sched, 10)


PLATEAU = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(mode="max", patience=1, factor=0.5, threshold=0.05, cooldown=2),
    dict(patience=0, threshold_mode="abs", threshold=0.2, min_lr=[0.02, 0.05]),
    dict(patience=1, factor=0.2, min_lr=0.015, eps=1e-3),
]
METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.81, 0.82, 0.83, 0.84, 0.7, 0.7, 0.7, 0.7, 0.7] * 2


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_lr_on_plateau_matches_torch(kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    opt, topt = make_opt(ndgrad), make_opt(torch)
    sched = S.ReduceLROnPlateau(opt, **kwargs)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    got = trace(opt, sched, len(METRICS), METRICS)
    want = trace(topt, tsched, len(METRICS), METRICS)
    same(got, want, rel=0.0)
    assert sched.state_dict().keys() == tsched.state_dict().keys()
    for key, value in tsched.state_dict().items():
        assert sched.state_dict()[key] == value, key


def test_reduce_lr_on_plateau_state_dict_round_trip() -> None:
    opt = make_opt(ndgrad)
    sched = S.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    trace(opt, sched, 7, METRICS)
    opt2 = make_opt(ndgrad)
    sched2 = S.ReduceLROnPlateau(opt2)
    opt2.load_state_dict(copy.deepcopy(opt.state_dict()))
    sched2.load_state_dict(copy.deepcopy(sched.state_dict()))
    assert trace(opt2, sched2, 15, METRICS[7:]) == trace(opt, sched, 15, METRICS[7:])


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("StepLR", dict(step_size=3, gamma=0.5)),
        ("MultiStepLR", dict(milestones=[2, 4, 4], gamma=0.5)),
        ("ExponentialLR", dict(gamma=0.7)),
        ("CosineAnnealingLR", dict(T_max=6, eta_min=0.01)),
        ("LinearLR", dict(start_factor=0.2, total_iters=5)),
        ("ConstantLR", dict(factor=0.4, total_iters=3)),
        ("PolynomialLR", dict(total_iters=6, power=1.5)),
    ],
)
def test_step_with_epoch_uses_closed_form_like_torch(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    opt, topt = make_opt(ndgrad), make_opt(torch)
    sched = getattr(S, name)(opt, **kwargs)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 1, 7, 4, 0, 5]:
            opt.step()
            topt.step()
            sched.step(epoch)
            tsched.step(epoch)
            same(sched.get_last_lr(), tsched.get_last_lr())
            assert sched.last_epoch == tsched.last_epoch


def test_step_lr_fixed_values() -> None:
    opt = make_opt(ndgrad, groups=1)
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    lrs = [row[0][0] for row in trace(opt, sched, 6)[1:]]
    assert lrs == pytest.approx([0.1, 0.05, 0.05, 0.025, 0.025, 0.0125])
    assert sched.last_epoch == 6
    assert opt.param_groups[0]["initial_lr"] == 0.1


def test_cosine_fixed_values() -> None:
    opt = make_opt(ndgrad, groups=1)
    sched = S.CosineAnnealingLR(opt, T_max=8, eta_min=0.02)
    got = [row[0][0] for row in trace(opt, sched, 8)[1:]]
    want = [0.02 + 0.08 * (1 + math.cos(math.pi * t / 8)) / 2 for t in range(1, 9)]
    assert got == pytest.approx(want, rel=1e-12)


def test_one_cycle_fixed_values() -> None:
    opt = make_opt(ndgrad, groups=1)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    assert opt.param_groups[0]["lr"] == pytest.approx(1.0 / 25)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)
    rows = trace(opt, sched, 2)
    # Phase 1 ends at step 2 (0.3 * 10 - 1): lr reaches max_lr and momentum base_momentum.
    assert rows[2][0][0] == pytest.approx(1.0)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.85)
    trace(opt, sched, 7)
    assert opt.param_groups[0]["lr"] == pytest.approx(1.0 / 25 / 1e4)
    trace(opt, sched, 1)  # step 10 == total_steps is still allowed (it extrapolates, as torch)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        opt.step()
        sched.step()


def test_warnings_like_torch() -> None:
    opt = make_opt(ndgrad)
    sched = S.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    opt2 = make_opt(ndgrad)
    sched2 = S.ExponentialLR(opt2, gamma=0.5)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_tensor_lr_is_updated_in_place() -> None:
    lr = ndgrad.tensor(0.1)
    opt = optim.SGD([ndgrad.zeros(2, requires_grad=True)], lr=lr)
    sched = S.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert lr.item() == pytest.approx(0.05)


BAD = [
    ("ConstantLR", dict(factor=1.5)),
    ("LinearLR", dict(start_factor=0.0)),
    ("LinearLR", dict(end_factor=1.5)),
    ("OneCycleLR", dict(max_lr=1.0)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=0)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, pct_start=1.5)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, anneal_strategy="exp")),
    ("OneCycleLR", dict(max_lr=[1.0], total_steps=10)),
    ("ReduceLROnPlateau", dict(factor=1.0)),
    ("ReduceLROnPlateau", dict(mode="avg")),
    ("ReduceLROnPlateau", dict(threshold_mode="x")),
    ("ReduceLROnPlateau", dict(min_lr=[0.1])),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0])),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD)
def test_bad_arguments_raise_like_torch(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim.lr_scheduler, name)(make_opt(torch), **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(S, name)(make_opt(ndgrad), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_not_an_optimizer() -> None:
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], step_size=1)
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(make_opt(ndgrad), step_size=1, last_epoch=3)
    opt = make_opt(ndgrad, "Adagrad")
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        S.OneCycleLR(opt, max_lr=1.0, total_steps=10)
