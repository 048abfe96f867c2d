"""Matrix products: matmul (1-D, 2-D, batched with broadcasting), mm, dot, mv."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from . import _math as m
from ._registry import apply, apply2, defop

__all__ = [
    "matmul",
    "mm",
]


def _mm_fwd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a @ b


def _matmul_grad_a(g: Any, b: Any, nda: int, ndb: int) -> Any:
    if ndb == 1:
        return m.unsqueeze(g, -1) * b
    if nda == 1:
        return m.squeeze(m.unsqueeze(g, -2) @ m.mT(b), -2)
    return g @ m.mT(b)


def _matmul_grad_b(g: Any, a: Any, nda: int, ndb: int) -> Any:
    if nda == 1:
        return m.unsqueeze(a, -1) * m.unsqueeze(g, -2)
    if ndb == 1:
        return m.squeeze(m.mT(a) @ m.unsqueeze(g, -1), -1)
    return m.mT(a) @ g


# Each input's gradient reads only the other input, so only that one is kept.
_READS = ((1,), (0,))
DOT = defop(
    "DotBackward0",
    _mm_fwd,
    lambda g, a, b, out: g * b,
    lambda g, a, b, out: g * a,
    save_in=True,
    reads=_READS,
)
MV = defop(
    "MvBackward0",
    _mm_fwd,
    lambda g, a, b, out: m.unsqueeze(g, -1) * b,
    lambda g, a, b, out: m.t(a) @ g,
    save_in=True,
    reads=_READS,
)
MM = defop(
    "MmBackward0",
    _mm_fwd,
    lambda g, a, b, out: g @ m.t(b),
    lambda g, a, b, out: m.t(a) @ g,
    save_in=True,
    reads=_READS,
)
# The batched and broadcast cases in one node (torch records several); the engine sums
# gradients over broadcast batch dims.
MATMUL = defop(
    "MatmulBackward0",
    lambda a, b, nda, ndb: _mm_fwd(a, b),
    lambda g, a, b, out, nda, ndb: _matmul_grad_a(g, b, nda, ndb),
    lambda g, a, b, out, nda, ndb: _matmul_grad_b(g, a, nda, ndb),
    save_in=True,
    reads=_READS,
)


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        bad = other if isinstance(input, Tensor) else input
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(bad).__name__}"
        )
    a, b = input._data.shape, other._data.shape
    na, nb = len(a), len(b)
    da, db = input.dtype, other.dtype
    if da is not db and na and nb:
        if na == 1 and nb == 1:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{da.scalar_name} and {db.scalar_name}"
            )
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{da.scalar_name.lower()} != {db.scalar_name.lower()}"
        )
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if na == 1 and nb == 1:
        if a != b:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] to have "
                f"the same number of elements, but got {a[0]} and {b[0]} elements respectively"
            )
        return apply2(DOT, input, other)
    if na == 2 and nb == 1:
        if a[1] != b[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a[0]}), mat ({_dims(a)}), vec ({b[0]})"
            )
        return apply2(MV, input, other)
    if na <= 2 and nb == 2:
        k = a[-1]
        if k != b[0]:
            rows = a[0] if na == 2 else 1
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {_dims(b)})"
            )
        if na == 2:
            return apply2(MM, input, other)
        return apply(MATMUL, (input, other), {"nda": na, "ndb": nb})
    ka = a[-1]
    kb = b[-2] if nb > 1 else b[0]
    if ka != kb:
        if nb == 1:
            raise RuntimeError(
                f"size mismatch, got input ({a[-2]}), mat ({a[-2]}x{ka}), vec ({kb})"
            )
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b[0] if nb == 3 else a[0]}, {ka}] but got: [{b[0]}, {kb}]."
        )
    try:
        return apply(MATMUL, (input, other), {"nda": na, "ndb": nb})
    except ValueError:
        from ._util import broadcast_error

        raise broadcast_error(a[:-2], b[:-2]) from None


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    a, b = input._data.shape, mat2._data.shape
    if len(a) != 2:
        raise RuntimeError("self must be a matrix")
    if len(b) != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)
