"""Elementwise ops: arithmetic, unary functions and comparisons, each with its VJPs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, make
from . import _math as m
from ._registry import apply, apply1, apply2, defop
from ._util import broadcast_error

__all__ = [
    "add",
    "sub",
    "subtract",
    "rsub",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "pow",
    "neg",
    "negative",
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "sign",
    "abs",
    "absolute",
    "sqrt",
    "clamp",
    "clip",
    "where",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "logical_not",
    "bitwise_not",
]


_nd = np.ndarray
_promo_cache: dict[tuple[Any, ...], np.dtype] = {}


def _number(v: Any) -> Any:
    """A Python number, or a TypeError naming the operand torch could not use."""
    if isinstance(v, (bool, int, float, complex)):
        return v
    if isinstance(v, np.generic) and v.dtype.kind in "biufc":
        return v.item()
    raise TypeError(f"unsupported operand type: '{type(v).__name__}'")


def promote(a: Any, b: Any) -> tuple[Any, Any]:
    """Cast two operands (arrays or Python numbers) so NumPy computes in torch's dtype."""
    if type(a) is _nd and type(b) is _nd:
        key = (a.dtype, a.ndim == 0, b.dtype, b.ndim == 0)
        d = _promo_cache.get(key)
        if d is None:
            d = D.result_type(
                (D._BY_NP[a.dtype], 1 if a.ndim == 0 else 2),
                (D._BY_NP[b.dtype], 1 if b.ndim == 0 else 2),
            ).np
            _promo_cache[key] = d
        return a.astype(d, copy=False), b.astype(d, copy=False)
    if type(a) is _nd:
        return _with_number(a, _number(b)), _number(b)
    return _number(a), _with_number(b, _number(a))


def _with_number(arr: np.ndarray, num: Any) -> np.ndarray:
    # NumPy already treats Python numbers as weak, like torch, unless the number's
    # category is above the array's: then torch computes in the default dtype.
    kind = arr.dtype.kind
    if isinstance(num, bool):
        return arr
    if isinstance(num, int):
        return arr.astype(np.int64) if kind == "b" else arr
    if isinstance(num, float):
        return arr if kind in "fc" else arr.astype(D.get_default_dtype().np)
    return arr if kind == "c" else arr.astype(D.default_complex().np)


# Array kinds that NumPy already combines with a Python number the way torch does.
_SAME_AS_TORCH = {float: "fc", int: "iufc"}


