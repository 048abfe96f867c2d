"""The same op_db lambda through torch and ndgrad: values, dtypes, grad_fn names, gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from op_db import OPS, OpInfo, make_inputs

torch = pytest.importorskip("torch")

CASES = [(info, shapes) for info in OPS for shapes in info.samples]
IDS = [case_id for info in OPS for case_id in info.ids()]
KINKED = [(info, shapes) for info, shapes in CASES if info.kinks]
KINKED_IDS = [case_id for info in OPS if info.kinks for case_id in info.ids()]
SMOOTH = [(info, shapes) for info, shapes in CASES if info.smooth]
SMOOTH_IDS = [case_id for info in OPS if info.smooth for case_id in info.ids()]
TOLERANCE = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-12, "atol": 1e-14}}

Weights = Callable[[Any], np.ndarray]


def _weights(seed: int) -> Weights:
    """Uniform weights shaped like a tensor, drawn once per shape: the same for both libraries."""
    rng = np.random.default_rng(seed)
    drawn: dict[tuple[int, ...], np.ndarray] = {}

    def weights(t: Any) -> np.ndarray:
        shape = tuple(t.shape)
        if shape not in drawn:
            drawn[shape] = rng.uniform(-1, 1, shape)
        return drawn[shape].astype(str(t.dtype).split(".")[-1])

    return weights


def _run(lib: Any, info: OpInfo, arrays: list[np.ndarray], w: Weights) -> tuple[Any, list[Any]]:
    """Forward, then backward of a weighted sum of the output."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = info.fn(lib, *xs)
    (out * lib.tensor(w(out))).sum().backward()
    return out, xs


def _dtype_name(t: Any) -> str:
    return str(t.dtype).replace("torch.", "ndgrad.")


def _compare(info: OpInfo, arrays: list[np.ndarray], tol: dict[str, float]) -> None:
    t_out, t_xs = _run(torch, info, arrays, _weights(2))
    n_out, n_xs = _run(ndgrad, info, arrays, _weights(2))

    if t_out.dtype == torch.float32:
        tol = TOLERANCE["float32"]  # float64 inputs, but the arithmetic ran in float32
    assert tuple(n_out.shape) == tuple(t_out.shape)
    assert str(n_out.dtype) == _dtype_name(t_out)
    np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), **tol)
    assert t_out.grad_fn.name() == (info.torch_grad_fn or n_out.grad_fn.name())
    # A recorded difference that no longer exists should be dropped from op_db.
    assert n_out.grad_fn.name() != info.torch_grad_fn

    for i, (n_x, t_x) in enumerate(zip(n_xs, t_xs)):
        assert (n_x.grad is None) == (t_x.grad is None), f"input {i}"
        if t_x.grad is None:
            continue
        assert tuple(n_x.grad.shape) == tuple(t_x.grad.shape), f"input {i}"
        assert str(n_x.grad.dtype) == _dtype_name(t_x.grad), f"input {i}"
        np.testing.assert_allclose(n_x.grad.numpy(), t_x.grad.numpy(), err_msg=f"input {i}", **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("info, shapes", CASES, ids=IDS)
def test_matches_torch(info: OpInfo, shapes: Any, dtype: str) -> None:
    _compare(info, make_inputs(info, shapes, dtype, seed=1), TOLERANCE[dtype])


@pytest.mark.parametrize("info, shapes", KINKED, ids=KINKED_IDS)
def test_matches_torch_on_kinks(info: OpInfo, shapes: Any) -> None:
    """Exactly on a kink the gradient is a convention (a subgradient): torch's is the spec."""
    arrays = make_inputs(info, shapes, "float64", seed=1, at_kinks=True)
    _compare(info, arrays, TOLERANCE["float64"])


def _second_order(lib: Any, info: OpInfo, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Gradients of a weighted sum of the first gradients (computed with create_graph)."""
    w1, w2 = _weights(2), _weights(3)
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = info.fn(lib, *xs)
    loss = (out * lib.tensor(w1(out))).sum()
    firsts = lib.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
    terms = [(g * lib.tensor(w2(g))).sum() for g in firsts if g is not None and g.requires_grad]
    seconds: Any = [None] * len(xs)
    if terms:
        seconds = lib.autograd.grad(sum(terms), xs, allow_unused=True)
    return [
        np.zeros(a.shape) if s is None else s.numpy(force=True) for a, s in zip(arrays, seconds)
    ]


@pytest.mark.parametrize("info, shapes", SMOOTH, ids=SMOOTH_IDS)
def test_second_order_matches_torch(info: OpInfo, shapes: Any) -> None:
    arrays = make_inputs(info, shapes, "float64", seed=1)
    expected = _second_order(torch, info, arrays)
    for i, (n, t) in enumerate(zip(_second_order(ndgrad, info, arrays), expected)):
        np.testing.assert_allclose(n, t, rtol=1e-10, atol=1e-12, err_msg=f"input {i}")
