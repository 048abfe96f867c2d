"""Creation functions: tensor, zeros, ones, full, arange, linspace, random draws, *_like."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _backend as B
from . import _dtype as D
from . import _sampling as S
from ._device import device as _device
from ._random import Generator, gen
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
    "logspace",
    "tril_indices",
    "triu_indices",
    "randn",
    "rand",
    "randint",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand_like",
    "randn_like",
    "randint_like",
]


def _where(device: Any, like: Tensor | None = None) -> Any:
    """The device asked for: None for the CPU, else a CUDA device checked to exist."""
    if device is None:
        return None if like is None or like.device.type == "cpu" else like.device
    d = _device(device)
    if d.type == "cpu":
        return None
    B.namespace(d)
    return _device("cuda", d.index or 0)


def _xp(where: Any) -> Any:
    return np if where is None else B.namespace(where)


def _finish(arr: Any, requires_grad: bool, where: Any = None, redraw: Any = None) -> Tensor:
    arr = B.created(arr, redraw) if where is None else B.to_device(arr, where)
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


def _infer(data: Any, dtype: D.dtype | None = None) -> np.ndarray:
    """Convert data to an array: with ``dtype`` if given (Python numbers go straight to it,
    never through the default dtype), else with the dtype torch infers."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    d = _scalar_dtype(data)
    if d is not None:
        return np.array(data, (dtype or d).np)
    if not isinstance(data, (list, tuple)):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    dtypes: set[D.dtype] = set()
    values = _walk(data, 0, [], dtypes)
    result = D.get_default_dtype()
    if dtypes:
        result = functools.reduce(D.promote_types, dtypes)
    return np.array(values, (dtype or result).np)


def tensor(
    data: Any,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data``."""
    where = _where(device)
    arr = _infer(data, dtype)
    if dtype is not None:
        arr = arr.astype(dtype.np, copy=False)
    return _finish(arr, requires_grad, where)


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
    where = _where(device)
    return _finish(_xp(where).zeros(_size(size, "zeros"), _float(dtype)), requires_grad)


def ones(
    *size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    where = _where(device)
    return _finish(_xp(where).ones(_size(size, "ones"), _float(dtype)), requires_grad)


def empty(
    *size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    where = _where(device)
    return _finish(_xp(where).empty(_size(size, "empty"), _float(dtype)), requires_grad)


def full(
    size: Sequence[int],
    fill_value: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    where = _where(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    d = dtype or D.scalar_dtype(fill_value)
    return _finish(_xp(where).full(_size((size,)), fill_value, d.np), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    where = _where(device)
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad, where)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    where = _where(device)
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
    return _finish(arr.astype(dtype.np, copy=False), requires_grad, where)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    where = _where(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.linspace(float(start), float(end), steps)
    return _finish(arr.astype(_float(dtype)), requires_grad, where)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``, computed in double precision."""
    exponents = linspace(start, end, steps, dtype=D.float64)._data
    arr = np.power(float(base), exponents).astype(_float(dtype))
    return _finish(arr, requires_grad, _where(device))


def _triangle_indices(
    name: str, row: int, col: int, offset: int, dtype: D.dtype | None, device: Any
) -> Tensor:
    for arg, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{arg} must be non-negative, got{n}")
    d = dtype or D.int64
    if d not in (D.int32, D.int64):
        raise NotImplementedError(f"\"{name}\" not implemented for '{d.scalar_name}'")
    pick = np.tril_indices if name == "tril_indices" else np.triu_indices
    return _finish(np.stack(pick(row, offset, col)).astype(d.np), False, _where(device))


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: D.dtype | None = None, device: Any = None
) -> Tensor:
    """The (row, column) coordinates of a row x col matrix's lower triangle, as a 2 x N
    tensor in row-major order; ``offset`` moves the diagonal up (> 0) or down."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, device)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: D.dtype | None = None, device: Any = None
) -> Tensor:
    """The coordinates of the upper triangle, as tril_indices gives the lower one."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, device)


def _sized(size: Sequence[Any], kw_size: Any, name: str) -> tuple[int, ...]:
    return _size(size if kw_size is None else (kw_size,), name)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    where = _where(device)
    shape = _sized(size, kwargs.get("size"), "randn")
    d = _float(dtype)

    def draw() -> np.ndarray:
        return S.normal(gen(generator, where), math.prod(shape), d).reshape(shape)

    return _finish(draw(), requires_grad, where, draw)


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    where = _where(device)
    shape = _sized(size, kwargs.get("size"), "rand")

    def draw() -> np.ndarray:
        return S.uniform(gen(generator, where), math.prod(shape), d, 0.0, 1.0).reshape(shape)

    d = _float(dtype)
    return _finish(draw(), requires_grad, where, draw)


def _check_range(low: int, high: int) -> None:
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )


