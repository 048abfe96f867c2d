"""Reductions and scans: sum, mean, prod, max/min, var/std, logsumexp, cumsum, norm, median."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend as B
from .. import _dtype as D
from .. import return_types
from .._tensor import Tensor, make
from . import _math as m
from . import elementwise as E
from ._registry import apply1, defop
from ._util import norm_dim, norm_dims

__all__ = [
    "sum",
    "mean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "logsumexp",
    "cumsum",
    "cumprod",
    "cummax",
    "cummin",
    "norm",
    "vector_norm",
    "all",
    "any",
    "count_nonzero",
    "median",
    "mode",
    "nansum",
    "nanmean",
    "histc",
    "bincount",
    "aminmax",
    "logcumsumexp",
    "dist",
    "diff",
    "cov",
    "corrcoef",
]

_INF = float("inf")


max_type = return_types.max
min_type = return_types.min
median_type = return_types.median
mode_type = return_types.mode
cummax_type = return_types.cummax
cummin_type = return_types.cummin
aminmax_type = return_types.aminmax


# ------------------------------------------------------------------ helpers
def _expand_back(g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> Any:
    """Broadcast a reduced gradient back over the axes that were reduced."""
    if not keepdim and axes:
        g = m.reshape(g, _kept(shape, axes))
    return m.expand(g, shape)


def _kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``axes`` kept as size 1."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _axes(dim: Any, ndim: int) -> tuple[int, ...]:
    """Reduced axes: None and an empty list both mean every axis, as in torch."""
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return tuple(range(ndim))
    return norm_dims(dim, ndim)


def _one_dim(dim: Any, ndim: int, fn: str) -> int:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{fn}(): argument 'dim' must be int, not {type(dim).__name__}")
    return norm_dim(int(dim), ndim)


def _scalar_name(x: np.ndarray) -> str:
    return D._BY_NP[x.dtype].scalar_name


def _float_out(t: Tensor) -> Tensor:
    # Integer inputs of float reductions compute in the default dtype, as in torch.
    if t._data.dtype.kind in "biu":
        return make(t._data.astype(D.get_default_dtype().np))
    return t


def _int_acc(x: np.ndarray, dtype: Any) -> Any:
    """The NumPy dtype a sum/prod/scan accumulates in: torch widens integers to int64."""
    if dtype is not None:
        return dtype.np
    return np.int64 if x.dtype.kind in "biu" else None


def _nonempty(t: Tensor, axes: tuple[int, ...], fn: str, dim: Any) -> None:
    shape = t._data.shape
    if dim is None and t._data.size == 0:
        raise RuntimeError(
            f"{fn}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    for a in axes:
        if shape[a] == 0:
            raise IndexError(f"{fn}(): Expected reduction dim {a} to have non-zero size.")


def _evenly(g: Any, x: Any, out: Any, axes: tuple[int, ...], keepdim: bool) -> Any:
    """The gradient of a selected value, shared evenly among the elements that tie for it."""
    xd = m.data(x)
    od = m.data(out)
    if not keepdim:
        od = od.reshape(_kept(xd.shape, axes))
    mask = (xd == od) | (np.isnan(xd) & np.isnan(od))
    share = mask / mask.sum(axis=axes, keepdims=True)
    return _expand_back(g, xd.shape, axes, keepdim) * m.const(g, share.astype(xd.dtype))


# ---------------------------------------------------------------- sum, mean
def _sum_fwd(x: np.ndarray, axes: Any, keepdim: bool, shape: Any, dtype: Any) -> Any:
    return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)  # the method: no np.sum wrapper


def _mean_fwd(x: np.ndarray, axes: Any, keepdim: bool, shape: Any) -> Any:
    return np.mean(x, axis=axes, keepdims=keepdim)


SUM = defop(
    "SumBackward0",
    _sum_fwd,
    lambda g, x, out, axes, keepdim, shape, dtype: m.expand(g, shape),
)
SUM_DIM = defop(
    "SumBackward1",
    _sum_fwd,
    lambda g, x, out, axes, keepdim, shape, dtype: _expand_back(g, shape, axes, keepdim),
)
MEAN = defop(
    "MeanBackward0",
    _mean_fwd,
    lambda g, x, out, axes, keepdim, shape: m.expand(g, shape) / _count(shape, axes),
)
MEAN_DIM = defop(
    "MeanBackward1",
    _mean_fwd,
    lambda g, x, out, axes, keepdim, shape: (
        _expand_back(g, shape, axes, keepdim) / _count(shape, axes)
    ),
)
# NaNs take no part in the sum, so they get no gradient.
NANSUM = defop(
    "NansumBackward0",
    lambda x, axes, keepdim, dtype: np.nansum(x, axis=axes, keepdims=keepdim, dtype=dtype),
    lambda g, x, out, axes, keepdim, dtype: (
        _expand_back(g, m.data(x).shape, axes, keepdim) * m.const(g, ~np.isnan(m.data(x)))
    ),
    save_in=True,
)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    shape = input._data.shape
    np_dtype = _int_acc(input._data, dtype)
    if dim is None and not keepdim:
        kw = {"axes": None, "keepdim": False, "shape": shape, "dtype": np_dtype}
        return apply1(SUM, input, kw)
    axes = _axes(dim, len(shape))
    kw = {"axes": axes, "keepdim": keepdim, "shape": shape, "dtype": np_dtype}
    return apply1(SUM_DIM, input, kw)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_scalar_name(input._data)}"
        )
    shape = input._data.shape
    axes = _axes(dim, len(shape))
    if dim is None and not keepdim:
        return apply1(MEAN, input, {"axes": axes, "keepdim": False, "shape": shape})
    return apply1(MEAN_DIM, input, {"axes": axes, "keepdim": keepdim, "shape": shape})


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    axes = _axes(dim, input._data.ndim)
    kw = {"axes": axes, "keepdim": keepdim, "dtype": _int_acc(input._data, dtype)}
    return apply1(NANSUM, input, kw)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_scalar_name(x)}"
        )
    axes = _axes(dim, x.ndim)
    count = (~np.isnan(x)).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
    return E.div(nansum(input, axes, keepdim), make(count))


# --------------------------------------------------------------------- prod
def _prod_vjp(g: Any, x: Any, out: Any, axes: Any, keepdim: bool, dtype: Any) -> Any:
    xd = m.data(x)
    shape = xd.shape
    ge = _expand_back(g, shape, axes, keepdim)
    zero = xd == 0
    if not zero.any():
        return ge * _expand_back(out, shape, axes, keepdim) / x
    # With zeros, out / x is 0 / 0. A slice with one zero at z: z gets the product of the
    # others (p), every other i gets p / x_i * x_z, which is 0 but keeps its derivative in
    # x_z for double backward. Two zeros or more: all zero, as in torch.
    nz = zero.sum(axis=axes, keepdims=True)
    xs = m.where(zero, 1.0, x)
    p = m.call(PROD_DIM, xs, axes=axes, keepdim=True, dtype=None)
    q = m.call(SUM_DIM, m.where(zero, x, 0.0), axes=axes, keepdim=True, shape=shape, dtype=None)
    q = q + m.const(q, (nz == 0).astype(xd.dtype))
    grad = m.where(zero, p, p / xs * q)
    return ge * m.where(np.broadcast_to(nz >= 2, shape), 0.0, grad)


def _prod_fwd(x: np.ndarray, axes: Any, keepdim: bool, dtype: Any) -> Any:
    return np.prod(x, axis=axes, keepdims=keepdim, dtype=dtype)


PROD = defop("ProdBackward0", _prod_fwd, _prod_vjp, save_in=True, save_out=True)
PROD_DIM = defop("ProdBackward1", _prod_fwd, _prod_vjp, save_in=True, save_out=True)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    x = input._data
    np_dtype = _int_acc(x, dtype)
    if dim is None:
        return apply1(
            PROD, input, {"axes": tuple(range(x.ndim)), "keepdim": False, "dtype": np_dtype}
        )
    d = _one_dim(dim, x.ndim, "prod")
    axes = (d,) if x.ndim else ()
    return apply1(PROD_DIM, input, {"axes": axes, "keepdim": keepdim, "dtype": np_dtype})


# --------------------------------------------- values picked out by an index
def _take(x: np.ndarray, idx: np.ndarray, dim: int, keepdim: bool, shape: Any) -> np.ndarray:
    if x.ndim == 0:
        return x.copy()
    out = np.take_along_axis(x, idx, dim)
    return out if keepdim else out.squeeze(dim)


def _put(g: np.ndarray, idx: np.ndarray, dim: int, keepdim: bool, shape: Any) -> np.ndarray:
    """Scatter ``g`` into zeros at ``idx`` along ``dim``; repeated indices add up."""
    g = B.array(g)
    if not shape:
        return g.copy()
    z = B.zeros(g, shape)
    if not keepdim:
        g = np.expand_dims(g, dim)
    if idx.shape[dim] == 1:
        np.put_along_axis(z, idx, g, dim)
    else:
        xp = B.xp(idx)
        grid = list(xp.ix_(*[xp.arange(n) for n in idx.shape]))
        grid[dim] = idx
        B.scatter_add(z, tuple(grid), g)
    return z


def _take_vjp(g: Any, x: Any, out: Any, idx: Any, dim: int, keepdim: bool, shape: Any) -> Any:
    return m.call(PUT, g, idx=idx, dim=dim, keepdim=keepdim, shape=shape)


def _put_vjp(g: Any, x: Any, out: Any, idx: Any, dim: int, keepdim: bool, shape: Any) -> Any:
    # Gathering along dim is what the selecting ops' forward does.
    return m.call(MAX_DIM, g, idx=idx, dim=dim, keepdim=keepdim, shape=None)


MAX_DIM = defop("MaxBackward0", _take, _take_vjp)
MIN_DIM = defop("MinBackward0", _take, _take_vjp)
MEDIAN_DIM = defop("MedianBackward1", _take, _take_vjp)
MODE = defop("ModeBackward0", _take, _take_vjp)
CUMMAX = defop("CummaxBackward0", _take, _take_vjp)
CUMMIN = defop("CumminBackward0", _take, _take_vjp)
# torch's own scatter is ScatterBackward0 / ScatterAddBackward0: names the indexing family's
# scatter ops take; this one appears only in double backward of the ops above.
PUT = defop("ValueSelectingReductionBackward0", _put, _put_vjp)


def _select(op: Any, rt: type, input: Tensor, idx: np.ndarray, dim: int, keepdim: bool) -> Any:
    """``(values, indices)`` for ``idx`` holding one index per slice (keepdim-shaped)."""
    kw = {"idx": idx, "dim": dim, "keepdim": keepdim, "shape": input._data.shape}
    values = apply1(op, input, kw)
    if input._data.ndim and not keepdim and idx.shape[dim] == 1:
        idx = idx.squeeze(dim)
    return rt(values, make(idx.astype(np.int64)))


# ------------------------------------------------------------------ max, min
def _extreme_fwd(
    reduce: Callable[..., Any],
) -> Callable[[np.ndarray, tuple[int, ...], bool], Any]:
    def fwd(x: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> Any:
        return reduce(x, axis=axes, keepdims=keepdim)

    return fwd


def _evenly_vjp(g: Any, x: Any, out: Any, axes: tuple[int, ...], keepdim: bool) -> Any:
    return _evenly(g, x, out, axes, keepdim)


MAX = defop("MaxBackward1", _extreme_fwd(np.max), _evenly_vjp, save_in=True, save_out=True)
MIN = defop("MinBackward1", _extreme_fwd(np.min), _evenly_vjp, save_in=True, save_out=True)
AMAX = defop("AmaxBackward0", _extreme_fwd(np.max), _evenly_vjp, save_in=True, save_out=True)
AMIN = defop("AminBackward0", _extreme_fwd(np.min), _evenly_vjp, save_in=True, save_out=True)


def _extreme(
    input: Tensor,
    dim: Any,
    keepdim: bool,
    other: Any,
    name: str,
) -> Any:
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return _binary_extreme(input, other, name)
    x = input._data
    full, op_dim, rt, arg = (
        (MAX, MAX_DIM, max_type, np.argmax)
        if name == "max"
        else (MIN, MIN_DIM, min_type, np.argmin)
    )
    if dim is None:
        _nonempty(input, (), name, None)
        return apply1(full, input, {"axes": tuple(range(x.ndim)), "keepdim": False})
    d = _one_dim(dim, x.ndim, name)
    _nonempty(input, (d,) if x.ndim else (), name, d)
    idx = np.expand_dims(arg(x, axis=d), d) if x.ndim else _index0(x)
    return _select(op_dim, rt, input, idx, d, keepdim)


def _binary_extreme(input: Tensor, other: Any, name: str) -> Tensor:
    return E.maximum(input, other) if name == "max" else E.minimum(input, other)


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    """The largest element; with ``dim``, (values, indices); with a tensor, the maximum."""
    return _extreme(input, dim, keepdim, other, "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    """The smallest element; with ``dim``, (values, indices); with a tensor, the minimum."""
    return _extreme(input, dim, keepdim, other, "min")


def _amax(op: Any, name: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    axes = _axes(dim, input._data.ndim)
    _nonempty(input, axes, name, dim if axes else None)
    return apply1(op, input, {"axes": axes, "keepdim": keepdim})


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _amax(AMAX, "amax", input, dim, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _amax(AMIN, "amin", input, dim, keepdim)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """(min, max) over ``dim``, or over every element when it is None."""
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        axes: Any = None
    else:
        axes = _one_dim(dim, x.ndim, "aminmax")
        if x.ndim and x.shape[axes] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {axes} to have non-zero size.")
    return aminmax_type(amin(input, axes, keepdim), amax(input, axes, keepdim))


def _argext(fn: Callable[..., Any], name: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    x = input._data
    if dim is None:
        if x.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        out = B.array(fn(x)).astype(np.int64)
        return make(out.reshape((1,) * x.ndim) if keepdim else out)
    d = _one_dim(dim, x.ndim, name)
    if not x.ndim:
        return make(_index0(x))
    _nonempty(input, (d,), name, d)
    return make(fn(x, axis=d, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _argext(np.argmax, "argmax", input, dim, keepdim)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _argext(np.argmin, "argmin", input, dim, keepdim)


# ------------------------------------------------------------ median, mode
def _median_fwd(x: np.ndarray) -> Any:
    flat = x.reshape(-1)
    if flat.size == 0 or (flat.dtype.kind in "fc" and np.isnan(flat).any()):
        return B.full(x, (), np.nan)
    k = (flat.size - 1) // 2
    return np.partition(flat, k)[k]


# The lower median, as torch takes it; ties share the gradient evenly.
MEDIAN = defop(
    "MedianBackward0",
    _median_fwd,
    lambda g, x, out: _evenly(g, x, out, tuple(range(np.ndim(m.data(x)))), False),
    save_in=True,
    save_out=True,
)


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median of all elements; with ``dim``, (values, indices) per slice."""
    x = input._data
    if dim is None:
        return apply1(MEDIAN, input)
    d = _one_dim(dim, x.ndim, "median")
    if not x.ndim:
        return _select(MEDIAN_DIM, median_type, input, _index0(x), 0, keepdim)
    _nonempty(input, (d,), "median", d)
    order = B.argsort(x, d)
    k = (x.shape[d] - 1) // 2
    idx = np.expand_dims(np.take(order, k, axis=d), d)
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        first_nan = np.expand_dims(nan.argmax(axis=d), d)
        idx = np.where(nan.any(axis=d, keepdims=True), first_nan, idx)
    return _select(MEDIAN_DIM, median_type, input, idx, d, keepdim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """The most frequent value per slice (the smallest on ties) and its last index."""
    x = input._data
    d = _one_dim(dim, x.ndim, "mode")
    if not x.ndim:
        return _select(MODE, mode_type, input, _index0(x), 0, keepdim)
    if x.size == 0:
        empty = B.zeros(x, _kept(x.shape, (d,)), np.int64)
        return _select(MODE, mode_type, input, empty, d, keepdim)
    s = np.sort(x, axis=d)
    n = x.shape[d]
    pos = _positions(x, d)
    starts = np.ones_like(s, bool)
    np.not_equal(_part(s, d, 1, None), _part(s, d, None, -1), out=_part(starts, d, 1, None))
    run_start = _running(np.maximum, np.where(starts, pos, 0), d)
    length = pos - run_start + 1
    best = np.expand_dims(length.argmax(axis=d), d)
    value = np.take_along_axis(s, best, d)
    hit = x == value
    idx = n - 1 - np.expand_dims(np.flip(hit, d).argmax(axis=d), d)
    return _select(MODE, mode_type, input, idx, d, keepdim)


def _index0(x: np.ndarray) -> np.ndarray:
    """The index 0 on ``x``'s device: the only one a 0-d tensor has."""
    return B.zeros(x, (), np.int64)


def _positions(x: np.ndarray, dim: int) -> np.ndarray:
    """0..n-1 laid along ``dim`` of ``x`` (on its device), to broadcast against it."""
    n = x.shape[dim]
    return B.xp(x).arange(n).reshape((n,) + (1,) * (x.ndim - dim - 1))


def _part(a: np.ndarray, dim: int, start: Any, stop: Any) -> np.ndarray:
    """The view ``a[..., start:stop, ...]`` with the slice along ``dim``."""
    index = [slice(None)] * a.ndim
    index[dim] = slice(start, stop)
    return a[tuple(index)]


def _running(uf: Any, x: np.ndarray, dim: int) -> np.ndarray:
    """``uf.accumulate(x, dim)`` for an associative ``uf``. GPU libraries accumulate only
    add and multiply, so other arrays combine runs of doubling length (log2(n) passes)."""
    if type(x) is np.ndarray:
        return uf.accumulate(x, axis=dim)
    out = x.copy()
    step = 1
    while step < x.shape[dim]:
        done = _part(out, dim, None, -step)
        _part(out, dim, step, None)[...] = uf(_part(out, dim, step, None), done)
        step *= 2
    return out


# ------------------------------------------------------------------ var, std
def _var_fwd(x: np.ndarray, axes: tuple[int, ...], correction: Any, keepdim: bool) -> Any:
    d = x - x.mean(axis=axes, keepdims=True)
    sq = (d * d.conj()).real if d.dtype.kind == "c" else d * d
    dof = builtins.max(0, _count(x.shape, axes) - correction)
    return np.sum(sq, axis=axes, keepdims=keepdim) / dof


def _var_vjp(
    g: Any, x: Any, out: Any, axes: tuple[int, ...], correction: Any, keepdim: bool
) -> Any:
    shape = m.data(x).shape
    dof = np.float64(builtins.max(0, _count(shape, axes) - correction))
    mu = m.call(MEAN_DIM, x, axes=axes, keepdim=True, shape=shape)
    return _expand_back(g, shape, axes, keepdim) * (x - mu) * (2.0 / dof)


def _std_vjp(
    g: Any, x: Any, out: Any, axes: tuple[int, ...], correction: Any, keepdim: bool
) -> Any:
    # torch takes the gradient of a zero standard deviation as zero.
    zero = m.data(out) == 0
    gv = m.where(zero, 0.0, g / (2 * m.where(zero, 1.0, out)))
    return _var_vjp(gv, x, out, axes, correction, keepdim)


VAR = defop("VarBackward0", _var_fwd, _var_vjp, save_in=True)
STD = defop(
    "StdBackward0",
    lambda x, axes, correction, keepdim: np.sqrt(_var_fwd(x, axes, correction, keepdim)),
    _std_vjp,
    save_in=True,
    save_out=True,
)


def _var_args(
    name: str, input: Tensor, dim: Any, unbiased: Any, correction: Any
) -> tuple[tuple[int, ...], Any]:
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got both 'unbiased' and "
            "'correction'"
        )
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _axes(dim, x.ndim)
    if _count(x.shape, axes) - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    return axes, correction


