"""Finite differences in float64 for every op_db entry, and gradcheck's own behaviour."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from ndgrad.ops._registry import OPS as REGISTRY
from op_db import OPS, OpInfo, make_inputs

CASES = [(info, shapes) for info in OPS for shapes in info.samples]
IDS = [case_id for info in OPS for case_id in info.ids()]
SMOOTH = [(info, shapes) for info, shapes in CASES if info.smooth]
SMOOTH_IDS = [case_id for info in OPS if info.smooth for case_id in info.ids()]


def _inputs(info: OpInfo, shapes: Any) -> tuple[ndgrad.Tensor, ...]:
    arrays = make_inputs(info, shapes, np.float64, seed=0)
    return tuple(ndgrad.tensor(a, requires_grad=True) for a in arrays)


@pytest.mark.parametrize("info, shapes", CASES, ids=IDS)
def test_gradcheck(info: OpInfo, shapes: Any) -> None:
    xs = _inputs(info, shapes)
    assert gradcheck(lambda *a: info.fn(ndgrad, *a), xs, **info.gradcheck_kw) is True


@pytest.mark.parametrize("info, shapes", SMOOTH, ids=SMOOTH_IDS)
def test_gradgradcheck(info: OpInfo, shapes: Any) -> None:
    xs = _inputs(info, shapes)
    assert gradgradcheck(lambda *a: info.fn(ndgrad, *a), xs, **info.gradcheck_kw) is True


# ------------------------------------------------------------ gradcheck itself
def _x(*shape: int, seed: int = 0) -> ndgrad.Tensor:
    a = np.random.default_rng(seed).uniform(-1, 1, shape)
    return ndgrad.tensor(a, requires_grad=True)


def test_error_is_a_runtime_error() -> None:
    assert issubclass(GradcheckError, RuntimeError)


def test_catches_a_scaled_gradient() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        y = x * 2
        y.register_hook(lambda g: g * 3)
        return y

    with pytest.raises(GradcheckError) as e:
        gradcheck(f, (_x(3),))
    msg = str(e.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\n")
    assert "numerical:" in msg and "analytical:" in msg
    assert "6." in msg.split("analytical:")[1] and "2." in msg.split("analytical:")[0]
    assert gradcheck(f, (_x(3),), raise_exception=False) is False


def test_catches_a_missing_gradient_path() -> None:
    # The forward is sin(x) but the gradient is that of x: the detach hides the rest.
    def f(x: ndgrad.Tensor, y: ndgrad.Tensor) -> ndgrad.Tensor:
        return (x.detach().sin() - x.detach()) + x + y

    with pytest.raises(GradcheckError, match="output 0 with respect to input 0"):
        gradcheck(f, (_x(2, 3), _x(3, seed=1)))


def test_names_the_failing_input_and_output() -> None:
    def f(x: ndgrad.Tensor, y: ndgrad.Tensor) -> tuple[ndgrad.Tensor, ndgrad.Tensor]:
        return x * y, x + y.detach() ** 2 - y.detach() + y

    with pytest.raises(GradcheckError, match="output 1 with respect to input 1"):
        gradcheck(f, (_x(3), _x(3, seed=1)))


def _patch_rule(monkeypatch: pytest.MonkeyPatch, name: str, rule: Any) -> None:
    monkeypatch.setattr(REGISTRY[name], "vjps", (rule,))


def test_catches_a_wrong_registered_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _x(4)
    assert gradcheck(lambda t: t.sin(), (x,))
    _patch_rule(monkeypatch, "SinBackward0", lambda g, x, out: g * x)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(lambda t: t.sin(), (x,))


def test_gradgradcheck_catches_a_rule_that_is_not_differentiable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Right first derivative, but a constant: its own derivative is lost.
    def constant_cos(g: Any, x: Any, out: Any) -> Any:
        c = np.cos(x._data if isinstance(x, ndgrad.Tensor) else x)
        return g * (ndgrad.tensor(c) if isinstance(g, ndgrad.Tensor) else c)

    _patch_rule(monkeypatch, "SinBackward0", constant_cos)
    x = _x(3)
    assert gradcheck(lambda t: t.sin(), (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(lambda t: t.sin(), (x,))
    assert gradgradcheck(lambda t: t.sin(), (x,), raise_exception=False) is False


def test_catches_a_backward_that_ignores_grad_output(monkeypatch: pytest.MonkeyPatch) -> None:
    # With one element the Jacobian rows match; only the zero grad_output gives it away.
    _patch_rule(monkeypatch, "ExpBackward0", lambda g, x, out: out + g * 0)
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(lambda t: t.exp(), (_x(),))


def test_catches_a_nondeterministic_backward() -> None:
    calls = []

    def drift(g: ndgrad.Tensor) -> ndgrad.Tensor:
        calls.append(1)
        return g * (1 + 1e-9 * len(calls))

    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        y = x * 2
        y.register_hook(drift)
        return y

    with pytest.raises(GradcheckError, match="Backward is not reentrant"):
        gradcheck(f, (_x(2),))
    assert gradcheck(f, (_x(2),), nondet_tol=1e-6)


def test_checks_every_output_and_unused_inputs() -> None:
    def f(x: ndgrad.Tensor, y: ndgrad.Tensor, z: ndgrad.Tensor) -> Any:
        return x * y, (x @ y).exp(), x.long()

    assert gradcheck(f, (_x(3), _x(3, seed=1), _x(2, seed=2)))
    assert gradgradcheck(f, (_x(3), _x(3, seed=1), _x(2, seed=2)))


def test_outputs_without_grad_must_be_constant() -> None:
    assert gradcheck(lambda x: (x > 0).double(), (_x(3),))
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be"):
        gradcheck(lambda x: x.detach() * 2, (_x(3),))


def test_leaves_inputs_and_grads_untouched() -> None:
    x, y = _x(2, 3), _x(3, seed=1)
    x_before, y_before = x.detach().numpy().copy(), y.detach().numpy().copy()
    assert gradcheck(lambda a, b: (a * b).sum(0), (x, y))
    assert gradgradcheck(lambda a, b: (a * b).sum(0), (x, y))
    np.testing.assert_array_equal(x.detach().numpy(), x_before)
    np.testing.assert_array_equal(y.detach().numpy(), y_before)
    assert x.grad is None and y.grad is None


def test_restores_inputs_when_func_raises() -> None:
    x = _x(3)
    before = x.detach().numpy().copy()
    calls = []

    def f(t: ndgrad.Tensor) -> ndgrad.Tensor:
        calls.append(1)
        if len(calls) > 2:
            raise ValueError("boom")
        return t * 2

    with pytest.raises(ValueError, match="boom"):
        gradcheck(f, (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)


def test_fast_mode_runs_and_catches() -> None:
    assert gradcheck(lambda t: t.tanh(), (_x(3),), fast_mode=True)
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: t.detach().exp() + t, (_x(3),), fast_mode=True)


def test_gradgradcheck_grad_outputs() -> None:
    x = _x(2, 3)
    g = ndgrad.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    assert gradgradcheck(lambda t: t.sin() * t, (x,), (g,))
    assert gradgradcheck(lambda t: t.sin() * t, (x,), gen_non_contig_grad_outputs=True)


def test_input_checks() -> None:
    x = ndgrad.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda t: t * 2, (x,))
    wide = _x(3, 1).expand(3, 4).detach().requires_grad_()
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda t: t * 2, (wide,))
    single = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float32, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gradcheck(lambda t: t * 2, (single,), eps=1e-2, atol=1e-3)
    assert any("Input #0 requires gradient and is not a double" in str(w.message) for w in caught)


def test_single_tensor_input() -> None:
    assert gradcheck(lambda t: t * t, _x(3))
    assert gradcheck(lambda t: t * t, [_x(3)])


@pytest.mark.parametrize(
    "flag", ["check_forward_ad", "check_batched_grad", "check_batched_forward_grad", "masked"]
)
def test_unsupported_features_are_refused(flag: str) -> None:
    with pytest.raises(NotImplementedError):
        gradcheck(lambda t: t * 2, (_x(2),), **{flag: True})


@pytest.mark.parametrize("flag", ["check_fwd_over_rev", "check_batched_grad"])
def test_unsupported_gradgradcheck_features_are_refused(flag: str) -> None:
    with pytest.raises(NotImplementedError):
        gradgradcheck(lambda t: t * 2, (_x(2),), **{flag: True})


def test_at_least_one_mode() -> None:
    with pytest.raises(AssertionError):
        gradcheck(lambda t: t * 2, (_x(2),), check_backward_ad=False)
    with pytest.raises(AssertionError):
        gradgradcheck(lambda t: t * 2, (_x(2),), check_rev_over_rev=False)