def randint(
    *args: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    """randint(high, size) or randint(low, high, size)."""
    where = _where(device)
    args = args + tuple(kwargs.pop(k) for k in ("low", "high", "size") if k in kwargs)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    low, high = int(low), int(high)
    _check_range(low, high)
    shape = _size((size,))
    d = (dtype or D.int64).np

    def draw() -> np.ndarray:
        return S.integers(gen(generator, where), math.prod(shape), d, low, high).reshape(shape)

    return _finish(draw(), requires_grad, where, draw)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    where = _where(device)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")

    def draw() -> np.ndarray:
        return S.randperm(gen(generator, where), n).astype((dtype or D.int64).np, copy=False)

    return _finish(draw(), requires_grad, where, draw)


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """normal(mean, std, size) with floats, or with a Tensor mean and/or std (broadcast)."""
    where = _where(device)
    t_mean, t_std = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (t_mean or t_std):
        if size is None:
            raise TypeError('normal() missing 1 required positional argument: "size"')
        _check_std(std)
        shape = _size((size,))

        def draw() -> np.ndarray:
            return S.normal(gen(generator, where), math.prod(shape), d, mean, std).reshape(shape)

        d = _float(dtype)
        return _finish(draw(), requires_grad, where, draw)
    if t_std and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not t_std:
        _check_std(std)
    parts = [x for x in (mean, std) if isinstance(x, Tensor)]
    if where is None:
        where = _where(None, parts[0])
    g = gen(generator, where)
    shape = np.broadcast_shapes(*[x._data.shape for x in parts])
    d = np.result_type(*[x._data.dtype for x in parts])
    if d.kind != "f":
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{D.from_numpy_dtype(d)}'")
    # As torch: draw N(0, 1) (or N(0, std) for a float std), then scale and shift in place.
    out = S.normal(g, math.prod(shape), d, 0.0, 1.0 if t_std else std).reshape(shape)
    if t_std:
        out = out * B.to_numpy(std._data)
    shift = B.to_numpy(mean._data) if t_mean else d.type(mean)
    return _finish((out + shift).astype(d), requires_grad, where)


def _check_std(std: Any) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def bernoulli(
    input: Tensor, p: float | None = None, *, generator: Generator | None = None
) -> Tensor:
    """Zeros and ones, one per element of ``input``: 1 with probability input (or ``p``)."""
    where = _where(None, input)
    g = gen(generator, where)
    x = B.to_numpy(input._data)
    if p is not None:
        arr = S.bernoulli(g, x.size, p).reshape(x.shape)
    else:
        if ((x < 0) | (x > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        arr = S.bernoulli_tensor(g, x.reshape(-1)).reshape(x.shape)
    return _finish(arr.astype(x.dtype), False, where)


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    where = _where(None, input)
    probs = B.to_numpy(input._data)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rows = probs.reshape(-1, probs.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    out = S.multinomial(gen(generator, where), rows, int(num_samples), replacement)
    return _finish(out.reshape(probs.shape[:-1] + (num_samples,)), False, where)


def _like(input: Tensor, dtype: D.dtype | None) -> tuple[tuple[int, ...], np.dtype]:
    return input._data.shape, (dtype.np if dtype is not None else input._data.dtype)


def zeros_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    where = _where(device, input)
    shape, d = _like(input, dtype)
    return _finish(_xp(where).zeros(shape, d), requires_grad)


def ones_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    where = _where(device, input)
    shape, d = _like(input, dtype)
    return _finish(_xp(where).ones(shape, d), requires_grad)


def empty_like(
    input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    where = _where(device, input)
    shape, d = _like(input, dtype)
    return _finish(_xp(where).empty(shape, d), requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    where = _where(device, input)
    shape, d = _like(input, dtype)
    return _finish(_xp(where).full(shape, fill_value, d), requires_grad)


def rand_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    where = _where(device, input)
    shape, d = _like(input, dtype)

    def draw() -> np.ndarray:
        return S.uniform(gen(generator, where), math.prod(shape), d, 0.0, 1.0).reshape(shape)

    return _finish(draw(), requires_grad, where, draw)


def randn_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    where = _where(device, input)
    shape, d = _like(input, dtype)

    def draw() -> np.ndarray:
        return S.normal(gen(generator, where), math.prod(shape), d).reshape(shape)

    return _finish(draw(), requires_grad, where, draw)


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    if high is None:
        low, high = 0, low
    low, high = int(low), int(high)
    _check_range(low, high)
    where = _where(device, input)
    shape, d = _like(input, dtype)

    def draw() -> np.ndarray:
        return S.integers(gen(generator, where), math.prod(shape), d, low, high).reshape(shape)

    return _finish(draw(), requires_grad, where, draw)


def legacy_new(cls: type, dtype: D.dtype, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Tensor:
    """``torch.Tensor(...)``/``FloatTensor(...)``: from data, or uninitialised of a size."""
    where = _where(kwargs.get("device"))
    if not args:
        arr = np.empty((0,), dtype.np)
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
        arr = _infer(args[0]).astype(dtype.np)
    else:
        arr = np.zeros(_size(args), dtype.np)
    t = object.__new__(cls)
    t._data = B.created(arr) if where is None else B.to_device(arr, where)
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
        return (
            isinstance(obj, Tensor)
            and type(obj._data) is np.ndarray
            and obj._data.dtype == self.dtype.np
        )

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