def _moment(
    op: Any, name: str, input: Tensor, dim: Any, unbiased: Any, keepdim: bool, c: Any
) -> Any:
    axes, c = _var_args(name, input, dim, unbiased, c)
    return apply1(op, input, {"axes": axes, "correction": c, "keepdim": keepdim}), axes


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    return _moment(VAR, "var", input, dim, unbiased, keepdim, correction)[0]


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    return _moment(STD, "std", input, dim, unbiased, keepdim, correction)[0]


# Our nodes have one output each, so the pair is two nodes (torch: one VarMeanBackward0).
def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    v, axes = _moment(VAR, "var_mean", input, dim, unbiased, keepdim, correction)
    return v, mean(input, axes, keepdim)


def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    s, axes = _moment(STD, "std_mean", input, dim, unbiased, keepdim, correction)
    return s, mean(input, axes, keepdim)


# ---------------------------------------------------------------- logsumexp
def _lse_fwd(x: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> Any:
    if x.size == 0:
        return np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim))
    top = np.max(x, axis=axes, keepdims=True)
    top = np.where(np.isinf(top), 0, top)
    out = np.log(np.sum(np.exp(x - top), axis=axes, keepdims=True)) + top
    return out if keepdim else out.reshape([s for i, s in enumerate(x.shape) if i not in axes])


