"""Helpers the ops share: summing a gradient back to a shape, dims, broadcast errors."""

from __future__ import annotations

from typing import Any

__all__ = ["norm_dim", "norm_dims", "broadcast_error"]


def norm_dim(dim: Any, ndim: int) -> int:
    """A dim index in range, with torch's IndexError otherwise (0-d tensors take -1 and 0)."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def norm_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` given as None (all), an int, or a sequence, as sorted non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (norm_dim(dim, ndim),) if ndim else ()
    axes = tuple(norm_dim(int(d), ndim) for d in dim)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return tuple(sorted(axes)) if ndim else ()


def broadcast_error(a: tuple[int, ...], b: tuple[int, ...]) -> RuntimeError:
    """torch's error for two shapes that do not broadcast: the rightmost clash."""
    ndim = max(len(a), len(b))
    pa = (1,) * (ndim - len(a)) + tuple(a)
    pb = (1,) * (ndim - len(b)) + tuple(b)
    for i in range(ndim - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i}"
            )
    return RuntimeError(f"shapes {list(a)} and {list(b)} do not broadcast")
