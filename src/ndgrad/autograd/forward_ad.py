"""Forward-mode AD: dual tensors carry a tangent that every op pushes forward.

Every op's JVP comes from its VJP rule. A rule is linear in its incoming gradient u, giving
J^T u; differentiating <J^T u, t> with respect to u gives J t. So each op in the table has
forward-mode support the moment it has a VJP, and both modes agree by construction.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._tensor import Tensor, make, version_counter
from .grad_mode import mode
from .graph import Node

__all__ = [
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
    "UnpackedDualTensor",
]

_levels = {"next": 1}


class UnpackedDualTensor(NamedTuple):
    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    if mode.dual:
        raise RuntimeError(
            "Nested forward mode AD is not supported at the moment. Please exit the current "
            "level before entering a new one."
        )
    level = _levels["next"]
    _levels["next"] += 1
    mode.dual = level
    return level


def exit_dual_level(*, level: int | None = None) -> None:
    if level is not None and level != mode.dual:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one.")
    mode.dual = 0


class dual_level:
    """Context manager for a forward-AD level: tangents exist only inside it."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of ``tensor`` whose forward gradient is ``tangent``."""
    if not mode.dual:
        raise RuntimeError(
            "make_dual: Cannot create a dual Tensor without an active forward AD level. "
            "Please use a forward_ad.dual_level() context."
        )
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor._data.shape)} while the given forward gradient is of size "
            f"{list(tangent._data.shape)}."
        )
    if tensor._data.dtype.kind not in "fc":
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    dual = make(tensor._data, tensor._node, tensor._rg)
    dual._vc = version_counter(tensor)
    dual._tangent = (mode.dual, make(tangent._data.astype(tensor._data.dtype, copy=False)))
    return dual


def tangent_of(t: Any) -> Tensor | None:
    """``t``'s tangent at the current level, if it has one."""
    if not isinstance(t, Tensor):
        return None
    entry = t._tangent
    if entry is None or entry[0] != mode.dual:
        return None
    return entry[1]


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    primal = make(tensor._data, tensor._node, tensor._rg)
    primal._vc = version_counter(tensor)
    return UnpackedDualTensor(primal, tangent_of(tensor))


def set_tangent(t: Tensor, tangent: Tensor | None) -> None:
    t._tangent = None if tangent is None else (mode.dual, tangent)


def push_forward(op: Any, args: tuple[Any, ...], kw: dict[str, Any] | None, out: Tensor) -> None:
    """Give ``out`` the tangent of ``op`` at ``args``: the sum of J_i t_i over inputs."""
    tangents = [tangent_of(a) for a in args]
    if not any(t is not None for t in tangents) or out._data.dtype.kind not in "fc":
        return
    from ..ops._math import sum_to_shape
    from . import grad

    level, prev = mode.dual, (mode.enabled, mode.dual)
    mode.enabled, mode.dual = True, 0
    try:
        u = make(np.zeros_like(out._data), None, True)
        consts = tuple(make(a._data) if isinstance(a, Tensor) else a for a in args)
        out_c = make(out._data)
        total = None
        for i, (a, t) in enumerate(zip(args, tangents)):
            if t is None:
                continue
            rule = op.vjps[0] if op.variadic else op.vjps[i]
            extra = {"i": i} if op.variadic else {}
            gi = rule(u, *consts, out_c, **(kw or {}), **extra)
            if gi is None or not gi._rg:
                continue
            if gi._data.shape != a._data.shape:
                gi = sum_to_shape(gi, a._data.shape)
            (jt,) = grad(gi, u, grad_outputs=t.to(gi.dtype), allow_unused=True)
            if jt is not None:
                total = jt if total is None else total + jt
    finally:
        mode.enabled, mode.dual = prev
    if total is None:
        total = make(np.zeros_like(out._data))
    out._tangent = (level, make(total._data.astype(out._data.dtype, copy=False)))
    node = out._node
    op = getattr(node, "op", None)
    if isinstance(node, Node) and op is not None and op.save_out:
        # A rule reading the saved output must see its tangent too (forward-over-reverse).
        node.out_tangent = out._tangent


def setitem_tangent(t: Tensor, index: Any, value: Any) -> None:
    """After ``t[index] = value``: t's tangent takes value's tangent on that region."""
    old, new = tangent_of(t), tangent_of(value)
    if old is None and new is None:
        return
    tan = np.zeros_like(t._data) if old is None else old._data.copy()
    tan[index] = 0 if new is None else new._data
    t._tangent = (mode.dual, make(tan))
    view_written(t)


def view_written(t: Tensor) -> None:
    """After an in-place write through view ``t``: its base's tangent takes t's on that part."""
    base = t._base
    if base is None:
        return
    old, new = tangent_of(base), tangent_of(t)
    if old is None and new is None:
        return
    tan = np.zeros_like(base._data) if old is None else old._data.copy()
    t._view_fn(tan)[...] = 0 if new is None else new._data
    base._tangent = (mode.dual, make(tan))


def view_refreshed(t: Tensor) -> None:
    """A view whose base was written in place takes its tangent from the base again."""
    bt = tangent_of(t._base)
    t._tangent = None if bt is None else (mode.dual, make(t._view_fn(bt._data).copy()))
