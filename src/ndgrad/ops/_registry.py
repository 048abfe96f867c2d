"""defop and apply: the single path every op takes (run the forward, record a node)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor, inplace_writes, make
from ..autograd.anomaly_mode import record_trace
from ..autograd.forward_ad import push_forward, view_refreshed
from ..autograd.grad_mode import mode
from ..autograd.graph import Node, pack_saved

__all__ = ["Op", "defop", "apply", "apply1", "apply2", "OPS"]

_ndarray = np.ndarray

# Every op, by node name: the test suite checks each has a gradcheck entry.
OPS: dict[str, Op] = {}


class Op:
    """One primitive: a NumPy forward and one VJP rule per input, side by side."""

    __slots__ = (
        "name",
        "fwd",
        "vjps",
        "save_in",
        "save_out",
        "node_cls",
        "keep",
        "variadic",
        "arity",
        "scalars",
        "blank",
    )

    def __init__(
        self,
        name: str,
        fwd: Callable[..., Any],
        vjps: tuple[Callable[..., Any], ...],
        save_in: bool,
        save_out: bool,
        reads: tuple[tuple[int, ...], ...] | None,
        variadic: bool,
    ) -> None:
        self.name = name
        self.fwd = fwd
        self.vjps = vjps
        self.save_in = save_in
        self.save_out = save_out
        self.variadic = variadic
        # 1 or 2 for the engine's fast paths, else 0.
        self.arity = len(vjps) if not variadic and len(vjps) <= 2 else 0
        # Whether apply2 may hand fwd and the rules a Python float as a 0-dim array.
        self.scalars = False
        # The rules' arguments when nothing is saved.
        self.blank = (None,) * (0 if variadic else len(vjps))
        # keep[mask]: which inputs to save when the inputs in bitmask ``mask`` need a
        # gradient. Like torch, an input only the other's rule reads is not kept (nor
        # version-checked) when the other needs no gradient.
        n = 0 if variadic else len(vjps)
        self.keep = tuple(
            tuple(
                reads is None or any(m >> j & 1 and i in reads[j] for j in range(n))
                for i in range(n)
            )
            for m in range(1 << n)
        )
        self.node_cls = type(name, (Node,), {"__slots__": (), "op": self})

    def __repr__(self) -> str:
        return f"Op({self.name})"


def defop(
    name: str,
    fwd: Callable[..., Any],
    *vjps: Callable[..., Any],
    save_in: bool = False,
    save_out: bool = False,
    reads: tuple[tuple[int, ...], ...] | None = None,
    variadic: bool = False,
) -> Op:
    """Register a primitive.

    ``save_in``/``save_out``: whether its rules read the inputs / the output besides ``g``;
    ``reads[i]``: the inputs rule i reads, when that is not all of them. A ``variadic`` op
    (cat, stack, einsum) takes any number of inputs and has one rule, called for input i
    as ``rule(g, *inputs, out, i=i, **kw)``.
    """
    if name in OPS:
        raise ValueError(f"op {name} defined twice")
    if variadic and len(vjps) != 1:
        raise ValueError(f"variadic op {name} takes exactly one rule")
    op = OPS[name] = Op(name, fwd, vjps, save_in, save_out, reads, variadic)
    return op


# Shared tuples, one fewer allocation per node: what a binary or unary node keeps when it
# needs nothing per operand, and the versions of a tensor never written in place.
_NO_META = (None, None)
_NO_META1 = (None,)
_V0 = (0,)


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
    """Where ``x``'s gradient goes: its node, itself if a leaf needing grad, or nowhere."""
    if not x._rg:
        return None
    node = x._node
    return node if node is not None else x


def _new_node(
    op: Op, out: _ndarray, edges: tuple[Any, ...], meta: tuple[Any, ...], kw: Any
) -> Tensor:
    """A tensor around ``out`` and its node; the caller stores what the rules read."""
    node = op.node_cls()
    node.edges = edges
    node.meta = meta
    node.kw = kw
    node.freed = False
    node.hooks = None
    node.retain = None
    node.saved = None
    node.epoch = inplace_writes[0]
    node.out = out if op.save_out else None
    node.out_vc = None
    return make(out, node, True)


