"""Shape ops and views: reshape/view, transpose/permute, squeeze, expand, diagonals, windows."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _backend as B
from .._backend import to_device as to_device_array
from .._backend import view_reshape
from .._tensor import Size, Tensor, make, version_counter
from . import _math as m
from . import indexing as _ix
from ._registry import apply1, defop
from ._util import broadcast_error, norm_dim, norm_dims

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
    "ravel",
    "unflatten",
    "narrow",
    "select",
    "movedim",
    "moveaxis",
    "diagonal",
    "diag_embed",
    "broadcast_to",
    "broadcast_tensors",
    "broadcast_shapes",
    "adjoint",
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
    if -1 not in shape and math.prod(shape) == numel and min(shape, default=0) >= 0:
        return shape  # nothing to infer, nothing wrong
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
    try:
        return view_reshape(x, shape)
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None


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


def _copy(x: np.ndarray, order: str = "K") -> np.ndarray:
    # Like torch, a copy keeps the layout of a dense input; an expanded one comes out packed.
    if order == "K" and 0 in x.strides and x.size > 1:
        order = "C"
    return x.copy(order=order)


CLONE = defop("CloneBackward0", _copy, lambda g, x, out, order="K": g)


def _to_copy(x: Any, dt: Any = None, dev: Any = None, src: Any = None) -> Any:
    return x.astype(dt) if dev is None else to_device_array(x, dev)


def _to_copy_vjp(
    g: Any, x: Any, out: Any, dt: Any = None, dev: Any = None, src: Any = None
) -> Any:
    # The engine casts the gradient back to the input's dtype; a device move is undone here.
    return g if dev is None else m.call(TO_COPY, g, dev=src, src=dev)


# A copy to another dtype (dt) or device (dev, from src).
TO_COPY = defop("ToCopyBackward0", _to_copy, _to_copy_vjp)


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


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims, as a view."""
    nd = input._data.ndim
    if input._data.dtype.kind == "c":
        raise NotImplementedError("adjoint(): complex tensors are not supported by ndgrad")
    if nd == 0:
        warnings.warn(
            "adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
            UserWarning,
            stacklevel=2,
        )
        return input
    if nd == 1:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D "
            "tensor."
        )
    return transpose(input, -2, -1)


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
    for i in range(lead):
        if sizes[i] < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[i]}) isn't allowed in a leading, "
                f"non-existing dimension {i}"
            )
    # torch reports the rightmost mismatch.
    for i in range(len(shape) - 1, -1, -1):
        s = shape[i]
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


def contiguous(input: Tensor) -> Tensor:
    """Tensor.contiguous: the tensor itself if C-contiguous, else a packed copy."""
    if input._data.flags.c_contiguous:
        return input
    return apply1(CLONE, input, {"order": "C"})


def to_device(input: Tensor, dev: Any) -> Tensor:
    return apply1(TO_COPY, input, {"dev": dev, "src": input.device})


def to_dtype(input: Tensor, dtype: Any) -> Tensor:
    if input._rg and dtype.category < 2:
        return make(input._data.astype(dtype.np))
    return apply1(TO_COPY, input, {"dt": dtype.np})


def ravel(input: Tensor) -> Tensor:
    return reshape(input, (-1,))


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    shape = input._data.shape
    d = norm_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[d] if shape else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if -1 in sizes and known and n % known == 0:
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif -1 in sizes or known != n:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({n}) in the input tensor"
        )
    return reshape(input, shape[:d] + sizes + shape[d + 1 :])


# ------------------------------------------------------------- views by index
def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, len(shape))
    n = shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _ix.getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input: Tensor, dim: int, index: Any) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, len(shape))
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at "
            f"dimension {d}"
        )
    return _ix.getitem(input, (slice(None),) * d + (index,))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    s = [norm_dim(d, nd) for d in src]
    t = [norm_dim(d, nd) for d in dst]
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(t)) != len(t):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order: list[int | None] = [None] * nd
    for a, b in zip(s, t):
        order[b] = a
    rest = iter([d for d in range(nd) if d not in s])
    return permute(input, tuple(next(rest) if o is None else o for o in order))


moveaxis = movedim


# ---------------------------------------------------------- diagonals, windows
def _diag_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """The (offset) diagonal of dims d1, d2 as the last dim: a writable view of ``a``."""
    shape, strides = a.shape, a.strides
    if offset >= 0:
        n = min(shape[d1], shape[d2] - offset)
        shift = (d2, offset)
    else:
        n = min(shape[d1] + offset, shape[d2])
        shift = (d1, -offset)
    n = max(n, 0)
    if n:
        a = a[(slice(None),) * shift[0] + (slice(shift[1], None),)]
    keep = [i for i in range(len(shape)) if i != d1 and i != d2]
    return B.as_strided(
        a,
        tuple(shape[i] for i in keep) + (n,),
        tuple(strides[i] for i in keep) + (strides[d1] + strides[d2],),
    )


def _embed(x: np.ndarray, offset: int, d1: int, d2: int, shape: Any) -> np.ndarray:
    z = B.xp(x).zeros(shape, x.dtype)
    _diag_view(z, offset, d1, d2)[...] = x
    return z


