"""A stand-in GPU library on NumPy, to run ndgrad's CUDA path on a machine without a GPU.

``FakeArray`` behaves as CuPy's array does where ndgrad could go wrong: it is not a
``numpy.ndarray``, NumPy functions and ufuncs dispatch to it, it refuses to be turned into a
host array implicitly (``np.asarray`` raises TypeError) and it refuses to mix with host arrays
in one operation. Set ``NDGRAD_FAKE_GPU=1`` to run the device tests with it (conftest.py).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from ndgrad._backend import GPU

_HOST_MIX = "Unsupported type <class 'numpy.ndarray'>"


def _unwrap(x: Any) -> Any:
    if isinstance(x, FakeArray):
        return x._a
    if isinstance(x, np.ndarray):
        raise TypeError(_HOST_MIX)
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _wrap(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return FakeArray(x)
    if isinstance(x, np.generic):
        return FakeArray(np.asarray(x))
    if isinstance(x, tuple):
        return type(x)(*map(_wrap, x)) if hasattr(x, "_fields") else tuple(map(_wrap, x))
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


class _Device:
    id = 0

    def __enter__(self) -> _Device:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def synchronize(self) -> None:
        return None


class FakeArray(NDArrayOperatorsMixin):
    """GPU memory, played by a NumPy array."""

    __slots__ = ("_a",)

    def __init__(self, a: np.ndarray) -> None:
        self._a = a

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
            "construct a NumPy array explicitly."
        )

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method in ("reduce", "accumulate") and ufunc not in (np.add, np.multiply):
            raise NotImplementedError(f"`cupy_{ufunc.__name__}.{method}` is not supported yet")
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if kwargs.get("shape") == () and func.__name__.endswith("_like"):
            kwargs = {k: v for k, v in kwargs.items() if k != "shape"}  # as CuPy reads it
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def get(self) -> np.ndarray:
        return self._a.copy()

    @property
    def device(self) -> _Device:
        return _Device()

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "shape":  # in-place reshape of a view, as CuPy allows
            self._a.shape = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name in ("__array_interface__", "__array_struct__"):  # CuPy has neither
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if callable(attr):
            return lambda *a, **k: _wrap(attr(*_unwrap(a), **_unwrap(k)))
        return _wrap(attr) if name in ("T", "mT", "real", "imag", "flat") else attr

    def __getitem__(self, key: Any) -> Any:
        out = self._a[_index(key)]
        if isinstance(out, np.generic):  # one element: CuPy gives a 0-dim view, not a copy
            out = self._a[(*_index(key if isinstance(key, tuple) else (key,)), Ellipsis)]
        return _wrap(out)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[_index(key)] = value._a if isinstance(value, FakeArray) else value

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self._a)))

    def __float__(self) -> float:
        return float(self._a)

    def __int__(self) -> int:
        return int(self._a)

    def __complex__(self) -> complex:
        return complex(self._a)

    def __bool__(self) -> bool:
        return bool(self._a)

    def __index__(self) -> int:
        return self._a.__index__()

    def __repr__(self) -> str:
        return "FakeArray(" + repr(self._a) + ")"


def _index(key: Any) -> Any:
    """Index arrays may live on either side, as CuPy accepts host index arrays."""
    if isinstance(key, tuple):
        return tuple(_index(k) for k in key)
    return key._a if isinstance(key, FakeArray) else key


class _Namespace:
    """``xp``: NumPy's functions, making and returning FakeArrays."""

    ndarray = FakeArray

    def __getattr__(self, name: str) -> Any:
        attr = getattr(np, name)
        if not callable(attr) or isinstance(attr, type):
            return attr
        return lambda *a, **k: _wrap(attr(*_unwrap(a), **_unwrap(k)))

    def argsort(self, a: FakeArray, axis: int = -1) -> FakeArray:
        return FakeArray(np.argsort(a._a, axis=axis, kind="stable"))  # as CuPy's, stable

    def asarray(self, a: Any, dtype: Any = None) -> FakeArray:
        if isinstance(a, FakeArray):
            return a if dtype is None else FakeArray(a._a.astype(dtype, copy=False))
        return FakeArray(np.array(a, dtype))


class FakeGPU(GPU):
    """ndgrad's view of the stand-in: one device, host copies for moves."""

    def __init__(self) -> None:
        super().__init__(_Namespace(), None)

    def count(self) -> int:
        return 1

    def index(self, arr: Any) -> int:
        return 0

    def to_host(self, arr: Any) -> np.ndarray:
        return arr._a.copy()

    def from_host(self, arr: Any, index: int) -> Any:
        return FakeArray(np.array(arr))

    def move(self, arr: Any, index: int) -> Any:
        return FakeArray(arr._a.copy())

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        np.add.at(target._a, _index(index), _unwrap(values))

    def as_strided(self, arr: Any, shape: Any, strides: Any) -> Any:
        return FakeArray(np.lib.stride_tricks.as_strided(arr._a, shape, strides))

    def checked_linalg(self) -> Any:
        return nullcontext()  # NumPy's linalg raises already

    def ptr(self, arr: Any) -> int:
        return arr._a.ctypes.data

    def synchronize(self, index: int) -> None:
        return None

    def memory_allocated(self) -> int:
        return 0

    def empty_cache(self) -> None:
        return None

    def name(self, index: int) -> str:
        return "ndgrad fake GPU (NumPy)"
