"""ndgrad.autograd: backward, grad, grad modes and the legacy Variable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor, make
from . import functional, graph
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .doctor import doctor
from .engine import run_backward
from .explain import explain
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .variable import Variable

_ndarray = np.ndarray

__all__ = [
    "backward",
    "grad",
    "explain",
    "doctor",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "gradcheck",
    "gradgradcheck",
    "Variable",
    "graph",
    "functional",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
]


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs: tuple[Tensor, ...], grad_outputs: tuple[Any, ...]) -> list[Tensor]:
    if not grad_outputs:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad_tensors/grad_outputs should be a sequence of length {len(outputs)} "
            f"(got {len(grad_outputs)})"
        )
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    + repr(out.dtype)
                )
            d = out._data
            g = make(B.xp(d).ones(d.shape, d.dtype))
        elif not isinstance(g, Tensor):
            g = make(B.asarray(g, out._data, out._data.dtype))
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}."
            )
        elif type(g._data) is not _ndarray or type(out._data) is not _ndarray:
            g = _on_device(g, out, i)
        grads.append(g)
    return grads


def _on_device(g: Tensor, out: Tensor, i: int) -> Tensor:
    """The engine's check of a given gradient's device: a 0-dim one is moved, as in torch."""
    where = out.device
    if g.device == where:
        return g
    if g._data.ndim:
        raise RuntimeError(
            f"invalid gradient at index {i} - expected device {where} but got {g.device}"
        )
    return g.to(where)


def _check_roots(outputs: tuple[Tensor, ...]) -> None:
    for i, out in enumerate(outputs):
        if not out._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves."""
    outputs = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grads = _make_grads(outputs, _as_tuple(grad_tensors))
    _check_roots(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    ins = _as_tuple(inputs) if inputs is not None else None
    if ins is not None and not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(outputs, grads, retain_graph, create_graph, ins)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, leaving ``.grad`` alone."""
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported yet")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in ins:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outs, _as_tuple(grad_outputs))
    _check_roots(outs)
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outs, grads, retain_graph, create_graph, ins, accumulate=False)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                result[i] = make(np.zeros_like(ins[i]._data))
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        elif g._data.shape != ins[i]._data.shape:
            result[i] = g.reshape(ins[i]._data.shape)
    return tuple(result)