# Fused: exp(x - out) is the softmax without a second pass, and never overflows.
LOGSUMEXP = defop(
    "LogsumexpBackward0",
    _lse_fwd,
    lambda g, x, out, axes, keepdim: (
        _expand_back(g, m.data(x).shape, axes, keepdim)
        * m.call(E.EXP, x - _expand_back(out, m.data(x).shape, axes, keepdim))
    ),
    save_in=True,
    save_out=True,
)


# softmax and log_softmax over one dim: one node each, as in torch, from the max-shifted
# exponentials (torch's kernel formula).
def _shifted(x: np.ndarray, dim: int) -> np.ndarray:
    top = np.max(x, axis=dim, keepdims=True)
    return x - np.where(np.isinf(top), 0, top)


def _softmax_fwd(x: np.ndarray, dim: int) -> Any:
    e = np.exp(_shifted(x, dim))
    return e / np.sum(e, axis=dim, keepdims=True)


def _log_softmax_fwd(x: np.ndarray, dim: int) -> Any:
    z = _shifted(x, dim)
    return z - np.log(np.sum(np.exp(z), axis=dim, keepdims=True))


def _sum_kept(g: Any, dim: int | None) -> Any:
    """The sum over ``dim`` kept as size 1 (over nothing for a 0-dim tensor's None)."""
    shape = m.data(g).shape
    axes = () if dim is None else (dim,)
    return m.call(SUM_DIM, g, axes=axes, keepdim=True, shape=shape, dtype=None)


