"""Elementwise ops beyond the op table: dtypes, non-differentiable results, errors, dtype info."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import ndgrad

NAN = float("nan")
INF = float("inf")


def _name(dt: Any) -> str:
    return repr(dt).split(".", 1)[1]


def _check_same(got: Any, want: Any) -> None:
    """Same type of result; for tensors, same dtype, shape and values (NaN where NaN)."""
    if not hasattr(want, "dtype"):
        assert got == want
        assert type(got) is type(want)
        return
    assert _name(got.dtype) == _name(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(
        got.detach().numpy().astype(np.float64),
        want.detach().numpy().astype(np.float64),
        rtol=1e-6,
        atol=1e-7,
    )


# One lambda per case, run with lib=ndgrad and lib=torch.
def _ints(L: Any) -> Any:
    return L.tensor([3, -7, 5, 0, -2])


def _floats(L: Any) -> Any:
    return L.tensor([1.5, -2.5, 0.5, -0.0, 2.0])


def _specials(L: Any) -> Any:
    return L.tensor([NAN, INF, -INF, 0.0, -0.0, 1.0])


def _bools(L: Any) -> Any:
    return L.tensor([True, False, True, False, True])


CASES = {
    # integer and bool inputs of float functions compute in the default dtype
    "exp2_int": lambda L: L.exp2(_ints(L)),
    "exp2_bool": lambda L: L.exp2(_bools(L)),
    "rsqrt_int": lambda L: L.rsqrt(_ints(L)),
    "reciprocal_int": lambda L: L.reciprocal(_ints(L)),
    "erf_int": lambda L: L.erf(_ints(L)),
    "erfc_f16": lambda L: L.erfc(_floats(L).half()),
    "logit_int": lambda L: L.logit(_ints(L)),
    "logit_edges": lambda L: L.logit(L.tensor([0.0, 0.1, 1.0, 1.5, -1.0])),
    "logit_eps_edges": lambda L: L.logit(L.tensor([0.0, 0.1, 1.0, 1.5]), eps=0.2),
    "atan2_int": lambda L: L.atan2(_ints(L), _ints(L) + 1),
    "copysign_int": lambda L: L.copysign(_ints(L), -1),
    "copysign_zero_sign": lambda L: L.copysign(_floats(L), L.tensor([-0.0, 0.0, 1.0, -1.0, 0.0])),
    "hypot_mixed": lambda L: L.hypot(_floats(L), _ints(L)),
    # square keeps integers, and turns bool into int64
    "square_int": lambda L: L.square(_ints(L)),
    "square_bool": lambda L: L.square(_bools(L)),
    # rounding keeps integers as they are
    "floor_int": lambda L: L.floor(_ints(L)),
    "ceil_int": lambda L: L.ceil(_ints(L)),
    "round_int": lambda L: L.round(_ints(L)),
    "trunc_int": lambda L: L.trunc(_ints(L)),
    "round_half_even": lambda L: L.round(L.tensor([0.5, 1.5, 2.5, -0.5, -1.5])),
    "round_decimals": lambda L: L.round(L.tensor([1.2345, 15.5, -2.675]), decimals=2),
    "round_neg_decimals": lambda L: L.round(L.tensor([1234.5, 15.5, -25.0]), decimals=-1),
    "frac": lambda L: L.frac(L.tensor([-2.5, 2.25, 3.0])),
    "sign_bool": lambda L: L.sign(_bools(L)),
    "sgn_int": lambda L: L.sgn(_ints(L)),
    "sgn_complex": lambda L: L.sgn(L.tensor([3 + 4j, 0j, -2j])),
    "nan_to_num": lambda L: L.nan_to_num(_specials(L)),
    "nan_to_num_f16": lambda L: L.nan_to_num(_specials(L).half()),
    "nan_to_num_f64_kw": lambda L: L.nan_to_num(_specials(L).double(), 1.0, posinf=2.0),
    "nan_to_num_int": lambda L: L.nan_to_num(_ints(L), nan=1.5),
    # clamp promotes like any binary op
    "clamp_int_float_bound": lambda L: L.clamp(_ints(L), 0.5),
    "clamp_int_int": lambda L: L.clamp(_ints(L), 0, 4),
    "clamp_bool": lambda L: L.clamp(_bools(L), 0, 1),
    "clamp_min_int_float": lambda L: L.clamp_min(_ints(L), 0.5),
    "clamp_min_gt_max": lambda L: L.clamp(_floats(L), 1, 0),
    "clamp_int_float_tensors": lambda L: L.clamp(_ints(L), L.tensor(2), L.tensor([3.5])),
    "clamp_nan": lambda L: L.clamp(_specials(L), -1.0, 0.5),
    "clamp_f16_f64_0d": lambda L: L.clamp(_floats(L).half(), L.tensor(0.5, dtype=L.float64)),
    "maximum_int_float": lambda L: L.maximum(_ints(L), _floats(L)),
    "maximum_nan": lambda L: L.maximum(_specials(L), L.ones(6)),
    "minimum_nan": lambda L: L.minimum(L.ones(6), _specials(L)),
    "fmax_nan": lambda L: L.fmax(_specials(L), L.ones(6)),
    "fmin_nan": lambda L: L.fmin(L.tensor([NAN, 1.0, NAN]), L.tensor([0.0, NAN, NAN])),
    # rounded division, fmod and remainder follow the operands' dtype
    "floordiv_int": lambda L: _ints(L) // 2,
    "floordiv_neg_int": lambda L: _ints(L) // -3,
    "rfloordiv_int": lambda L: 7 // (_ints(L) + 10),
    "floordiv_float": lambda L: _floats(L) // 0.7,
    "floordiv_zero": lambda L: _floats(L) // 0.0,
    "floor_divide_fn": lambda L: L.floor_divide(_floats(L), _ints(L) + 10),
    "div_floor_int": lambda L: L.div(_ints(L), 2, rounding_mode="floor"),
    "div_trunc_int": lambda L: L.div(_ints(L), 2, rounding_mode="trunc"),
    "div_trunc_int_neg": lambda L: _ints(L).div(-4, rounding_mode="trunc"),
    "div_floor_float": lambda L: L.div(L.tensor([-0.5, 0.5, 7.0]), 2.0, rounding_mode="floor"),
    "div_floor_scalar_first": lambda L: L.div(2.0, _floats(L), rounding_mode="floor"),
    "div_none": lambda L: L.div(_ints(L), 2, rounding_mode=None),
    "fmod_int": lambda L: L.fmod(_ints(L), 3),
    "fmod_float": lambda L: L.fmod(_floats(L), -2),
    "remainder_int": lambda L: L.remainder(_ints(L), -3),
    "remainder_float": lambda L: L.remainder(_floats(L), -2),
    "mod_operator": lambda L: _ints(L) % 4,
    "rmod_operator": lambda L: 7 % (_ints(L) + 10),
    "remainder_number_first": lambda L: L.remainder(5, _ints(L) + 10),
    "float_power_int": lambda L: L.float_power(_ints(L), 2),
    "float_power_float": lambda L: L.float_power(_floats(L).abs(), _floats(L)),
    "float_power_complex": lambda L: L.float_power(_floats(L), 1j),
    "float_power_inplace": lambda L: L.tensor([2.0], dtype=L.float64).float_power_(3),
    "heaviside": lambda L: L.heaviside(L.tensor([NAN, 0.0, -1.0, 2.0]), L.tensor(0.5)),
    "heaviside_int": lambda L: L.heaviside(_ints(L), L.tensor([7])),
    "lerp_0d_int_weight": lambda L: L.lerp(_floats(L), _floats(L) * 2, L.tensor(1)),
    "lerp_0d_f64_weight": lambda L: L.lerp(_floats(L), _floats(L) * 2, L.tensor(0.5).double()),
    "addcmul_int": lambda L: L.addcmul(_ints(L), _ints(L), _ints(L), value=2),
    "addcmul_int_float_value": lambda L: L.addcmul(_ints(L), _ints(L), _ints(L), value=0.5),
    "addcmul_mixed": lambda L: L.addcmul(_floats(L), _ints(L), _ints(L), value=0.5),
    "addcdiv": lambda L: L.addcdiv(_floats(L), _floats(L), _floats(L) + 3, value=2),
    # predicates and logical / bitwise ops
    "isnan": lambda L: L.isnan(_specials(L)),
    "isinf": lambda L: _specials(L).isinf(),
    "isfinite": lambda L: L.isfinite(_specials(L)),
    "isposinf": lambda L: L.isposinf(_specials(L)),
    "isneginf": lambda L: L.isneginf(_specials(L)),
    "isnan_int": lambda L: L.isnan(_ints(L)),
    "isreal": lambda L: L.isreal(L.tensor([1 + 0j, 1j])),
    "signbit": lambda L: L.signbit(_specials(L)),
    "signbit_int": lambda L: L.signbit(_ints(L)),
    "signbit_bool": lambda L: L.signbit(_bools(L)),
    "logical_and": lambda L: L.logical_and(_ints(L), _floats(L)),
    "logical_or": lambda L: _floats(L).logical_or(_ints(L) * 0),
    "logical_xor": lambda L: L.logical_xor(_bools(L), _ints(L)),
    "and_int_bool": lambda L: _ints(L) & _bools(L),
    "and_int_scalar": lambda L: _ints(L) & 1,
    "rand_int_scalar": lambda L: 6 & _ints(L),
    "or_bool_true": lambda L: _bools(L) | True,
    "xor_int": lambda L: _ints(L) ^ 3,
    "and_bool_int_scalar": lambda L: _bools(L) & 1,
    "invert_bool": lambda L: ~_bools(L),
    "bitwise_not_int": lambda L: L.bitwise_not(_ints(L)),
    "lshift": lambda L: _ints(L) << 2,
    "rshift": lambda L: _ints(L) >> 1,
    "bitwise_or_uint8": lambda L: L.bitwise_or(_ints(L).abs().byte(), L.tensor(8, dtype=L.uint8)),
    # closeness
    "equal_mixed_dtype": lambda L: L.equal(_ints(L), _ints(L).float()),
    "equal_shape": lambda L: L.equal(_ints(L), _ints(L)[:2]),
    "equal_nan": lambda L: L.equal(L.tensor([NAN]), L.tensor([NAN])),
    "isclose": lambda L: L.isclose(_floats(L), _floats(L) + 1e-9),
    "isclose_specials": lambda L: L.isclose(_specials(L), _specials(L)),
    "isclose_equal_nan": lambda L: L.isclose(_specials(L), _specials(L), equal_nan=True),
    "isclose_int": lambda L: L.isclose(_ints(L), _ints(L) + 1, rtol=0.2),
    "isclose_bool": lambda L: L.isclose(_bools(L), _bools(L)),
    "isclose_broadcast": lambda L: L.isclose(_floats(L), L.tensor(1.5)),
    "isclose_zero_tol": lambda L: L.isclose(_floats(L), _floats(L) + 1e-9, rtol=0, atol=0),
    "allclose": lambda L: L.allclose(L.tensor([1.0]), L.tensor([1.0 + 1e-6])),
    "allclose_false": lambda L: _floats(L).allclose(_floats(L) + 1e-3),
    "result_type_number_number": lambda L: L.result_type(1, 2.0),
    "result_type_tensor_number": lambda L: L.result_type(_ints(L), 2.0),
    "result_type_0d": lambda L: L.result_type(_ints(L).int(), L.tensor(2)),
    "positive": lambda L: L.positive(_floats(L)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    want = CASES[name](torch)
    got = CASES[name](ndgrad)
    if isinstance(want, torch.dtype):
        assert _name(got) == _name(want)
    else:
        _check_same(got, want)


ERRORS = {
    "floor_bool": lambda L: L.floor(_bools(L)),
    "round_decimals_int": lambda L: L.round(_ints(L), decimals=1),
    "frac_int": lambda L: L.frac(_ints(L)),
    "clamp_no_bounds": lambda L: L.clamp(_floats(L)),
    "maximum_number": lambda L: L.maximum(_floats(L), 1.0),
    "atan2_number": lambda L: L.atan2(_floats(L), 1.0),
    "hypot_int": lambda L: L.hypot(_ints(L), _ints(L)),
    "fmod_int_zero": lambda L: L.fmod(_ints(L), 0),
    "remainder_int_zero": lambda L: L.remainder(_ints(L), L.zeros(5, dtype=L.int64)),
    "floordiv_int_zero": lambda L: _ints(L) // 0,
    "floordiv_bool": lambda L: _bools(L) // _bools(L),
    "mod_bool": lambda L: _bools(L) % _bools(L),
    "div_bad_mode": lambda L: L.div(_ints(L), 2, rounding_mode="round"),
    "div_trunc_int_zero": lambda L: L.div(_ints(L), 0, rounding_mode="trunc"),
    "div_floor_bool": lambda L: L.div(_bools(L), _bools(L), rounding_mode="floor"),
    "lerp_int": lambda L: L.lerp(_ints(L), _ints(L), 0.5),
    "lerp_dtype_mismatch": lambda L: L.lerp(_floats(L), _floats(L).double(), 0.5),
    "lerp_weight_dtype": lambda L: L.lerp(_floats(L), _floats(L), _floats(L).double()),
    "addcdiv_int": lambda L: L.addcdiv(_ints(L), _ints(L), _ints(L)),
    "heaviside_number": lambda L: L.heaviside(_floats(L), 0.5),
    "heaviside_dtypes": lambda L: L.heaviside(_ints(L), L.tensor(0.5)),
    "logical_xor_number": lambda L: L.logical_xor(_ints(L), 0),
    "bitwise_and_float": lambda L: L.bitwise_and(_floats(L), _floats(L)),
    "and_float": lambda L: _floats(L) & 1,
    "lshift_float": lambda L: L.bitwise_left_shift(_floats(L), 1),
    "positive_bool": lambda L: L.positive(_bools(L)),
    "isclose_dtypes": lambda L: L.isclose(_ints(L), _floats(L)),
    "allclose_dtypes": lambda L: L.allclose(_ints(L), _floats(L)),
    "isclose_rtol": lambda L: L.isclose(_floats(L), _floats(L), rtol=-1),
    "isclose_atol": lambda L: L.isclose(_floats(L), _floats(L), atol=-1),
    "isclose_shapes": lambda L: L.isclose(L.ones(2, 3), L.ones(4)),
    "float_power_inplace_float": lambda L: _floats(L).float_power_(2),
    "finfo_int": lambda L: L.finfo(L.int32),
    "iinfo_float": lambda L: L.iinfo(L.float32),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as want:
        ERRORS[name](torch)
    with pytest.raises(Exception) as got:
        ERRORS[name](ndgrad)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def test_iinfo_bool_error() -> None:
    with pytest.raises(TypeError, match="ndgrad.bool is not supported by torch.iinfo"):
        ndgrad.iinfo(ndgrad.bool)


# ----------------------------------------------------------------- gradients
def _grads(lib: Any, fn: Any, *values: Any) -> list[np.ndarray]:
    xs = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]
    fn(lib, *xs).sum().backward()
    return [x.grad.numpy() for x in xs]


GRAD_CASES = {
    # ties split the gradient equally, as in torch
    "maximum_ties": (lambda L, x, y: L.maximum(x, y), [1.0, 2.0, NAN], [1.0, 3.0, 1.0]),
    "minimum_ties": (lambda L, x, y: L.minimum(x, y), [1.0, 2.0, 1.0], [1.0, 3.0, NAN]),
    "fmax_ties_nan": (lambda L, x, y: L.fmax(x, y), [1.0, 1.0, NAN, 2.0], [1.0, NAN, 1.0, 3.0]),
    "fmin_ties_nan": (lambda L, x, y: L.fmin(x, y), [1.0, 1.0, NAN, 2.0], [1.0, NAN, 1.0, 3.0]),
    "clamp_tensor_edges": (
        lambda L, x, lo, hi: L.clamp(x, lo, hi),
        [0.5, 0.5, 3.0, -1.0, 2.0],
        [0.5, 1.0, 2.0, 1.0, 1.0],
        [0.5, 0.0, 2.0, 2.0, 2.0],
    ),
    "clamp_min_tensor_edge": (lambda L, x, lo: L.clamp_min(x, lo), [0.5, 0.2], [0.5, 0.3]),
    "clamp_max_tensor_edge": (lambda L, x, hi: L.clamp_max(x, hi), [0.5, 0.2], [0.5, 0.1]),
    "clamp_scalar_edges": (lambda L, x: L.clamp(x, -1.0, 1.0), [-1.0, 1.0, 2.0, 0.0]),
    "copysign_zero": (lambda L, x, y: L.copysign(x, y), [0.0, -0.0, 2.0], [-1.0, 1.0, -0.0]),
    "logit_outside": (lambda L, x: L.logit(x), [-0.1, 0.5, 1.2]),
    "logit_eps_outside": (lambda L, x: L.logit(x, eps=0.1), [0.05, 0.2, 0.5, 0.95]),
    "nan_to_num_specials": (lambda L, x: L.nan_to_num(x * 1), [NAN, INF, -INF, 2.0]),
    "lerp_ends": (lambda L, x, y, w: L.lerp(x, y, w), [1.0, 2.0], [3.0, 5.0], [0.0, 1.0]),
    "rounded_div_zero_grad": (
        lambda L, x, y: L.div(x, y, rounding_mode="floor") + L.div(x, y, rounding_mode="trunc"),
        [1.5, -2.5],
        [0.5, 2.0],
    ),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    fn, *values = GRAD_CASES[name]
    for got, want in zip(_grads(ndgrad, fn, *values), _grads(torch, fn, *values)):
        # rtol: torch's logit backward rounds eps to float32; ties are off by far more.
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=0)


def test_fixed_gradient_conventions() -> None:
    x = ndgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = ndgrad.tensor([1.0, 1.0, 4.0], requires_grad=True)
    ndgrad.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.5, 1.0, 0.0]
    assert y.grad.tolist() == [0.5, 0.0, 1.0]
    z = ndgrad.tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    ndgrad.clamp(z, ndgrad.tensor(-1.0), ndgrad.tensor(1.0)).sum().backward()
    assert z.grad.tolist() == [1.0, 1.0, 1.0, 0.0]
    w = ndgrad.tensor([0.4, 1.6], requires_grad=True)
    (w.floor() + w.ceil() + w.round() + w.trunc() + w.sign()).sum().backward()
    assert w.grad.tolist() == [0.0, 0.0]


def test_non_differentiable_results_need_no_grad() -> None:
    x = ndgrad.tensor([1.5, -2.0], requires_grad=True)
    for out in (x // 2, ndgrad.heaviside(x, ndgrad.tensor(0.5)), x.isnan(), x.signbit()):
        assert not out.requires_grad
    assert (x % 2).grad_fn.name() == "RemainderBackward0"


def test_inplace_variants() -> None:
    t = ndgrad.tensor([0.25, 4.0])
    assert t.log2_() is t and t.tolist() == [-2.0, 2.0]
    t.exp2_().reciprocal_()
    assert t.tolist() == [4.0, 0.25]
    t.clamp_max_(1.0).clamp_min_(0.5)
    assert t.tolist() == [1.0, 0.5]
    t.lerp_(ndgrad.tensor([3.0, 2.5]), 0.5)
    assert t.tolist() == [2.0, 1.5]
    t.addcmul_(t, t, value=2).addcdiv_(ndgrad.tensor([2.0, 2.0]), ndgrad.tensor([4.0, 1.0]))
    assert t.tolist() == [10.5, 8.0]
    t.fmod_(4).floor_divide_(2)
    assert t.tolist() == [1.0, 0.0]
    i = ndgrad.tensor([6, 5])
    i &= 3
    i |= 8
    i ^= 1
    i //= 2
    i %= 3
    assert i.tolist() == [2, 1]
    r = ndgrad.tensor([1.25, -2.75], dtype=ndgrad.float64)
    r.round_(decimals=1)
    assert r.tolist() == [1.2, -2.8]


def test_inplace_keeps_the_destination_dtype() -> None:
    t = ndgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        t.exp2_()


def test_inputs_are_not_mutated() -> None:
    a = np.array([NAN, INF, -1.0, 0.5])
    x = ndgrad.from_numpy(a)
    before = a.copy()
    for fn in (ndgrad.nan_to_num, ndgrad.erf, ndgrad.erfc, ndgrad.frac, ndgrad.sgn):
        fn(x)
    ndgrad.clamp(x, ndgrad.tensor(0.0), ndgrad.tensor(1.0))
    ndgrad.isclose(x, x, equal_nan=True)
    np.testing.assert_array_equal(a, before)


# ------------------------------------------------------------------------ erf
def test_erf_is_accurate_everywhere() -> None:
    xs = np.concatenate([np.linspace(-7, 7, 2001), [0.0, 1e-300, 0.46875, 4.0, 26.0, 27.0]])
    erf = ndgrad.erf(ndgrad.tensor(xs, dtype=ndgrad.float64)).numpy()
    erfc = ndgrad.erfc(ndgrad.tensor(xs, dtype=ndgrad.float64)).numpy()
    want_erf = np.array([math.erf(v) for v in xs])
    want_erfc = np.array([math.erfc(v) for v in xs])
    np.testing.assert_allclose(erf, want_erf, rtol=1e-15, atol=0)
    # erfc keeps its relative accuracy far into the tail, where 1 - erf would be zero.
    np.testing.assert_allclose(erfc, want_erfc, rtol=2e-15, atol=0)
    special = ndgrad.tensor([NAN, INF, -INF], dtype=ndgrad.float64)
    assert np.isnan(ndgrad.erf(special).numpy()[0])
    assert ndgrad.erf(special).tolist()[1:] == [1.0, -1.0]
    assert ndgrad.erfc(special).tolist()[1:] == [0.0, 2.0]


def test_erf_keeps_dtype_and_shape() -> None:
    for dt in (ndgrad.float16, ndgrad.float32, ndgrad.float64):
        out = ndgrad.erf(ndgrad.zeros(2, 0, 3, dtype=dt))
        assert out.dtype is dt and tuple(out.shape) == (2, 0, 3)
    assert ndgrad.erfc(ndgrad.tensor(0.25)).shape == ()


# ----------------------------------------------------------------- fixed values
def test_fixed_values_without_torch() -> None:
    i = ndgrad.tensor([7, -7])
    assert (i // 2).tolist() == [3, -4]
    assert ndgrad.div(i, 2, rounding_mode="trunc").tolist() == [3, -3]
    assert (i % 3).tolist() == [1, 2]
    assert ndgrad.fmod(i, 3).tolist() == [1, -1]
    assert ndgrad.round(ndgrad.tensor([0.5, 1.5, 2.5])).tolist() == [0.0, 2.0, 2.0]
    assert ndgrad.clamp(i, 0.5).dtype is ndgrad.float32
    assert ndgrad.float_power(i, 2).dtype is ndgrad.float64
    assert ndgrad.logical_xor(ndgrad.tensor([1, 0]), ndgrad.tensor([1, 1])).tolist() == [
        False,
        True,
    ]
    assert (ndgrad.tensor([True, False]) ^ True).tolist() == [False, True]
    assert ndgrad.equal(ndgrad.tensor([1, 2]), ndgrad.tensor([1.0, 2.0]))
    assert ndgrad.allclose(ndgrad.tensor([1.0]), ndgrad.tensor([1.0 + 1e-6]))
    assert ndgrad.isclose(ndgrad.tensor([INF]), ndgrad.tensor([INF])).tolist() == [True]
    assert ndgrad.erf(ndgrad.tensor(0.5, dtype=ndgrad.float64)).item() == pytest.approx(
        0.5204998778130465, rel=1e-15
    )


# ----------------------------------------------------------------- dtype info
def test_result_type_and_can_cast() -> None:
    t = ndgrad.tensor([1, 2])
    assert ndgrad.result_type(t, 2.0) is ndgrad.float32
    assert ndgrad.result_type(t, ndgrad.tensor(2.0, dtype=ndgrad.float64)) is ndgrad.float64
    assert ndgrad.result_type(t.float(), ndgrad.tensor(2.0).double()) is ndgrad.float32
    assert ndgrad.result_type(t.byte(), ndgrad.tensor(-1, dtype=ndgrad.int8)) is ndgrad.uint8
    assert ndgrad.result_type(True, 2) is ndgrad.int64
    with pytest.raises(TypeError):
        ndgrad.result_type(t, "a")
    assert ndgrad.can_cast(ndgrad.int32, ndgrad.float16)
    assert not ndgrad.can_cast(ndgrad.float32, ndgrad.int64)
    assert not ndgrad.can_cast(ndgrad.int8, ndgrad.bool)
    assert ndgrad.can_cast(from_=ndgrad.bool, to=ndgrad.uint8)


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
DTYPES += ["complex64", "complex128"]


def test_can_cast_vs_torch() -> None:
    torch = pytest.importorskip("torch")
    for a in DTYPES:
        for b in DTYPES:
            got = ndgrad.can_cast(getattr(ndgrad, a), getattr(ndgrad, b))
            assert got == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "complex64", "complex128"])
def test_finfo_vs_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    got = ndgrad.finfo(getattr(ndgrad, name))
    want = torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(got, field) == getattr(want, field), field
        assert type(getattr(got, field)) is type(getattr(want, field)), field
    assert repr(got) == repr(want)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_vs_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    got = ndgrad.iinfo(getattr(ndgrad, name))
    want = torch.iinfo(getattr(torch, name))
    for field in ("bits", "max", "min", "dtype"):
        assert getattr(got, field) == getattr(want, field), field
    assert repr(got) == repr(want)


def test_finfo_fixed_values() -> None:
    f = ndgrad.finfo(ndgrad.float32)
    assert f.eps == 2.0**-23 and f.bits == 32 and f.dtype == "float32"
    assert f == ndgrad.finfo() and ndgrad.finfo(ndgrad.float64).tiny == 2.0**-1022
    assert ndgrad.finfo(ndgrad.float16).max == 65504.0
    i = ndgrad.iinfo(ndgrad.int8)
    assert (i.min, i.max, i.bits, i.dtype) == (-128, 127, 8, "int8")
    assert repr(i) == "iinfo(min=-128, max=127, dtype=int8)"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("size", [16384, 16384 * 3 + 77])
def test_large_relu_row_by_row_is_numpy_maximum(dtype: str, size: int) -> None:
    # Large ReLUs take their maximum against a row of zeros (a faster NumPy loop).
    x = np.random.default_rng(5).standard_normal(size).astype(dtype)
    x[:6] = [np.nan, -0.0, 0.0, np.inf, -np.inf, -1.0]
    for arr in (x, x.reshape(-1, 1)[::-1, 0], x[: size // 2 * 2].reshape(2, -1).T):
        t = ndgrad.from_numpy(arr.copy()).requires_grad_()
        out = ndgrad.relu(t)
        want = np.maximum(arr, 0)
        got = out.detach().numpy()
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))
        out.sum().backward()
        np.testing.assert_array_equal(t.grad.numpy(), (want > 0).astype(dtype))
