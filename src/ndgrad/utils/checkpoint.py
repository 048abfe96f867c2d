"""Activation checkpointing: keep no intermediates in forward, recompute them in backward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _random
from .._tensor import Tensor
from ..autograd import backward as _backward
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad

__all__ = ["checkpoint", "checkpoint_sequential"]


def _rng_states(args: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    """(generator, state) of the CPU generator and, as torch, of the default generator of
    each CUDA device the tensor arguments live on: the ones a replayed forward draws from."""
    gens = [_random.default_generator]
    for a in args:
        if isinstance(a, Tensor) and a.device.type == "cuda":
            g = _random.cuda_generator(a.device.index)
            if g not in gens:
                gens.append(g)
    return [(g, g.get_state()) for g in gens]


def _set_rng_states(states: list[tuple[Any, Any]]) -> None:
    for g, state in states:
        g.set_state(state)


class _Checkpoint(Function):
    @staticmethod
    def forward(ctx: Any, fn: Callable[..., Any], preserve_rng: bool, *args: Any) -> Any:
        ctx.fn = fn
        ctx.rng_state = _rng_states(args) if preserve_rng else None
        ctx.inputs = args
        return fn(*args)

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Any, ...]:
        # Replay the forward with recording on, then run backward through the replay:
        # parameters the function closes over receive their .grad as usual.
        detached = [
            a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
            for a in ctx.inputs
        ]
        if ctx.rng_state is not None:
            saved = [(g, g.get_state()) for g, _ in ctx.rng_state]
            _set_rng_states(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.fn(*detached)
        finally:
            if ctx.rng_state is not None:
                _set_rng_states(saved)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [
            (o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad
        ]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in detached)


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args)``, storing none of its intermediates: backward recomputes them."""
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    return _Checkpoint.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(
    functions: Any, segments: int, input: Tensor, use_reentrant: bool | None = None
) -> Any:
    """Run a sequence of functions (or an nn.Sequential) checkpointing ``segments`` chunks."""
    funcs = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = max(1, -(-len(funcs) // segments))

    def run(chunk: list[Callable[..., Any]]) -> Callable[[Tensor], Tensor]:
        def f(x: Tensor) -> Tensor:
            for fn in chunk:
                x = fn(x)
            return x

        return f

    for start in range(0, len(funcs), size):
        chunk = funcs[start : start + size]
        if start + size >= len(funcs):
            return run(chunk)(input)
        input = checkpoint(run(chunk), input, use_reentrant=use_reentrant)
    return input