def _windows(a: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """Sliding windows along ``dim`` as a new last dim; read-only where windows overlap."""
    if a.ndim == 0:
        return B.as_strided(a, (size,), (0,))
    shape = list(a.shape)
    strides = list(a.strides)
    n = (shape[dim] - size) // step + 1
    stride = strides[dim]
    shape[dim] = n
    strides[dim] = stride * step
    overlap = step < size and n > 1
    return B.as_strided(
        a, tuple(shape) + (size,), tuple(strides) + (stride,), writeable=not overlap
    )


def _unfold_backward(g: np.ndarray, dim: int, size: int, step: int, shape: Any) -> np.ndarray:
    """Each input element's gradient: the sum over every window that holds it."""
    z = B.xp(g).zeros(shape, g.dtype)
    if step >= size:
        _windows(z, dim, size, step)[...] = g
        return z
    # Overlapping windows: one pass per offset within a window, each over all windows.
    n = g.shape[dim]
    zm = np.moveaxis(z, dim, -1)
    gm = np.moveaxis(g, dim, -2)
    for k in range(size):
        zm[..., k : k + step * (n - 1) + 1 : step] += gm[..., k]
    return z


def _diagonal_vjp(g: Any, x: Any, out: Any, offset: int, d1: int, d2: int, shape: Any) -> Any:
    return m.call(DIAG_EMBED, g, offset=offset, d1=d1, d2=d2, shape=shape)


DIAGONAL = defop(
    "DiagonalBackward0",
    lambda x, offset, d1, d2, shape: _diag_view(x, offset, d1, d2),
    _diagonal_vjp,
)
# torch.diag of a matrix: a copy of its diagonal, not a view.
DIAGONAL_COPY = defop(
    "DiagonalBackward0_copy",
    lambda x, offset, d1, d2, shape: _diag_view(x, offset, d1, d2).copy(),
    _diagonal_vjp,
)
DIAG_EMBED = defop(
    "DiagEmbedBackward0",
    _embed,
    lambda g, x, out, offset, d1, d2, shape: m.call(
        DIAGONAL, g, offset=offset, d1=d1, d2=d2, shape=shape
    ),
)
UNFOLD = defop(
    "UnfoldBackward0",
    lambda x, dim, size, step, shape: _windows(x, dim, size, step),
    lambda g, x, out, dim, size, step, shape: m.call(
        UNFOLD_BACKWARD, g, dim=dim, size=size, step=step, shape=shape
    ),
)
UNFOLD_BACKWARD = defop(
    "UnfoldBackwardBackward0",
    _unfold_backward,
    lambda g, x, out, dim, size, step, shape: m.call(
        UNFOLD, g, dim=dim, size=size, step=step, shape=shape
    ),
)


def _diag_dims(dim1: int, dim2: int, ndim: int) -> tuple[int, int]:
    d1, d2 = norm_dim(dim1, ndim), norm_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    shape = input._data.shape
    d1, d2 = _diag_dims(dim1, dim2, len(shape))
    out = apply1(DIAGONAL, input, {"offset": offset, "d1": d1, "d2": d2, "shape": shape})
    return mark_view(out, input, lambda a: _diag_view(a, offset, d1, d2))


def diagonal_copy(input: Tensor, offset: int = 0) -> Tensor:
    """torch.diag of a matrix."""
    kw = {"offset": offset, "d1": 0, "d2": 1, "shape": input._data.shape}
    return apply1(DIAGONAL_COPY, input, kw)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    shape = input._data.shape
    d1, d2 = _diag_dims(dim1, dim2, len(shape) + 1)
    n = shape[-1] + abs(offset)
    out = list(shape[:-1])
    for d in sorted((d1, d2)):
        out.insert(d, n)
    return apply1(DIAG_EMBED, input, {"offset": offset, "d1": d1, "d2": d2, "shape": tuple(out)})


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: every ``size``-long window along ``dimension``, ``step`` apart (a view)."""
    shape = input._data.shape
    d = norm_dim(dimension, len(shape))
    n = shape[d] if shape else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    out = apply1(UNFOLD, input, {"dim": d, "size": size, "step": step, "shape": shape})
    return mark_view(out, input, lambda a: _windows(a, d, size, step))


# --------------------------------------------------------------- broadcasting
def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    return expand(input, tuple(int(s) for s in size))


def broadcast_shapes(*shapes: Any) -> Size:
    out: list[int] = []
    for i, shape in enumerate(shapes):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any(s < 0 for s in shape):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        for j in range(1, len(shape) + 1):
            s = shape[-j]
            if s == 1 or s == out[-j]:
                continue
            if out[-j] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {s} at {-j}! Mismatching "
                    f"argument at index {i} had {shape}; but expected shape should be "
                    f"broadcastable to {out}"
                )
            out[-j] = s
    return Size(out)


def _tensors(seq: Any) -> tuple[Tensor, ...]:
    seq = tuple(seq)
    for i, t in enumerate(seq):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return seq


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    tensors = _tensors(tensors)
    shape: tuple[int, ...] = ()
    for t in tensors:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise broadcast_error(shape, t._data.shape) from None
    return tuple(expand(t, shape) for t in tensors)
