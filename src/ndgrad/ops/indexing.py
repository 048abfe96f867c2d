"""Indexing and in-place writes: getitem, setitem, fill_/copy_, op_, version counting.

A "region" is where a read or write lands: a NumPy index, or for in-place ops on a view,
the function that takes the base's array to the view's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _leaf_inplace_check, make, version_counter
from ..autograd.grad_mode import mode
from . import _math as m
from ._registry import _record, _refresh, apply1, defop

_BASIC = (int, slice, type(None), type(Ellipsis))


def _take(a: np.ndarray, region: Any, shape: Any = None, basic: bool = True) -> np.ndarray:
    return region(a) if callable(region) else a[region]


def _put_zero(g: np.ndarray, region: Any) -> np.ndarray:
    z = g.copy()
    if callable(region):
        region(z)[...] = 0
    else:
        z[region] = 0
    return z


def _scatter(g: np.ndarray, region: Any, shape: tuple[int, ...], basic: bool) -> np.ndarray:
    z = np.zeros(shape, g.dtype)
    if callable(region):
        region(z)[...] = g
    elif basic:
        z[region] = g
    else:
        # Repeated indices each add their share of the gradient.
        np.add.at(z, region, g)
    return z


def _take_vjp(g: Any, x: Any, out: Any, region: Any, shape: Any, basic: bool) -> Any:
    return m.call(SCATTER, g, region=region, shape=shape, basic=basic)


SELECT = defop("SelectBackward0", _take, _take_vjp)
SLICE = defop("SliceBackward0", _take, _take_vjp)
INDEX = defop("IndexBackward0", _take, _take_vjp)
UNSQUEEZE_INDEX = defop("UnsqueezeBackward1", _take, _take_vjp)
AS_VIEW = defop("AsStridedBackward0", _take, _take_vjp)
SCATTER = defop(
    "IndexPutBackward0",
    _scatter,
    lambda g, x, out, region, shape, basic: _read(g, region, shape, basic),
)
# Gradient of a tensor's old value where part of it was overwritten: zero on that part.
ZERO_AT = defop(
    "CopySlicesMaskBackward0",
    _put_zero,
    lambda g, x, out, region: m.call(ZERO_AT, g, region=region),
)
# t[region] = value: the old t's gradient is g zeroed on region, value's is g[region].
COPY_SLICES = defop(
    "CopySlices",
    None,
    lambda g, x, v, out, region, basic: m.call(ZERO_AT, g, region=region),
    lambda g, x, v, out, region, basic: _read(g, region, np.shape(m.data(g)), basic),
)


def _read(g: Any, region: Any, shape: Any, basic: bool) -> Any:
    return m.call(AS_VIEW, g, region=region, shape=shape, basic=basic)


def _convert_index(index: Any) -> tuple[Any, bool]:
    """A NumPy index equivalent to torch's, and whether it is basic (gives a view)."""
    if not isinstance(index, tuple):
        index = (index,)
    parts = []
    basic = True
    for part in index:
        if isinstance(part, Tensor):
            a = part._data
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            parts.append(a)
            basic = False
        elif isinstance(part, _BASIC) and not isinstance(part, bool):
            if isinstance(part, slice) and part.step is not None and part.step <= 0:
                raise ValueError("step must be greater than zero")
            parts.append(part)
        elif isinstance(part, (list, bool, np.ndarray)):
            a = np.asarray(part)
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            parts.append(a)
            basic = False
        elif isinstance(part, np.integer):
            parts.append(int(part))
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                "Variables are valid indices (got " + type(part).__name__ + ")"
            )
    if basic and Ellipsis not in parts:
        # A trailing ... makes NumPy return a 0-d view rather than a scalar copy.
        parts.append(Ellipsis)
    return tuple(parts), basic


def _basic_op(index: tuple[Any, ...]) -> Any:
    # torch names the node after the last indexing step that did something.
    for part in reversed(index):
        if isinstance(part, int):
            return SELECT
        if part is None:
            return UNSQUEEZE_INDEX
        if isinstance(part, slice) and part != slice(None):
            return SLICE
    return SLICE


