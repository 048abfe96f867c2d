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
    "from_numpy_dtype",
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
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
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


def result_type(*operands: tuple[dtype, int]) -> dtype:
    """torch.result_type for operands given as (dtype, priority).

    Priority 2 is a tensor with dimensions, 1 a zero-dim tensor, 0 a Python number.
    """
    states: list[dtype | None] = [None, None, None]
    for d, prio in operands:
        cur = states[prio]
        states[prio] = d if cur is None else promote_types(cur, d)
    out = _combine(states[2], _combine(states[1], states[0]))
    assert out is not None
    return out
