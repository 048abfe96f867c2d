"""Shape ops: reshape/view, transpose/permute, squeeze/unsqueeze, expand, copies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor, make, version_counter
from . import _math as m
from ._registry import apply1, defop
from ._util import norm_dim, norm_dims

__all__ = [
    "view",
    "reshape",
    "flatten",
    "transpose",
    "swapaxes",
    "swapdims",
    "t",
    "permute",
    "unsqueeze",
    "squeeze",
    "expand",
    "clone",
]


def mark_view(out: Tensor, x: Tensor, fn: Callable[[np.ndarray], np.ndarray]) -> Tensor:
    """Record that ``out`` is ``fn`` of ``x``'s memory, so in-place ops on it reach the base."""
    base = x._base
    if base is None:
        out._base = x
        out._view_fn = fn
    else:
        prev = x._view_fn
        out._base = base
        out._view_fn = lambda a: fn(prev(a))
    vc = out._vc = version_counter(x)
    out._view_version = vc[0]
    return out


def _infer_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    known = 1
    free = [i for i, s in enumerate(shape) if s == -1]
    for s in shape:
        if s != -1:
            known *= s
    if len(free) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"invalid shape dimension {min(shape)}")
    if free and known and numel % known == 0:
        return shape[: free[0]] + (numel // known,) + shape[free[0] + 1 :]
    if free or known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _view_fwd(x: np.ndarray, shape: tuple[int, ...], in_shape: Any) -> np.ndarray:
    v = x.view()
    try:
        v.shape = shape
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return v


def _inverse(perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


VIEW = defop("ViewBackward0", _view_fwd, lambda g, x, out, shape, in_shape: m.reshape(g, in_shape))
RESHAPE_COPY = defop(
    "UnsafeViewBackward0",
    lambda x, shape, in_shape: x.reshape(shape),
    lambda g, x, out, shape, in_shape: m.reshape(g, in_shape),
)
TRANSPOSE = defop(
    "TransposeBackward0",
    lambda x, d0, d1: x.swapaxes(d0, d1),
    lambda g, x, out, d0, d1: m.transpose(g, d0, d1),
)
T = defop("TBackward0", lambda x: x.T, lambda g, x, out: m.t(g))
PERMUTE = defop(
    "PermuteBackward0",
    lambda x, dims: x.transpose(dims),
    lambda g, x, out, dims: m.call(PERMUTE, g, dims=_inverse(dims)),
)
UNSQUEEZE = defop(
    "UnsqueezeBackward0",
    lambda x, dim: np.expand_dims(x, dim),
    lambda g, x, out, dim: m.squeeze(g, dim),
)
SQUEEZE = defop(
    "SqueezeBackward0",
    lambda x, axes, in_shape: np.squeeze(x, axes),
    lambda g, x, out, axes, in_shape: m.reshape(g, in_shape),
)
SQUEEZE_DIM = defop(
    "SqueezeBackward1",
    lambda x, axes, in_shape: np.squeeze(x, axes),
    lambda g, x, out, axes, in_shape: m.reshape(g, in_shape),
)
# The engine sums the gradient back down to the input's shape.
EXPAND = defop(
    "ExpandBackward0", lambda x, shape: np.broadcast_to(x, shape), lambda g, x, out, shape: g
)
CLONE = defop("CloneBackward0", np.array, lambda g, x, out: g)
# The engine casts the gradient back to the input's dtype.
TO_COPY = defop("ToCopyBackward0", lambda x, dt: x.astype(dt), lambda g, x, out, dt: g)


def view(input: Tensor, shape: tuple[int, ...]) -> Tensor:
    shape = _infer_shape(shape, input._data.size)
    out = apply1(VIEW, input, {"shape": shape, "in_shape": input._data.shape})
    return mark_view(out, input, lambda a: a.reshape(shape))


def reshape(input: Tensor, shape: tuple[int, ...]) -> Tensor:
    shape = _infer_shape(tuple(shape), input._data.size)
    x = input._data
    if x.flags.c_contiguous:
        return view(input, shape)
    out = apply1(RESHAPE_COPY, input, {"shape": shape, "in_shape": x.shape})
    if np.may_share_memory(out._data, x):
        mark_view(out, input, lambda a: a.reshape(shape))
    return out


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = norm_dim(start_dim, len(shape))
    e = norm_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for d in shape[s : e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1 :])


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    d0, d1 = norm_dim(dim0, nd), norm_dim(dim1, nd)
    if not nd:
        return input
    out = apply1(TRANSPOSE, input, {"d0": d0, "d1": d1})
    return mark_view(out, input, lambda a: a.swapaxes(d0, d1))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    return mark_view(apply1(T, input), input, lambda a: a.T)


def permute(input: Tensor, dims: tuple[int, ...]) -> Tensor:
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    axes = tuple(norm_dim(d, nd) for d in dims)
    if len(set(axes)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = apply1(PERMUTE, input, {"dims": axes})
    return mark_view(out, input, lambda a: a.transpose(axes))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = norm_dim(dim, input._data.ndim + 1)
    out = apply1(UNSQUEEZE, input, {"dim": d})
    return mark_view(out, input, lambda a: np.expand_dims(a, d))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._data.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
        op = SQUEEZE
    else:
        axes = tuple(a for a in norm_dims(dim, len(shape)) if shape[a] == 1)
        op = SQUEEZE_DIM
    out = apply1(op, input, {"axes": axes, "in_shape": shape})
    return mark_view(out, input, lambda a: np.squeeze(a, axes))


def expand(input: Tensor, sizes: tuple[int, ...]) -> Tensor:
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand(ndgrad.{input.type().split('.')[-1]}{{{list(shape)}}}, size={list(sizes)}): "
            "the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})"
        )
    target = list(sizes)
    for i, s in enumerate(shape):
        want = sizes[lead + i]
        if want == -1:
            target[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
    target_shape = tuple(target)
    if target_shape == shape:
        return input
    out = apply1(EXPAND, input, {"shape": target_shape})
    return mark_view(out, input, lambda a: np.broadcast_to(a, target_shape))


def clone(input: Tensor) -> Tensor:
    return apply1(CLONE, input)


def to_dtype(input: Tensor, dtype: Any) -> Tensor:
    if input._rg and dtype.category < 2:
        return make(input._data.astype(dtype.np))
    return apply1(TO_COPY, input, {"dt": dtype.np})