def _bounds_error(index: tuple[Any, ...], shape: tuple[int, ...]) -> IndexError:
    dim = 0
    for part in index:
        if part is Ellipsis:
            dim = len(shape) - sum(1 for p in index if p is not None and p is not Ellipsis)
            dim += index.index(Ellipsis)
            continue
        if isinstance(part, int) and dim < len(shape) and not -shape[dim] <= part < shape[dim]:
            return IndexError(
                f"index {part} is out of bounds for dimension {dim} with size {shape[dim]}"
            )
        if part is not None:
            dim += 1
    return IndexError("index out of range")


def getitem(t: Tensor, index: Any) -> Tensor:
    idx, basic = _convert_index(index)
    shape = t._data.shape
    try:
        if basic:
            out = apply1(_basic_op(idx), t, {"region": idx, "shape": shape, "basic": True})
        else:
            out = apply1(INDEX, t, {"region": idx, "shape": shape, "basic": False})
    except IndexError as e:
        if basic:
            raise _bounds_error(idx, shape) from None
        raise IndexError(str(e)) from None
    if basic:
        from .shape import mark_view

        mark_view(out, t, lambda a: a[idx])
    return out


def _as_array(value: Any, like: np.ndarray) -> np.ndarray:
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value, dtype=like.dtype)


def _check_cast(result: np.dtype, target: np.dtype) -> None:
    r, t = D._BY_NP[result], D._BY_NP[target]
    if r.category > t.category:
        raise RuntimeError(
            f"result type {r.scalar_name} can't be cast to the desired output type {t.scalar_name}"
        )


def _bump(t: Tensor) -> None:
    version_counter(t)[0] += 1


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``; ``t`` joins the graph when ``value`` requires grad."""
    _leaf_inplace_check(t)
    for x in (t, value):
        if isinstance(x, Tensor) and x._base is not None:
            _refresh(x)
    idx, basic = _convert_index(index)
    v = _as_array(value, t._data)
    try:
        t._data[idx] = v
    except ValueError as e:
        if "read-only" in str(e):
            raise _overlap_error() from None
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
            f"indexing result of shape {list(t._data[idx].shape)}"
        ) from None
    _bump(t)
    v_grad = isinstance(value, Tensor) and value._rg
    if mode.enabled and (t._rg or v_grad):
        old = make(t._data, t._node, t._rg)
        vt = value if isinstance(value, Tensor) else make(v)
        kw = {"region": idx, "basic": basic}
        _rebase(t, _record(COPY_SLICES, t._data, (old, vt), kw)._node)


def _overlap_error() -> RuntimeError:
    return RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )


def _rebase(t: Tensor, node: Any) -> None:
    """Make ``node`` the history of ``t`` after an in-place op, reaching its base if a view."""
    base = t._base
    if base is None:
        t._node = node
        t._rg = True
        return
    fn = t._view_fn
    new_view = make(t._data, node, True)
    old_base = make(base._data, base._node, base._rg)
    kw = {"region": fn, "basic": True}
    base._node = _record(COPY_SLICES, base._data, (old_base, new_view), kw)._node
    base._rg = True
    t._node = apply1(AS_VIEW, base, {"region": fn, "shape": base._data.shape, "basic": True})._node
    t._rg = True
    t._view_version = t._vc[0]


def inplace(fn: Callable[..., Tensor], t: Tensor, *args: Any, **kw: Any) -> Tensor:
    """``t.op_(*args)``: compute ``fn(t, *args)``, write it into ``t``, take its history."""
    _leaf_inplace_check(t)
    if t._base is not None:
        _refresh(t)
    graph = mode.enabled and (t._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if graph:
        # A snapshot of the old value: the op's rule may need it after t is overwritten.
        r = fn(make(t._data.copy(), t._node, t._rg), *args, **kw)
    else:
        r = fn(make(t._data), *args, **kw)
    _check_cast(r._data.dtype, t._data.dtype)
    try:
        t._data[...] = r._data
    except ValueError as e:
        if "read-only" in str(e):
            raise _overlap_error() from None
        raise RuntimeError(
            f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(r._data.shape)}"
        ) from None
    _bump(t)
    if graph:
        _rebase(t, r._node)
    return t


def fill_(t: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    setitem(t, Ellipsis, value)
    return t


def copy_(t: Tensor, src: Any) -> Tensor:
    setitem(t, Ellipsis, src)
    return t