def _save(node: Any, args: tuple[Any, ...], keep: tuple[bool, ...]) -> None:
    saved = tuple([a if k else None for a, k in zip(args, keep)])
    node.saved = saved
    node.raw = tuple([a._data if isinstance(a, Tensor) else a for a in saved])
    node.versions = tuple([_version(a) if isinstance(a, Tensor) else None for a in saved])


def _save2(
    node: Any, keep: tuple[bool, bool], a: Any, ta: bool, ad: Any, b: Any, tb: bool, bd: Any
) -> None:
    """_save for the two operands of a binary op (``ad``, ``bd``: what the forward took)."""
    ka, kb = keep
    ta = ta and ka
    tb = tb and kb
    node.saved = (a if ka else None, b if kb else None)
    node.raw = (ad if ka else None, bd if kb else None)
    if ta or tb:
        node.versions = (
            (0 if a._vc is None else a._vc[0]) if ta else None,
            (0 if b._vc is None else b._vc[0]) if tb else None,
        )
    else:
        # Only Python numbers kept (x * 2.0): nothing to check.
        node.versions = _NO_META


def _record(op: Op, out: _ndarray, args: tuple[Any, ...], kw: dict[str, Any] | None) -> Tensor:
    """Wrap ``out`` in a tensor whose node points back at the tensor arguments."""
    edges = tuple([_edge(a) if isinstance(a, Tensor) else None for a in args])
    meta = tuple([_meta(a._data, out) if isinstance(a, Tensor) else None for a in args])
    t = _new_node(op, out, edges, meta, kw)
    node = t._node
    if op.save_in:
        if op.variadic:
            _save(node, args, (True,) * len(args))
        else:
            mask = 0
            for i, e in enumerate(edges):
                if e is not None:
                    mask |= 1 << i
            _save(node, args, op.keep[mask])
    if mode.extra:
        _node_extras(node)
    return t


def _node_extras(node: Any) -> None:
    """What anomaly mode and saved-tensor hooks add to a new node (off the common path)."""
    if mode.anomaly:
        record_trace(node)
    if mode.saved_hooks is not None and node.saved is not None:
        pack_saved(node)


def _extras(op: Op, args: tuple[Any, ...], kw: dict[str, Any] | None, t: Tensor) -> None:
    """_node_extras for ``t``'s node, if recorded, then forward AD's tangent."""
    if t._node is not None:
        _node_extras(t._node)
    if mode.dual:
        push_forward(op, args, kw, t)


def _mixed(args: tuple[Any, ...], error: TypeError) -> TypeError:
    """Torch's RuntimeError when a forward failed on tensors of different devices."""
    B.same_device([a._data for a in args if isinstance(a, Tensor)])
    return error


def _refresh(x: Tensor) -> None:
    """Rebuild a view's history if its base was written in place since it was taken."""
    vc = x._vc
    if x._view_version == vc[0]:
        return
    if mode.dual:
        view_refreshed(x)
    if mode.enabled:
        base = x._base
        x._view_version = vc[0]
        if base._rg:
            kw = {"region": x._view_fn, "shape": base._data.shape, "basic": True}
            x._node = apply1(_indexing.AS_VIEW, base, kw)._node
            x._rg = True


def apply(op: Op, args: tuple[Any, ...], kw: dict[str, Any] | None = None) -> Tensor:
    """Run ``op`` on tensors and Python values; record a node if any input needs grad."""
    for a in args:
        if isinstance(a, Tensor) and a._base is not None:
            _refresh(a)
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    try:
        out = op.fwd(*arrays, **kw) if kw else op.fwd(*arrays)
    except TypeError as e:
        raise _mixed(args, e) from None
    if type(out) is not _ndarray:
        out = B.array(out)
    t = None
    if mode.enabled:
        for a in args:
            if isinstance(a, Tensor) and a._rg:
                t = _record(op, out, args, kw)
                break
    if t is None:
        t = make(out, None, False)
    if mode.dual:
        push_forward(op, args, kw, t)
    return t


