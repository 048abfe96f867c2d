"""ndgrad.linalg: torch.linalg's functions (decompositions, solvers, norms, products)."""

from __future__ import annotations

from typing import Any

from ._tensor import Tensor
from .ops import reduction as _red
from .ops import shape as _shape
from .ops.decomp import (
    LinAlgError,
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    lstsq,
    matrix_rank,
    pinv,
    qr,
    slogdet,
    solve,
    svdvals,
)
from .ops.decomp import linalg_svd as svd
from .ops.linalg import _cross, matmul, multi_dot

__all__ = [
    "LinAlgError",
    "cholesky",
    "cond",
    "cross",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "lstsq",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]

_INF = float("inf")


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    return _cross(input, other, dim)


def matrix_power(A: Tensor, n: int, *, out: Any = None) -> Tensor:
    from .ops.linalg import matrix_power as power

    return power(A, n)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    return _red.sum(x * y, dim)


def vector_norm(
    x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    return _red.vector_norm(x, ord, dim, keepdim, dtype=dtype)


def _move_last(A: Tensor, dim: tuple[int, int]) -> tuple[Tensor, tuple[int, int]]:
    """``A`` with the two matrix dims moved last, and those dims as non-negative indices."""
    nd = A._data.ndim
    if nd < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    d0, d1 = (d % nd for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    rest = [d for d in range(nd) if d not in (d0, d1)]
    perm = tuple(rest) + (d0, d1)
    if perm != tuple(range(nd)):
        A = _shape.permute(A, perm)
    return A, (d0, d1)


def _keep(t: Tensor, dims: tuple[int, int]) -> Tensor:
    for d in sorted(dims):
        t = _shape.unsqueeze(t, d)
    return t


def matrix_norm(
    A: Tensor,
    ord: Any = "fro",
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
    out: Any = None,
) -> Tensor:
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
        )
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _red.vector_norm(A, 2, tuple(dim), keepdim)
    if ord == "nuc" or ord in (2, -2):
        B, dims = _move_last(A, dim)
        s = svdvals(B)
        if ord == "nuc":
            r = _red.sum(s, -1)
        elif ord == 2:
            r = _red.amax(s, -1)
        else:
            r = _red.amin(s, -1)
        return _keep(r, dims) if keepdim else r
    if ord in (1, -1, _INF, -_INF):
        nd = A._data.ndim
        d0, d1 = (d % nd for d in dim)
        # 1: the largest column sum of |A|; inf: the largest row sum.
        summed, kept = (d0, d1) if ord in (1, -1) else (d1, d0)
        if not keepdim and summed < kept:
            kept -= 1
        col = _red.sum(A.abs(), summed, keepdim=keepdim)
        pick = _red.amax if ord > 0 else _red.amin
        return pick(col, kept, keepdim=keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(
    A: Tensor,
    ord: Any = None,
    dim: Any = None,
    keepdim: bool = False,
    *,
    out: Any = None,
    dtype: Any = None,
) -> Tensor:
    """A vector norm over one dim (or all of them), or a matrix norm over two."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        return _red.vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return _red.vector_norm(A, 2, None, keepdim, dtype=dtype)
    nd = A._data.ndim
    if nd == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if nd == 1 and not isinstance(ord, str):
        return _red.vector_norm(A, ord, None, keepdim, dtype=dtype)
    raise RuntimeError(
        f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {nd}D."
    )


def cond(A: Tensor, p: Any = None, *, out: Any = None) -> Tensor:
    """The condition number: ratio of extreme singular values, or ||A|| ||A^-1|| for ``p``."""
    if p is None or p in (2, -2):
        s = svdvals(A)
        hi, lo = s[..., 0], s[..., -1]
        return lo / hi if p == -2 else hi / lo
    return matrix_norm(A, p) * matrix_norm(inv(A), p)
