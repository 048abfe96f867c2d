"""Op table entries for the elementwise family (see op_db.py)."""

from __future__ import annotations

from op_info import BINARY, POSITIVE, UNARY, OpInfo

TERNARY = (
    ((3, 4), (3, 4), (3, 4)),
    ((3, 4), (4,), ()),
    ((2, 1, 3), (4, 1), (3,)),
    ((), (), ()),
)
INTEGERS = (-2.0, -1.0, 0.0, 1.0, 2.0)
HALVES = (-1.5, -0.5, 0.5, 1.5)
SEVENTHS = (-1.4, -0.7, 0.0, 0.7, 1.4)
UNIT = (-0.9, 0.9)
# torch's clamp backward fails when x is broadcast against both tensor bounds.
CLAMP_SHAPES = (
    ((3, 4), (3, 4), (3, 4)),
    ((3, 4), (4,), ()),
    ((2, 4, 3), (4, 1), (3,)),
    ((), (), ()),
)
# The divisor of fmod / remainder, away from zero.
DIVISOR = ((-2.0, 2.0), (0.5, 1.5))

OPS: list[OpInfo] = [
    # ------------------------------------------------------------------ unary
    OpInfo("exp2", lambda lib, x: lib.exp2(x), UNARY, ("Exp2Backward0",)),
    OpInfo("expm1", lambda lib, x: x.expm1(), UNARY, ("Expm1Backward0",)),
    OpInfo("log2", lambda lib, x: lib.log2(x), UNARY, ("Log2Backward0",), domain=POSITIVE),
    OpInfo("log10", lambda lib, x: x.log10(), UNARY, ("Log10Backward0",), domain=POSITIVE),
    OpInfo("log1p", lambda lib, x: lib.log1p(x), UNARY, ("Log1PBackward0",), domain=(-0.5, 2.0)),
    OpInfo("rsqrt", lambda lib, x: x.rsqrt(), UNARY, ("RsqrtBackward0",), domain=POSITIVE),
    OpInfo(
        "reciprocal",
        lambda lib, x: lib.reciprocal(x),
        UNARY,
        ("ReciprocalBackward0",),
        domain=POSITIVE,
    ),
    # torch computes square as a power: PowBackward0.
    OpInfo("square", lambda lib, x: x.square(), UNARY, ("PowBackward0",)),
    OpInfo("tan", lambda lib, x: lib.tan(x), UNARY, ("TanBackward0",), domain=(-1.2, 1.2)),
    OpInfo(
        "asin", lambda lib, x: x.asin(), UNARY, ("AsinBackward0", "RsqrtBackward0"), domain=UNIT
    ),
    OpInfo("acos", lambda lib, x: lib.acos(x), UNARY, ("AcosBackward0",), domain=UNIT),
    OpInfo("atan", lambda lib, x: lib.arctan(x), UNARY, ("AtanBackward0",)),
    OpInfo("sinh", lambda lib, x: x.sinh(), UNARY, ("SinhBackward0", "CoshBackward0")),
    OpInfo("cosh", lambda lib, x: lib.cosh(x), UNARY, ("CoshBackward0", "SinhBackward0")),
    OpInfo("asinh", lambda lib, x: lib.asinh(x), UNARY, ("AsinhBackward0",)),
    OpInfo("acosh", lambda lib, x: x.acosh(), UNARY, ("AcoshBackward0",), domain=(1.1, 3.0)),
    OpInfo("atanh", lambda lib, x: lib.atanh(x), UNARY, ("AtanhBackward0",), domain=UNIT),
    OpInfo("logit", lambda lib, x: lib.logit(x), UNARY, ("LogitBackward0",), domain=(0.1, 0.9)),
    OpInfo(
        "logit_eps",
        lambda lib, x: x.logit(eps=0.25),
        UNARY,
        ("LogitBackward0",),
        domain=(0.05, 0.95),
        kinks=(0.25, 0.75),
    ),
    OpInfo("erf", lambda lib, x: lib.erf(x), UNARY, ("ErfBackward0", "ExpBackward0")),
    OpInfo("erfc", lambda lib, x: x.erfc(), UNARY, ("ErfcBackward0",), domain=(-3.0, 3.0)),
    # Piecewise constant: zero gradient, times x so the product has a gradient to check.
    OpInfo("floor", lambda lib, x: lib.floor(x) * x, UNARY, ("FloorBackward0",), kinks=INTEGERS),
    OpInfo("ceil", lambda lib, x: x.ceil() * x, UNARY, ("CeilBackward0",), kinks=INTEGERS),
    OpInfo("trunc", lambda lib, x: lib.trunc(x) * x, UNARY, ("TruncBackward0",), kinks=INTEGERS),
    OpInfo("round", lambda lib, x: x.round() * x, UNARY, ("RoundBackward0",), kinks=HALVES),
    OpInfo(
        "round_decimals",
        lambda lib, x: lib.round(x * 10, decimals=-1) * x,
        UNARY,
        ("RoundBackward1",),
        kinks=HALVES,
    ),
    OpInfo("frac", lambda lib, x: lib.frac(x), UNARY, ("FracBackward0",), kinks=INTEGERS),
    OpInfo("sgn", lambda lib, x: lib.sgn(x) * x, UNARY, ("SgnBackward0",), kinks=(0.0,)),
    OpInfo(
        "nan_to_num",
        lambda lib, x: lib.nan_to_num(lib.where(x < 0, float("nan"), x), nan=1.5),
        UNARY,
        ("NanToNumBackward0",),
        kinks=(0.0,),
    ),
    # ------------------------------------------------------------ clamp family
    OpInfo(
        "clamp_tensors",
        lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
        CLAMP_SHAPES,
        ("ClampBackward0",),
        domain=((-2.0, 2.0), (-1.5, 0.5), (-0.5, 1.5)),
        smooth=False,
    ),
    OpInfo(
        "clamp_tensor_min",
        lambda lib, x, lo: x.clamp(min=lo),
        BINARY,
        ("ClampBackward0",),
        smooth=False,
    ),
    OpInfo(
        "clip_tensor_max",
        lambda lib, x, hi: lib.clip(x, None, hi),
        BINARY,
        ("ClampBackward0",),
        smooth=False,
    ),
    # torch takes a 0-d tensor bound as a number when the other bound is a number.
    OpInfo(
        "clamp_0d_and_number",
        lambda lib, x: lib.clamp(x, lib.tensor(-0.5, dtype=x.dtype), 0.5),
        UNARY,
        ("ClampBackward1",),
        kinks=(-0.5, 0.5),
    ),
    OpInfo(
        "clamp_min_scalar",
        lambda lib, x: x.clamp_min(0.1),
        UNARY,
        ("ClampMinBackward0",),
        kinks=(0.1,),
    ),
    OpInfo(
        "clamp_max_scalar",
        lambda lib, x: lib.clamp_max(x, -0.2),
        UNARY,
        ("ClampMaxBackward0",),
        kinks=(-0.2,),
    ),
    OpInfo(
        "clamp_min_tensor", lambda lib, x, y: lib.clamp_min(x, y), BINARY, ("ClampMinBackward1",)
    ),
    OpInfo("clamp_max_tensor", lambda lib, x, y: x.clamp_max(y), BINARY, ("ClampMaxBackward1",)),
    # -------------------------------------------------------------- binary
    OpInfo("maximum", lambda lib, x, y: lib.maximum(x, y), BINARY, ("MaximumBackward0",)),
    OpInfo("minimum", lambda lib, x, y: x.minimum(y), BINARY, ("MinimumBackward0",)),
    OpInfo("fmax", lambda lib, x, y: lib.fmax(x, y), BINARY, ("FmaxBackward0",)),
    OpInfo("fmin", lambda lib, x, y: x.fmin(y), BINARY, ("FminBackward0",)),
    OpInfo(
        "atan2",
        lambda lib, x, y: lib.atan2(x, y),
        BINARY,
        ("Atan2Backward0",),
        domain=((-2.0, 2.0), (0.5, 2.0)),
    ),
    OpInfo("hypot", lambda lib, x, y: x.hypot(y), BINARY, ("HypotBackward0",), domain=POSITIVE),
    OpInfo("fmod", lambda lib, x, y: lib.fmod(x, y), BINARY, ("FmodBackward1",), domain=DIVISOR),
    OpInfo("fmod_scalar", lambda lib, x: x.fmod(0.7), UNARY, ("FmodBackward0",), kinks=SEVENTHS),
    OpInfo("remainder", lambda lib, x, y: x % y, BINARY, ("RemainderBackward1",), domain=DIVISOR),
    OpInfo(
        "remainder_neg",
        lambda lib, x, y: lib.remainder(x, -y),
        BINARY,
        ("RemainderBackward1",),
        domain=DIVISOR,
    ),
    OpInfo(
        "remainder_scalar",
        lambda lib, x: lib.remainder(x, 0.7),
        UNARY,
        ("RemainderBackward0",),
        kinks=SEVENTHS,
    ),
    OpInfo(
        "div_floor",
        lambda lib, x, y: lib.div(x, y, rounding_mode="floor"),
        BINARY,
        ("DivBackward2",),
        domain=DIVISOR,
    ),
    OpInfo(
        "div_trunc",
        lambda lib, x: x.div(0.7, rounding_mode="trunc"),
        UNARY,
        ("DivBackward2",),
        kinks=SEVENTHS,
    ),
    OpInfo(
        "copysign",
        lambda lib, x, y: lib.copysign(x, y),
        BINARY,
        ("CopysignBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "copysign_scalar",
        lambda lib, x: x.copysign(-1.0),
        UNARY,
        ("CopysignBackward1",),
        kinks=(0.0,),
    ),
    OpInfo("lerp_scalar", lambda lib, x, y: lib.lerp(x, y, 0.3), BINARY, ("LerpBackward0",)),
    OpInfo("lerp_scalar_high", lambda lib, x, y: x.lerp(y, 0.8), BINARY[:2], ("LerpBackward0",)),
    OpInfo(
        "lerp_tensor",
        lambda lib, x, y, w: lib.lerp(x, y, w),
        TERNARY,
        ("LerpBackward1",),
        domain=((-2.0, 2.0), (-2.0, 2.0), (-0.5, 1.5)),
    ),
    OpInfo(
        "addcmul",
        lambda lib, x, a, b: lib.addcmul(x, a, b, value=0.5),
        TERNARY,
        ("AddcmulBackward0",),
    ),
    OpInfo(
        "addcdiv",
        lambda lib, x, a, b: x.addcdiv(a, b, value=-2),
        TERNARY,
        ("AddcdivBackward0",),
        domain=((-2.0, 2.0), (-2.0, 2.0), POSITIVE),
    ),
    # float_power computes in double: each input's gradient comes back in its own dtype.
    OpInfo(
        "float_power",
        lambda lib, x, y: lib.float_power(x, y),
        BINARY,
        ("PowBackward1",),
        domain=(POSITIVE, (-2.0, 2.0)),
    ),
    OpInfo("float_power_scalar", lambda lib, x: x.float_power(3), UNARY, ("PowBackward0",)),
    OpInfo(
        "float_power_rscalar", lambda lib, x: lib.float_power(1.5, x), UNARY, ("PowBackward2",)
    ),
    # ------------------------------------------------------------- in place
    OpInfo(
        "inplace_unary_family",
        lambda lib, x: (x * 0.5).log1p_().atan_().mul(x.clamp(0.1, 1.9).log2_()).exp2_(),
        UNARY,
        ("Exp2Backward0", "Log1PBackward0", "AtanBackward0", "Log2Backward0"),
        domain=POSITIVE,
    ),
    OpInfo(
        "inplace_addcmul_lerp",
        lambda lib, x, a, b: (x * 1).addcmul_(a, b, value=2).lerp_(b, 0.25).clamp_min_(-1.0),
        TERNARY[:2],
        ("AddcmulBackward0", "LerpBackward0", "ClampMinBackward0"),
        kinks=(-1.0,),
        smooth=False,
    ),
]
