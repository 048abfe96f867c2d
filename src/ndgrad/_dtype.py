"""Tensor dtypes, torch's type promotion, and the default floating dtype."""

from __future__ import annotations

import threading

import numpy as np

__all__ = [
    "dtype",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
    "can_cast",
    "finfo",
    "iinfo",
]

# Categories in promotion order: a higher category wins over any dtype of a lower one.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type; prints as ``ndgrad.float32``."""

    __slots__ = ("name", "scalar_name", "np", "category", "itemsize", "is_signed")

    def __init__(self, name: str, scalar_name: str, np_type: type, category: int) -> None:
        self.name = name
        self.scalar_name = scalar_name  # the C++ name torch's error messages use
        self.np = np.dtype(np_type)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = self.np.kind in "ifc"

    @property
    def is_floating_point(self) -> bool:
        return self.category == FLOAT

    @property
    def is_complex(self) -> bool:
        return self.category == COMPLEX

    def __repr__(self) -> str:
        return "ndgrad." + self.name

    def __reduce__(self) -> str:
        return self.name


float16 = dtype("float16", "Half", np.float16, FLOAT)
float32 = dtype("float32", "Float", np.float32, FLOAT)
float64 = dtype("float64", "Double", np.float64, FLOAT)
complex64 = dtype("complex64", "ComplexFloat", np.complex64, COMPLEX)
complex128 = dtype("complex128", "ComplexDouble", np.complex128, COMPLEX)
uint8 = dtype("uint8", "Byte", np.uint8, INT)
int8 = dtype("int8", "Char", np.int8, INT)
int16 = dtype("int16", "Short", np.int16, INT)
int32 = dtype("int32", "Int", np.int32, INT)
int64 = dtype("int64", "Long", np.int64, INT)
bool_ = dtype("bool", "Bool", np.bool_, BOOL)

ALL = (
    float16,
    float32,
    float64,
    complex64,
    complex128,
    uint8,
    int8,
    int16,
    int32,
    int64,
    bool_,
)
_BY_NP = {d.np: d for d in ALL}


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint8, and bool."
        ) from None


class _Defaults(threading.local):
    float = float32


# torch keeps the default dtype per thread as well.
_defaults = _Defaults()


def get_default_dtype() -> dtype:
    return _defaults.float


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or d.category != FLOAT:
        raise TypeError("only floating-point types are supported as the default type")
    _defaults.float = d


def default_complex() -> dtype:
    return complex128 if _defaults.float is float64 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the higher category wins, else the wider type."""
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == COMPLEX and lo.category == FLOAT and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi
    return _BY_NP[np.promote_types(a.np, b.np)]


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # The rule torch applies between priority classes (dimensioned > 0-dim > Python number).
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        if higher.category == FLOAT:
            return complex128 if higher is float64 else complex64
        return lower
    if higher.category == FLOAT:
        return higher
    if higher.category == BOOL or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(v: object) -> dtype:
    """The dtype a Python number takes part in promotion with."""
    if isinstance(v, bool):
        return bool_
    if isinstance(v, int):
        return int64
    if isinstance(v, complex):
        return default_complex()
    return _defaults.float


def combine(*operands: tuple[dtype, int]) -> dtype:
    """torch's result dtype for operands given as (dtype, priority).

    Priority 2 is a tensor with dimensions, 1 a zero-dim tensor, 0 a Python number.
    """
    states: list[dtype | None] = [None, None, None]
    for d, prio in operands:
        cur = states[prio]
        states[prio] = d if cur is None else promote_types(cur, d)
    out = _combine(states[2], _combine(states[1], states[0]))
    assert out is not None
    return out


def _operand(v: object) -> tuple[dtype, int]:
    from ._tensor import Tensor

    if isinstance(v, Tensor):
        return v.dtype, 1 if v.ndim == 0 else 2
    if isinstance(v, (bool, int, float, complex)):
        return scalar_dtype(v), 0
    if isinstance(v, np.generic) and v.dtype.kind in "biufc":
        return scalar_dtype(v.item()), 0
    raise TypeError(
        f"result_type(): argument 'other' must be Tensor or Number, not {type(v).__name__}"
    )


def result_type(tensor1: object, tensor2: object) -> dtype:
    """The dtype torch computes ``tensor1 op tensor2`` in (tensors or Python numbers)."""
    return combine(_operand(tensor1), _operand(tensor2))


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether torch's casting rules allow ``from_`` to ``to``: never to a lower category."""
    return from_.category <= to.category


class finfo:
    """Machine limits of a floating dtype (the default dtype when none is given)."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type: dtype | None = None) -> None:
        d = get_default_dtype() if type is None else type
        if d.category == COMPLEX:
            d = float32 if d is complex64 else float64
        if d.category != FLOAT:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to "
                "handle 'torch.finfo'"
            )
        info = np.finfo(d.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = d.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:
    """Machine limits of an integer dtype."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type: dtype) -> None:
        if type.category == BOOL:
            raise TypeError(f"{type!r} is not supported by torch.iinfo")
        if type.category != INT:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        info = np.iinfo(type.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
