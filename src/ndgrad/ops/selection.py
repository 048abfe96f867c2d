"""Selection along a dim: gather/scatter, sort/topk/kthvalue, unique, searchsorted/bucketize.

An ``index`` array picks, for every position of itself, one position along ``dim`` of the
input; ``_coords`` turns it into the full NumPy advanced index of those positions.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _backend as B
from .. import return_types
from .._tensor import Tensor, make
from . import _math as m
from ._registry import apply, apply1, defop
from ._util import norm_dim
from .elementwise import promote

__all__ = [
    "gather",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "sort",
    "argsort",
    "msort",
    "topk",
    "kthvalue",
    "unique",
    "searchsorted",
    "bucketize",
    "isin",
]

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


sort_result = return_types.sort
topk_result = return_types.topk
kthvalue_result = return_types.kthvalue


# --------------------------------------------------------------------- helpers
def _at1(a: np.ndarray) -> np.ndarray:
    """0-d arrays act as 1-d along dim 0, as in torch; a view, so writes land in ``a``."""
    return a.reshape(1) if a.ndim == 0 else a


def _coords(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The advanced index of every position ``index`` picks along ``dim``."""
    index = _at1(index)
    xp = B.xp(index)
    nd = index.ndim
    parts = []
    for d in range(nd):
        if d == dim:
            parts.append(index)
        else:
            shape = [1] * nd
            shape[d] = index.shape[d]
            parts.append(xp.arange(index.shape[d]).reshape(shape))
    return tuple(parts)


def _gather_fwd(x: np.ndarray, dim: int, index: np.ndarray, shape: Any) -> np.ndarray:
    return _at1(x)[_coords(index, dim)].reshape(index.shape)


