"""defop and apply: the single path every op takes (run the forward, record a node)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor, make
from ..autograd.grad_mode import mode
from ..autograd.graph import Node

__all__ = ["Op", "defop", "apply", "apply1", "apply2", "OPS"]

_ndarray = np.ndarray
_asarray = np.asarray

# Every op, by node name: the test suite checks each has a gradcheck entry.
OPS: dict[str, Op] = {}


class Op:
    """One primitive: a NumPy forward and one VJP rule per input, side by side."""

    __slots__ = ("name", "fwd", "vjps", "save_in", "save_out", "node_cls", "blank")

    def __init__(
        self,
        name: str,
        fwd: Callable[..., Any],
        vjps: tuple[Callable[..., Any], ...],
        save_in: bool,
        save_out: bool,
    ) -> None:
        self.name = name
        self.fwd = fwd
        self.vjps = vjps
        self.save_in = save_in
        self.save_out = save_out
        self.blank = (None,) * len(vjps)
        self.node_cls = type(name, (Node,), {"__slots__": (), "op": self})

    def __repr__(self) -> str:
        return f"Op({self.name})"


def defop(
    name: str,
    fwd: Callable[..., Any],
    *vjps: Callable[..., Any],
    save_in: bool = False,
    save_out: bool = False,
) -> Op:
    """Register a primitive. ``save_in``/``save_out``: what its rules read besides ``g``."""
    if name in OPS:
        raise ValueError(f"op {name} defined twice")
    op = OPS[name] = Op(name, fwd, vjps, save_in, save_out)
    return op


def _version(t: Tensor) -> int:
    vc = t._vc
    return 0 if vc is None else vc[0]


def _meta(x: _ndarray, out: _ndarray) -> tuple[Any, Any] | None:
    """What the engine needs to conform an input's gradient: None when it matches ``out``."""
    shape = x.shape
    dtype = x.dtype
    if shape == out.shape and dtype is out.dtype:
        return None
    return (shape, dtype)


def _edge(x: Tensor) -> Any:
    node = x._node
    return node if node is not None else x


def _record(op: Op, out: _ndarray, args: tuple[Any, ...], kw: dict[str, Any] | None) -> Tensor:
    """Wrap ``out`` in a tensor whose node points back at the tensor arguments."""
    edges = []
    meta = []
    for a in args:
        if isinstance(a, Tensor):
            edges.append(_edge(a) if a._rg else None)
            meta.append(_meta(a._data, out))
        else:
            edges.append(None)
            meta.append(None)
    t = make(out, None, True)
    node = op.node_cls()
    node.edges = tuple(edges)
    node.meta = tuple(meta)
    node.kw = kw
    node.freed = False
    node.hooks = None
    node.retain = None
    if op.save_in:
        node.saved = args
        node.raw = tuple(a._data if isinstance(a, Tensor) else a for a in args)
        node.versions = tuple(_version(a) if isinstance(a, Tensor) else None for a in args)
    else:
        node.saved = None
        node.versions = None
    if op.save_out:
        node.out = out
        node.out_vc = t._vc = [0]
    else:
        node.out = None
        node.out_vc = None
    t._node = node
    return t


def apply(op: Op, args: tuple[Any, ...], kw: dict[str, Any] | None = None) -> Tensor:
    """Run ``op`` on tensors and Python values; record a node if any input needs grad."""
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    out = op.fwd(*arrays, **kw) if kw else op.fwd(*arrays)
    if type(out) is not _ndarray:
        out = _asarray(out)
    if mode.enabled:
        for a in args:
            if isinstance(a, Tensor) and a._rg:
                return _record(op, out, args, kw)
    return make(out, None, False)


def apply1(op: Op, x: Tensor, kw: dict[str, Any] | None = None) -> Tensor:
    """apply() for one tensor input: the common case, kept short."""
    out = op.fwd(x._data, **kw) if kw else op.fwd(x._data)
    if type(out) is not _ndarray:
        out = _asarray(out)
    if x._rg and mode.enabled:
        return _record1(op, out, x, kw)
    return make(out, None, False)


def _record1(op: Op, out: _ndarray, x: Tensor, kw: dict[str, Any] | None) -> Tensor:
    t = make(out, None, True)
    node = op.node_cls()
    node.edges = (_edge(x),)
    node.meta = (_meta(x._data, out),)
    node.kw = kw
    node.freed = False
    node.hooks = None
    node.retain = None
    if op.save_in:
        node.saved = (x,)
        node.raw = (x._data,)
        node.versions = (_version(x),)
    else:
        node.saved = None
        node.versions = None
    if op.save_out:
        node.out = out
        node.out_vc = t._vc = [0]
    else:
        node.out = None
        node.out_vc = None
    t._node = node
    return t


def apply2(op: Op, a: Any, b: Any) -> Tensor:
    """apply() for a binary op whose operands are tensors or Python numbers."""
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    out = op.fwd(a._data if ta else a, b._data if tb else b)
    if type(out) is not _ndarray:
        out = _asarray(out)
    if mode.enabled and ((ta and a._rg) or (tb and b._rg)):
        return _record2(op, out, a, ta, b, tb)
    return make(out, None, False)


def _record2(op: Op, out: _ndarray, a: Any, ta: bool, b: Any, tb: bool) -> Tensor:
    t = make(out, None, True)
    node = op.node_cls()
    ea = ma = eb = mb = None
    if ta:
        ea = (a._node or a) if a._rg else None
        ma = _meta(a._data, out)
    if tb:
        eb = (b._node or b) if b._rg else None
        mb = _meta(b._data, out)
    node.edges = (ea, eb)
    node.meta = (ma, mb)
    node.kw = None
    node.freed = False
    node.hooks = None
    node.retain = None
    if op.save_in:
        node.saved = (a, b)
        node.raw = (a._data if ta else a, b._data if tb else b)
        node.versions = (_version(a) if ta else None, _version(b) if tb else None)
    else:
        node.saved = None
        node.versions = None
    if op.save_out:
        node.out = out
        node.out_vc = t._vc = [0]
    else:
        node.out = None
        node.out_vc = None
    t._node = node
    return t
