"""torch's CPU sampling algorithms, worked out by experiment, on a Generator's mt19937 words."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._random import Generator

_f32 = np.float32
_f64 = np.float64
_u64 = np.uint64
_TWO_PI = 2.0 * math.pi
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for float64

# Bits of mantissa (digits) that random_() without bounds and uniform draws use, per dtype.
_DIGITS = {"float64": 53, "float32": 24, "float16": 11}


# --------------------------------------------------------------------------- exact arithmetic
def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """a * b + c rounded once, as the FMA torch's compiler emits (error-free transforms)."""
    p, e = _two_prod(np.asarray(a, _f64), _f64(b))
    s, t = _two_sum(p, _f64(c))
    return s + (t + e)


def _round32(x: np.ndarray) -> np.ndarray:
    """float64 values rounded to float32, kept as float64."""
    return x.astype(_f32).astype(_f64)


_TIE_BITS, _TIE = np.array(0x1FFF_FFFF, _u64), np.array(0x1000_0000, _u64)


def _ties(s: np.ndarray) -> np.ndarray:
    """Where float64 values sit halfway between two float32 values."""
    return (s.view(_u64) & _TIE_BITS) == _TIE


def fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """float32 a * b + c rounded once, on float64 values that are float32 ones: the product is
    exact in float64; where rounding the float64 sum to float32 rounds twice (the sum sits on a
    float32 tie that the exact one misses), the sum is nudged off the tie."""
    p = a * b
    s = p + c
    tie = _ties(s)
    # Ties are rare: the rounding error of the sum is only needed for them.
    if tie.any():
        s, t = _two_sum(p, c)
        tie &= t != 0
        if tie.any():
            s = np.where(tie, np.nextafter(s, np.where(t > 0, np.inf, -np.inf)), s)
    return _round32(s)


