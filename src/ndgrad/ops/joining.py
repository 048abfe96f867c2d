"""Joining and splitting tensors, and the shape ops that copy: repeat, flip, roll, triangles."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import numpy as np

from .. import _backend as B
from .. import _dtype as D
from .._tensor import Tensor, make
from . import _math as m
from . import indexing as _ix
from . import reduction as R
from ._registry import apply, apply1, defop
from ._util import broadcast_error, norm_dim, norm_dims
from .shape import (
    DIAG_EMBED,
    _tensors,
    clone,
    diag_embed,
    diagonal_copy,
    expand,
    flatten,
    mark_view,
    reshape,
    unsqueeze,
    view,
)

__all__ = [
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "dstack",
    "column_stack",
    "split",
    "chunk",
    "tensor_split",
    "unbind",
    "repeat",
    "tile",
    "repeat_interleave",
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "rot90",
    "triu",
    "tril",
    "diag",
    "trace",
    "take_along_dim",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "meshgrid",
    "cartesian_prod",
    "row_stack",
    "hsplit",
    "vsplit",
    "dsplit",
    "diagflat",
    "block_diag",
]


def _slice_of(g: Any, dim: int, index: Any) -> Any:
    """``g`` indexed by ``index`` along ``dim``, recorded when ``g`` is a Tensor."""
    region = (slice(None),) * dim + (index, Ellipsis)
    op = _ix.SELECT if isinstance(index, int) else _ix.SLICE
    return m.call(op, g, region=region, shape=np.shape(m.data(g)), basic=True)


def _cat_fwd(*xs: np.ndarray, dim: int, bounds: Any, dtype: Any) -> np.ndarray:
    kept = [x for x, b in zip(xs, bounds) if b is not None]
    if not kept:
        return B.xp(xs[0]).empty((0,), dtype)
    return np.concatenate(kept, axis=dim, dtype=dtype, casting="unsafe")


def _cat_vjp(g: Any, *_: Any, i: int, dim: int, bounds: Any, dtype: Any) -> Any:
    b = bounds[i]
    if b is None:  # a skipped legacy empty tensor
        return m.const(g, B.xp(m.data(g)).zeros((0,), m.data(g).dtype))
    return _slice_of(g, dim, slice(*b))


def _part_vjp(g: Any, x: Any, out: Any, region: Any, shape: Any) -> Any:
    return m.call(_ix.SCATTER, g, region=region, shape=shape, basic=True)


def _repeat_vjp(g: Any, x: Any, out: Any, reps: Any, shape: Any) -> Any:
    # Split each dim into (repeat, size) and sum over the repeats.
    inter = tuple(v for r, s in zip(reps, shape) for v in (r, s))
    g = m.reshape(g, inter)
    axes = tuple(range(0, len(inter), 2))
    return m.call(R.SUM_DIM, g, axes=axes, keepdim=False, shape=inter, dtype=None)


def _negated(shifts: Any) -> Any:
    return tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts


def _stack_fwd(*xs: Any, dim: int, dtype: Any) -> Any:
    if dim == 0 and all(type(x) is np.ndarray for x in xs):
        return np.array(xs, dtype)  # the same, in C: np.stack is Python over concatenate
    return np.stack(xs, axis=dim, dtype=dtype, casting="unsafe")


CAT = defop("CatBackward0", _cat_fwd, _cat_vjp, variadic=True)
STACK = defop(
    "StackBackward0",
    _stack_fwd,
    lambda g, *_, i, dim, dtype: _slice_of(g, dim, i),
    variadic=True,
)
# One node per output of split/unbind; the engine sums their gradients into the input.
SPLIT = defop("SplitBackward0", lambda x, region, shape: x[region], _part_vjp)
SPLIT_SIZES = defop("SplitWithSizesBackward0", lambda x, region, shape: x[region], _part_vjp)
UNBIND = defop("UnbindBackward0", lambda x, region, shape: x[region], _part_vjp)
REPEAT = defop("RepeatBackward0", lambda x, reps, shape: np.tile(x, reps), _repeat_vjp)
FLIP = defop(
    "FlipBackward0",
    lambda x, axes: np.flip(x, axes).copy(),
    lambda g, x, out, axes: m.call(FLIP, g, axes=axes),
)
ROLL = defop(
    "RollBackward0",
    lambda x, shifts, axes: np.roll(x, shifts, axes),
    lambda g, x, out, shifts, axes: m.call(ROLL, g, shifts=_negated(shifts), axes=axes),
)
ROT90 = defop(
    "Rot90Backward0",
    lambda x, k, axes: np.rot90(x, k, axes).copy(),
    lambda g, x, out, k, axes: m.call(ROT90, g, k=-k % 4, axes=axes),
)
TRIU = defop(
    "TriuBackward0",
    lambda x, k: np.triu(x, k),
    lambda g, x, out, k: m.call(TRIU, g, k=k),
)
TRIL = defop(
    "TrilBackward0",
    lambda x, k: np.tril(x, k),
    lambda g, x, out, k: m.call(TRIL, g, k=k),
)
TRACE = defop(
    "TraceBackward0",
    lambda x, shape, dtype: np.trace(x, dtype=dtype),
    lambda g, x, out, shape, dtype: m.call(
        DIAG_EMBED, m.expand(g, (min(shape),)), offset=0, d1=0, d2=1, shape=shape
    ),
)


# -------------------------------------------------------------------- joining
def _tensor_list(tensors: Any, name: str) -> tuple[Tensor, ...]:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    return _tensors(tensors)


def _promoted(tensors: Sequence[Tensor]) -> Any:
    return reduce(D.promote_types, [t.dtype for t in tensors]).np


def _dim_arg(dim: int, axis: int | None) -> int:
    return dim if axis is None else axis


def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dtype = _promoted(tensors)
    # Legacy: 1-d empty tensors are skipped, whatever the others' shapes.
    kept = [i for i, t in enumerate(tensors) if t._data.shape != (0,)]
    bounds: list[tuple[int, int] | None] = [None] * len(tensors)
    d = 0
    if kept:
        ref = tensors[kept[0]]._data.shape
        d = norm_dim(_dim_arg(dim, axis), len(ref))
        start = 0
        for i in kept:
            shape = tensors[i]._data.shape
            if len(shape) != len(ref):
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}"
                )
            for a, (s, r) in enumerate(zip(shape, ref)):
                if a != d and s != r:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{r} but got size {s} for tensor number {i} in the list."
                    )
            bounds[i] = (start, start + shape[d])
            start += shape[d]
    return apply(CAT, tensors, {"dim": d, "bounds": tuple(bounds), "dtype": dtype})


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = norm_dim(dim, len(shape) + 1)
    return apply(STACK, tensors, {"dim": d, "dtype": _promoted(tensors)})


def _stack_input(tensors: Any, name: str) -> tuple[Tensor, ...]:
    tensors = _tensor_list(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    ts = [_at_least_1d(t) for t in _stack_input(tensors, "hstack")]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat([_at_least_2d(t) for t in _stack_input(tensors, "vstack")], 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat([_at_least_3d(t) for t in _stack_input(tensors, "dstack")], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    ts = _stack_input(tensors, "column_stack")
    return hstack([reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts])


# ------------------------------------------------------------------ splitting
def _part(op: Any, x: Tensor, dim: int, index: Any) -> Tensor:
    region = (slice(None),) * dim + (index, Ellipsis)
    out = apply1(op, x, {"region": region, "shape": x._data.shape})
    return mark_view(out, x, lambda a: a[region])


def _split_dim(input: Tensor, dim: int, name: str) -> int:
    if not input._data.ndim:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")
    return norm_dim(dim, input._data.ndim)


def _split_size(input: Tensor, size: int, dim: int) -> tuple[Tensor, ...]:
    d = _split_dim(input, dim, "split")
    n = input._data.shape[d]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )
    starts = range(0, n, size) if n else (0,)
    return tuple(_part(SPLIT, input, d, slice(s, min(s + size, n))) for s in starts)


def _split_sizes(input: Tensor, sizes: Sequence[int], dim: int) -> tuple[Tensor, ...]:
    d = _split_dim(input, dim, "split_with_sizes")
    n = input._data.shape[d]
    sizes = [int(s) for s in sizes]
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            "split_with_sizes expects split_sizes have only non-negative entries, but got "
            f"split_sizes={sizes}"
        )
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
            f"at dimension {d}), but got split_sizes={sizes}"
        )
    stops = np.cumsum([0] + sizes).tolist()
    return tuple(_part(SPLIT_SIZES, input, d, slice(a, b)) for a, b in zip(stops[:-1], stops[1:]))


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    if isinstance(split_size_or_sections, (list, tuple)):
        return _split_sizes(tensor, split_size_or_sections, dim)
    return _split_size(tensor, int(split_size_or_sections), dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if not input._data.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = norm_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if n == 0:
        return _split_sizes(input, [0] * chunks, d)
    return _split_size(input, -(-n // chunks), d)


def tensor_split(
    input: Tensor,
    indices_or_sections: Any = None,
    dim: int = 0,
    *,
    sections: int | None = None,
    indices: Sequence[int] | None = None,
) -> tuple[Tensor, ...]:
    nd = input._data.ndim
    if not nd:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    spec = indices_or_sections
    if spec is None:
        spec = sections if sections is not None else indices
    if isinstance(spec, Tensor):
        a = spec._data
        if a.dtype != np.int64:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                f"got {spec.dtype.scalar_name}"
            )
        if a.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {a.ndim} dims"
            )
        spec = int(a) if a.ndim == 0 else a.tolist()
    d = norm_dim(dim, nd)
    n = input._data.shape[d]
    if isinstance(spec, (list, tuple)):
        cuts = [int(i) for i in spec]
        starts = [0] + cuts
        stops: list[int | None] = [*cuts, None]
    else:
        count = int(spec)
        if count <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {count}")
        q, r = divmod(n, count)
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (count - r)).tolist()
        starts, stops = bounds[:-1], bounds[1:]
    lead = (slice(None),) * d
    return tuple(_ix.getitem(input, lead + (slice(a, b),)) for a, b in zip(starts, stops))


def _split_along(
    input: Tensor, indices_or_sections: Any, name: str, least: int, dim: int
) -> tuple[Tensor, ...]:
    """tensor_split along ``dim``; a number of sections must divide the dim evenly."""
    nd = input._data.ndim
    if nd < least:
        raise RuntimeError(
            f"ndgrad.{name} requires a tensor with at least {least} dimension, but got a tensor "
            f"with {nd} dimensions!"
        )
    if not isinstance(indices_or_sections, (list, tuple)):
        size = input._data.shape[dim]
        sections = int(indices_or_sections)
        if sections == 0 or size % sections:
            raise RuntimeError(
                f"ndgrad.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {sections}!"
            )
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """Split along columns (dim 1; dim 0 of a 1-d tensor)."""
    dim = 0 if input._data.ndim == 1 else 1
    return _split_along(input, indices_or_sections, "hsplit", 1, dim)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """Split along rows (dim 0) of a tensor of two or more dims."""
    return _split_along(input, indices_or_sections, "vsplit", 2, 0)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """Split along depth (dim 2) of a tensor of three or more dims."""
    return _split_along(input, indices_or_sections, "dsplit", 3, 2)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    if not input._data.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = norm_dim(dim, input._data.ndim)
    return tuple(_part(UNBIND, input, d, i) for i in range(input._data.shape[d]))


# ------------------------------------------------------------------ repeating
def repeat(input: Tensor, repeats: Sequence[int]) -> Tensor:
    """Tensor.repeat: tile the tensor ``repeats[i]`` times along dim i."""
    reps = tuple(int(r) for r in repeats)
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    padded = (1,) * (len(reps) - len(shape)) + shape
    out = [r * s for r, s in zip(reps, padded)]
    for r, o in zip(reps, out):
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {o}: {out}")
    return apply1(REPEAT, input, {"reps": reps, "shape": padded})


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    dims = tuple(int(r) for r in dims)
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


def _repeat_counts(repeats: Tensor) -> np.ndarray:
    """The repeat counts on the host, where the output size and index are worked out."""
    r = B.to_numpy(repeats._data)
    if r.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"repeat_interleave_cpu\" not implemented for '{repeats.dtype.scalar_name}'"
        )
    if (r < 0).any():
        raise RuntimeError("repeats can not be negative")
    return r


def repeat_interleave(
    input: Tensor,
    repeats: Any = None,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    if repeats is None:  # repeat_interleave(repeats): each index i, repeats[i] times
        if input._data.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        r = _repeat_counts(input).reshape(-1)
        return make(B.asarray(np.repeat(np.arange(r.size), r), input._data))
    counts = None
    if isinstance(repeats, Tensor):
        if repeats._data.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        counts = _repeat_counts(repeats).reshape(-1)
        if counts.size == 1:
            repeats, counts = int(counts[0]), None
    elif int(repeats) < 0:
        raise RuntimeError("Repeats must be non-negative")
    x = flatten(input) if dim is None or input._data.ndim == 0 else input
    d = 0 if dim is None else norm_dim(dim, x._data.ndim)
    shape = x._data.shape
    if counts is not None and counts.size != shape[d]:
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got "
            f"repeats.size(0) = {counts.size} and input.size({d}) = {shape[d]}"
        )
    total = int(counts.sum()) if counts is not None else shape[d] * int(repeats)
    if output_size is not None and output_size != total:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {total} but got {output_size}"
        )
    if counts is not None:
        index = make(B.asarray(np.repeat(np.arange(shape[d]), counts), x._data))
        return _ix.getitem(x, (slice(None),) * d + (index,))
    # Each slice along d, repeated in place: an expanded copy, as torch builds it.
    n = int(repeats)
    wide = expand(unsqueeze(x, d + 1), shape[: d + 1] + (n,) + shape[d + 1 :])
    return view(clone(wide), shape[:d] + (shape[d] * n,) + shape[d + 1 :])


# ---------------------------------------------------------------- reordering
def flip(input: Tensor, dims: Any) -> Tensor:
    return apply1(FLIP, input, {"axes": norm_dims(dims, input._data.ndim)})


def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    shift = (int(shifts),) if not isinstance(shifts, (list, tuple)) else tuple(shifts)
    if dims is None:
        if len(shift) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift)}, dims:0")
        # Rolls the flattened tensor, then restores the shape.
        return apply1(ROLL, input, {"shifts": shift[0], "axes": None})
    axes = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shift) != len(axes):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shift)}, dims:{len(axes)}"
        )
    nd = input._data.ndim
    if not nd:
        raise IndexError(f"Dimension specified as {axes[0]} but tensor has no dimensions")
    axes = tuple(norm_dim(d, nd) for d in axes)
    return apply1(ROLL, input, {"shifts": shift, "axes": axes})


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = norm_dim(dims[0], nd), norm_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
            f"dim1 = {dims[1]}"
        )
    return apply1(ROT90, input, {"k": k % 4, "axes": (d0, d1)})


# ------------------------------------------------------- triangles, diagonals
def _triangle(op: Any, name: str, input: Tensor, diagonal: int) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return apply1(op, input, {"k": int(diagonal)})


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle(TRIU, "triu", input, diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle(TRIL, "tril", input, diagonal)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return diagonal_copy(input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A matrix with the flattened ``input`` on its ``offset`` diagonal."""
    return diag_embed(flatten(input), offset, 0, 1)


