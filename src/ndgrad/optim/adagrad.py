"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ndgrad

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    _addcdiv,
    _check_fused,
    _check_tensor_lr,
    _step_counter,
    _step_numbers,
    _to_float,
    _use_grad,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """sum += grad**2; p -= lr / (1 + (step - 1) * lr_decay) * grad / (sqrt(sum) + eps)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        _check_fused(defaults)
        # Adagrad's accumulator starts at a chosen value, so its state exists from the start.
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_counter()
                state["sum"] = ndgrad.full_like(p, group["initial_accumulator_value"])

    @_use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            weight_decay = group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                neg_clr = _step_numbers(_neg_clr, 1, state["step"], p, lr, group["lr_decay"])
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(group["eps"])
                _addcdiv(p, grad, std, neg_clr)
        return loss


def _neg_clr(step: float, lr: float, lr_decay: float) -> float:
    """Adagrad's step size, negated: -lr / (1 + (step - 1) * lr_decay)."""
    return -(lr / (1 + (step - 1) * lr_decay))
