"""torch's CPU sampling algorithms, worked out by experiment, on a Generator's mt19937 words."""

from __future__ import annotations

import math

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


def fma32(a: np.ndarray, b: np.ndarray | float, c: np.ndarray | float) -> np.ndarray:
    """float32 a * b + c rounded once: the product is exact in float64; the one case where
    rounding the float64 sum to float32 rounds twice (a float32 tie) is nudged off the tie."""
    p = np.asarray(a, _f64) * np.asarray(b, _f64)
    c = np.asarray(c, _f64)
    s = p + c
    tie = (s.view(_u64) & _u64(0x1FFF_FFFF)) == _u64(0x1000_0000)
    # Ties are rare: the rounding error of the sum is only needed for them.
    if tie.any():
        s, t = _two_sum(p, c)
        tie &= t != 0
        if tie.any():
            s = np.where(tie, np.nextafter(s, np.where(t > 0, np.inf, -np.inf)), s)
    return s.astype(_f32)


def _libm(fn: object, x: np.ndarray) -> np.ndarray:
    """The C library's double function elementwise: NumPy's SIMD log/log1p round differently."""
    return np.fromiter(map(fn, x.ravel().tolist()), _f64, x.size).reshape(x.shape)


# ---------------------------------------------- float32 log, sin, cos: torch's AVX normal path
# torch fills float tensors of 16 or more normals with Cephes-style SIMD log/sincos, compiled
# with FMA contraction; these reproduce that arithmetic step by step, so results agree bit for
# bit on AVX2/AVX512 builds.
_LOG_P = (
    -1.1514610310e-1,
    1.1676998740e-1,
    -1.2420140846e-1,
    1.4249322787e-1,
    -1.6668057665e-1,
    2.0000714765e-1,
    -2.4999993993e-1,
    3.3333331174e-1,
)


def _log32(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, _f32(1.17549435e-38))
    xi = x.view(np.int32)
    e = ((xi >> 23) - 0x7F).astype(_f32) + _f32(1)
    x = ((xi & ~0x7F800000) | 0x3F000000).view(_f32)  # mantissa in [0.5, 1)
    small = x < _f32(0.707106781186547524)
    x = (x - _f32(1)) + np.where(small, x, _f32(0))
    e = e - small.astype(_f32)
    z = x * x
    y = np.full_like(x, _f32(7.0376836292e-2))
    for p in _LOG_P:
        y = fma32(y, x, _f32(p))
    y = fma32(y * x, z, e * _f32(-2.12194440e-4))
    y = fma32(z, _f32(-0.5), y)
    return fma32(e, _f32(0.693359375), x + y)


def _sincos32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of x >= 0."""
    j = (x * _f32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_f32)
    x = fma32(y, _f32(-0.78515625), x)
    x = fma32(y, _f32(-2.4187564849853515625e-4), x)
    x = fma32(y, _f32(-3.77489497744594108e-8), x)
    z = x * x
    c = fma32(_f32(2.443315711809948e-005), z, _f32(-1.388731625493765e-003))
    c = fma32(c, z, _f32(4.166664568298827e-002))
    c = fma32(c * z, z, -(z * _f32(0.5))) + _f32(1)
    s = fma32(_f32(-1.9515295891e-4), z, _f32(8.3321608736e-3))
    s = fma32(s, z, _f32(-1.6666654611e-1))
    s = fma32(s * z, x, x)
    swap = (j & 2) != 0
    sin = np.where(swap, c, s).view(np.int32) ^ ((j & 4) << 29)
    cos = np.where(swap, s, c).view(np.int32) ^ ((~(j - 2) & 4) << 29)
    return sin.view(_f32), cos.view(_f32)


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
def _box_muller_16(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 uniforms: the first 8 give radii from 1 - u, the last 8 angles."""
    if u.dtype == _f64:
        r = np.sqrt(-2.0 * _libm(math.log, 1.0 - u[:, :8]))
        theta = _TWO_PI * u[:, 8:]
        a = fma64(r * np.cos(theta), std, mean)
        b = fma64(r * np.sin(theta), std, mean)
    else:
        r = np.sqrt(_f32(-2) * _log32(_f32(1) - u[:, :8]))
        sin, cos = _sincos32(_f32(_TWO_PI) * u[:, 8:])
        a = fma32(r * cos, _f32(std), _f32(mean))
        b = fma32(r * sin, _f32(std), _f32(mean))
    return np.concatenate([a, b], axis=1)


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
    u = _unit(g, n, digits)
    whole = n - n % 16
    out = np.empty(n, u.dtype)
    out[:whole] = _box_muller_16(u[:whole].reshape(-1, 16), mean, std).reshape(-1)
    if whole != n:
        # The tail redraws 16 fresh uniforms and overwrites the last 16 values.
        out[n - 16 :] = _box_muller_16(_unit(g, 16, digits).reshape(1, 16), mean, std)[0]
    return _cast(out, dtype)


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
