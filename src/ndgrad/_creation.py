"""Creation functions: tensor, zeros, ones, full, arange, linspace, random draws, *_like."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _dtype as D
from ._random import Generator, stream
from ._tensor import Size, Tensor, make

__all__ = [
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "eye",
    "arange",
    "linspace",
    "randn",
    "rand",
    "randint",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand_like",
    "randn_like",
    "randint_like",
]


def _check_device(device: Any) -> None:
    if device is not None and str(device).split(":")[0] != "cpu":
        raise AssertionError("Torch not compiled with CUDA enabled")


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = make(arr, None, False)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = True
    return t


def _scalar_dtype(v: Any) -> D.dtype | None:
    """The dtype torch infers for one Python or NumPy scalar, or None if it is not one."""
    if isinstance(v, np.generic):
        return D.from_numpy_dtype(v.dtype)
    if isinstance(v, bool):
        return D.bool_
    if isinstance(v, numbers.Integral):
        return D.int64
    if isinstance(v, numbers.Real):
        return D.get_default_dtype()
    if isinstance(v, numbers.Complex):
        return D.default_complex()
    return None


def _walk(seq: Any, dim: int, shape: list[int], dtypes: set[D.dtype]) -> list[Any]:
    """Check a nested sequence is rectangular, collect its element dtypes, unwrap tensors."""
    if dim == len(shape):
        shape.append(len(seq))
    elif len(seq) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})")
    out = []
    for item in seq:
        if isinstance(item, (list, tuple)):
            out.append(_walk(item, dim + 1, shape, dtypes))
            continue
        if isinstance(item, Tensor):
            if item._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            dtypes.add(D._BY_NP[item._data.dtype])
            item = item._data.reshape(()).item()
        elif isinstance(item, np.ndarray):
            dtypes.add(D.from_numpy_dtype(item.dtype))
            item = item.tolist()
        else:
            d = _scalar_dtype(item)
            if d is None:
                if isinstance(item, (str, bytes)):
                    raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
                raise RuntimeError(f"Could not infer dtype of {type(item).__name__}")
            dtypes.add(d)
        out.append(item)
    return out


def _infer(data: Any) -> np.ndarray:
    """Convert Python data to an array with torch's inferred dtype."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    d = _scalar_dtype(data)
    if d is not None:
        return np.array(data, d.np)
    if not isinstance(data, (list, tuple)):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    dtypes: set[D.dtype] = set()
    values = _walk(data, 0, [], dtypes)
    result = D.get_default_dtype()
    if dtypes:
        result = functools.reduce(D.promote_types, dtypes)
    return np.array(values, result.np)


def tensor(
    data: Any,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data``."""
    _check_device(device)
    arr = _infer(data)
    if dtype is not None:
        arr = arr.astype(dtype.np, copy=False)
    return _finish(arr, requires_grad)


def as_tensor(data: Any, dtype: D.dtype | None = None, device: Any = None) -> Tensor:
    """Like tensor(), but shares memory with a Tensor or NumPy array when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.np):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return make(ndarray)


def _size(size: Sequence[Any], name: str = "zeros") -> tuple[int, ...]:
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(
                f"zeros(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__}"
            )
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(size)}"
            )
    return tuple(int(s) for s in size)


def _float(dtype: D.dtype | None) -> np.dtype:
    return (dtype or D.get_default_dtype()).np


def zeros(
    *size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    _check_device(device)
    return _finish(np.zeros(_size(size, "zeros"), _float(dtype)), requires_grad)


def ones(
    *size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    _check_device(device)
    return _finish(np.ones(_size(size, "ones"), _float(dtype)), requires_grad)


def empty(
    *size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    _check_device(device)
    return _finish(np.empty(_size(size, "empty"), _float(dtype)), requires_grad)


def full(
    size: Sequence[int],
    fill_value: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    d = dtype or D.scalar_dtype(fill_value)
    return _finish(np.full(_size((size,)), fill_value, d.np), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _check_device(device)
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _check_device(device)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in vals)
        dtype = D.int64 if ints else D.get_default_dtype()
    # Computed in float64 then cast, so float32 ranges hold the values torch gives.
    arr = np.arange(*vals, dtype=np.float64 if dtype.category == D.FLOAT else dtype.np)
    return _finish(arr.astype(dtype.np, copy=False), requires_grad)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.linspace(float(start), float(end), steps)
    return _finish(arr.astype(_float(dtype)), requires_grad)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _check_device(device)
    arr = stream(generator).standard_normal(_size(size, "randn"), dtype=np.float64)
    return _finish(arr.astype(_float(dtype)), requires_grad)


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _check_device(device)
    arr = stream(generator).random(_size(size, "rand"))
    return _finish(arr.astype(_float(dtype)), requires_grad)


def randint(
    *args: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """randint(high, size) or randint(low, high, size)."""
    _check_device(device)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    arr = stream(generator).integers(low, high, _size((size,)))
    return _finish(arr.astype((dtype or D.int64).np), requires_grad)


def _like(input: Tensor, dtype: D.dtype | None) -> tuple[tuple[int, ...], np.dtype]:
    return input._data.shape, (dtype.np if dtype is not None else input._data.dtype)


def zeros_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like(input, dtype)
    return _finish(np.zeros(shape, d), requires_grad)


def ones_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like(input, dtype)
    return _finish(np.ones(shape, d), requires_grad)


def empty_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like(input, dtype)
    return _finish(np.empty(shape, d), requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, d = _like(input, dtype)
    return _finish(np.full(shape, fill_value, d), requires_grad)


def rand_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like(input, dtype)
    return _finish(stream(None).random(shape).astype(d), requires_grad)


def randn_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like(input, dtype)
    return _finish(stream(None).standard_normal(shape).astype(d), requires_grad)


def randint_like(
    input: Tensor, low: int = 0, high: int | None = None, *, dtype: D.dtype | None = None
) -> Tensor:
    if high is None:
        low, high = 0, low
    shape, d = _like(input, dtype)
    return make(stream(None).integers(low, high, shape).astype(d))


def legacy_new(cls: type, dtype: D.dtype, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Tensor:
    """``torch.Tensor(...)``/``FloatTensor(...)``: from data, or uninitialised of a size."""
    if kwargs.get("device") is not None:
        _check_device(kwargs["device"])
    if not args:
        arr = np.empty((0,), dtype.np)
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
        arr = _infer(args[0]).astype(dtype.np)
    else:
        arr = np.zeros(_size(args), dtype.np)
    t = object.__new__(cls)
    t._data = arr
    t._node = None
    t._rg = False
    t._vc = None
    t._base = None
    t._tangent = None
    return t


class _LegacyType:
    """``ndgrad.FloatTensor`` and friends: constructors and isinstance checks by dtype."""

    def __init__(self, name: str, dtype: D.dtype) -> None:
        self.__name__ = name
        self.dtype = dtype

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        return legacy_new(Tensor, self.dtype, args, kwargs)

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == self.dtype.np

    def __repr__(self) -> str:
        return f"<class 'ndgrad.{self.__name__}'>"


FloatTensor = _LegacyType("FloatTensor", D.float32)
DoubleTensor = _LegacyType("DoubleTensor", D.float64)
HalfTensor = _LegacyType("HalfTensor", D.float16)
LongTensor = _LegacyType("LongTensor", D.int64)
IntTensor = _LegacyType("IntTensor", D.int32)
ShortTensor = _LegacyType("ShortTensor", D.int16)
CharTensor = _LegacyType("CharTensor", D.int8)
ByteTensor = _LegacyType("ByteTensor", D.uint8)
BoolTensor = _LegacyType("BoolTensor", D.bool_)
