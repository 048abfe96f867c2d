"""Parameter and Buffer: tensors that modules register."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _backend as B
from .._device import device
from .._tensor import Tensor, make, version_counter

__all__ = ["Parameter", "Buffer"]


def _wrap(cls: type, data: Tensor | None) -> Any:
    # The one place nn builds a Tensor subclass by hand: a Parameter must share ``data``'s
    # array (and version counter) rather than copy it, as torch's _make_subclass does.
    if data is None:
        arr = np.empty((0,), np.float32)
        vc = None
    else:
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        arr = data._data
        vc = version_counter(data)
    t = object.__new__(cls)
    t._data = arr
    t._node = None
    t._rg = False
    t._vc = vc
    t._base = None
    t._tangent = None
    return t


class Parameter(Tensor):
    """A tensor that a Module registers as one of its learnable parameters."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        t = _wrap(cls, data)
        if requires_grad and t._data.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = bool(requires_grad)
        return t

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        out = type(self)(self.data.clone(), self.requires_grad)
        if self.grad is not None:
            out.grad = self.grad.clone()
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol: Any) -> Any:
        host = np.array(B.to_numpy(self._data))
        return (_rebuild_parameter, (host, self.requires_grad, str(self.device)))


class Buffer(Tensor):
    """A tensor a Module keeps as state (running statistics and the like), not learned."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        t = _wrap(cls, data)
        if data is not None:
            t._rg = data.requires_grad
        t.persistent = persistent
        return t

    def __reduce_ex__(self, protocol: Any) -> Any:
        host = np.array(B.to_numpy(self._data))
        return (_rebuild_buffer, (host, self.persistent, str(self.device)))


def _rebuild_parameter(arr: np.ndarray, requires_grad: bool, where: str = "cpu") -> Parameter:
    return Parameter(make(B.to_device(arr, device(where))), requires_grad)


def _rebuild_buffer(arr: np.ndarray, persistent: bool, where: str = "cpu") -> Buffer:
    return Buffer(make(B.to_device(arr, device(where))), persistent=persistent)