SOFTMAX = defop(
    "SoftmaxBackward0",
    _softmax_fwd,
    lambda g, x, out, dim: out * (g - _sum_kept(g * out, dim)),
    save_out=True,
)
LOG_SOFTMAX = defop(
    "LogSoftmaxBackward0",
    _log_softmax_fwd,
    lambda g, x, out, dim: g - m.call(E.EXP, out) * _sum_kept(g, dim),
    save_out=True,
)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    input = _float_out(input)
    axes = _axes(dim, input._data.ndim)
    return apply1(LOGSUMEXP, input, {"axes": axes, "keepdim": keepdim})


# -------------------------------------------------------------------- scans
def _scan(fn: Callable[..., Any], x: np.ndarray, dim: int, reverse: bool, dtype: Any) -> Any:
    if x.ndim == 0:
        return x.astype(dtype) if dtype is not None else x.copy()
    if reverse:
        return np.flip(fn(np.flip(x, dim), axis=dim, dtype=dtype), dim).copy()
    return fn(x, axis=dim, dtype=dtype)


def _revcumsum(g: Any, dim: int) -> Any:
    return m.call(CUMSUM, g, dim=dim, reverse=True, dtype=None)


def _cumprod_vjp(g: Any, x: Any, out: Any, dim: int, dtype: Any) -> Any:
    xd = m.data(x)
    if xd.ndim == 0:
        return g
    zero = xd == 0
    if not zero.any():
        return _revcumsum(g * out, dim) / x
    # Before the first zero z of a slice, out / x_i is still exact; at z, the gradient is
    # prod(x[:z]) * sum_{k >= z} g_k * prod(x[z+1:k+1]); after z it is zero.
    n = xd.shape[dim]
    pos = _positions(xd, dim)
    first = np.where(zero.any(axis=dim, keepdims=True), zero.argmax(axis=dim, keepdims=True), n)
    before = np.broadcast_to(pos < first, xd.shape)
    x_before = m.where(before, x, 1.0)
    head = m.where(before, _revcumsum(g * out, dim) / x_before, 0.0)
    left = m.call(PROD_DIM, x_before, axes=(dim,), keepdim=True, dtype=None)
    right = m.call(CUMPROD, m.where(pos <= first, 1.0, x), dim=dim, dtype=None)
    tail = m.where(pos >= first, g * right, 0.0)
    at_z = left * m.call(SUM_DIM, tail, axes=(dim,), keepdim=True, shape=xd.shape, dtype=None)
    return head + m.where(np.broadcast_to(pos == first, xd.shape), at_z, 0.0)


