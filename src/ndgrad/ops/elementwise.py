"""Elementwise ops: arithmetic, unary functions and comparisons, each with its VJPs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend as B
from .. import _dtype as D
from .._tensor import Tensor, make
from . import _math as m
from ._erf import TWO_OVER_SQRT_PI
from ._erf import erf as _erf
from ._erf import erfc as _erfc
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
    "exp2",
    "expm1",
    "log2",
    "log10",
    "log1p",
    "rsqrt",
    "reciprocal",
    "square",
    "tan",
    "asin",
    "acos",
    "atan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "logit",
    "erf",
    "erfc",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fix",
    "frac",
    "clamp_min",
    "clamp_max",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "atan2",
    "arctan2",
    "hypot",
    "fmod",
    "remainder",
    "lerp",
    "addcmul",
    "addcdiv",
    "nan_to_num",
    "isnan",
    "isinf",
    "isfinite",
    "isposinf",
    "isneginf",
    "isreal",
    "signbit",
    "logical_and",
    "logical_or",
    "logical_xor",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "floor_divide",
    "float_power",
    "sgn",
    "copysign",
    "heaviside",
    "positive",
    "equal",
    "allclose",
    "isclose",
    "logaddexp",
    "logaddexp2",
    "xlogy",
    "sinc",
]


_nd = np.ndarray
_is_array = B.is_array
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
    ia = type(a) is _nd or _is_array(a)
    ib = type(b) is _nd or _is_array(b)
    if ia and ib:
        key = (a.dtype, a.ndim == 0, b.dtype, b.ndim == 0)
        d = _promo_cache.get(key)
        if d is None:
            d = D.combine(
                (D._BY_NP[a.dtype], 1 if a.ndim == 0 else 2),
                (D._BY_NP[b.dtype], 1 if b.ndim == 0 else 2),
            ).np
            _promo_cache[key] = d
        return a.astype(d, copy=False), b.astype(d, copy=False)
    if ia:
        a = _with_number(a, _number(b))
        return a, _wrap_int(a, _number(b))
    b = _with_number(b, _number(a))
    return _wrap_int(b, _number(a)), b


def _wrap_int(arr: np.ndarray, num: Any) -> Any:
    # torch casts an out-of-range Python int to the tensor's integer dtype (it wraps);
    # NumPy would raise OverflowError instead.
    if type(num) is int and arr.dtype.kind in "iu":
        info = np.iinfo(arr.dtype)
        if not info.min <= num <= info.max:
            return B.asarray(num & 0xFFFFFFFFFFFFFFFF, arr, np.uint64).astype(arr.dtype)
    return num


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
    if kind == "c":
        return arr
    # A float tensor keeps its precision: float64 with a complex number gives complex128.
    if arr.dtype == np.float64:
        return arr.astype(np.complex128)
    return arr.astype(D.default_complex().np if kind != "f" else np.complex64)


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
        except OverflowError:
            return uf(*promote(a, b))  # an out-of-range int: promote wraps it
        except TypeError as e:
            raise _bool_subtract(uf, e) from None

    return fwd


def _bool_subtract(uf: Any, error: TypeError) -> Exception:
    """torch's error for subtracting bool tensors (NumPy raises its own TypeError)."""
    if uf is np.subtract and "boolean subtract" in str(error):
        return RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    return error


def _rsub(x: Any, other: Any) -> Any:
    try:
        return np.subtract(*promote(other, x))
    except TypeError as e:
        raise _bool_subtract(np.subtract, e) from None


def _to_float(uf: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """A binary forward that computes integer operands in the default float dtype."""

    def fwd(a: Any, b: Any) -> Any:
        pa, pb = promote(a, b)
        if np.result_type(pa, pb).kind in "biu":
            # From the unpromoted operands: an out-of-range int is not wrapped here.
            f = D.get_default_dtype().np
            a = a.astype(f) if _is_array(a) else float(a)
            b = b.astype(f) if _is_array(b) else float(b)
        else:
            a, b = pa, pb
        try:
            return uf(a, b)
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None

    return fwd


_true_divide = _to_float(np.true_divide)


def _operand(v: Any) -> tuple[D.dtype, int]:
    if _is_array(v):
        return D._BY_NP[v.dtype], 1 if v.ndim == 0 else 2
    return D.scalar_dtype(_number(v)), 0


def _cast_all(*xs: Any) -> list[Any]:
    """Operands (arrays, numbers or None) cast to their common torch dtype."""
    d = D.combine(*[_operand(x) for x in xs if x is not None]).np
    return [x.astype(d, copy=False) if _is_array(x) else x for x in xs]


def _int_zero_check(b: Any) -> None:
    # Integer division by zero is an error in torch, not a warning.
    if np.any(np.equal(b, 0)):
        raise RuntimeError("ZeroDivisionError")


def _rounded_div(a: Any, b: Any, mode: str) -> Any:
    """a / b rounded toward -inf ("floor") or toward zero ("trunc"), in the operands' dtype."""
    a, b = promote(a, b)
    kind = np.result_type(a, b).kind
    if kind == "b":
        raise NotImplementedError(f"\"div_{mode}_cpu\" not implemented for 'Bool'")
    try:
        if kind in "iu":
            _int_zero_check(b)
            q = np.floor_divide(a, b)
            if mode == "trunc":
                q += (np.remainder(a, b) != 0) & ((np.less(a, 0)) != (np.less(b, 0)))
            return q
        if mode == "floor":
            return np.floor_divide(a, b)
        return np.trunc(np.true_divide(a, b))
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None


def _int_safe(uf: Callable[..., Any], name: str) -> Callable[[Any, Any], Any]:
    """fmod / remainder: NumPy's forward, with torch's errors for bool and integer zero."""
    fwd = _binary(uf)

    def checked(a: Any, b: Any) -> Any:
        kind = np.result_type(a, b).kind
        if kind == "b":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
        if kind in "iu":
            _int_zero_check(b)
        return fwd(a, b)

    return checked


def _logit(x: np.ndarray, eps: float | None) -> np.ndarray:
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)
    return np.log(x / (1 - x))