def _block(t: Tensor, i: int) -> Tensor:
    nd = t._data.ndim
    if nd > 2:
        raise RuntimeError(
            "ndgrad.block_diag: Input tensors must have 2 or fewer dimensions. Input "
            f"{i} has {nd} dimensions"
        )
    return t if nd == 2 else reshape(t, (1, t._data.size))


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors as blocks along a diagonal, zeros elsewhere (a 0 or 1-d tensor is a row)."""
    blocks = [_block(t, i) for i, t in enumerate(_tensors(tensors))]
    if not blocks:
        return make(np.zeros((1, 0), D.get_default_dtype().np))
    dtype = _promoted(blocks)
    like = blocks[0]._data
    width = sum(b._data.shape[1] for b in blocks)
    rows = []
    left = 0
    for b in blocks:
        r, c = b._data.shape
        before = make(B.zeros(like, (r, left), dtype))
        after = make(B.zeros(like, (r, width - left - c), dtype))
        rows.append(cat((before, b, after), 1))
        left += c
    return cat(rows, 0)


def trace(input: Tensor) -> Tensor:
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if x.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    dtype = np.int64 if x.dtype.kind in "iu" else None
    return apply1(TRACE, input, {"shape": x.shape, "dtype": dtype})


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    idx = indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{indices.dtype.scalar_name}"
        )
    if dim is None:
        return _ix.getitem(reshape(input, (-1,)), (make(idx.reshape(-1)),))
    shape = input._data.shape
    nd = len(shape)
    if idx.ndim != nd:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {nd} dimensions for input, and {idx.ndim} dimensions for "
            "indices"
        )
    d = norm_dim(dim, nd)
    a = shape[:d] + (1,) + shape[d + 1 :]
    b = idx.shape[:d] + (1,) + idx.shape[d + 1 :]
    try:
        common = np.broadcast_shapes(a, b)
    except ValueError:
        raise broadcast_error(a, b) from None
    # One index per dim, on the indices' device, broadcasting against each other: a single gather.
    xp = B.xp(idx)
    parts: list[Tensor] = []
    for ax in range(nd):
        if ax == d:
            parts.append(indices)
            continue
        n = common[ax]
        line = xp.arange(n) if shape[ax] == n else xp.zeros(n, np.intp)
        parts.append(make(line.reshape((1,) * ax + (n,) + (1,) * (nd - ax - 1))))
    return _ix.getitem(input, tuple(parts))


# ------------------------------------------------------------------- grids
def _atleast(tensors: tuple[Any, ...], fn: Callable[[Tensor], Tensor]) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return fn(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return tuple(fn(t) for t in _tensors(tensors))


def _at_least_1d(t: Tensor) -> Tensor:
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _at_least_2d(t: Tensor) -> Tensor:
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, (1, 1))
    return unsqueeze(t, 0) if nd == 1 else t


def _at_least_3d(t: Tensor) -> Tensor:
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if nd == 2 else t


def atleast_1d(*tensors: Any) -> Any:
    return _atleast(tensors, _at_least_1d)


def atleast_2d(*tensors: Any) -> Any:
    return _atleast(tensors, _at_least_2d)


def atleast_3d(*tensors: Any) -> Any:
    return _atleast(tensors, _at_least_3d)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensors(tensors)
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    elif indexing not in ("xy", "ij"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    for t in tensors:
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t._data.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t!r}"
            )
    n = len(tensors)
    shape = [t._data.size for t in tensors]
    # "xy" is "ij" with the first two inputs' output dims swapped.
    pos = list(range(n))
    if indexing == "xy" and n > 1:
        pos[0], pos[1] = 1, 0
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for t, p in zip(tensors, pos):
        view_shape = [1] * n
        view_shape[p] = -1
        grids.append(expand(reshape(t, tuple(view_shape)), tuple(shape)))
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([flatten(g) for g in grids], 1)
