"""Graph nodes: one per recorded op, holding its rule's saved values and its input edges."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .grad_mode import mode

if TYPE_CHECKING:
    from ..ops._registry import Op

__all__ = [
    "Node",
    "Slot",
    "AccumulateGrad",
    "RemovableHandle",
    "saved_tensors_hooks",
    "disable_saved_tensors_hooks",
]

_ndarray = np.ndarray

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class RemovableHandle:
    """Returned by the register_*hook methods; ``remove()`` takes the hook out again."""

    __slots__ = ("_hooks", "_key")

    _next = 0

    def __init__(self, hooks: dict[int, Any]) -> None:
        self._hooks = hooks
        RemovableHandle._next += 1
        self._key = RemovableHandle._next

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Node:
    """A recorded op: the backward function that ``grad_fn`` returns.

    ``edges[i]`` is where input i's gradient goes: the input's own node, the input itself
    when it is a leaf that requires grad (the engine accumulates into it), or None.
    A node never refers to its own output tensor, so graphs hold no reference cycles.
    """

    __slots__ = (
        "edges",
        "saved",
        "raw",
        "versions",
        "epoch",
        "out",
        "out_vc",
        "kw",
        "meta",
        "freed",
        "hooks",
        "retain",
        "const",
        "out_tangent",
        "trace",
        "__weakref__",
    )
    op: Op

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        return tuple((_as_function(e), e.k if isinstance(e, Slot) else 0) for e in self.edges)

    @property
    def metadata(self) -> dict[str, Any]:
        return {}

    def register_hook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node's rule."""
        return _add_hook(self, ("post", fn))

    def register_prehook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node's rule and may replace them."""
        return _add_hook(self, ("pre", fn))

    def __call__(self, *grads: Tensor) -> tuple[Tensor | None, ...]:
        return tuple(self.run(grads[0], True, True))

    def run(self, g: Any, create_graph: bool, retain: bool) -> list[Any]:
        """Apply this node's rule to the incoming gradient ``g``: one gradient per edge.

        Gradients are Tensors when ``create_graph`` (the rules then record a graph of their
        own), and plain arrays otherwise.
        """
        if self.freed:
            raise RuntimeError(SECOND_BACKWARD)
        op = self.op
        saved = self.saved
        if saved is None:
            args = op.blank or (None,) * len(self.edges)
        else:
            if self.epoch != inplace_writes[0]:
                # Something was written in place since this node was made: was it saved here?
                for x, v in zip(saved, self.versions):
                    if v is not None and x._vc is not None and x._vc[0] != v:
                        raise modified_error(x._data, x._node, x._vc[0], v)
            if self.raw is None:
                saved = _unpacked(saved)
                args = (
                    saved
                    if create_graph
                    else tuple([a._data if isinstance(a, Tensor) else a for a in saved])
                )
            else:
                args = saved if create_graph else self.raw
        out = None
        if op.save_out:
            out = self.out
            vc = self.out_vc
            if vc is not None and vc[0]:
                raise modified_error(out, self, vc[0], 0)
            if create_graph:
                # The output as a function of this node, so its use in the rule is differentiated
                # (and, under forward AD, carrying the tangent it had in the forward pass).
                out = make(out, self, True)
                out._tangent = getattr(self, "out_tangent", None)
        if not retain and (saved is not None or out is not None):
            self.saved = self.raw = self.out = None
            self.freed = True
        kw = self.kw
        edges = self.edges
        arity = op.arity
        if arity == 1 and not create_graph:
            # The most common nodes, one input or two without keywords, without the loops.
            gi = op.vjps[0](g, args[0], out, **kw) if kw else op.vjps[0](g, args[0], out)
            meta = self.meta[0]
            if type(gi) is not _ndarray or meta is not None:
                gi = _conform_array(gi, meta)
            return (gi,)
        if arity == 2 and not create_graph and not kw:
            ea, eb = edges
            ga = gb = None
            if ea is not None:
                ga = op.vjps[0](g, args[0], args[1], out)
                meta = self.meta[0]
                if type(ga) is not _ndarray or meta is not None:
                    ga = _conform_array(ga, meta)
            if eb is not None:
                gb = op.vjps[1](g, args[0], args[1], out)
                meta = self.meta[1]
                if type(gb) is not _ndarray or meta is not None:
                    gb = _conform_array(gb, meta)
            return (ga, gb)
        grads: list[Any] = []
        vjps = op.vjps
        if op.variadic:
            vjps = [partial(vjps[0], i=i) for i in range(len(edges))]
        for vjp, edge, meta in zip(vjps, edges, self.meta):
            if edge is None:
                grads.append(None)
                continue
            gi = vjp(g, *args, out, **kw) if kw else vjp(g, *args, out)
            if create_graph:
                if meta is not None and gi is not None:
                    gi = _conform_tensor(gi, meta)
            elif type(gi) is not _ndarray or meta is not None:
                gi = _conform_array(gi, meta)
            grads.append(gi)
        return grads

    def release(self) -> None:
        """Free what the rule saved; a later backward through this node then raises."""
        if self.saved is not None or self.out is not None:
            self.saved = self.raw = None
            self.out = None
            self.freed = True