CUMSUM = defop(
    "CumsumBackward0",
    lambda x, dim, reverse, dtype: _scan(np.cumsum, x, dim, reverse, dtype),
    lambda g, x, out, dim, reverse, dtype: m.call(
        CUMSUM, g, dim=dim, reverse=not reverse, dtype=None
    ),
)
CUMPROD = defop(
    "CumprodBackward0",
    lambda x, dim, dtype: _scan(np.cumprod, x, dim, False, dtype),
    _cumprod_vjp,
    save_in=True,
    save_out=True,
)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    x = input._data
    d = _one_dim(dim, x.ndim, "cumsum")
    return apply1(CUMSUM, input, {"dim": d, "reverse": False, "dtype": _int_acc(x, dtype)})


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    x = input._data
    d = _one_dim(dim, x.ndim, "cumprod")
    return apply1(CUMPROD, input, {"dim": d, "dtype": _int_acc(x, dtype)})


def _cumext(input: Tensor, dim: int, name: str) -> Any:
    x = input._data
    d = _one_dim(dim, x.ndim, name)
    op, rt, acc = (
        (CUMMAX, cummax_type, np.maximum)
        if name == "cummax"
        else (CUMMIN, cummin_type, np.minimum)
    )
    if not x.ndim:
        return _select(op, rt, input, _index0(x), 0, True)
    run = _running(acc, x, d)
    # An element equal to the running extreme takes over its index (the latest tie wins,
    # as in torch); a NaN takes over and stays.
    new = x == run
    if x.dtype.kind == "f":
        new |= np.isnan(x)
    pos = _positions(x, d)
    idx = _running(np.maximum, np.where(new, pos, 0), d)
    return _select(op, rt, input, idx, d, True)


