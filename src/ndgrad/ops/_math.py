"""The vocabulary VJP rules are written in.

Every helper here takes NumPy arrays or Tensors alike. The engine hands rules plain arrays
when no graph of the backward pass is wanted, so a backward runs at NumPy speed; with
``create_graph=True`` it hands them Tensors, and the same rule records a differentiable
graph of itself. Arithmetic operators and ``@`` already work on both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._tensor import Tensor, make

if TYPE_CHECKING:
    from ._registry import Op


def call(op: Op, *args: Any, **kw: Any) -> Any:
    """Run ``op``: recorded if an argument is a Tensor, else straight on the arrays."""
    for a in args:
        if isinstance(a, Tensor):
            return _registry.apply(op, args, kw)
    return op.fwd(*args, **kw)


def data(x: Any) -> Any:
    """The array behind ``x``: for masks and other constants a rule computes."""
    return x._data if isinstance(x, Tensor) else x


def const(like: Any, arr: np.ndarray) -> Any:
    """A constant array, as a Tensor when ``like`` is one."""
    return make(arr) if isinstance(like, Tensor) else arr


def reshape(g: Any, shape: tuple[int, ...]) -> Any:
    if not isinstance(g, Tensor):
        return g.reshape(shape)  # RESHAPE_COPY's forward, without the dispatch
    return call(S.RESHAPE_COPY, g, shape=shape, in_shape=g._data.shape)


# The shape helpers below run their op's forward directly on arrays (no dispatch).
def expand(g: Any, shape: tuple[int, ...]) -> Any:
    if not isinstance(g, Tensor):
        return S.EXPAND.fwd(g, shape)
    return call(S.EXPAND, g, shape=shape)


def unsqueeze(g: Any, dim: int) -> Any:
    dim %= g.ndim + 1
    if not isinstance(g, Tensor):
        return g.reshape(g.shape[:dim] + (1,) + g.shape[dim:])
    return call(S.UNSQUEEZE, g, dim=dim)


def squeeze(g: Any, dim: int) -> Any:
    return call(S.SQUEEZE_DIM, g, axes=(dim % g.ndim,), in_shape=np.shape(data(g)))


def transpose(g: Any, d0: int, d1: int) -> Any:
    if not isinstance(g, Tensor):
        return g.swapaxes(d0, d1)
    return call(S.TRANSPOSE, g, d0=d0, d1=d1)


def mT(g: Any) -> Any:
    return transpose(g, g.ndim - 2, g.ndim - 1)


def t(g: Any) -> Any:
    if not isinstance(g, Tensor):
        return g.T
    return call(S.T, g)


def sum_to_shape(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum a broadcast gradient back down to an input's ``shape``."""
    gshape = data(g).shape
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
    if axes:
        g = call(R.SUM_DIM, g, axes=axes, keepdim=False, shape=gshape, dtype=None)
    if data(g).shape != shape:
        g = reshape(g, shape)
    return g


def where(cond: Any, a: Any, b: Any) -> Any:
    return call(E.WHERE, a, b, cond=data(cond))


from . import _registry  # noqa: E402
from . import elementwise as E  # noqa: E402
from . import reduction as R  # noqa: E402
from . import shape as S  # noqa: E402