class _Fma32:
    """fma32 without its tie check, for results of shape (rows, 8): each float64 sum goes into a
    slot of ``sums``, for the caller to check all at once (only values computed from a sum on a
    tie can be off)."""

    def __init__(self, slots: int, rows: int) -> None:
        self.sums = np.empty((slots, rows, 8))
        self.used = 0

    def __call__(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        s = np.add(a * b, c, self.sums[self.used])
        self.used += 1
        return _round32(s)


def _libm(fn: object, x: np.ndarray) -> np.ndarray:
    """The C library's double function elementwise: NumPy's SIMD log/log1p round differently."""
    return np.fromiter(map(fn, x.ravel().tolist()), _f64, x.size).reshape(x.shape)


# ---------------------------------------------- float32 log, sin, cos: torch's AVX normal path
# torch fills float tensors of 16 or more normals with Cephes-style SIMD log/sincos, compiled
# with FMA contraction; these reproduce that arithmetic step by step, so results agree bit for
# bit on AVX2/AVX512 builds. Values are float32 ones held in float64: one float32 operation
# (+, -, *, sqrt) done in float64 and rounded to float32 is rounded correctly (53 >= 2 * 24 + 2
# bits), so only the FMAs need care; an FMA whose product is exact in float32 is an addition.
def _c32(*values: float) -> tuple[np.ndarray, ...]:
    """Constants rounded to float32, as float64 0-d arrays (the quickest NumPy operands)."""
    return tuple(np.array(float(_f32(v))) for v in values)


_LOG_P = _c32(
    7.0376836292e-2,
    -1.1514610310e-1,
    1.1676998740e-1,
    -1.2420140846e-1,
    1.4249322787e-1,
    -1.6668057665e-1,
    2.0000714765e-1,
    -2.4999993993e-1,
    3.3333331174e-1,
)
_LOG_Q1, _LOG_Q2, _HALF = _c32(-2.12194440e-4, 0.693359375, 0.5)
_DP1, _DP2, _MINUS_DP3 = _c32(0.78515625, 2.4187564849853515625e-4, -3.77489497744594108e-8)
_COS_P = _c32(2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)
_SIN_P = _c32(-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
# By even octant j (0 to 8): whether the polynomials swap, the signs of cos and of sin.
_SWAP = np.array([False, False, True, False, False, False, True, False, False])
_COS_SIGN = np.array([1.0, 0, -1.0, 0, -1.0, 0, 1.0, 0, 1.0])
_SIN_SIGN = np.array([1.0, 0, 1.0, 0, -1.0, 0, -1.0, 0, 1.0])
_ONE32, _TWO_PI32, _FOUR_OVER_PI32 = (np.array(v, _f32) for v in (1, _TWO_PI, 1.27323954473516))
# float32 bits: the mantissa, the exponent of [0.5, 1), the mantissa of sqrt(1/2).
_MANT, _HALF_EXP, _SQRT_HALF_MANT = (
    np.array(v, np.int32) for v in (0x7FFFFF, 0x3F000000, 0x3504F3)
)
_FMAS = 16  # fma calls in _box_muller_32, each with a (rows, 8) result
_BLOCK = 512  # rows of 16 normals computed at once: the float64 temporaries stay in cache


def _log32(x: np.ndarray, fma: Callable) -> np.ndarray:
    """log of float32 x, normal and in (0, 1]."""
    xi = x.view(np.int32)
    mant = xi & _MANT
    # The mantissa is taken in [sqrt(1/2), sqrt(2)): in [0.5, 1) when at least sqrt(1/2).
    mi = mant | _HALF_EXP
    mi[mant < _SQRT_HALF_MANT] += 1 << 23
    x = mi.view(_f32).astype(_f64) - 1.0
    e = ((xi - mi) >> 23).astype(_f64)  # the exponent that goes with that mantissa, plus 1
    z = _round32(x * x)
    y = fma(_LOG_P[0], x, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = fma(y, x, p)
    y = fma(_round32(y * x), z, _round32(e * _LOG_Q1))
    # FMAs whose products (z / 2, e * Q2) are exact: additions.
    y = _round32(y - _HALF * z)
    return _round32(_round32(x + y) + e * _LOG_Q2)


def _cos_sin32(u: np.ndarray, fma: Callable) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of float32 2 pi u, u in [0, 1)."""
    x = _TWO_PI32 * u
    j = (x * _FOUR_OVER_PI32).astype(np.intp)
    j += 1
    j &= ~1  # the even octant nearest x, 0 to 8
    y = j.astype(_f64)
    # FMAs whose products are exact (y is at most 8, DP1 and DP2 are short): additions.
    x = _round32(x.astype(_f64) - y * _DP1)
    x = _round32(x - y * _DP2)
    x = fma(y, _MINUS_DP3, x)
    z = _round32(x * x)
    c = fma(_COS_P[0], z, _COS_P[1])
    c = fma(c, z, _COS_P[2])
    c = _round32(fma(_round32(c * z), z, -_HALF * z) + 1.0)
    s = fma(_SIN_P[0], z, _SIN_P[1])
    s = fma(s, z, _SIN_P[2])
    s = fma(_round32(s * z), x, x)
    swap = _SWAP[j]
    return np.where(swap, s, c) * _COS_SIGN[j], np.where(swap, c, s) * _SIN_SIGN[j]


# ------------------------------------------------------------------------------ uniforms
def _unit(g: Generator, n: int, digits: int) -> np.ndarray:
    """Uniforms on [0, 1): 24 bits of a 32-bit word (float32 and smaller), 53 of a 64-bit one."""
    if digits == 53:
        return (g._u64(n) & _u64((1 << 53) - 1)).astype(_f64) * 2.0**-53
    return (g._u32(n) & _u64((1 << 24) - 1)).astype(_f32) * _f32(2.0**-24)


def _cast(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype == _f64:
        return x.astype(_f64, copy=False)
    return x.astype(_f32, copy=False).astype(dtype, copy=False)  # float -> half, as C++ does


def uniform(g: Generator, n: int, dtype: np.dtype, low: float, high: float) -> np.ndarray:
    if dtype == _f64:
        low, high = float(low), float(high)
        out = fma64(_unit(g, n, 53), high - low, low)
    else:
        low, high = _f32(low), _f32(high)
        span = _f64(high - low)  # float32 subtraction, then double arithmetic
        out = _unit(g, n, 24).astype(_f64) * span + _f64(low)
    out = _cast(out, dtype)
    to = _cast(np.array(high), dtype)
    return np.where(out == to, _cast(np.array(low), dtype), out)


# ------------------------------------------------------------------------------- normals
def _box_muller_32(u: np.ndarray, mean: float, std: float, fma: Callable) -> np.ndarray:
    """Rows of 16 float32 uniforms to normals (float32 values in float64); ``fma`` is used for
    the FMAs of log and sin/cos."""
    r = _round32(np.sqrt(-2.0 * _log32(_ONE32 - u[:, :8], fma)))
    cos, sin = _cos_sin32(u[:, 8:], fma)
    out = np.empty(u.shape)
    np.multiply(r, cos, out[:, :8])
    np.multiply(r, sin, out[:, 8:])
    # The scaling FMA often sits on float32 ties (when std * r is short): checked as it goes.
    return fma32(_round32(out), *_c32(std, mean))


def _box_muller_16(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 uniforms: the first 8 give radii from 1 - u, the last 8 angles."""
    if u.dtype == _f64:
        r = np.sqrt(-2.0 * _libm(math.log, 1.0 - u[:, :8]))
        theta = _TWO_PI * u[:, 8:]
        a = fma64(r * np.cos(theta), std, mean)
        b = fma64(r * np.sin(theta), std, mean)
        return np.concatenate([a, b], axis=1)
    out = np.empty(u.shape, _f32)
    for i in range(0, len(u), _BLOCK):
        out[i : i + _BLOCK] = _box_muller_block(u[i : i + _BLOCK], mean, std)
    return out


def _box_muller_block(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """_box_muller_32 with quick FMAs; the rows where one of them may have rounded twice are
    redone with exact ones."""
    quick = _Fma32(_FMAS, len(u))
    out = _box_muller_32(u, mean, std, quick)
    tied = _ties(quick.sums[: quick.used])
    if tied.any():
        redo = tied.any(axis=0).any(axis=1)
        out[redo] = _box_muller_32(u[redo], mean, std, fma32)
    return out


def normal(
    g: Generator,
    n: int,
    dtype: np.dtype,
    mean: float = 0.0,
    std: float = 1.0,
    contiguous: bool = True,
) -> np.ndarray:
    """Contiguous tensors of 16 or more values take torch's blockwise path, others its scalar one."""
    if n < 16 or not contiguous:
        return _cast(_normal_pairs(g, n, float(mean), float(std)), dtype)
    digits = 53 if dtype == _f64 else 24
    whole = n - n % 16
    if whole == n:
        return _cast(_box_muller_16(_unit(g, n, digits).reshape(-1, 16), mean, std).ravel(), dtype)
    # The tail draws 16 fresh uniforms (after the n of the whole) and overwrites the last 16.
    u = _unit(g, n + 16, digits)
    out = _box_muller_16(np.concatenate((u[:whole], u[n:])).reshape(-1, 16), mean, std).ravel()
    return _cast(np.concatenate((out[: n - 16], out[whole:])), dtype)


def _normal_pairs(g: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """Box-Muller in double, one pair of uniforms (angle, then radius) per two values: a
    pending second value is kept in g and used first by the next scalar-path draw."""
    z = np.empty(n, _f64)
    have = 0
    if n and g._normal is not None:
        z[0], g._normal, have = g._normal, None, 1
    pairs = (n - have + 1) // 2
    if pairs:
        u = _unit(g, 2 * pairs, 53).reshape(pairs, 2)
        r = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
        theta = _TWO_PI * u[:, 0]
        both = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).reshape(-1)
        z[have:] = both[: n - have]
        if (n - have) % 2:
            g._normal = float(both[-1])
    return fma64(z, std, mean)


# ------------------------------------------------------------------------------ integers
def _words(g: Generator, n: int, span: int) -> np.ndarray:
    """torch draws 64-bit words once the range reaches 2**28, 32-bit ones below."""
    return g._u64(n) if span >= 1 << 28 else g._u32(n)


def integers(g: Generator, n: int, dtype: np.dtype, low: int, high: int) -> np.ndarray:
    """Uniform integers in [low, high): a word modulo the range, plus low."""
    span = high - low
    w = _words(g, n, span) % _u64(span) + _u64(low & 0xFFFF_FFFF_FFFF_FFFF)
    return w.view(np.int64).astype(dtype)


def full_range(g: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """random_() without bounds: [0, 2**digits] for floats, [0, max] for integers."""
    name = dtype.name
    if name in _DIGITS:
        span = (1 << _DIGITS[name]) + 1
        wide = name == "float64"
    elif dtype == np.bool_:
        span, wide = 2, False
    else:
        span = int(np.iinfo(dtype).max) + 1
        wide = dtype.itemsize == 8
    w = (g._u64(n) if wide else g._u32(n)) % _u64(span)
    return w.astype(dtype)


def randperm(g: Generator, n: int) -> np.ndarray:
    """Forward Fisher-Yates (step i swaps i with i + word % (n - i)), without a Python loop.

    Step s moves the value waiting at s into position j[s] ("a deposit"): the value waiting at
    t is the one last deposited there (pointer chains, followed by doubling), and step t takes
    the value last deposited at j[t] before t, or j[t]'s own index if none was.
    """
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    steps = np.arange(n - 1, dtype=np.int64)
    span = (n - steps).astype(_u64)
    w = g._u32(n - 1) if n < (1 << 32) // 20 else g._u64(n - 1)
    j = (w % span).astype(np.int64) + steps
    moved = j > steps
    src, dst = steps[moved], j[moved]
    last = np.full(n, -1, np.int64)
    np.maximum.at(last, dst, src)
    waiting = np.where(last >= 0, last, np.arange(n))
    while True:
        nxt = waiting[waiting]
        if np.array_equal(nxt, waiting):
            break
        waiting = nxt
    out = waiting.copy()
    # For each deposit, the previous deposit into the same position (or -1).
    order = np.lexsort((src, dst))
    prev = np.full(src.size, -1, np.int64)
    same = dst[order][1:] == dst[order][:-1]
    prev[order[1:][same]] = src[order][:-1][same]
    taken = np.where(prev >= 0, waiting[np.maximum(prev, 0)], dst)
    out[src] = taken
    return out


# ------------------------------------------------------------------- other distributions
def bernoulli(g: Generator, n: int, p: float) -> np.ndarray:
    return _unit(g, n, 53) < float(p)


def bernoulli_tensor(g: Generator, p: np.ndarray) -> np.ndarray:
    """One uniform per element in p's precision (53 bits for double, 24 otherwise)."""
    digits = 53 if p.dtype == _f64 else 24
    return _unit(g, p.size, digits).reshape(p.shape) < p


def exponential(g: Generator, n: int, dtype: np.dtype, lambd: float) -> np.ndarray:
    u = _unit(g, n, 53)
    log = _libm(math.log1p, -u) if dtype == _f64 else np.log1p(-u)
    return _cast((-1.0 / float(lambd)) * log, dtype)


def multinomial(g: Generator, probs: np.ndarray, k: int, replacement: bool) -> np.ndarray:
    """Rows of ``probs`` (2-D); ``k`` category indices per row."""
    rows, cats = probs.shape
    if not replacement:
        # Exponential races: the k largest p / Exp(1) are a sample without replacement.
        q = exponential(g, probs.size, probs.dtype, 1.0).reshape(probs.shape)
        keys = probs / q
        if k == 1:
            return keys.argmax(axis=1)[:, None]
        return np.argsort(-keys, axis=1, kind="stable")[:, :k]
    u = _unit(g, rows * k, 53).reshape(rows, k)
    cum = np.cumsum(probs, axis=1)  # sequential, in the input's precision
    cum = cum / cum[:, -1:]
    cum[:, -1] = 1
    out = np.empty((rows, k), np.int64)
    for i in range(rows):
        out[i] = np.searchsorted(cum[i], u[i], side="left")
    return out


def arrange(arr: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Values drawn in ``arr``'s memory order (as torch's iterator fills), in its shape."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return flat.reshape(arr.shape)
    order = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    return flat.reshape([arr.shape[d] for d in order]).transpose(np.argsort(order))


def in_order(arr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (shaped like ``arr``) flattened in ``arr``'s memory order: arrange's inverse."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return values.reshape(-1)
    order = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    return values.transpose(order).reshape(-1)