def apply1(op: Op, x: Tensor, kw: dict[str, Any] | None = None) -> Tensor:
    """apply() for one tensor input: the common case, kept short."""
    if x._base is not None:
        _refresh(x)
    out = op.fwd(x._data, **kw) if kw else op.fwd(x._data)
    if type(out) is not _ndarray:
        out = B.array(out)
    if not (x._rg and mode.enabled):
        t = make(out, None, False)
    else:
        # _edge and _meta, inline: x requires grad here (and a node is never false).
        xd = x._data
        if xd.shape == out.shape and xd.dtype is out.dtype:
            meta = _NO_META1
        else:
            meta = ((xd.shape, xd.dtype),)
        t = _new_node(op, out, (x._node or x,), meta, kw)
        node = t._node
        if op.save_in:
            node.saved = (x,)
            node.raw = (xd,)
            node.versions = _V0 if x._vc is None else (x._vc[0],)
    if mode.extra:
        _extras(op, (x,), kw, t)
    return t


def apply2(op: Op, a: Any, b: Any) -> Tensor:
    """apply() for a binary op whose operands are tensors or Python numbers."""
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and a._base is not None:
        _refresh(a)
    if tb and b._base is not None:
        _refresh(b)
    if ta and tb and type(a._data) is not type(b._data):
        a, b = _same_device(a, b)
    ad = a._data if ta else a
    bd = b._data if tb else b
    if op.scalars:
        if not tb and type(b) is float:
            bd = _scalar(b, ad)
        elif not ta and type(a) is float:
            ad = _scalar(a, bd)
    out = op.fwd(ad, bd)
    if type(out) is not _ndarray:
        out = B.array(out)
    if not (mode.enabled and ((ta and a._rg) or (tb and b._rg))):
        t = make(out, None, False)
    else:
        # _edge and _meta, inline (a node is never false).
        ea = (a._node or a) if ta and a._rg else None
        eb = (b._node or b) if tb and b._rg else None
        shape, dtype = out.shape, out.dtype
        ma = (ad.shape, ad.dtype) if ta and (ad.shape != shape or ad.dtype is not dtype) else None
        mb = (bd.shape, bd.dtype) if tb and (bd.shape != shape or bd.dtype is not dtype) else None
        meta = _NO_META if ma is None and mb is None else (ma, mb)
        t = _new_node(op, out, (ea, eb), meta, None)
        node = t._node
        if not (ta and tb):
            # The Python number operand, kept for explanations (ndgrad.autograd.explain).
            node.const = b if ta else a
        if op.save_in:
            _save2(node, op.keep[(ea is not None) + 2 * (eb is not None)], a, ta, ad, b, tb, bd)
    if mode.extra:
        _extras(op, (a, b), None, t)
    return t


# Python floats as 0-dim arrays, by (value, dtype): see _scalar.
_SCALARS: dict[tuple[float, Any], _ndarray] = {}


def _scalar(v: float, like: Any) -> Any:
    """A Python float as a cached read-only 0-dim array of ``like``'s float dtype.

    For ops that flag ``scalars`` (NumPy ufuncs, which cast a Python float to the array's
    dtype): the same values, and a quicker operand, forward and in the rule, than a Python
    number, which NumPy converts on every call. Zeros (whose sign a cache key would lose),
    NaN, infinities and values the dtype cannot hold stay Python floats.
    """
    if type(like) is not _ndarray:
        return v
    key = (v, like.dtype)
    arr = _SCALARS.get(key)
    if arr is not None:
        return arr
    if like.dtype.kind != "f" or v == 0 or not math.isfinite(v):
        return v
    with np.errstate(over="ignore"):
        arr = np.array(v, like.dtype)
    if not np.isfinite(arr):
        return v
    if len(_SCALARS) >= 1024:
        _SCALARS.clear()
    arr.flags.writeable = False
    _SCALARS[key] = arr
    return arr


def _same_device(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """As torch, a 0-dim CPU tensor joins a GPU tensor's op as a number would; else an error."""
    da, db = B.device_of(a._data), B.device_of(b._data)
    if da != db:
        if da.type == "cpu" and a._data.ndim == 0:
            return _shape.to_device(a, db), b
        if db.type == "cpu" and b._data.ndim == 0:
            return a, _shape.to_device(b, da)
        B.same_device((a._data, b._data))
    return a, b


from . import indexing as _indexing  # noqa: E402
from . import shape as _shape  # noqa: E402
