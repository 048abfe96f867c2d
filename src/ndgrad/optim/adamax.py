"""Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ndgrad

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    _addcdiv,
    _check_adam_args,
    _check_tensor_lr,
    _step_counter,
    _step_numbers,
    _to_float,
    _use_grad,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """exp_inf = max(beta2 * exp_inf, |grad| + eps); p -= lr / (1 - beta1**t) * m / exp_inf."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_tensor_lr(lr)
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    @_use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = ndgrad.zeros_like(p)
                    state["exp_inf"] = ndgrad.zeros_like(p)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                exp_avg = state["exp_avg"]
                exp_inf = state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_inf.copy_(ndgrad.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)))
                neg_clr = _step_numbers(_neg_clr, 1, state["step"], p, beta1, lr)
                _addcdiv(p, exp_avg, exp_inf, neg_clr)
        return loss


def _neg_clr(step: float, beta1: float, lr: float) -> float:
    """Adamax's bias-corrected step size, negated: -lr / (1 - beta1**step)."""
    return -(lr / (1 - beta1**step))