def _conform_tensor(gi: Tensor, meta: tuple[Any, Any]) -> Tensor:
    """The engine's chores for one edge: sum a broadcast gradient back, restore the dtype."""
    if gi._data.shape != meta[0]:
        from ..ops._math import sum_to_shape

        gi = sum_to_shape(gi, meta[0])
    if gi._data.dtype is not meta[1]:
        gi = gi.to(from_numpy_dtype(meta[1]))
    return gi


def _conform_array(gi: Any, meta: tuple[Any, Any] | None) -> Any:
    if gi is None:
        return None
    gi = B.array(gi)
    if meta is None:
        return gi
    if gi.shape != meta[0]:
        from ..ops._math import sum_to_shape

        gi = B.array(sum_to_shape(gi, meta[0]))
    if gi.dtype is not meta[1]:
        gi = gi.astype(meta[1])
    return gi


def _add_hook(node: Node, entry: tuple[str, Callable[..., Any]]) -> RemovableHandle:
    hooks = node.hooks
    if hooks is None:
        hooks = node.hooks = {}
    handle = RemovableHandle(hooks)
    hooks[handle._key] = entry
    return handle


def modified_error(arr: Any, producer: Node | None, now: int, expected: int) -> RuntimeError:
    """torch's error for a saved tensor changed in place before backward used it."""
    where = (
        f", which is output 0 of {producer.name().removesuffix('Backward0').replace('Backward', '')},"
        if producer
        else ""
    )
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [ndgrad.{legacy_type_name(arr.dtype)} {list(arr.shape)}]{where} "
        f"is at version {now}; expected version {expected} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "ndgrad.autograd.set_detect_anomaly(True)."
    )


class saved_tensors_hooks:
    """Within the block, tensors an op saves for backward go through ``pack_hook`` and
    come back through ``unpack_hook`` when backward needs them (e.g. to offload them)."""

    def __init__(
        self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]
    ) -> None:
        self.hooks = (pack_hook, unpack_hook)
        self.prev: Any = None

    def __enter__(self) -> saved_tensors_hooks:
        self.prev = mode.saved_hooks
        mode.saved_hooks = self.hooks
        return self

    def __exit__(self, *exc: object) -> None:
        mode.saved_hooks = self.prev


class disable_saved_tensors_hooks:
    """Within the block, saved_tensors_hooks are an error (as in torch)."""

    def __init__(self, error_message: str) -> None:
        self.message = error_message
        self.prev: Any = None

    def __enter__(self) -> disable_saved_tensors_hooks:
        self.prev = mode.saved_hooks
        mode.saved_hooks = (_refuse(self.message), _refuse(self.message))
        return self

    def __exit__(self, *exc: object) -> None:
        mode.saved_hooks = self.prev


def _refuse(message: str) -> Callable[..., Any]:
    def hook(*args: Any) -> Any:
        raise RuntimeError(message)

    return hook


class _Packed:
    """A saved tensor as its pack hook returned it, with the hook that restores it."""

    __slots__ = ("value", "unpack")

    def __init__(self, value: Any, unpack: Callable[[Any], Tensor]) -> None:
        self.value = value
        self.unpack = unpack


def pack_saved(node: Node) -> None:
    """Pass the tensors ``node`` saved through the active pack hook."""
    pack, unpack = mode.saved_hooks  # type: ignore[misc]
    node.saved = tuple(
        _Packed(pack(a), unpack) if isinstance(a, Tensor) else a for a in node.saved
    )
    node.raw = None
    node.versions = tuple(None for _ in node.saved)


def _unpacked(saved: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.unpack(a.value) if isinstance(a, _Packed) else a for a in saved)


class Slot:
    """An edge to output ``k`` of a node with several outputs (a custom Function's)."""

    __slots__ = ("node", "k")

    def __init__(self, node: Node, k: int) -> None:
        self.node = node
        self.k = k


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple[()]:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def _as_function(edge: Any) -> Any:
    if edge is None or isinstance(edge, Node):
        return edge
    if isinstance(edge, Slot):
        return edge.node
    return AccumulateGrad(edge)


def retain_target(node: Node) -> Tensor | None:
    """The tensor that asked, through retain_grad(), to keep this node's gradient."""
    ref = node.retain
    return ref() if ref is not None else None


def set_retain(node: Node, t: Tensor) -> None:
    node.retain = weakref.ref(t)


from .. import _backend as B  # noqa: E402
from .._dtype import from_numpy_dtype  # noqa: E402
from .._tensor import Tensor, inplace_writes, legacy_type_name, make  # noqa: E402
