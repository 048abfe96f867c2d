"""User-defined differentiable functions: ``autograd.Function`` and its ctx."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor, bump, make, version_counter
from .grad_mode import mode, no_grad
from .graph import SECOND_BACKWARD, Node, Slot, modified_error

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]


class FunctionCtx:
    """What ``forward``/``setup_context`` tell ``backward``: saved tensors and flags."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self.to_save = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of one call of a custom Function; it is also that call's ``ctx``."""

    _forward_cls: type[Function]
    # Node's slots are set per instance below; user code may add attributes to a ctx.

    def __init__(self, needs: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs
        self.to_save: tuple[Tensor | None, ...] = ()
        self.dirty_tensors: tuple[Tensor, ...] = ()
        self.non_differentiable: tuple[Tensor, ...] = ()
        self.materialize_grads = True
        self.saved = None
        self.out = None
        self.kw = None
        self.freed = False
        self.hooks = None
        self.retain = None
        self.nout = 1
        self._saved_versions: tuple[int, ...] = ()
        self._out_meta: list[tuple[tuple[int, ...], Any, Any]] = []

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self.freed:
            raise RuntimeError(SECOND_BACKWARD)
        out: list[Tensor | None] = []
        for t, v in zip(self.to_save, self._saved_versions):
            if isinstance(t, _SavedOutput):
                if t.vc[0] != v:
                    raise modified_error(t.data, self, t.vc[0], v)
                node = self if self.nout == 1 else Slot(self, t.k)
                t = make(t.data, node, True)
            elif t is not None and version_counter(t)[0] != v:
                raise modified_error(t._data, t._node, version_counter(t)[0], v)
            out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    def name(self) -> str:
        return type(self).__name__

    def release(self) -> None:
        self.freed = bool(self.to_save)
        self.to_save = ()

    def run(self, g: Any, create_graph: bool, retain: bool) -> list[Any]:
        if self.freed:
            raise RuntimeError(SECOND_BACKWARD)
        grads = g if self.nout > 1 else [g]
        as_tensors = []
        for gi, (shape, dtype, xp) in zip(grads, self._out_meta):
            if gi is None:
                as_tensors.append(make(xp.zeros(shape, dtype)) if self.materialize_grads else None)
            else:
                as_tensors.append(gi if isinstance(gi, Tensor) else make(gi))
        result = self._forward_cls.backward(self, *as_tensors)
        if not isinstance(result, tuple):
            result = (result,)
        result = _check_grads(self, result)
        if not retain:
            self.release()
        if create_graph:
            return result
        return [None if r is None else r._data for r in result]


def _check_grads(node: BackwardCFunction, result: tuple[Any, ...]) -> list[Any]:
    n = len(node.edges)
    if len(result) > n and all(r is None for r in result[n:]):
        result = result[:n]
    if len(result) != n:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {n}, got {len(result)})"
        )
    out = []
    for i, (r, edge, meta) in enumerate(zip(result, node.edges, node.meta)):
        if r is None or edge is None:
            out.append(None)
            continue
        if not isinstance(r, Tensor):
            raise TypeError(
                f"function {node.name()} returned a gradient different than None at position "
                f"{i + 1}, but the corresponding forward input was not a Variable"
            )
        shape, dtype, where = meta
        if r._data.shape != shape:
            try:
                np.broadcast_shapes(shape, r._data.shape)
                from ..ops._math import sum_to_shape

                r = sum_to_shape(r, shape)
            except ValueError:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"{list(r._data.shape)} but expected shape compatible with {list(shape)}"
                ) from None
        if r._data.dtype != dtype:
            r = r.to(_dtype_of(dtype))
        if r.device != where:
            if r._data.ndim:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - "
                    f"expected device {where} but got {r.device}"
                )
            r = r.to(where)
        out.append(r)
    return out


def _dtype_of(np_dtype: Any) -> Any:
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