def cummax(input: Tensor, dim: int) -> Any:
    return _cumext(input, dim, "cummax")


def cummin(input: Tensor, dim: int) -> Any:
    return _cumext(input, dim, "cummin")


def _logcumsumexp_vjp(g: Any, x: Any, out: Any, dim: int, reverse: bool) -> Any:
    # The gradient of x_j is the sum over the later i of g_i * exp(x_j - out_i).
    gd = m.data(g)
    if not gd.ndim:
        return g  # the scan of one element is that element
    if isinstance(g, Tensor):
        return _logcumsumexp_linear(g, x, out, dim, reverse)
    # Plain backward: in log space, the positive and the negative g_i apart, so that no
    # exponential overflows whatever the range of x (log(0) taken as the lowest float).
    lowest = float(np.finfo(gd.dtype).min)
    log_abs = np.log(np.where(gd != 0, np.abs(gd), 1.0))

    def part(sign: np.ndarray) -> Any:
        logs = np.where(sign, log_abs, lowest) - out
        return np.exp(_scan(_logaddexp_scan, logs, dim, not reverse, None) + x)

    return part(gd > 0) - part(gd < 0)


def _logcumsumexp_linear(g: Tensor, x: Tensor, out: Tensor, dim: int, reverse: bool) -> Any:
    """The gradient as a function linear in ``g`` (the log-space one is not, at g = 0), for
    differentiating the backward and for forward mode: exp(x_j - k) * sum g_i exp(k - out_i)
    with k per slice halfway between min(out) and max(x), so neither factor overflows while
    the slice spans less than about 1400 (float64)."""
    xd, od = x._data, out._data
    k = (np.min(od, axis=dim, keepdims=True) + np.max(xd, axis=dim, keepdims=True)) / 2
    k = np.where(np.isfinite(k), k, 0.0)
    scaled = g * m.call(E.EXP, -(out - k))
    later = m.call(CUMSUM, scaled, dim=dim, reverse=not reverse, dtype=None)
    return later * m.call(E.EXP, x - k)


