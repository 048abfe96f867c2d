"""Indexing and in-place writes: getitem, setitem, fill_/copy_, op_, version counting.

A "region" is where a read or write lands: a NumPy index, or for in-place ops on a view,
the function that takes the base's array to the view's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend as B
from .. import _dtype as D
from .._tensor import Tensor, _leaf_inplace_check, bump, make
from ..autograd.forward_ad import setitem_tangent, view_written
from ..autograd.grad_mode import mode
from . import _math as m
from ._registry import _record, _refresh, apply, apply1, defop
from ._util import norm_dim

__all__ = [
    "index_select",
    "index_add",
    "index_copy",
    "index_fill",
    "masked_fill",
    "masked_select",
    "masked_scatter",
    "take",
    "put",
    "nonzero",
    "argwhere",
    "where",
]

_BASIC = (int, slice, type(None), type(Ellipsis))
# Index parts that any tensor takes: host arrays and the basic kinds.
_HOST_PARTS = (np.ndarray, *_BASIC)


def _take(a: np.ndarray, region: Any, shape: Any = None, basic: bool = True) -> np.ndarray:
    return region(a) if callable(region) else a[region]


def _put_zero(g: np.ndarray, region: Any) -> np.ndarray:
    z = g.copy()
    if callable(region):
        region(z)[...] = 0
    else:
        z[region] = 0
    return z


def _distinct(view: Any) -> bool:
    """Whether no two elements of ``view`` share memory. NumPy marks views that might
    (broadcasts, unfold windows) read-only; GPU arrays have no such flag, so their strides
    must show it: each stride past the extent of the smaller ones."""
    if type(view) is np.ndarray:
        return view.flags.writeable
    if 0 in view.shape:
        return True
    extent = view.itemsize
    for stride, n in sorted((abs(s), n) for s, n in zip(view.strides, view.shape) if n > 1):
        if stride < extent:
            return False
        extent += stride * (n - 1)
    return True


def _scatter(g: np.ndarray, region: Any, shape: tuple[int, ...], basic: bool) -> np.ndarray:
    z = B.xp(g).zeros(shape, g.dtype)
    if callable(region):
        view = region(z)
        if _distinct(view):
            view[...] = g
        else:
            # A view whose elements overlap (unfold windows, expand): each adds its share.
            where = region(B.xp(z).arange(z.size).reshape(shape))
            B.scatter_add(z.reshape(-1), where, g)
    elif basic:
        z[region] = g
    else:
        # Repeated indices each add their share of the gradient.
        B.scatter_add(z, region, g)
    return z


def _take_vjp(g: Any, x: Any, out: Any, region: Any, shape: Any, basic: bool) -> Any:
    if not isinstance(g, Tensor):
        return _scatter(g, region, shape, basic)  # SCATTER's forward, without the dispatch
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


def _consumes(part: Any) -> int:
    """How many dims of the indexed tensor one index part uses up."""
    if part is None or part is Ellipsis:
        return 0
    if B.is_array(part) and part.dtype == np.bool_:
        return part.ndim
    return 1


def _index_error(index: tuple[Any, ...], shape: tuple[int, ...], e: Exception) -> IndexError:
    """torch's message for an index NumPy rejected (NumPy says axis, torch dimension)."""
    used = sum(_consumes(p) for p in index)
    if used > len(shape):
        if not shape:
            return IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for part in index:
        if part is Ellipsis:
            dim += len(shape) - used
        elif isinstance(part, int) and not -shape[dim] <= part < shape[dim]:
            return IndexError(
                f"index {part} is out of bounds for dimension {dim} with size {shape[dim]}"
            )
        elif B.is_array(part) and part.dtype == np.bool_:
            for j, n in enumerate(part.shape):
                if n != shape[dim + j]:
                    return IndexError(
                        f"The shape of the mask {list(part.shape)} at index {j} does not match "
                        f"the shape of the indexed tensor {list(shape)} at index {dim + j}"
                    )
        dim += _consumes(part)
    return IndexError(str(e).replace("for axis", "for dimension"))