class _FunctionMeta(type):
    """Gives each Function subclass its own node class, named like torch's."""

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations (``forward``/``backward``)."""

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please "
            "use new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = cls._backward_cls(needs)
        separate = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate:
                output = cls.forward(*args, **kwargs)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if separate:
            cls.setup_context(ctx, args, output)
        record = mode.enabled and any(needs)
        result = _wrap_outputs(ctx, args, output, record)
        if mode.dual:
            _push_forward(cls, ctx, args, result)
        return result


def _wrap_outputs(ctx: BackwardCFunction, args: tuple[Any, ...], output: Any, record: bool) -> Any:
    single = not isinstance(output, tuple)
    outs = (output,) if single else output
    tensors = [i for i, o in enumerate(outs) if isinstance(o, Tensor)]
    non_diff = {id(t) for t in ctx.non_differentiable}
    dirty = {id(t) for t in ctx.dirty_tensors}
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    result = list(outs)
    if record:
        ctx.edges = tuple(
            (a._node if a._node is not None else a) if isinstance(a, Tensor) and a._rg else None
            for a in args
        )
        ctx.meta = tuple(
            (a._data.shape, a._data.dtype, a.device) if isinstance(a, Tensor) else None
            for a in args
        )
        ctx.nout = len(tensors)
        ctx._saved_versions = tuple(
            version_counter(t)[0] if t is not None else 0 for t in ctx.to_save
        )
    for k, i in enumerate(tensors):
        o = outs[i]
        if id(o) in dirty:
            bump(o)
            t = o
            if record and t._rg and t._node is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
        elif id(o) in inputs:
            # An input returned as is: the output is a new tensor sharing its memory.
            t = make(o._data)
        else:
            t = o
        if record:
            ctx._out_meta.append((o._data.shape, o._data.dtype, B.xp(o._data)))
            if id(o) not in non_diff:
                t._node = ctx if ctx.nout == 1 else Slot(ctx, k)
                t._rg = True
            else:
                t._node = None
                t._rg = False
        result[i] = t
    if record:
        _unlink_saved_outputs(ctx, [result[i] for i in tensors])
    return result[0] if single else tuple(result)


def _unlink_saved_outputs(ctx: BackwardCFunction, outputs: list[Tensor]) -> None:
    # A saved output would refer back to ctx (its grad_fn): a reference cycle. Keep its
    # data instead and rebuild it, attached to ctx, when backward asks for it (as torch).
    saved = list(ctx.to_save)
    for j, t in enumerate(saved):
        for k, o in enumerate(outputs):
            if t is o and o._node is not None:
                saved[j] = _SavedOutput(o._data, version_counter(o), k)
    ctx.to_save = tuple(saved)


class _SavedOutput:
    __slots__ = ("data", "vc", "k")

    def __init__(self, data: np.ndarray, vc: list[int], k: int) -> None:
        self.data = data
        self.vc = vc
        self.k = k


def _push_forward(cls: type[Function], ctx: Any, args: tuple[Any, ...], result: Any) -> None:
    """Forward-mode AD through a custom Function: its ``jvp`` gives the output tangents."""
    from .forward_ad import set_tangent, tangent_of

    tangents = [tangent_of(a) for a in args]
    if all(t is None for t in tangents):
        return
    tangents = [
        make(np.zeros_like(a._data)) if t is None and isinstance(a, Tensor) else t
        for a, t in zip(args, tangents)
    ]
    with no_grad():
        out_tangents = cls.jvp(ctx, *tangents)
    outs = result if isinstance(result, tuple) else (result,)
    if not isinstance(out_tangents, tuple):
        out_tangents = (out_tangents,)
    for o, t in zip([o for o in outs if isinstance(o, Tensor)], out_tangents):
        set_tangent(o, t)


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a backward as not differentiable itself: it runs without recording a graph."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        with no_grad():
            return fn(ctx, *grads)

    return wrapper