def _logaddexp_scan(x: Any, axis: int, dtype: Any) -> Any:
    # One pass in order wherever the array library has it, so every CPU run (eager or
    # compiled) rounds alike; GPU libraries accumulate only add and multiply.
    try:
        return np.logaddexp.accumulate(x, axis=axis)
    except NotImplementedError:
        return _running(np.logaddexp, x, axis)


# Fused: a logaddexp scan is exact where exp(x - max) of a shifted cumsum underflows.
LOGCUMSUMEXP = defop(
    "LogcumsumexpBackward0",
    lambda x, dim, reverse: _scan(_logaddexp_scan, x, dim, reverse, None),
    _logcumsumexp_vjp,
    save_in=True,
    save_out=True,
)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(input), dim))`` without overflow."""
    x = input._data
    d = _one_dim(dim, x.ndim, "logcumsumexp")
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_scalar_name(x)}'"
        )
    return apply1(LOGCUMSUMEXP, input, {"dim": d, "reverse": False})


# --------------------------------------------------------------------- norms
def _norm_fwd(x: np.ndarray, ord: Any, axes: tuple[int, ...], keepdim: bool) -> Any:
    a = np.abs(x)
    if ord == 2:
        return np.sqrt(np.sum((a * a), axis=axes, keepdims=keepdim))
    if ord == _INF:
        return np.max(a, axis=axes, keepdims=keepdim)
    if ord == -_INF:
        return np.min(a, axis=axes, keepdims=keepdim)
    if ord == 0:
        return np.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
    if ord == 1:
        return np.sum(a, axis=axes, keepdims=keepdim)
    return np.sum(a**ord, axis=axes, keepdims=keepdim) ** (1.0 / ord)


def _norm_vjp(g: Any, x: Any, out: Any, ord: Any, axes: tuple[int, ...], keepdim: bool) -> Any:
    xd = m.data(x)
    shape = xd.shape
    if ord == 0:
        return None  # a count of nonzeros: torch sends back no gradient at all
    ge = _expand_back(g, shape, axes, keepdim)
    sign = m.call(E.SIGN, x)
    if ord == 1:
        return ge * sign
    if abs(ord) == _INF:
        return _evenly(g, m.call(E.ABS, x), out, axes, keepdim) * sign
    oute = _expand_back(out, shape, axes, keepdim)
    # A zero norm (every element zero) gets a zero gradient, as in torch.
    oute = m.where(m.data(oute) == 0, 1.0, oute)
    if ord == 2:
        return ge * x / oute
    if ord >= 2:
        scaled = x * m.call(E.ABS, x) ** (ord - 2)
    else:
        # |x| ** (ord - 1) is infinite at 0 for ord < 1: torch's subgradient there is 0.
        zero = xd == 0
        scaled = m.where(zero, 0.0, sign * m.where(zero, 1.0, m.call(E.ABS, x)) ** (ord - 1))
    return ge * scaled / oute ** (ord - 1)


NORM = defop("LinalgVectorNormBackward0", _norm_fwd, _norm_vjp, save_in=True, save_out=True)


def vector_norm(
    x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (every element when None)."""
    if dtype is not None:
        if dtype.category < D.FLOAT:
            raise RuntimeError(
                f"linalg.vector_norm: dtype should be floating point or complex, but got "
                f"{dtype.scalar_name}"
            )
        x = x.to(dtype)
    a = x._data
    if a.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            + _scalar_name(a)
        )
    axes = _axes(dim, a.ndim)
    if ord < 0 or ord == _INF:
        for ax in axes if dim is not None else ():
            if a.shape[ax] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {ord} norm on the dimension {ax}"
                    "because this dimension is empty and the operation does not have an identity"
                )
        if dim is None and a.size == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because "
                "the operation does not have an identity"
            )
    return apply1(NORM, x, {"ord": float(ord), "axes": axes, "keepdim": keepdim})


def norm(
    input: Tensor,
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    out: Any = None,
    dtype: Any = None,
) -> Tensor:
    """torch.norm: vector norms of any order, and the Frobenius norm."""
    if isinstance(p, str):
        if p == "nuc":
            from ..linalg import matrix_norm

            # As torch: without dim, all dims (so only matrices are accepted).
            dims = tuple(range(input.dim())) if dim is None else dim
            return matrix_norm(input, "nuc", dim=dims, keepdim=keepdim)
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        p = 2
    if p is None:
        p = 2
    if isinstance(dim, int):
        dim = (dim,)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def dist(input: Tensor, other: Tensor, p: Any = 2) -> Tensor:
    """The ``p``-norm of ``input - other``."""
    E._need_tensor("dist", "other", 2, other)
    d = E.sub(input, other)
    if d._data.dtype.kind not in "fc":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{_scalar_name(d._data)} instead."
        )
    return vector_norm(d, p)