def _check_arrays(idx: tuple[Any, ...], a: Any) -> None:
    """torch's errors that NumPy's indexing leaves to us: an index array on a GPU indexing
    another device's tensor (host index arrays may index any tensor), and on a GPU, whose
    libraries wrap out-of-range entries around, an entry out of range."""
    if type(a) is np.ndarray:
        for part in idx:
            if type(part) not in _HOST_PARTS and B.is_array(part):
                raise RuntimeError(
                    "indices should be either on cpu or on the same device as the indexed "
                    f"tensor ({B.device_of(a)})"
                )
        return
    dim = 0
    for part in idx:
        if part is Ellipsis:
            dim += a.ndim - sum(_consumes(p) for p in idx)
        elif B.is_array(part) and part.dtype != np.bool_ and part.size and 0 <= dim < a.ndim:
            n = a.shape[dim]
            bad = part[(part < -n) | (part >= n)]
            if bad.size:
                raise IndexError(
                    f"index {int(bad[0])} is out of bounds for dimension {dim} with size {n}"
                )
        dim += _consumes(part)


def _ints(index: Any) -> bool:
    """Whether ``index`` is an int or a tuple of ints (not bools): the commonest reads."""
    if type(index) is int:
        return True
    if type(index) is not tuple:
        return False
    for part in index:
        if type(part) is not int:
            return False
    return True


def getitem(t: Tensor, index: Any) -> Tensor:
    if _ints(index):
        # x[3], m[0, 1]: _convert_index's answer, without its loop.
        idx: tuple[Any, ...] = (*index, ...) if type(index) is tuple else (index, ...)
        basic = True
    else:
        idx, basic = _convert_index(index)
    shape = t._data.shape
    if not basic:
        _check_arrays(idx, t._data)
    try:
        if basic:
            out = apply1(_basic_op(idx), t, {"region": idx, "shape": shape, "basic": True})
        else:
            out = apply1(INDEX, t, {"region": idx, "shape": shape, "basic": False})
    except IndexError as e:
        raise _index_error(idx, shape, e) from None
    if basic:
        _shape.mark_view(out, t, lambda a: a[idx])
    return out


def _as_array(value: Any, like: np.ndarray) -> np.ndarray:
    if isinstance(value, Tensor):
        return value._data
    if type(like) is np.ndarray:
        return np.asarray(value, dtype=like.dtype)
    return B.asarray(value, like, like.dtype)


def _check_cast(result: np.dtype, target: np.dtype) -> None:
    r, t = D._BY_NP[result], D._BY_NP[target]
    if r.category > t.category:
        raise RuntimeError(
            f"result type {r.scalar_name} can't be cast to the desired output type {t.scalar_name}"
        )


def _narrows(part: Any) -> bool:
    return (
        part is None or isinstance(part, int) or (isinstance(part, slice) and part != slice(None))
    )


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``; ``t`` joins the graph when ``value`` requires grad."""
    idx, basic = _convert_index(index)
    if t._rg and t._node is None and mode.enabled and any(_narrows(p) for p in idx):
        # torch writes through the view that the basic parts of the index take.
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    _leaf_inplace_check(t)
    for x in (t, value):
        if isinstance(x, Tensor) and x._base is not None:
            _refresh(x)
    if not basic:
        _check_arrays(idx, t._data)
    if isinstance(value, Tensor) and type(value._data) is not type(t._data):
        # A write through a view copies across devices, as copy_ does; an advanced-index
        # write takes only a 0-dim tensor from another device.
        if not (basic or value._data.ndim == 0):
            B.same_device((t._data, value._data))
        value = _moved(value, t)
    if type(t._data) is not np.ndarray and not _distinct(t._data):
        raise _overlap_error()
    v = _as_array(value, t._data)
    try:
        t._data[idx] = v
    except IndexError as e:
        raise _index_error(idx, t._data.shape, e) from None
    except ValueError as e:
        if "read-only" in str(e):
            raise _overlap_error() from None
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
            f"indexing result of shape {list(t._data[idx].shape)}"
        ) from None
    bump(t)
    if mode.dual:
        setitem_tangent(t, idx, value)
    v_grad = isinstance(value, Tensor) and value._rg
    if mode.enabled and (t._rg or v_grad):
        old = make(t._data, t._node, t._rg)
        vt = value if isinstance(value, Tensor) else make(v)
        kw = {"region": idx, "basic": basic}
        _rebase(t, _record(COPY_SLICES, t._data, (old, vt), kw)._node)


def _moved(value: Tensor, t: Tensor) -> Tensor:
    """``value`` on ``t``'s device (a differentiable copy when it lives elsewhere)."""
    if type(value._data) is type(t._data):
        return value
    from .shape import to_device

    return to_device(value, t.device)


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


