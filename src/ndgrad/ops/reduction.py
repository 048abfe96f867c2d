"""Reductions: sum and mean, with their VJPs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from . import _math as m
from ._registry import apply1, defop
from ._util import norm_dims

__all__ = [
    "sum",
    "mean",
]


def _expand_back(g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> Any:
    """Broadcast a reduced gradient back over the axes that were reduced."""
    if not keepdim and axes:
        kept = list(shape)
        for a in axes:
            kept[a] = 1
        g = m.reshape(g, tuple(kept))
    return m.expand(g, shape)


def _sum_fwd(x: np.ndarray, axes: Any, keepdim: bool, shape: Any, dtype: Any) -> Any:
    return np.sum(x, axis=axes, keepdims=keepdim, dtype=dtype)


def _mean_fwd(x: np.ndarray, axes: Any, keepdim: bool, shape: Any) -> Any:
    return np.mean(x, axis=axes, keepdims=keepdim)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


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


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    shape = input._data.shape
    np_dtype = None
    if dtype is not None:
        np_dtype = dtype.np
    elif input._data.dtype.kind in "biu":
        np_dtype = np.int64
    if dim is None:
        kw = {"axes": None, "keepdim": False, "shape": shape, "dtype": np_dtype}
        return apply1(SUM, input, kw)
    axes = norm_dims(dim, len(shape))
    kw = {"axes": axes, "keepdim": keepdim, "shape": shape, "dtype": np_dtype}
    return apply1(SUM_DIM, input, kw)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {D._BY_NP[input._data.dtype].scalar_name}"
        )
    shape = input._data.shape
    if dim is None:
        axes = tuple(range(len(shape)))
        return apply1(MEAN, input, {"axes": axes, "keepdim": False, "shape": shape})
    axes = norm_dims(dim, len(shape))
    return apply1(MEAN_DIM, input, {"axes": axes, "keepdim": keepdim, "shape": shape})