# ---------------------------------------------------------- boolean reductions
def _logical(fn: Callable[..., Any], input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    x = input._data
    axes = _axes(dim, x.ndim)
    out = fn(x, axis=axes, keepdims=keepdim)
    return make(B.array(out).astype(np.uint8 if x.dtype == np.uint8 else np.bool_, copy=False))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _logical(np.all, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _logical(np.any, input, dim, keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    x = input._data
    axes = _axes(dim, x.ndim)
    return make(B.array(np.count_nonzero(x, axis=axes)).astype(np.int64, copy=False))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (the data's range if both
    are 0); values outside are ignored. Not differentiable, as in torch."""
    x = input._data
    if x.dtype.kind not in "f":
        raise NotImplementedError(
            f"\"histogram_cpu\" not implemented for '{input.dtype.scalar_name}'"
        )
    if bins <= 0:
        raise RuntimeError("torch.histc: bins must be > 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    counts, _ = np.histogram(x, bins=bins, range=(lo, hi))
    return make(counts.astype(x.dtype))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs in 1-d ``input`` (or the sum of its weights)."""
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{input.dtype.scalar_name}'"
        )
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return make(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    out_dtype = w.dtype if w.dtype.kind == "f" else np.float64
    return make(np.bincount(x, weights=w, minlength=minlength).astype(out_dtype))


# ----------------------------------------------------- differences, covariance
def _diff_operand(input: Tensor, t: Tensor, dim: int) -> None:
    if t._data.ndim != input._data.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for i, (a, b) in enumerate(zip(input._data.shape, t._data.shape)):
        if i != dim and a != b:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({i}) = {a}, but got "
                f"tensor.size({i}) = {b}"
            )


def diff(
    input: Tensor,
    n: int = 1,
    dim: int = -1,
    prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (of ``input`` between prepend and append);
    bool tensors take the exclusive or."""
    nd = input._data.ndim
    if not nd:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = norm_dim(dim, nd)
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in parts:
        _diff_operand(input, t, d)
    x = J.cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x._data.shape[d]
        if size == 0:
            break
        later = S.narrow(x, d, 1, size - 1)
        earlier = S.narrow(x, d, 0, size - 1)
        x = E.logical_xor(later, earlier) if x._data.dtype.kind == "b" else E.sub(later, earlier)
    return x


def _cov_weights(w: Tensor | None, name: str, observations: int) -> None:
    if w is None:
        return
    a = w._data
    if a.ndim > 1:
        raise RuntimeError(
            f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
            f"{a.ndim} dimensions"
        )
    integral = name == "fweights"
    if a.dtype.kind not in ("iu" if integral else "f"):
        kind = "integral" if integral else "floating point"
        raise RuntimeError(
            f"cov(): expected {name} to have {kind} dtype but got {name} with "
            f"{_scalar_name(a)} dtype"
        )
    if a.size != observations:
        raise RuntimeError(
            f"cov(): expected {name} to have the same numel as there are observations in the "
            f"input but got {a.size} != {observations}"
        )
    if (a < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")


def _real_statistic(input: Tensor, name: str) -> None:
    x = input._data
    if x.ndim > 2:
        raise RuntimeError(
            f"{name}(): expected input to have two or fewer dimensions but got an input with "
            f"{x.ndim} dimensions"
        )
    if x.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if x.dtype.kind == "c":
        raise NotImplementedError(f"{name}(): complex input is not supported by ndgrad")


def cov(
    input: Tensor,
    *,
    correction: int = 1,
    fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:
    """Covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with optional frequency and importance weights per observation."""
    _real_statistic(input, "cov")
    x = input if input._data.ndim == 2 else S.reshape(input, (1, input._data.size))
    observations = x._data.shape[1]
    _cov_weights(fweights, "fweights", observations)
    _cov_weights(aweights, "aweights", observations)
    w = fweights
    if aweights is not None:
        w = aweights if w is None else E.mul(w, aweights)
    if w is None:
        w_sum: Any = observations
        avg = E.div(sum(x, 1), w_sum)
    else:
        w_sum = sum(w)
        avg = E.div(sum(E.mul(x, w), 1), w_sum)
    if aweights is not None and correction != 0:
        norm = w_sum - correction * sum(E.mul(w, aweights)) / w_sum
    else:
        norm = w_sum - correction
    if norm <= 0:
        warnings.warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "number of observations.",
            UserWarning,
            stacklevel=2,
        )
        norm = 0
    centred = E.sub(x, S.unsqueeze(avg, 1))
    weighted = centred if w is None else E.mul(centred, w)
    return S.squeeze(E.div(L.mm(centred, S.t(weighted)), norm))


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``."""
    _real_statistic(input, "corrcoef")
    c = cov(input)
    if not c._data.ndim:
        return E.div(c, c)
    std = E.sqrt(S.diagonal(c))
    c = E.div(E.div(c, S.unsqueeze(std, 1)), S.unsqueeze(std, 0))
    return E.clamp(c, -1, 1)


from . import joining as J  # noqa: E402
from . import linalg as L  # noqa: E402
from . import shape as S  # noqa: E402