def lerp_fwd(x: Any, y: Any, w: Any) -> Any:
    # torch's two-sided formula: exact at both ends, w == 0 and w == 1.
    if not _is_array(w):
        out = x + w * (y - x) if -0.5 < w < 0.5 else y - (y - x) * (1 - w)
    else:
        out = np.where(np.abs(w) < 0.5, x + w * (y - x), y - (y - x) * (1 - w))
    return out.astype(x.dtype, copy=False)


def _clamp_t(x: Any, lo: Any, hi: Any) -> Any:
    x, lo, hi = _cast_all(x, lo, hi)
    out = x if lo is None else np.maximum(x, lo)
    return out if hi is None else np.minimum(out, hi)


def _maxmin_weight(x: np.ndarray, y: np.ndarray, g: Any, lose: Any) -> Any:
    """Share of the gradient of maximum/minimum that goes to x: ties split it equally."""
    w = np.where(x == y, 0.5, np.where(lose(x, y), 0.0, 1.0)).astype(m.data(g).dtype)
    return m.const(g, w)


def _fmaxmin_mask(x: Any, y: Any, g: Any, keep: Any, to_x: bool) -> Any:
    """fmax/fmin send the whole gradient to x where it wins, ties and a NaN y included."""
    mask = keep(x, y) | np.isnan(y)
    return m.const(g, mask if to_x else ~mask)


def _copysign_ratio(x: Any, out: Any, g: Any) -> Any:
    with np.errstate(all="ignore"):
        r = np.where(x == 0, 0.0, out / np.where(x == 0, 1, x))
    return m.const(g, r.astype(m.data(g).dtype))


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
    _rsub,
    lambda g, x, out, other: -g,
)
# Their forwards are NumPy ufuncs: a Python float operand may come as a 0-dim array.
for _op in (ADD, SUB, MUL, DIV):
    _op.scalars = True
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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + exp(-x)) in place: exp overflows to inf for very negative x, giving exactly 0,
    # as torch does (NumPy's overflow warning is silenced for ndgrad's modules).
    out = np.empty_like(x)
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


SIGMOID = defop(
    "SigmoidBackward0",
    _sigmoid,
    lambda g, x, out: g * out * (1 - out),
    save_out=True,
)
# Rows of zeros by dtype: np.maximum runs its fast loop on two contiguous operands, 3-4x
# quicker than against a broadcast 0, so a large ReLU takes its maximum row by row.
_ZERO_ROW = 4096
_ZEROS: dict[np.dtype, np.ndarray] = {}