def _fast_arith(fn: Callable[..., Tensor], t: Tensor, other: Any, alpha: Any) -> bool:
    """``t += other`` and friends on a float tensor with no graph to record (optimizer
    updates, ``w -= lr * g`` under no_grad): one NumPy pass into ``t``'s memory. False
    when the general path must handle it (other dtypes, broadcasting errors, read-only)."""
    uf = _ARITH.get(fn)
    x = t._data
    o = other._data if isinstance(other, Tensor) else other
    if uf is None or x.dtype.kind != "f":
        return False
    if type(o) not in (int, float) and (not B.is_array(o) or o.dtype.kind not in "biuf"):
        return False
    if alpha != 1:
        o = o * alpha
    try:
        uf(x, o, out=x, casting="same_kind")
    except (ValueError, TypeError):
        return False
    bump(t)
    return True


def _direct(fn: Callable[..., Tensor], t: Tensor, args: tuple[Any, ...], kw: Any) -> bool:
    """addcmul_, addcdiv_ and lerp_ (a number weight) with no graph to record (Adam's
    updates): their op's forward into ``t``, without the dispatch and promotion. False when the general
    path must handle it (other dtypes or shapes, a tensor weight)."""
    op = _DIRECT.get(fn)
    x = t._data
    if op is None or type(x) is not np.ndarray or x.dtype.kind != "f":
        return False
    tensors, number = (args[:1], args[1]) if fn is _ew.lerp else (args, kw.get("value", 1))
    if type(number) not in (int, float):
        return False
    arrays = []
    for a in tensors:
        if not isinstance(a, Tensor):
            return False
        d = a._data
        if type(d) is not np.ndarray or d.dtype is not x.dtype or d.shape != x.shape:
            return False
        arrays.append(d)
    x[...] = op(x, *arrays, number)
    bump(t)
    return True


