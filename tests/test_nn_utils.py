"""ndgrad.nn.utils: gradient clipping and parameter vectors, against torch and fixed values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.nn import utils as U

RNG = np.random.default_rng(0)
GRADS = [RNG.standard_normal((3, 4)), RNG.standard_normal(5) * 3, RNG.standard_normal((2, 2, 2))]


def with_grads(lib: Any, dtype: str, grads: list[np.ndarray] = GRADS) -> list[Any]:
    dt = getattr(lib, dtype)
    params = []
    for g in grads:
        p = lib.zeros(g.shape, dtype=dt, requires_grad=True)
        p.grad = lib.tensor(g, dtype=dt)
        params.append(p)
    return params


def grads_of(params: list[Any]) -> list[np.ndarray]:
    return [p.grad.numpy() for p in params]


TOL = {"float32": dict(rtol=1e-6, atol=1e-7), "float64": dict(rtol=1e-13, atol=1e-15)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(dtype: str, norm_type: Any, max_norm: float) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = with_grads(ndgrad, dtype), with_grads(torch, dtype)
    total = U.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, ndgrad.Tensor) and total.shape == ()
    assert str(total.dtype) == str(ttotal.dtype).replace("torch", "ndgrad")
    np.testing.assert_allclose(total.numpy(), ttotal.numpy(), **TOL[dtype])
    for g, w in zip(grads_of(ours), grads_of(theirs)):
        np.testing.assert_allclose(g, w, **TOL[dtype])


def test_clip_grad_norm_fixed_values() -> None:
    p = ndgrad.zeros(2, dtype=ndgrad.float64, requires_grad=True)
    p.grad = ndgrad.tensor([3.0, 4.0], dtype=ndgrad.float64)
    total = U.clip_grad_norm_(p, 1.0)
    assert total.item() == 5.0
    np.testing.assert_allclose(p.grad.numpy(), np.array([3.0, 4.0]) / (5.0 + 1e-6))
    # Under the limit the gradient is untouched (the coefficient is clamped to 1).
    p.grad = ndgrad.tensor(np.array([0.3, 0.4]))
    assert U.clip_grad_norm_([p], 10.0).item() == pytest.approx(0.5)
    assert p.grad.tolist() == [0.3, 0.4]


def test_clip_grad_norm_skips_missing_grads_and_empty() -> None:
    a = ndgrad.zeros(2, requires_grad=True)
    b = ndgrad.zeros(2, requires_grad=True)
    b.grad = ndgrad.tensor([6.0, 8.0])
    assert U.clip_grad_norm_([a, b], 5.0).item() == pytest.approx(10.0)
    assert a.grad is None
    assert U.clip_grad_norm_([a], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        U.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_nonfinite() -> None:
    torch = pytest.importorskip("torch")
    ours = with_grads(ndgrad, "float32", [np.array([1.0, np.inf])])
    theirs = with_grads(torch, "float32", [np.array([1.0, np.inf])])
    with pytest.raises(RuntimeError) as want:
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as got:
        U.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert str(got.value) == str(want.value)
    total = U.clip_grad_norm_(ours, 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.item() == ttotal.item() == float("inf")
    np.testing.assert_array_equal(grads_of(ours)[0], grads_of(theirs)[0])


def test_clip_grad_norm_does_not_record_graph() -> None:
    p = ndgrad.zeros(3, requires_grad=True)
    (p * ndgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    total = U.clip_grad_norm_([p], 1.0)
    assert not total.requires_grad and p.grad.grad_fn is None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("clip_value", [0.5, 2])
def test_clip_grad_value_matches_torch(dtype: str, clip_value: float) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = with_grads(ndgrad, dtype), with_grads(torch, dtype)
    assert U.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for g, w in zip(grads_of(ours), grads_of(theirs)):
        np.testing.assert_array_equal(g, w)


def test_clip_grad_value_fixed_values() -> None:
    p = ndgrad.zeros(4, requires_grad=True)
    p.grad = ndgrad.tensor([-3.0, -0.2, 0.5, 7.0])
    grad = p.grad
    U.clip_grad_value_(p, 1.0)
    assert p.grad is grad
    assert p.grad.tolist() == pytest.approx([-1.0, -0.2, 0.5, 1.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parameters_to_vector_matches_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    dt, tdt = getattr(ndgrad, dtype), getattr(torch, dtype)
    ours = [ndgrad.tensor(g, dtype=dt, requires_grad=True) for g in GRADS]
    theirs = [torch.tensor(g, dtype=tdt, requires_grad=True) for g in GRADS]
    vec, tvec = U.parameters_to_vector(ours), torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    assert vec.shape == (sum(g.size for g in GRADS),)
    # Differentiable: the gradient flows back to each parameter.
    weights = RNG.standard_normal(vec.shape[0])
    (vec * ndgrad.tensor(weights, dtype=dt)).sum().backward()
    (tvec * torch.tensor(weights, dtype=tdt)).sum().backward()
    for p, tp in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())


def test_vector_to_parameters() -> None:
    params = [ndgrad.zeros(g.shape, requires_grad=True) for g in GRADS]
    ids = [id(p) for p in params]
    vec = ndgrad.arange(float(sum(g.size for g in GRADS)))
    U.vector_to_parameters(vec, params)
    assert [id(p) for p in params] == ids
    assert all(p.is_leaf and p.requires_grad for p in params)
    assert params[0].tolist() == np.arange(12.0).reshape(3, 4).tolist()
    assert params[1].tolist() == [12.0, 13.0, 14.0, 15.0, 16.0]
    np.testing.assert_array_equal(U.parameters_to_vector(params).detach().numpy(), vec.numpy())


def test_vector_to_parameters_type_error_like_torch() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError) as want:
        torch.nn.utils.vector_to_parameters([1.0], [torch.zeros(1)])
    with pytest.raises(TypeError) as got:
        U.vector_to_parameters([1.0], [ndgrad.zeros(1)])
    assert str(got.value) == str(want.value)