def _relu(x: Any) -> Any:
    if (
        type(x) is not _nd
        or x.dtype.kind != "f"
        or x.size < 4 * _ZERO_ROW
        or not x.flags.c_contiguous
    ):
        return np.maximum(x, 0)
    zeros = _ZEROS.get(x.dtype)
    if zeros is None:
        zeros = _ZEROS[x.dtype] = np.zeros(_ZERO_ROW, x.dtype)
        zeros.flags.writeable = False
    out = np.empty(x.shape, x.dtype)
    flat, res = x.reshape(-1), out.reshape(-1)
    whole = x.size - x.size % _ZERO_ROW
    rows = (whole // _ZERO_ROW, _ZERO_ROW)
    np.maximum(flat[:whole].reshape(rows), zeros, out=res[:whole].reshape(rows))
    np.maximum(flat[whole:], 0, out=res[whole:])
    return out


RELU = defop(
    "ReluBackward0",
    _relu,
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
# Tensor bounds (either may be None). torch's convention: a bound gets the gradient where
# it is the output, and where min > max the output is max everywhere.
CLAMP_T = defop(
    "ClampBackward0",
    _clamp_t,
    lambda g, x, lo, hi, out: g * m.const(g, _inside(m.data(x), m.data(lo), m.data(hi))),
    lambda g, x, lo, hi, out: g * m.const(g, _below_min(m.data(x), m.data(lo), m.data(hi))),
    lambda g, x, lo, hi, out: g * m.const(g, _above_max(m.data(x), m.data(lo), m.data(hi))),
    save_in=True,
)
CLAMP_MIN = defop(
    "ClampMinBackward0",
    lambda x, lo: np.maximum(x, lo).astype(x.dtype, copy=False),
    lambda g, x, out, lo: g * m.const(g, m.data(x) >= lo),
    save_in=True,
)
CLAMP_MAX = defop(
    "ClampMaxBackward0",
    lambda x, hi: np.minimum(x, hi).astype(x.dtype, copy=False),
    lambda g, x, out, hi: g * m.const(g, m.data(x) <= hi),
    save_in=True,
)
CLAMP_MIN_T = defop(
    "ClampMinBackward1",
    _binary(np.maximum),
    lambda g, x, lo, out: g * m.const(g, m.data(x) >= m.data(lo)),
    lambda g, x, lo, out: g * m.const(g, m.data(x) < m.data(lo)),
    save_in=True,
)
CLAMP_MAX_T = defop(
    "ClampMaxBackward1",
    _binary(np.minimum),
    lambda g, x, hi, out: g * m.const(g, m.data(x) <= m.data(hi)),
    lambda g, x, hi, out: g * m.const(g, m.data(x) > m.data(hi)),
    save_in=True,
)

# ------------------------------------------------------------ more unary functions
LN2 = float(np.log(2.0))
LN10 = float(np.log(10.0))
EXP2 = defop("Exp2Backward0", np.exp2, lambda g, x, out: g * out * LN2, save_out=True)
EXPM1 = defop("Expm1Backward0", np.expm1, lambda g, x, out: g * (out + 1), save_out=True)
LOG2 = defop("Log2Backward0", np.log2, lambda g, x, out: g / (x * LN2), save_in=True)
LOG10 = defop("Log10Backward0", np.log10, lambda g, x, out: g / (x * LN10), save_in=True)
LOG1P = defop("Log1PBackward0", np.log1p, lambda g, x, out: g / (x + 1), save_in=True)
RSQRT = defop(
    "RsqrtBackward0",
    lambda x: 1 / np.sqrt(x),
    lambda g, x, out: -0.5 * g * (out * out * out),
    save_out=True,
)
RECIPROCAL = defop(
    "ReciprocalBackward0",
    lambda x: 1 / x,
    lambda g, x, out: -g * (out * out),
    save_out=True,
)
TAN = defop("TanBackward0", np.tan, lambda g, x, out: g * (1 + out * out), save_out=True)
ASIN = defop(
    "AsinBackward0",
    np.arcsin,
    lambda g, x, out: g * m.call(RSQRT, 1 - x * x),
    save_in=True,
)
ACOS = defop(
    "AcosBackward0",
    np.arccos,
    lambda g, x, out: -g * m.call(RSQRT, 1 - x * x),
    save_in=True,
)
ATAN = defop("AtanBackward0", np.arctan, lambda g, x, out: g / (x * x + 1), save_in=True)
SINH = defop("SinhBackward0", np.sinh, lambda g, x, out: g * m.call(COSH, x), save_in=True)
COSH = defop("CoshBackward0", np.cosh, lambda g, x, out: g * m.call(SINH, x), save_in=True)
ASINH = defop(
    "AsinhBackward0",
    np.arcsinh,
    lambda g, x, out: g * m.call(RSQRT, x * x + 1),
    save_in=True,
)
ACOSH = defop(
    "AcoshBackward0",
    np.arccosh,
    lambda g, x, out: g * m.call(RSQRT, x * x - 1),
    save_in=True,
)
ATANH = defop("AtanhBackward0", np.arctanh, lambda g, x, out: g / (1 - x * x), save_in=True)
# Outside [eps, 1 - eps] the clamped input's gradient is zero; without eps, outside [0, 1]
# torch makes it NaN.
LOGIT = defop(
    "LogitBackward0",
    _logit,
    lambda g, x, out, eps: _logit_vjp(g, x, eps),
    save_in=True,
)
ERF = defop(
    "ErfBackward0",
    _erf,
    lambda g, x, out: g * TWO_OVER_SQRT_PI * m.call(EXP, -(x * x)),
    save_in=True,
)
ERFC = defop(
    "ErfcBackward0",
    _erfc,
    lambda g, x, out: -g * TWO_OVER_SQRT_PI * m.call(EXP, -(x * x)),
    save_in=True,
)
# Piecewise constant: zero gradient everywhere, as in torch.
FLOOR = defop("FloorBackward0", np.floor, lambda g, x, out: g * 0)
CEIL = defop("CeilBackward0", np.ceil, lambda g, x, out: g * 0)
ROUND = defop("RoundBackward0", np.round, lambda g, x, out: g * 0)
ROUND_DECIMALS = defop(
    "RoundBackward1",
    lambda x, decimals: np.round(x, decimals),
    lambda g, x, out, decimals: g * 0,
)
TRUNC = defop("TruncBackward0", np.trunc, lambda g, x, out: g * 0)
FRAC = defop("FracBackward0", lambda x: x - np.trunc(x), lambda g, x, out: g)
SGN = defop(
    "SgnBackward0",
    lambda x: _sgn(x),
    lambda g, x, out: g * 0,
)
NAN_TO_NUM = defop(
    "NanToNumBackward0",
    lambda x, nan, posinf, neginf: np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
    lambda g, x, out, nan, posinf, neginf: g * m.const(g, np.isfinite(m.data(x))),
    save_in=True,
)

# ----------------------------------------------------------- more binary functions
# Where x == y each side gets half the gradient, as in torch.
MAXIMUM = defop(
    "MaximumBackward0",
    _binary(np.maximum),
    lambda g, x, y, out: g * _maxmin_weight(m.data(x), m.data(y), g, np.less),
    lambda g, x, y, out: g * _maxmin_weight(m.data(y), m.data(x), g, np.less),
    save_in=True,
)
MINIMUM = defop(
    "MinimumBackward0",
    _binary(np.minimum),
    lambda g, x, y, out: g * _maxmin_weight(m.data(x), m.data(y), g, np.greater),
    lambda g, x, y, out: g * _maxmin_weight(m.data(y), m.data(x), g, np.greater),
    save_in=True,
)
FMAX = defop(
    "FmaxBackward0",
    _binary(np.fmax),
    lambda g, x, y, out: g * _fmaxmin_mask(m.data(x), m.data(y), g, np.greater_equal, True),
    lambda g, x, y, out: g * _fmaxmin_mask(m.data(x), m.data(y), g, np.greater_equal, False),
    save_in=True,
)
FMIN = defop(
    "FminBackward0",
    _binary(np.fmin),
    lambda g, x, y, out: g * _fmaxmin_mask(m.data(x), m.data(y), g, np.less_equal, True),
    lambda g, x, y, out: g * _fmaxmin_mask(m.data(x), m.data(y), g, np.less_equal, False),
    save_in=True,
)
ATAN2 = defop(
    "Atan2Backward0",
    _to_float(np.arctan2),
    lambda g, x, y, out: g * y / (x * x + y * y),
    lambda g, x, y, out: g * -x / (x * x + y * y),
    save_in=True,
)
HYPOT = defop(
    "HypotBackward0",
    _binary(np.hypot),
    lambda g, x, y, out: g * x / out,
    lambda g, x, y, out: g * y / out,
    save_in=True,
    save_out=True,
)
# The quotient's rounding makes the divisor's gradient -g * round(x / y).
FMOD = defop(
    "FmodBackward1",
    lambda x, y: _fmod(x, y),
    lambda g, x, y, out: g,
    lambda g, x, y, out: -g * m.const(g, np.trunc(np.true_divide(m.data(x), m.data(y)))),
    save_in=True,
    reads=((), (0, 1)),
)
FMOD_SCALAR = defop("FmodBackward0", lambda x, other: _fmod(x, other), lambda g, x, out, other: g)
REMAINDER = defop(
    "RemainderBackward1",
    lambda x, y: _remainder(x, y),
    lambda g, x, y, out: g,
    lambda g, x, y, out: -g * m.const(g, np.floor_divide(m.data(x), m.data(y))),
    save_in=True,
    reads=((), (0, 1)),
)
REMAINDER_SCALAR = defop(
    "RemainderBackward0",
    lambda x, other: _remainder(x, other),
    lambda g, x, out, other: g,
)
# Rounded quotients are piecewise constant: zero gradient for both operands.
DIV_ROUNDED = defop(
    "DivBackward2",
    _rounded_div,
    lambda g, x, y, out, mode: g * 0,
    lambda g, x, y, out, mode: g * 0,
)
COPYSIGN = defop(
    "CopysignBackward0",
    _to_float(np.copysign),
    lambda g, x, y, out: g * _copysign_ratio(m.data(x), m.data(out), g),
    lambda g, x, y, out: g * 0,
    save_in=True,
    save_out=True,
    reads=((0,), ()),
)
COPYSIGN_SCALAR = defop(
    "CopysignBackward1",
    lambda x, other: _copysign(x, other),
    lambda g, x, out, other: g * _copysign_ratio(m.data(x), m.data(out), g),
    save_in=True,
    save_out=True,
)
LERP = defop(
    "LerpBackward0",
    lerp_fwd,
    lambda g, x, y, out, w: g * (1 - w),
    lambda g, x, y, out, w: g * w,
)
LERP_T = defop(
    "LerpBackward1",
    lerp_fwd,
    lambda g, x, y, w, out: g * (1 - w),
    lambda g, x, y, w, out: g * w,
    lambda g, x, y, w, out: g * (y - x),
    save_in=True,
    reads=((2,), (2,), (0, 1)),
)
ADDCMUL = defop(
    "AddcmulBackward0",
    lambda x, t1, t2, value: _addc(x, t1, t2, value, np.multiply),
    lambda g, x, t1, t2, out, value: g,
    lambda g, x, t1, t2, out, value: g * (t2 * value),
    lambda g, x, t1, t2, out, value: g * (t1 * value),
    save_in=True,
    reads=((), (2,), (1,)),
)
ADDCDIV = defop(
    "AddcdivBackward0",
    lambda x, t1, t2, value: _addc(x, t1, t2, value, np.true_divide),
    lambda g, x, t1, t2, out, value: g,
    lambda g, x, t1, t2, out, value: g * (value / t2),
    lambda g, x, t1, t2, out, value: -g * (value * t1 / (t2 * t2)),
    save_in=True,
    reads=((), (2,), (1, 2)),
)


def _below_min(x: np.ndarray, lo: Any, hi: Any) -> Any:
    if lo is None:
        return B.zeros(x, (), bool)
    below = x < lo
    return below if hi is None else below & (lo < hi)


def _above_max(x: np.ndarray, lo: Any, hi: Any) -> Any:
    if hi is None:
        return B.zeros(x, (), bool)
    above = x > hi
    return above if lo is None else above | (hi < lo)


def _logit_vjp(g: Any, x: Any, eps: float | None) -> Any:
    xd = m.data(x)
    if eps is None:
        outside = (xd < 0) | (xd > 1)
    else:
        outside = (xd < eps) | (xd > 1 - eps)
    if not outside.any():
        return g / (x * (1 - x))
    # Divide by a harmless value where the result is masked: its double backward stays finite.
    x = m.where(outside, 0.5, x)
    return m.where(outside, 0.0 if eps is not None else np.nan, g / (x * (1 - x)))


def _sgn(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind != "c":
        return np.sign(x)
    a = np.abs(x)
    return np.where(a == 0, 0, x / np.where(a == 0, 1, a)).astype(x.dtype, copy=False)


def _addc(x: Any, t1: Any, t2: Any, value: Any, uf: Callable[..., Any]) -> Any:
    x, t1, t2 = _cast_all(x, t1, t2)
    if x.dtype.kind in "biu":
        if uf is np.true_divide:
            raise RuntimeError(_ADDCDIV_INT)
        value = int(value)
    try:
        return addc_fwd(x, t1, t2, value, uf)
    except ValueError:
        raise broadcast_error(np.shape(t1), np.shape(t2)) from None


def addc_fwd(x: Any, t1: Any, t2: Any, value: Any, uf: Callable[..., Any]) -> Any:
    """``x + uf(value * t1, t2)`` for operands of one float dtype (addcmul, addcdiv)."""
    return x + uf(value * t1, t2)


_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes."
)


def _safe_log(x: Any, y: Any) -> Any:
    # d(x**y)/dy = x**y * log(x); torch takes it as 0 where x == 0 and y >= 0.
    zero = (m.data(x) == 0) & (m.data(y) >= 0)
    if zero.any():
        x = m.where(zero, 1.0, x)
    return m.call(LOG, x)


def _inside(x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    """Where ``lo <= x <= hi``; clamp always has at least one bound."""
    if lo is None:
        return x <= hi
    keep = x >= lo
    return keep if hi is None else keep & (x <= hi)


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
    if rounding_mode is None:
        return apply2(DIV, input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return apply(DIV_ROUNDED, (input, other), {"mode": rounding_mode})


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
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # Two Python numbers: the result takes the dtype they promote to, as in torch.
        d = D.promote_types(D.scalar_dtype(input), D.scalar_dtype(other))
        input = make(B.asarray(input, cond, d.np))
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
    if input._data.dtype.kind == "b":
        return make(input._data.copy())
    return apply1(SIGN, input)


def abs(input: Tensor) -> Tensor:
    return apply1(ABS, input)


absolute = abs


def sqrt(input: Tensor) -> Tensor:
    return apply1(SQRT, _floating(input))


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo_t = isinstance(min, Tensor)
    hi_t = isinstance(max, Tensor)
    if (lo_t or min is None) and (hi_t or max is None):
        return apply(CLAMP_T, (input, min, max))
    # A number bound: torch then takes 0-d tensor bounds as numbers too.
    lo = _bound(min, "min")
    hi = _bound(max, "max")
    return apply1(CLAMP, _with_bounds(input, lo, hi), {"lo": lo, "hi": hi})


clip = clamp


def _bound(v: Any, name: str) -> Any:
    if isinstance(v, Tensor):
        if v._data.ndim:
            raise TypeError(
                "clamp() received an invalid combination of arguments - a Number and a "
                f"Tensor with dimensions cannot be mixed as min and max (got '{name}')"
            )
        return v._data.item()
    return v if v is None else _number(v)


def _with_bounds(t: Tensor, lo: Any, hi: Any) -> Tensor:
    # Number bounds promote like any number: an int tensor clamped by 0.5 becomes float.
    x = t._data
    for b in (lo, hi):
        if b is not None:
            x = _with_number(x, b)
    return t if x is t._data else make(x)


def clamp_min(input: Tensor, min: Any) -> Tensor:
    if isinstance(min, Tensor):
        return apply2(CLAMP_MIN_T, input, min)
    lo = _number(min)
    return apply1(CLAMP_MIN, _with_bounds(input, lo, None), {"lo": lo})


def clamp_max(input: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return apply2(CLAMP_MAX_T, input, max)
    hi = _number(max)
    return apply1(CLAMP_MAX, _with_bounds(input, None, hi), {"hi": hi})


# ---------------------------------------------------------------- unary functions
def exp2(input: Tensor) -> Tensor:
    return apply1(EXP2, _floating(input))


def expm1(input: Tensor) -> Tensor:
    return apply1(EXPM1, _floating(input))


def log2(input: Tensor) -> Tensor:
    return apply1(LOG2, _floating(input))


def log10(input: Tensor) -> Tensor:
    return apply1(LOG10, _floating(input))


def log1p(input: Tensor) -> Tensor:
    return apply1(LOG1P, _floating(input))


def rsqrt(input: Tensor) -> Tensor:
    return apply1(RSQRT, _floating(input))


def reciprocal(input: Tensor) -> Tensor:
    return apply1(RECIPROCAL, _floating(input))


def square(input: Tensor) -> Tensor:
    """``input ** 2``: torch records it as a power, and so do we."""
    return apply1(POW, input, {"p": 2})


def tan(input: Tensor) -> Tensor:
    return apply1(TAN, _floating(input))


def asin(input: Tensor) -> Tensor:
    return apply1(ASIN, _floating(input))


def acos(input: Tensor) -> Tensor:
    return apply1(ACOS, _floating(input))


def atan(input: Tensor) -> Tensor:
    return apply1(ATAN, _floating(input))


def sinh(input: Tensor) -> Tensor:
    return apply1(SINH, _floating(input))


def cosh(input: Tensor) -> Tensor:
    return apply1(COSH, _floating(input))


def asinh(input: Tensor) -> Tensor:
    return apply1(ASINH, _floating(input))


def acosh(input: Tensor) -> Tensor:
    return apply1(ACOSH, _floating(input))


def atanh(input: Tensor) -> Tensor:
    return apply1(ATANH, _floating(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    return apply1(LOGIT, _floating(input), {"eps": None if eps is None else float(eps)})


def erf(input: Tensor) -> Tensor:
    return apply1(ERF, _floating(input))


def erfc(input: Tensor) -> Tensor:
    return apply1(ERFC, _floating(input))


def _rounding(op: Any, input: Tensor, kernel: str) -> Tensor:
    kind = input._data.dtype.kind
    if kind in "iu":
        return make(input._data.copy())  # already whole numbers
    if kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return apply1(op, input)


def floor(input: Tensor) -> Tensor:
    return _rounding(FLOOR, input, "floor_vml_cpu")


def ceil(input: Tensor) -> Tensor:
    return _rounding(CEIL, input, "ceil_vml_cpu")


def trunc(input: Tensor) -> Tensor:
    return _rounding(TRUNC, input, "trunc_vml_cpu")


fix = trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even, like torch; ``decimals`` counts digits after the point."""
    if decimals == 0:
        return _rounding(ROUND, input, "round_vml_cpu")
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_scalar_name(input)}'")
    return apply1(ROUND_DECIMALS, input, {"decimals": int(decimals)})


def frac(input: Tensor) -> Tensor:
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_scalar_name(input)}'")
    return apply1(FRAC, input)


def sgn(input: Tensor) -> Tensor:
    """sign for real tensors; z / |z| (and 0 at 0) for complex ones."""
    if input._data.dtype.kind == "b":
        return make(input._data.copy())
    return apply1(SGN, input)


def nan_to_num(
    input: Tensor,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    return apply1(NAN_TO_NUM, input, {"nan": nan, "posinf": posinf, "neginf": neginf})


def positive(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# --------------------------------------------------------------- binary functions
def _need_tensor(fn: str, name: str, pos: int, v: Any) -> None:
    if not isinstance(v, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(v).__name__}"
        )


def _scalar_name(t: Tensor) -> str:
    return D._BY_NP[t._data.dtype].scalar_name


def maximum(input: Tensor, other: Tensor) -> Tensor:
    _need_tensor("maximum", "other", 2, other)
    return apply2(MAXIMUM, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    _need_tensor("minimum", "other", 2, other)
    return apply2(MINIMUM, input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """maximum that ignores NaN: it picks the other operand where one is NaN."""
    _need_tensor("fmax", "other", 2, other)
    return apply2(FMAX, input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    _need_tensor("fmin", "other", 2, other)
    return apply2(FMIN, input, other)


def atan2(input: Tensor, other: Tensor) -> Tensor:
    _need_tensor("atan2", "other", 2, other)
    return apply2(ATAN2, input, other)


arctan2 = atan2


def hypot(input: Tensor, other: Tensor) -> Tensor:
    _need_tensor("hypot", "other", 2, other)
    d = D.combine(_operand(input._data), _operand(other._data))
    if d.category < D.FLOAT:
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{d.scalar_name}'")
    return apply2(HYPOT, input, other)


_fmod = _int_safe(np.fmod, "fmod")
_remainder = _int_safe(np.remainder, "remainder")
_copysign = _to_float(np.copysign)


def fmod(input: Tensor, other: Any) -> Tensor:
    """Remainder of the quotient rounded toward zero: it takes the sign of ``input``."""
    if isinstance(other, Tensor):
        return apply2(FMOD, input, other)
    return apply1(FMOD_SCALAR, input, {"other": _number(other)})


def remainder(input: Any, other: Any) -> Tensor:
    """Python's ``%``: the remainder takes the sign of ``other``."""
    if isinstance(input, Tensor) and not isinstance(other, Tensor):
        return apply1(REMAINDER_SCALAR, input, {"other": _number(other)})
    return apply2(REMAINDER, input, other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``. torch defines no derivative for it: the result never needs grad."""
    a = input._data if isinstance(input, Tensor) else input
    b = other._data if isinstance(other, Tensor) else other
    return make(B.array(_rounded_div(a, b, "floor")))


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in double precision (complex128 for complex operands)."""
    cplx = any(
        (x._data.dtype.kind == "c") if isinstance(x, Tensor) else isinstance(x, complex)
        for x in (input, exponent)
    )
    target = D.complex128 if cplx else D.float64
    cast = complex if cplx else float
    input = input.to(target) if isinstance(input, Tensor) else cast(input)
    exponent = exponent.to(target) if isinstance(exponent, Tensor) else cast(exponent)
    return pow(input, exponent)


def float_power_(input: Tensor, exponent: Any) -> Tensor:
    """``Tensor.float_power_``: only a double (or complex double) tensor can hold the result."""
    d = input._data.dtype
    want = np.complex128 if d.kind == "c" or isinstance(exponent, complex) else np.float64
    if d != want:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {_scalar_name(input)} but the "
            f"operation's result requires dtype {D._BY_NP[np.dtype(want)].scalar_name}"
        )
    return _indexing.inplace(float_power, input, exponent)


def copysign(input: Tensor, other: Any) -> Tensor:
    if isinstance(other, Tensor):
        return apply2(COPYSIGN, input, other)
    return apply1(COPYSIGN_SCALAR, input, {"other": _number(other)})


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 where input < 0, 1 where input > 0, ``values`` where input == 0 (not differentiable)."""
    _need_tensor("heaviside", "values", 2, values)
    x = input._data
    v = values._data
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    try:
        out = np.where(x == 0, v, x > 0).astype(x.dtype, copy=False)
    except ValueError:
        raise broadcast_error(x.shape, v.shape) from None
    return make(out)


def _logadd(input: Tensor, other: Tensor, name: str, base2: bool) -> Tensor:
    """log(b**input + b**other) for b = e or 2, as max + log1p(b**-|input - other|)."""
    _need_tensor(name, "input", 1, input)
    _need_tensor(name, "other", 2, other)
    d = D.combine(_operand(input._data), _operand(other._data))
    if d.category < D.FLOAT:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{d.scalar_name}'")
    top = maximum(input, other)
    gap = neg(abs(sub(input, other)))
    if base2:
        out = top + log1p(exp2(gap)) / math.log(2)
    else:
        out = top + log1p(exp(gap))
    # Two equal infinities: their difference is nan, their sum is that infinity.
    same_inf = logical_and(isinf(input), eq(input, other))
    return where(same_inf, top, out) if same_inf._data.any() else out


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""
    return _logadd(input, other, "logaddexp", base2=False)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow."""
    return _logadd(input, other, "logaddexp2", base2=True)


_XLOGY_SIGNATURES = (
    " * (Tensor input, Tensor other, *, Tensor out = None)\n"
    " * (Number self, Tensor other, *, Tensor out = None)\n"
    " * (Tensor input, Number other, *, Tensor out = None)\n"
)


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, taken as 0 where ``input`` is 0 (unless ``other`` is nan)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(
            "xlogy() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
            + _XLOGY_SIGNATURES
        )
    d = D.result_type(input, other)
    if d.category < D.FLOAT:
        d = D.get_default_dtype()
    like = (input if isinstance(input, Tensor) else other)._data
    x, y = (
        v.to(d) if isinstance(v, Tensor) else make(B.asarray(v, like, d.np))
        for v in (input, other)
    )
    # log(1) = 0 where x is 0: the product and both gradients stay finite there.
    zero = logical_and(eq(x, 0), logical_not(isnan(y)))
    if zero._data.any():
        y = where(zero, 1.0, y)
    return mul(x, log(y))


def sinc(input: Tensor) -> Tensor:
    """``sin(pi * x) / (pi * x)``, 1 at 0."""
    x = _floating(input)
    zero = eq(x, 0)
    px = where(zero, 1.0, x * math.pi)
    return where(zero, 1.0, sin(px) / px)


_C_TYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double"}


def _c_type(t: Tensor) -> str:
    name = t._data.dtype.name
    return _C_TYPE_NAMES.get(name, name)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)``."""
    if end._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected dtype {_c_type(input)} for `end` but got dtype {_c_type(end)}"
        )
    w_tensor = isinstance(weight, Tensor)
    if input._data.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if w_tensor else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(input)}'")
    if not w_tensor:
        return apply(LERP, (input, end), {"w": _number(weight)})
    if weight._data.ndim and weight._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected dtype {_c_type(input)} for `weight` but got dtype {_c_type(weight)}"
        )
    return apply(LERP_T, (input, end, weight))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    return apply(ADDCMUL, (input, tensor1, tensor2), {"value": _number(value)})


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    return apply(ADDCDIV, (input, tensor1, tensor2), {"value": _number(value)})


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
        # NumPy compares an out-of-range int exactly; torch first casts it (wraps).
        if type(b) is int and _is_array(a):
            b = _wrap_int(a, b)
        elif type(a) is int and _is_array(b):
            a = _wrap_int(b, a)
        out = fwd(a, b)
        return make(out if type(out) is _nd else B.array(out))

    return compare


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_not(input: Tensor) -> Tensor:
    return make(B.array(np.logical_not(input._data)))


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return make(B.array(np.invert(input._data)))


def _logical(uf: Callable[..., Any], fn: str) -> Callable[[Tensor, Tensor], Tensor]:
    def logical(input: Tensor, other: Tensor) -> Tensor:
        _need_tensor(fn, "other", 2, other)
        try:
            return make(B.array(uf(input._data, other._data)))
        except ValueError:
            raise broadcast_error(input._data.shape, other._data.shape) from None

    logical.__name__ = logical.__qualname__ = fn
    return logical


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def _bitwise(uf: Callable[..., Any], kernel: str, fn: str) -> Callable[[Any, Any], Tensor]:
    """A bitwise op on integer and bool operands (a tensor and a tensor or a number)."""

    def bitwise(input: Any, other: Any) -> Tensor:
        a = input._data if isinstance(input, Tensor) else input
        b = other._data if isinstance(other, Tensor) else other
        a, b = promote(a, b)
        d = np.result_type(a, b)
        if d.kind not in "biu":
            name = D._BY_NP[d].scalar_name
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
        try:
            return make(B.array(uf(a, b)))
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None

    bitwise.__name__ = bitwise.__qualname__ = fn
    return bitwise


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and_cpu", "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or_cpu", "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor_cpu", "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "lshift_cpu", "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "rshift_cpu", "bitwise_right_shift")


# ------------------------------------------------------------------- predicates
def isnan(input: Tensor) -> Tensor:
    return make(B.array(np.isnan(input._data)))


def isinf(input: Tensor) -> Tensor:
    return make(B.array(np.isinf(input._data)))


def isfinite(input: Tensor) -> Tensor:
    return make(B.array(np.isfinite(input._data)))


def isposinf(input: Tensor) -> Tensor:
    return make(B.array(np.isposinf(input._data)))


def isneginf(input: Tensor) -> Tensor:
    return make(B.array(np.isneginf(input._data)))


def isreal(input: Tensor) -> Tensor:
    x = input._data
    return make(np.imag(x) == 0 if x.dtype.kind == "c" else np.ones_like(x, bool))


def signbit(input: Tensor) -> Tensor:
    x = input._data
    return make(np.zeros_like(x, bool) if x.dtype.kind == "b" else B.array(np.signbit(x)))


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and the same values (NaN is never equal)."""
    a = input._data
    b = other._data
    return a.shape == b.shape and bool(np.array_equal(a, b))


def isclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """``|input - other| <= atol + rtol * |other|``, elementwise; equal infinities are close."""
    a = input._data
    b = other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_scalar_name(input)} did not match {_scalar_name(other)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    try:
        close = a == b
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if equal_nan and a.dtype.kind in "fc":
        close |= np.isnan(a) & np.isnan(b)
    if rtol == 0 and atol == 0:
        return make(B.array(close))
    if a.dtype.kind == "b":
        a = a.astype(D.get_default_dtype().np)
        b = b.astype(D.get_default_dtype().np)
    with np.errstate(all="ignore"):
        allowed = atol + np.abs(_with_number(b, float(rtol)) * rtol)
        actual = np.abs(a - b)
        close |= np.isfinite(actual) & (actual <= allowed)
    return make(B.array(close))


def allclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


from . import indexing as _indexing  # noqa: E402