def _scatter_fwd(x: np.ndarray, src: Any, dim: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    _at1(out)[_coords(index, dim)] = _at1(src) if B.is_array(src) else src
    return out


def _scatter_value_fwd(x: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    return _scatter_fwd(x, value, dim, index)


def _scatter_add_fwd(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    target = _at1(out)
    coords = _coords(index, dim)
    if B.device_of(out).type != "cpu" or out.dtype.kind != "f" or not target.size:
        B.scatter_add(target, coords, _at1(src))
        return out
    # bincount sums repeated positions in one C loop: many times faster than np.add.at.
    flat = np.ravel_multi_index(np.broadcast_arrays(*coords), target.shape)
    weights = np.broadcast_to(_at1(src), flat.shape).ravel()
    target += np.bincount(flat.ravel(), weights, target.size).reshape(target.shape)
    return out


_IDENTITY = {"sum": 0, "mean": 0, "prod": 1}
_UFUNCS = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    if reduce in _IDENTITY:
        return _IDENTITY[reduce]
    if dtype.kind in "fc":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce_fwd(
    x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray, reduce: str, include_self: bool
) -> np.ndarray:
    where = _coords(index, dim)
    out = x.copy()
    flat = _at1(out)
    if not include_self:
        flat[where] = _identity(reduce, x.dtype)
    if reduce in ("sum", "mean"):
        B.scatter_add(flat, where, _at1(src))
    elif B.device_of(out).type == "cpu":
        _UFUNCS[reduce].at(flat, where, _at1(src))
    else:
        _reduce_at(_UFUNCS[reduce], flat, where, _at1(src))
    if reduce == "mean":
        n = _mean_count(x.shape, dim, index, include_self)
        if out.dtype.kind in "fc":
            out /= n
        else:
            out //= n.astype(out.dtype)
    return out


def _reduce_at(ufunc: Any, target: Any, where: tuple[Any, ...], values: Any) -> None:
    """``ufunc.at(target, where, values)`` for arrays without ``ufunc.at`` (GPU arrays): the
    values are sorted by the position they go to, then a segmented scan combines each
    position's run in log2(longest run) steps. ``target`` must be contiguous."""
    if not values.size:
        return
    pos = where[0]
    for i, n in zip(where[1:], target.shape[1:]):
        pos = pos * n + i
    pos = np.broadcast_to(pos, values.shape).reshape(-1)
    order = B.argsort(pos)
    pos = pos[order]
    vals = values.reshape(-1)[order]
    step = 1
    while step < pos.size:
        same = pos[step:] == pos[:-step]
        if not same.any():
            break
        vals[step:] = np.where(same, ufunc(vals[:-step], vals[step:]), vals[step:])
        step *= 2
    last = np.ones_like(pos, dtype=bool)
    last[:-1] = pos[1:] != pos[:-1]
    flat = target.reshape(-1)
    at = pos[last]
    flat[at] = ufunc(flat[at], vals[last])


def _mean_count(shape: Any, dim: int, index: np.ndarray, include_self: bool) -> np.ndarray:
    """How many values each output of a scatter mean averages (at least 1)."""
    n = B.xp(index).full(shape, 1.0 if include_self else 0.0)
    B.scatter_add(_at1(n), _coords(index, dim), 1.0)
    n[n == 0] = 1.0
    return n


def _zeros_like_g(g: Any, shape: Any) -> Any:
    a = m.data(g)
    return m.const(g, B.xp(a).zeros(shape, a.dtype))


def _gather(g: Any, dim: int, index: np.ndarray) -> Any:
    return m.call(GATHER, g, dim=dim, index=index, shape=np.shape(m.data(g)))


def _scatter_zeros(g: Any, dim: int, index: np.ndarray, shape: Any) -> Any:
    """``g`` added into zeros of ``shape`` at the positions ``index`` picks: gather's VJP."""
    return m.call(SCATTER_ADD, _zeros_like_g(g, shape), g, dim=dim, index=index)


def _clear(g: Any, dim: int, index: np.ndarray) -> Any:
    """``g`` with the positions ``index`` picks set to zero."""
    return m.call(SCATTER_VALUE, g, dim=dim, index=index, value=0)


def _pick_vjp(g: Any, x: Any, out: Any, dim: int, index: np.ndarray, shape: Any) -> Any:
    if np.shape(m.data(g)) != index.shape:
        g = m.reshape(g, index.shape)
    return _scatter_zeros(g, dim, index, shape)


def _reduce_vjp(g: Any, x: Any, src: Any, out: Any, i: int, **kw: Any) -> Any:
    """torch's scatter_reduce gradients; ``i`` says which input (0: self, 1: src)."""
    dim, index, reduce, include_self = kw["dim"], kw["index"], kw["reduce"], kw["include_self"]
    xd, sd, od = m.data(x), m.data(src), m.data(out)
    if reduce == "sum":
        gx = g
        gs = _gather(g, dim, index) if i else None
    elif reduce == "mean":
        n = m.const(g, _mean_count(xd.shape, dim, index, include_self).astype(od.dtype))
        gx = g / n
        gs = _gather(gx, dim, index) if i else None
    elif reduce == "prod":
        gx, gs = _prod_vjp(g, x, src, out, i, kw)
    else:
        # The gradient is shared evenly among the values that tie for the extreme.
        x_is = (xd == od).astype(od.dtype)
        s_is = (sd == _gather_fwd(od, dim, index, None)).astype(od.dtype)
        share = g / m.const(g, _scatter_add_fwd(x_is, s_is, dim, index))
        gx = share * m.const(g, x_is)
        gs = _gather(share, dim, index) * m.const(g, s_is) if i else None
    if i:
        return gs
    return gx if include_self else _clear(gx, dim, index)


def _prod_vjp(g: Any, x: Any, src: Any, out: Any, i: int, kw: dict[str, Any]) -> Any:
    """Products with zeros: divide only by non-zero factors (torch's formula)."""
    dim, index = kw["dim"], kw["index"]
    if not i:
        zero = m.data(x) == 0
        mx = m.where(zero, 1.0, x)
        return g * m.call(SCATTER_REDUCE, mx, src, **kw) / mx, None
    sd = m.data(src)
    s_zero = sd == 0
    zeros = B.xp(sd).zeros(m.data(x).shape, sd.dtype)
    n_zeros = _gather_fwd(
        _scatter_add_fwd(zeros, s_zero.astype(sd.dtype), dim, index), dim, index, 0
    )
    single = s_zero & (n_zeros == 1)
    without = m.call(SCATTER_REDUCE, x, m.where(single, 1.0, src), **kw)
    rest = _gather(g * out, dim, index) / m.where(s_zero, 1.0, src)
    return None, m.where(single, _gather(g * without, dim, index), rest)


# ------------------------------------------------------------------------- ops
GATHER = defop(
    "GatherBackward0",
    _gather_fwd,
    lambda g, x, out, dim, index, shape: _scatter_zeros(g, dim, index, shape),
)
SCATTER = defop(
    "ScatterBackward0",
    _scatter_fwd,
    lambda g, x, src, out, dim, index: _clear(g, dim, index),
    lambda g, x, src, out, dim, index: _gather(g, dim, index),
)
SCATTER_VALUE = defop(
    "ScatterBackward1",
    _scatter_value_fwd,
    lambda g, x, out, dim, index, value: _clear(g, dim, index),
)
SCATTER_ADD = defop(
    "ScatterAddBackward0",
    _scatter_add_fwd,
    lambda g, x, src, out, dim, index: g,
    lambda g, x, src, out, dim, index: _gather(g, dim, index),
)
SCATTER_REDUCE = defop(
    "ScatterReduceBackward0",
    _scatter_reduce_fwd,
    lambda g, x, src, out, **kw: _reduce_vjp(g, x, src, out, 0, **kw),
    lambda g, x, src, out, **kw: _reduce_vjp(g, x, src, out, 1, **kw),
    save_in=True,
    save_out=True,
)
# Sorting and its kin pick values with an index they computed: their VJP is gather's.
SORT = defop("SortBackward0", _gather_fwd, _pick_vjp)
SORT_STABLE = defop("SortBackward1", _gather_fwd, _pick_vjp)
TOPK = defop("TopkBackward0", _gather_fwd, _pick_vjp)
KTHVALUE = defop(
    "KthvalueBackward0",
    lambda x, dim, index, shape, out_shape: _gather_fwd(x, dim, index, shape).reshape(out_shape),
    lambda g, x, out, dim, index, shape, out_shape: _pick_vjp(g, x, out, dim, index, shape),
)


# --------------------------------------------------------------------- checks
def _index_array(fn: str, x: Tensor, index: Any) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{fn}(): argument 'index' must be Tensor, not {type(index).__name__}")
    a = index._data
    if type(a) is not type(x._data):
        B.same_device((x._data, a))
    if a.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index")
    return a


def _check_bounds(index: np.ndarray, dim: int, size: int) -> None:
    # One test of both ends: on a GPU each bool() waits for the device.
    if index.size and bool((index.min() < 0) | (index.max() >= size)):
        flat = index.reshape(-1)
        bad = int(flat[(flat < 0) | (flat >= size)][0])
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _check_gather(fn: str, x: Tensor, dim: int, index: np.ndarray, src: Any = None) -> int:
    """dim in range, index of x's rank, no larger than x (but along dim) nor than src."""
    nd = x._data.ndim
    d = norm_dim(dim, nd)
    if src is not None and type(src) is not type(x._data):
        B.same_device((x._data, src))
    xs = _at1(x._data).shape
    ix = _at1(index).shape
    if index.size == 0:
        return d
    if len(ix) != len(xs) or (src is not None and len(_at1(src).shape) != len(xs)):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    too_big = [k for k in range(len(xs)) if k != d and ix[k] > xs[k]]
    if src is None and too_big:
        raise RuntimeError(
            f"Size does not match at dimension {too_big[0]} expected index "
            f"{list(index.shape)} to be no larger than self {list(x.shape)} apart from "
            f"dimension {d}"
        )
    if src is not None and (too_big or any(i > s for i, s in zip(ix, _at1(src).shape))):
        raise RuntimeError(
            f"Expected index {list(index.shape)} to be no larger than self {list(x.shape)} "
            f"apart from dimension {d} and to be no larger size than src {list(np.shape(src))}"
        )
    _check_bounds(index, d, xs[d])
    return d


def _fit(src: Tensor, index: np.ndarray) -> Tensor:
    """The part of ``src`` that ``index`` reads (torch reads src only where index has entries)."""
    if src._data.shape == index.shape:
        return src
    return src[tuple(slice(0, s) for s in index.shape)]


def _same_dtype(fn: str, x: Tensor, src: Tensor) -> None:
    if x._data.dtype != src._data.dtype:
        raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype")


# --------------------------------------------------------------- gather/scatter
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """Values of ``input`` at ``index`` along ``dim``; out[i][j] = input[index[i][j]][j]."""
    idx = _index_array("gather", input, index)
    d = _check_gather("gather", input, dim, idx)
    return apply1(GATHER, input, {"dim": d, "index": idx, "shape": input._data.shape})


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: Any = None,
) -> Tensor:
    """A copy of ``input`` with ``src`` (a tensor or a number) written at ``index``."""
    if src is None:
        src = value
    idx = _index_array("scatter", input, index)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if isinstance(src, Tensor):
            warnings.warn(
                "The reduce argument of ndgrad.scatter with Tensor src is deprecated and will "
                "be removed in a future PyTorch release. Use ndgrad.scatter_reduce instead for "
                "more reduction options.",
                UserWarning,
                stacklevel=2,
            )
        else:
            src = make(B.xp(idx).full(idx.shape, src, input._data.dtype))
        how = "sum" if reduce == "add" else "prod"
        return scatter_reduce(input, dim, index, src, how)
    if isinstance(src, Tensor):
        _same_dtype("scatter", input, src)
        d = _check_gather("scatter", input, dim, idx, src._data)
        return apply(SCATTER, (input, _fit(src, idx)), {"dim": d, "index": idx})
    d = _check_gather("scatter", input, dim, idx)
    # A NumPy scalar, which GPU arrays take as they take a number.
    value = np.asarray(src).astype(input._data.dtype)[()]
    return apply1(SCATTER_VALUE, input, {"dim": d, "index": idx, "value": value})


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added at ``index`` (repeated indices accumulate)."""
    idx = _index_array("scatter", input, index)
    _same_dtype("scatter", input, src)
    d = _check_gather("scatter", input, dim, idx, src._data)
    return apply(SCATTER_ADD, (input, _fit(src, idx)), {"dim": d, "index": idx})


def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """Reduce ``src`` into ``input`` at ``index`` with sum, prod, mean, amax or amin."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    idx = _index_array("scatter", input, index)
    _same_dtype("scatter", input, src)
    d = _check_gather("scatter", input, dim, idx, src._data)
    kw = {"dim": d, "index": idx, "reduce": reduce, "include_self": bool(include_self)}
    return apply(SCATTER_REDUCE, (input, _fit(src, idx)), kw)


# ---------------------------------------------------------------------- sorting
def _argsort(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sort indices; NaN sorts as the largest value, as in torch."""
    if not descending:
        return B.argsort(a, dim)
    # Sorting the reversed array ascending, then reversing, keeps ties in their order.
    n = a.shape[dim]
    rev = np.flip(B.argsort(np.flip(a, dim), dim), dim)
    return (n - 1) - rev


def _span(order: Any, dim: int, start: int, stop: int) -> Any:
    """Entries ``start:stop`` of ``order`` along ``dim``, in memory of their own."""
    return order[(slice(None),) * dim + (slice(start, stop),)].copy()


def _sort_axis(input: Tensor, dim: int) -> tuple[np.ndarray, int]:
    d = norm_dim(dim, input._data.ndim)
    return _at1(input._data), d


def sort(
    input: Tensor,
    dim: int = -1,
    descending: bool = False,
    stable: bool | None = None,
) -> sort_result:
    """Values sorted along ``dim``, with the indices they came from (ties keep their order)."""
    a, d = _sort_axis(input, dim)
    idx = _argsort(a, d, descending).reshape(input._data.shape)
    op = SORT if stable is None else SORT_STABLE
    values = apply1(op, input, {"dim": d, "index": idx, "shape": input._data.shape})
    return sort_result(values, make(idx))


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    a, d = _sort_axis(input, dim)
    return make(_argsort(a, d, descending).reshape(input._data.shape))


def msort(input: Tensor) -> Tensor:
    return sort(input, 0).values


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> topk_result:
    """The ``k`` largest (or smallest) values along ``dim``, with their indices."""
    a, d = _sort_axis(input, dim)
    if not 0 <= k <= a.shape[d]:
        raise RuntimeError("selected index k out of range")
    idx = _span(_argsort(a, d, largest), d, 0, k)
    if input._data.ndim == 0:
        idx = idx.reshape(())
    values = apply1(TOPK, input, {"dim": d, "index": idx, "shape": input._data.shape})
    return topk_result(values, make(idx))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> kthvalue_result:
    """The ``k``-th smallest value along ``dim`` (k counts from 1), with its index."""
    a, d = _sort_axis(input, dim)
    if not 1 <= k <= a.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    idx = _span(_argsort(a, d, False), d, k - 1, k)
    if input._data.ndim == 0:
        idx = idx.reshape(())
    out_shape = idx.shape if keepdim or not input._data.ndim else np.squeeze(idx, d).shape
    kw = {"dim": d, "index": idx, "shape": input._data.shape, "out_shape": out_shape}
    values = apply1(KTHVALUE, input, kw)
    return kthvalue_result(values, make(idx.reshape(out_shape)))


# ----------------------------------------------------------------- no gradient
def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values (or slices along ``dim``), always sorted; no gradient flows."""
    a = input._data
    if dim is None:
        values, inverse, counts = np.unique(
            a.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False
        )
        inverse = inverse.reshape(a.shape)
    else:
        d = norm_dim(dim, a.ndim)
        values, inverse, counts = np.unique(
            _at1(a), return_inverse=True, return_counts=True, axis=d
        )
        inverse = inverse.reshape(-1)
    out = make(values)
    if not (return_inverse or return_counts):
        return out
    extra = []
    if return_inverse:
        extra.append(make(inverse.astype(np.int64)))
    if return_counts:
        extra.append(make(counts.astype(np.int64)))
    return (out, *extra)


def _search(seq: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    """Insertion points of ``values`` in each row of ``seq`` (the rows' leading dims match)."""
    if seq.ndim == 1:
        return np.searchsorted(seq, values, side="right" if right else "left")
    # One comparison per (value, boundary) pair, so rows never mix. Negated, so that a NaN
    # value lands past every boundary, as in torch.
    s = seq[..., None, :]
    v = values[..., :, None]
    return (~(s > v) if right else ~(s >= v)).sum(-1)


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Where each value of ``input`` would go in the innermost dim of ``sorted_sequence``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"ndgrad.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "ndgrad.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    scalar = not isinstance(input, Tensor)
    values = B.asarray(input, seq) if scalar else input._data
    if seq.ndim > 1 and (scalar or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            "ndgrad.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}"
        )
    out = B.array(_search(seq, values, right))
    return make(out.astype(np.int32 if out_int32 else np.int64))


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value: boundaries[i-1] < x <= boundaries[i] (``<`` on the right
    with ``right=True``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


_ISIN_TAIL = "*, bool assume_unique = False, bool invert = False, Tensor out = None)\n"
_ISIN_SIGNATURES = (
    f" * (Tensor elements, Tensor test_elements, {_ISIN_TAIL}"
    f" * (Number element, Tensor test_elements, {_ISIN_TAIL}"
    f" * (Tensor elements, Number test_element, {_ISIN_TAIL}"
)


def isin(
    elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False
) -> Tensor:
    """Whether each of ``elements`` is one of ``test_elements`` (a bool tensor like
    ``elements``; either may be a number). Not differentiable."""
    both = (elements, test_elements)
    tensors = [v for v in both if isinstance(v, Tensor)]
    if not tensors or not all(isinstance(v, (Tensor, int, float)) for v in both):
        got = ", ".join(type(v).__name__ for v in both)
        raise TypeError(
            f"isin() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n{_ISIN_SIGNATURES}"
        )
    if any(
        isinstance(v, bool) or (isinstance(v, Tensor) and v._data.dtype.kind == "b") for v in both
    ):
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    # Compared in the dtype torch promotes the two to: a float32 tensor holds 0.1 as 0.1f.
    a, b = promote(*(v._data if isinstance(v, Tensor) else v for v in both))
    like = tensors[0]._data
    dtype = (a if B.is_array(a) else b).dtype
    a, b = B.asarray(a, like, dtype), B.asarray(b, like, dtype)
    return make(B.array(np.isin(a, b, assume_unique=assume_unique, invert=invert)))