def _binary(uf: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    def fwd(a: Any, b: Any) -> Any:
        if type(a) is not _nd or (
            a.dtype is not b.dtype
            if type(b) is _nd
            else a.dtype.kind not in _SAME_AS_TORCH.get(type(b), "")
        ):
            a, b = promote(a, b)
        try:
            return uf(a, b)
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None

    return fwd


def _true_divide(a: Any, b: Any) -> Any:
    a, b = promote(a, b)
    if np.result_type(a, b).kind in "biu":
        f = D.get_default_dtype().np
        a = a.astype(f) if type(a) is _nd else float(a)
        b = b.astype(f) if type(b) is _nd else float(b)
    try:
        return np.true_divide(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None


# --------------------------------------------------------------------- the table
ADD = defop("AddBackward0", _binary(np.add), lambda g, x, y, out: g, lambda g, x, y, out: g)
SUB = defop("SubBackward0", _binary(np.subtract), lambda g, x, y, out: g, lambda g, x, y, out: -g)
MUL = defop(
    "MulBackward0",
    _binary(np.multiply),
    lambda g, x, y, out: g * y,
    lambda g, x, y, out: g * x,
    save_in=True,
    reads=((1,), (0,)),
)
DIV = defop(
    "DivBackward0",
    _true_divide,
    lambda g, x, y, out: g / y,
    lambda g, x, y, out: -g * x / (y * y),
    save_in=True,
    reads=((1,), (0, 1)),
)
RSUB = defop(
    "RsubBackward1",
    lambda x, other: np.subtract(*promote(other, x)),
    lambda g, x, out, other: -g,
)
NEG = defop("NegBackward0", np.negative, lambda g, x, out: -g)
# x ** p for a Python number p; torch defines the gradient at p == 0 as exactly zero.
POW = defop(
    "PowBackward0",
    lambda x, p: np.power(*promote(x, p)),
    lambda g, x, out, p: g * 0 if p == 0 else g * p * x ** (p - 1),
    save_in=True,
)
POW_TT = defop(
    "PowBackward1",
    _binary(np.power),
    lambda g, x, y, out: m.where(m.data(y) == 0, 0.0, g * y * x ** (y - 1)),
    lambda g, x, y, out: g * out * _safe_log(x, y),
    save_in=True,
    save_out=True,
)
# base ** y for a Python number base.
RPOW = defop(
    "PowBackward2",
    lambda y, base: np.power(*promote(base, y)),
    lambda g, y, out, base: g * out * (float(np.log(base)) if base != 0 else 0.0),
    save_out=True,
)
EXP = defop("ExpBackward0", np.exp, lambda g, x, out: g * out, save_out=True)
LOG = defop("LogBackward0", np.log, lambda g, x, out: g / x, save_in=True)
SIN = defop("SinBackward0", np.sin, lambda g, x, out: g * m.call(COS, x), save_in=True)
COS = defop("CosBackward0", np.cos, lambda g, x, out: -g * m.call(SIN, x), save_in=True)
TANH = defop("TanhBackward0", np.tanh, lambda g, x, out: g * (1 - out * out), save_out=True)
# exp(-log(1 + exp(-x))) never overflows, unlike 1 / (1 + exp(-x)) for very negative x.
SIGMOID = defop(
    "SigmoidBackward0",
    lambda x: np.exp(-np.logaddexp(0, -x)).astype(x.dtype, copy=False),
    lambda g, x, out: g * out * (1 - out),
    save_out=True,
)
RELU = defop(
    "ReluBackward0",
    lambda x: np.maximum(x, 0),
    lambda g, x, out: g * (out > 0),
    save_out=True,
)
SIGN = defop("SignBackward0", np.sign, lambda g, x, out: g * 0)
# torch's subgradient of |x| at 0 is 0, which sign() gives.
ABS = defop("AbsBackward0", np.abs, lambda g, x, out: g * m.call(SIGN, x), save_in=True)
SQRT = defop("SqrtBackward0", np.sqrt, lambda g, x, out: g / (2 * out), save_out=True)
# The gradient passes where min <= x <= max, boundaries included, as in torch.
WHERE = defop(
    "WhereBackward0",
    lambda x, y, cond: np.where(cond, *promote(x, y)),
    lambda g, x, y, out, cond: m.where(cond, g, 0.0),
    lambda g, x, y, out, cond: m.where(cond, 0.0, g),
)
CLAMP = defop(
    "ClampBackward1",
    lambda x, lo, hi: np.clip(x, lo, hi).astype(x.dtype, copy=False),
    lambda g, x, out, lo, hi: g * m.const(g, _inside(m.data(x), lo, hi)),
    save_in=True,
)


def _safe_log(x: Any, y: Any) -> Any:
    # d(x**y)/dy = x**y * log(x); torch takes it as 0 where x == 0 and y >= 0.
    zero = (m.data(x) == 0) & (m.data(y) >= 0)
    if zero.any():
        x = m.where(zero, 1.0, x)
    return m.call(LOG, x)


def _inside(x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    keep = np.ones(x.shape, bool)
    if lo is not None:
        keep &= x >= lo
    if hi is not None:
        keep &= x <= hi
    return keep


# ------------------------------------------------------------- public functions
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    return apply2(ADD, input, other if alpha == 1 else other * alpha)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    return apply2(SUB, input, other if alpha == 1 else other * alpha)


subtract = sub


def rsub(input: Tensor, other: Any) -> Tensor:
    """``other - input`` for a Python number ``other``."""
    if isinstance(other, Tensor):
        return apply2(SUB, other, input)
    return apply1(RSUB, input, {"other": _number(other)})


def mul(input: Any, other: Any) -> Tensor:
    return apply2(MUL, input, other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is not None:
        raise NotImplementedError("div(rounding_mode=...) is not supported yet")
    return apply2(DIV, input, other)


divide = true_divide = div


def pow(input: Any, exponent: Any) -> Tensor:
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            return apply2(POW_TT, input, exponent)
        return apply1(POW, input, {"p": _number(exponent)})
    return apply1(RPOW, exponent, {"base": _number(input)})


def neg(input: Tensor) -> Tensor:
    return apply1(NEG, input)


negative = neg


def exp(input: Tensor) -> Tensor:
    return apply1(EXP, _floating(input))


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other``."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            + D._BY_NP[cond.dtype].scalar_name
        )
    return apply(WHERE, (input, other), {"cond": cond})


def log(input: Tensor) -> Tensor:
    return apply1(LOG, _floating(input))


def sin(input: Tensor) -> Tensor:
    return apply1(SIN, _floating(input))


def cos(input: Tensor) -> Tensor:
    return apply1(COS, _floating(input))


def tanh(input: Tensor) -> Tensor:
    return apply1(TANH, _floating(input))


def sigmoid(input: Tensor) -> Tensor:
    return apply1(SIGMOID, _floating(input))


def relu(input: Tensor) -> Tensor:
    return apply1(RELU, input)


def sign(input: Tensor) -> Tensor:
    return apply1(SIGN, input)


def abs(input: Tensor) -> Tensor:
    return apply1(ABS, input)


absolute = abs


def sqrt(input: Tensor) -> Tensor:
    return apply1(SQRT, _floating(input))


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        raise NotImplementedError("clamp with tensor bounds is not supported yet")
    return apply1(CLAMP, input, {"lo": min, "hi": max})


clip = clamp


def _floating(t: Tensor) -> Tensor:
    # Integer inputs of float functions compute in the default dtype, as in torch.
    if t._data.dtype.kind in "biu":
        return make(t._data.astype(D.get_default_dtype().np))
    return t


# ------------------------------------------------------------------ comparisons
def _compare(uf: Callable[..., Any]) -> Callable[[Any, Any], Tensor]:
    fwd = _binary(uf)

    def compare(input: Any, other: Any) -> Tensor:
        a = input._data if isinstance(input, Tensor) else input
        b = other._data if isinstance(other, Tensor) else other
        out = fwd(a, b)
        return make(out if type(out) is _nd else np.asarray(out))

    return compare


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_not(input: Tensor) -> Tensor:
    return make(np.logical_not(input._data))


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return make(np.invert(input._data))