def inplace(fn: Callable[..., Tensor], t: Tensor, *args: Any, **kw: Any) -> Tensor:
    """``t.op_(*args)``: compute ``fn(t, *args)``, write it into ``t``, take its history."""
    _leaf_inplace_check(t)
    if t._base is not None:
        _refresh(t)
    if type(t._data) is not np.ndarray and not _distinct(t._data):
        raise _overlap_error()
    graph = mode.enabled and (t._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if not graph and not mode.dual:
        if len(args) == 1 and kw.keys() <= {"alpha"}:
            if _fast_arith(fn, t, args[0], kw.get("alpha", 1)):
                return t
        elif _direct(fn, t, args, kw):
            return t
    # With a graph, a snapshot of the old value: the rule may need it after t is overwritten.
    old = make(t._data.copy(), t._node, t._rg) if graph else make(t._data)
    old._tangent = t._tangent
    r = fn(old, *args, **kw)
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
    bump(t)
    if mode.dual:
        t._tangent = r._tangent
        view_written(t)
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
    if isinstance(src, Tensor):
        shape, other = t._data.shape, src._data.shape
        try:
            full = np.broadcast_shapes(shape, other)
        except ValueError:
            from ._util import broadcast_error

            raise broadcast_error(shape, other) from None
        if full != shape:
            raise RuntimeError(
                f"output with shape {list(shape)} doesn't match the broadcast shape {list(full)}"
            )
    setitem(t, Ellipsis, src)
    return t


# ---------------------------------------------------- index_*, masked_*, take/put
# The ``index`` of index_select and kin picks whole slices along ``dim``.
def _along(dim: int, index: np.ndarray) -> tuple[Any, ...]:
    return (slice(None),) * dim + (index,)


def _index_select_fwd(x: np.ndarray, dim: int, index: np.ndarray, shape: Any) -> np.ndarray:
    return np.take(x, index, axis=dim) if x.ndim else x.reshape(1)[index].reshape(())


def _index_add_fwd(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray, alpha: Any) -> Any:
    out = x.copy()
    B.scatter_add(_at1(out), _along(dim, index), _at1(src * alpha if alpha != 1 else src))
    return out


def _index_copy_fwd(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    _at1(out)[_along(dim, index)] = _at1(src)
    return out


def _index_fill_fwd(x: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    out = x.copy()
    _at1(out)[_along(dim, index)] = value
    return out


def _masked_fill_fwd(x: np.ndarray, value: Any, mask: np.ndarray) -> np.ndarray:
    v = value.astype(x.dtype) if B.is_array(value) else np.asarray(value).astype(x.dtype)
    if type(v) is not type(x):
        # A number goes to a GPU array as a NumPy scalar, which it takes as a number.
        v = v[()]
    return np.where(mask, v, x)


def _masked_select_fwd(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.broadcast_to(x, mask.shape)[mask]


def _masked_scatter_fwd(x: np.ndarray, src: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.broadcast_to(x, mask.shape).copy()
    out[mask] = src.reshape(-1)[: int(np.count_nonzero(mask))]
    return out


def _put_fwd(x: np.ndarray, src: np.ndarray, index: np.ndarray, accumulate: bool) -> np.ndarray:
    out = x.copy()
    flat = out.reshape(-1)
    if accumulate:
        B.scatter_add(flat, index.reshape(-1), src.reshape(-1))
    else:
        flat[index.reshape(-1)] = src.reshape(-1)
    return out


def _at1(a: np.ndarray) -> np.ndarray:
    return a.reshape(1) if a.ndim == 0 else a


def _zeros(g: Any, shape: Any) -> Any:
    a = m.data(g)
    return m.const(g, B.xp(a).zeros(shape, a.dtype))


def _index_select(g: Any, dim: int, index: np.ndarray) -> Any:
    return m.call(INDEX_SELECT, g, dim=dim, index=index, shape=np.shape(m.data(g)))


def _index_clear(g: Any, dim: int, index: np.ndarray) -> Any:
    return m.call(INDEX_FILL, g, dim=dim, index=index, value=0)


def _masked_select_vjp(g: Any, x: Any, out: Any, mask: np.ndarray) -> Any:
    return m.call(MASKED_SCATTER, _zeros(g, mask.shape), g, mask=mask)


def _masked_scatter_src_vjp(g: Any, x: Any, src: Any, out: Any, mask: np.ndarray) -> Any:
    # The first mask.sum() elements of src were used; the rest get zero gradient.
    picked = m.call(MASKED_SELECT, g, mask=mask)
    n = m.data(picked).size
    size = m.data(src).size
    if n != size:
        picked = m.call(SCATTER, picked, region=(slice(0, n),), shape=(size,), basic=True)
    return m.reshape(picked, m.data(src).shape)


INDEX_SELECT = defop(
    "IndexSelectBackward0",
    _index_select_fwd,
    lambda g, x, out, dim, index, shape: m.call(
        INDEX_ADD, _zeros(g, shape), g, dim=dim, index=index, alpha=1
    ),
)
INDEX_ADD = defop(
    "IndexAddBackward0",
    _index_add_fwd,
    lambda g, x, src, out, dim, index, alpha: g,
    lambda g, x, src, out, dim, index, alpha: _index_select(g, dim, index) * alpha,
)
INDEX_COPY = defop(
    "IndexCopyBackward0",
    _index_copy_fwd,
    lambda g, x, src, out, dim, index: _index_clear(g, dim, index),
    lambda g, x, src, out, dim, index: _index_select(g, dim, index),
)
INDEX_FILL = defop(
    "IndexFillBackward0",
    _index_fill_fwd,
    lambda g, x, out, dim, index, value: _index_clear(g, dim, index),
)
# A 0-d tensor value: its gradient is the sum of g over the filled slices (the engine sums).
INDEX_FILL_T = defop(
    "IndexFillBackward1",
    lambda x, v, dim, index: _index_fill_fwd(x, dim, index, v),
    lambda g, x, v, out, dim, index: _index_clear(g, dim, index),
    lambda g, x, v, out, dim, index: g - _index_clear(g, dim, index),
)
MASKED_FILL = defop(
    "MaskedFillBackward0",
    lambda x, mask, value: _masked_fill_fwd(x, value, mask),
    lambda g, x, out, mask, value: m.where(mask, 0.0, g),
)
MASKED_FILL_T = defop(
    "MaskedFillBackward1",
    _masked_fill_fwd,
    lambda g, x, v, out, mask: m.where(mask, 0.0, g),
    lambda g, x, v, out, mask: m.where(mask, g, 0.0),
)
MASKED_SELECT = defop("MaskedSelectBackward0", _masked_select_fwd, _masked_select_vjp)
MASKED_SCATTER = defop(
    "MaskedScatterBackward0",
    _masked_scatter_fwd,
    lambda g, x, src, out, mask: m.where(mask, 0.0, g),
    _masked_scatter_src_vjp,
    save_in=True,
    reads=((), (1,)),
)
TAKE = defop(
    "TakeBackward0",
    lambda x, index, shape: np.ravel(x)[index],
    lambda g, x, out, index, shape: m.call(PUT, _zeros(g, shape), g, index=index, accumulate=True),
)
PUT = defop(
    "PutBackward0",
    _put_fwd,
    lambda g, x, src, out, index, accumulate: (
        g if accumulate else m.call(PUT, g, _zeros(g, index.shape), index=index, accumulate=False)
    ),
    lambda g, x, src, out, index, accumulate: m.call(
        TAKE, g, index=index, shape=np.shape(m.data(g))
    ),
)


# ---------------------------------------------------------------------- checks
_CPP_NAMES = {
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _scalar_name(a: np.ndarray) -> str:
    return D._BY_NP[a.dtype].scalar_name


def _dim_index(fn: str, x: Tensor, dim: int, index: Any, long_only: bool = False) -> Any:
    """``dim`` made non-negative, and ``index`` as a 1-d array (torch's checks and messages)."""
    d = norm_dim(dim, x._data.ndim)
    a = index._data
    if type(a) is not type(x._data):
        B.same_device((x._data, a))
    if a.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector")
    if a.dtype not in ((np.int64,) if long_only else (np.int64, np.int32)):
        if fn == "index_select":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if fn == "index_add_":
            raise RuntimeError(
                f"index_add_(): Expected dtype int32/int64 for index but got: {_scalar_name(a)}"
            )
        if fn == "index_fill_":
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        raise RuntimeError(f"{fn}(): Expected a long tensor for index, but got {_scalar_name(a)}")
    a = a.reshape(-1)
    size = _at1(x._data).shape[d]
    if a.size and (a.min() < 0 or a.max() >= size):
        if fn == "index_select":
            raise IndexError("index out of range in self")
        bad = int(a[(a < 0) | (a >= size)][0])
        msg = f"index {bad} is out of bounds for dimension {d} with size {size}"
        if fn == "index_copy_":
            raise IndexError(f"index_copy_(): {msg}")
        raise (IndexError if fn == "index_fill_" else RuntimeError)(msg)
    return d, a


def _check_mask(fn: str, mask: Any) -> np.ndarray:
    a = mask._data
    if a.dtype != np.bool_:
        if fn == "masked_fill_":
            name = _CPP_NAMES.get(str(a.dtype), str(a.dtype))
            raise RuntimeError(
                f"masked_fill_ only supports boolean masks, but got mask with dtype {name}"
            )
        raise RuntimeError(f"{fn}: expected BoolTensor for mask")
    return a


def _broadcast_mask(x: Tensor, mask: np.ndarray) -> np.ndarray:
    if type(mask) is not type(x._data):
        B.same_device((x._data, mask))
    try:
        shape = np.broadcast_shapes(x._data.shape, mask.shape)
    except ValueError:
        from ._util import broadcast_error

        raise broadcast_error(mask.shape, x._data.shape) from None
    return np.broadcast_to(mask, shape)


def _same_device(x: Tensor, source: Tensor) -> None:
    if type(source._data) is not type(x._data):
        B.same_device((x._data, source._data))


def _check_value(fn: str, value: Any) -> None:
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            f"{fn} only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )


def _source_count(fn: str, d: int, index: np.ndarray, source: Tensor) -> None:
    n = _at1(source._data).shape[d] if source._data.ndim or d == 0 else 1
    if index.size != n:
        if fn == "index_add_":
            raise RuntimeError(
                f"index_add_(): Number of indices ({index.size}) should be equal to "
                f"source.size(dim): ({n}), for dim: {d}"
            )
        raise IndexError(
            f"index_copy_(): Number of indices ({index.size}) should be equal to "
            f"source.size(dim) ({n})"
        )


# ---------------------------------------------------------------- public ops
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` at ``index``, in that order (repeats allowed)."""
    d, idx = _dim_index("index_select", input, dim, index)
    if not input._data.ndim:
        idx = idx.reshape(index._data.shape)
    return apply1(INDEX_SELECT, input, {"dim": d, "index": idx, "shape": input._data.shape})


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added to the slices at ``index``."""
    d, idx = _dim_index("index_add_", input, dim, index)
    _same_device(input, source)
    _source_count("index_add_", d, idx, source)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({_scalar_name(input._data)}) and source "
            f"({_scalar_name(source._data)}) must have the same scalar type"
        )
    return apply(INDEX_ADD, (input, source), {"dim": d, "index": idx, "alpha": alpha})


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the slices at ``index`` replaced by ``source``'s."""
    d, idx = _dim_index("index_copy_", input, dim, index, long_only=True)
    _same_device(input, source)
    _source_count("index_copy_", d, idx, source)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_scalar_name(input._data)} and (source) {_scalar_name(source._data)}"
        )
    return apply(INDEX_COPY, (input, source), {"dim": d, "index": idx})


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with the slices at ``index`` set to ``value``."""
    _check_value("index_fill_", value)
    d, idx = _dim_index("index_fill_", input, dim, index, long_only=True)
    if isinstance(value, Tensor):
        return apply(INDEX_FILL_T, (input, _moved(value, input)), {"dim": d, "index": idx})
    # A NumPy scalar, which GPU arrays take as they take a number.
    v = np.asarray(value).astype(input._data.dtype)[()]
    return apply1(INDEX_FILL, input, {"dim": d, "index": idx, "value": v})


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` where ``mask`` is True (the two broadcast together)."""
    _check_value("masked_fill_", value)
    mk = _broadcast_mask(input, _check_mask("masked_fill_", mask))
    if isinstance(value, Tensor):
        return apply(MASKED_FILL_T, (input, _moved(value, input)), {"mask": mk})
    return apply1(MASKED_FILL, input, {"mask": mk, "value": value})


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` is True, as a 1-d tensor."""
    mk = _broadcast_mask(input, _check_mask("masked_select", mask))
    return apply1(MASKED_SELECT, input, {"mask": mk})


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the positions where ``mask`` is True filled from ``source`` in order."""
    mk = _broadcast_mask(input, _check_mask("masked_scatter_", mask))
    _same_device(input, source)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_scalar_name(input._data)} and {_scalar_name(source._data)}"
        )
    if np.count_nonzero(mk) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return apply(MASKED_SCATTER, (input, source), {"mask": mk})


def _flat_index(fn: str, x: Tensor, index: Tensor) -> np.ndarray:
    a = index._data
    if type(a) is not type(x._data):
        B.same_device((x._data, a))
    if a.dtype != np.int64:
        raise RuntimeError(f"{fn}(): Expected a long tensor for index, but got {_scalar_name(a)}")
    n = x._data.size
    if a.size and (a.min() < -n or a.max() >= n):
        bad = int(a.reshape(-1)[(a.reshape(-1) < -n) | (a.reshape(-1) >= n)][0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return a


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of ``input`` read as 1-d, at ``index``; shaped like ``index``."""
    idx = _flat_index("take", input, index)
    return apply1(TAKE, input, {"index": idx, "shape": input._data.shape})


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source`` written (or added) at flat positions ``index``."""
    idx = _flat_index("put_", input, index)
    _same_device(input, source)
    if idx.size != source._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got "
            f"self.dtype = {input.dtype} and source.dtype = {source.dtype}"
        )
    kw = {"index": idx.reshape(source._data.shape), "accumulate": bool(accumulate)}
    return apply(PUT, (input, source), kw)


# ---------------------------------------------------------------- no gradient
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: an (n, ndim) tensor, or one 1-d tensor per dim."""
    a = input._data
    if as_tuple:
        return tuple(make(i.astype(np.int64)) for i in np.nonzero(_at1(a)))
    return make(np.argwhere(a).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


_MISSING: Any = object()


def where(condition: Tensor, input: Any = _MISSING, other: Any = _MISSING) -> Any:
    """``where(condition)`` is ``nonzero(condition, as_tuple=True)``; with ``input`` and
    ``other`` it picks elementwise (elementwise.where)."""
    if input is _MISSING and other is _MISSING:
        return nonzero(condition, as_tuple=True)
    if input is _MISSING or other is _MISSING:
        raise TypeError(
            "where() received an invalid combination of arguments - expected (Tensor "
            "condition) or (Tensor condition, Tensor input, Tensor other)"
        )
    from .elementwise import where as select

    return select(condition, input, other)


from . import elementwise as _ew  # noqa: E402
from . import shape as _shape  # noqa: E402

# The in-place arithmetic that _fast_arith runs as one NumPy call.
_ARITH = {_ew.add: np.add, _ew.sub: np.subtract, _ew.mul: np.multiply, _ew.div: np.true_divide}
# The forwards _direct runs: those of ADDCMUL, ADDCDIV and LERP past their promotion.
_DIRECT = {
    _ew.addcmul: lambda x, t1, t2, v: _ew.addc_fwd(x, t1, t2, v, np.multiply),
    _ew.addcdiv: lambda x, t1, t2, v: _ew.addc_fwd(x, t1, t2, v, np.true_divide),
    _ew.lerp: _ew.lerp_fwd,
}
