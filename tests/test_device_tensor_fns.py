"""Tensor functions outside the op table on CUDA: comparisons, predicates, logical and bitwise
ops, counting and index-returning reductions. Each result must equal the CPU's and stay on the
device. Skipped without a CUDA device; NDGRAD_FAKE_GPU=1 runs them on the NumPy stand-in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad

pytestmark = pytest.mark.skipif(not ndgrad.cuda.is_available(), reason="no CUDA device")

CUDA = ndgrad.device("cuda", 0)
RNG = np.random.default_rng(0)
F = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
F[0, 1] = F[2, 3] = 0.0
F[1, 0] = F[1, 2]  # a tie, for argmax/argmin and the running extremes
SPECIAL = np.array([0.0, -0.0, 1.5, -2.0, np.nan, np.inf, -np.inf, 3.0], np.float64)
INTS = np.array([[3, -1, 0, 7], [2, 2, -5, 1]], np.int64)
SMALL = np.array([1, -3, 100, 0], np.int8)
BOOLS = np.array([True, False, True, False])
COUNTS = np.array([0, 3, 1, 3, 3, 0, 5], np.int64)
SCALAR = np.array(-1.5, np.float32)
REPEATS = np.array([[1.0, 2.0, 2.0, 1.0, 3.0], [4.0, 4.0, 0.0, 0.0, 0.0]], np.float32)


def _results(out: Any) -> list[Any]:
    if isinstance(out, ndgrad.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [r for o in out for r in _results(o)]
    return [out]


def _check(fn: Any, *arrays: np.ndarray) -> None:
    """``fn`` on CUDA tensors equals ``fn`` on CPU tensors, with every tensor on CUDA."""
    cpu = _results(fn(*[ndgrad.tensor(a) for a in arrays]))
    dev = _results(fn(*[ndgrad.tensor(a, device="cuda") for a in arrays]))
    assert len(cpu) == len(dev)
    for c, d in zip(cpu, dev):
        if not isinstance(c, ndgrad.Tensor):
            assert type(d) is type(c) and d == c
            continue
        assert d.device == CUDA
        assert type(c._data) is np.ndarray  # a 0-d result too, never a NumPy scalar
        assert d.dtype == c.dtype
        assert d.shape == c.shape
        np.testing.assert_array_equal(d.cpu().numpy(), c.numpy())


FUNCTIONS = {
    "eq": (lambda x, y: ndgrad.eq(x, y), F, F.T.copy().T),
    "ne_scalar": (lambda x: x != 0.0, F),
    "lt": (lambda x, y: x < y, F, F[:1]),
    "le_scalar_first": (lambda x: ndgrad.le(0.5, x), F),
    "gt_int_float": (lambda x: x > 0.5, INTS),
    "ge": (lambda x, y: ndgrad.ge(x, y), INTS, INTS[::-1].copy()),
    "eq_wrapped_int": (lambda x: x == 300, SMALL),
    "ne_wrapped_int_first": (lambda x: ndgrad.ne(-200, x), SMALL),
    "logical_not": (ndgrad.logical_not, F),
    "logical_and": (ndgrad.logical_and, F, F[::-1].copy()),
    "logical_or": (ndgrad.logical_or, BOOLS, BOOLS[::-1].copy()),
    "logical_xor": (ndgrad.logical_xor, INTS, INTS[:, ::-1].copy()),
    "bitwise_not": (ndgrad.bitwise_not, INTS),
    "bitwise_not_bool": (ndgrad.bitwise_not, BOOLS),
    "bitwise_and": (ndgrad.bitwise_and, INTS, INTS[::-1].copy()),
    "bitwise_or_scalar": (lambda x: ndgrad.bitwise_or(x, 6), INTS),
    "bitwise_xor_bool": (ndgrad.bitwise_xor, BOOLS, BOOLS[::-1].copy()),
    "left_shift": (lambda x: ndgrad.bitwise_left_shift(x, 2), INTS),
    "right_shift": (ndgrad.bitwise_right_shift, INTS, np.abs(INTS) % 3),
    "isnan": (ndgrad.isnan, SPECIAL),
    "isnan_0d": (ndgrad.isnan, SCALAR),
    "isposinf_0d": (ndgrad.isposinf, SCALAR),
    "signbit_0d": (ndgrad.signbit, SCALAR),
    "logical_not_0d": (ndgrad.logical_not, SCALAR),
    "bitwise_not_0d": (ndgrad.bitwise_not, INTS[0, 0]),
    "isclose_0d": (ndgrad.isclose, SCALAR, SCALAR),
    "isclose_exact_0d": (lambda x: ndgrad.isclose(x, x, rtol=0, atol=0), SCALAR),
    "lt_0d": (lambda x: x < 2.0, SCALAR),
    "isinf": (ndgrad.isinf, SPECIAL),
    "isfinite": (ndgrad.isfinite, SPECIAL),
    "isposinf": (ndgrad.isposinf, SPECIAL),
    "isneginf": (ndgrad.isneginf, SPECIAL),
    "isreal": (ndgrad.isreal, F),
    "isreal_complex": (ndgrad.isreal, np.array([1 + 0j, 2 - 1j, 0j], np.complex64)),
    "signbit": (ndgrad.signbit, SPECIAL),
    "signbit_bool": (ndgrad.signbit, BOOLS),
    "equal": (ndgrad.equal, F, F.copy()),
    "equal_differs": (ndgrad.equal, F, F * 2),
    "isclose": (lambda x, y: ndgrad.isclose(x, y, rtol=0.1), F, F * 1.05),
    "isclose_nan": (lambda x: ndgrad.isclose(x, x, equal_nan=True), SPECIAL),
    "isclose_exact": (lambda x, y: ndgrad.isclose(x, y, rtol=0, atol=0), F, F[::-1].copy()),
    "isclose_bool": (ndgrad.isclose, BOOLS, BOOLS[::-1].copy()),
    "allclose": (ndgrad.allclose, F, F + 1e-9),
    "allclose_not": (ndgrad.allclose, F, F + 1),
    "heaviside": (ndgrad.heaviside, F, np.full((3, 4), 0.5, np.float32)),
    "floor_divide": (ndgrad.floor_divide, F, F[::-1].copy() + 3),
    "floor_divide_int": (lambda x: ndgrad.floor_divide(x, -2), INTS),
    "div_trunc_int": (lambda x: ndgrad.div(x, 3, rounding_mode="trunc"), INTS),
    "sign_bool": (ndgrad.sign, BOOLS),
    "sgn_bool": (ndgrad.sgn, BOOLS),
    "floor_int": (ndgrad.floor, INTS),
    "where_numbers": (lambda c: ndgrad.where(c, 1, 2.5), BOOLS),
    "remainder_int": (lambda x: ndgrad.remainder(x, 4), INTS),
    "argmax": (ndgrad.argmax, F),
    "argmax_keepdim": (lambda x: ndgrad.argmax(x, keepdim=True), F),
    "argmax_dim": (lambda x: ndgrad.argmax(x, 1), F),
    "argmin_dim_keepdim": (lambda x: ndgrad.argmin(x, 0, keepdim=True), F),
    "argmin_0d": (lambda x: ndgrad.argmin(x, 0), SCALAR),
    "all": (ndgrad.all, F),
    "all_dim": (lambda x: ndgrad.all(x, 1), F),
    "any_uint8": (lambda x: ndgrad.any(x, 0), np.array([[0, 2], [0, 0]], np.uint8)),
    "count_nonzero": (ndgrad.count_nonzero, F),
    "count_nonzero_dim": (lambda x: ndgrad.count_nonzero(x, 0), F),
    "count_nonzero_0d": (ndgrad.count_nonzero, np.array(2.0, np.float32)),
    "bincount": (ndgrad.bincount, COUNTS),
    "bincount_minlength": (lambda x: ndgrad.bincount(x, minlength=10), COUNTS),
    "bincount_weights": (ndgrad.bincount, COUNTS, np.linspace(0, 1, 7).astype(np.float32)),
    "bincount_int_weights": (ndgrad.bincount, COUNTS, COUNTS),
    "histc": (lambda x: ndgrad.histc(x, bins=5), F),
    "histc_range": (lambda x: ndgrad.histc(x, bins=4, min=-1, max=1), F),
    "max_dim": (lambda x: ndgrad.max(x, 1), F),
    "min_dim_0d": (lambda x: ndgrad.min(x, 0), SCALAR),
    "median": (ndgrad.median, F),
    "median_nan": (ndgrad.median, SPECIAL),
    "median_dim_nan": (lambda x: ndgrad.median(x.reshape(2, 4), 1), SPECIAL),
    "median_dim_0d": (lambda x: ndgrad.median(x, 0), SCALAR),
    "mode": (ndgrad.mode, REPEATS),
    "mode_dim0_keepdim": (lambda x: ndgrad.mode(x, 0, keepdim=True), REPEATS),
    "mode_int": (ndgrad.mode, INTS),
    "mode_0d": (ndgrad.mode, SCALAR),
    "mode_empty": (lambda x: ndgrad.mode(x, 1), np.zeros((0, 3), np.float32)),
    "cummax": (lambda x: ndgrad.cummax(x, 1), REPEATS),
    "cummin_dim0": (lambda x: ndgrad.cummin(x, 0), F),
    "cummax_nan": (lambda x: ndgrad.cummax(x, 0), SPECIAL),
    "cummin_long": (lambda x: ndgrad.cummin(x, 0), RNG.integers(0, 9, 37)),
    "cummax_0d": (lambda x: ndgrad.cummax(x, 0), SCALAR),
    "nansum": (ndgrad.nansum, SPECIAL[:5]),
    "nanmean_dim": (lambda x: ndgrad.nanmean(x.reshape(2, 2), 1), SPECIAL[2:6]),
    "norm_inf_empty": (
        lambda x: ndgrad.linalg.vector_norm(x, float("inf"), dim=1),
        np.zeros((0, 3)),
    ),
    "norm_inf_dim": (lambda x: ndgrad.linalg.vector_norm(x, float("inf"), dim=1), F),
    "logsumexp_inf": (lambda x: ndgrad.logsumexp(x, 0), SPECIAL[5:]),
    "erf_special": (ndgrad.erf, SPECIAL),
    "erfc_special": (ndgrad.erfc, SPECIAL),
    "isin": (lambda x: ndgrad.isin(x, x[0]), INTS),
    "isin_number_invert": (lambda x: ndgrad.isin(x, 2, invert=True), INTS),
    "isin_number_first": (lambda x: ndgrad.isin(2, x), INTS),
    "aminmax_dim": (lambda x: ndgrad.aminmax(x, dim=1), F),
    "diff_bool": (ndgrad.diff, BOOLS),
    "block_diag_int": (lambda x: ndgrad.block_diag(x, x[0, :2]), INTS),
    "xlogy_special": (lambda x: ndgrad.xlogy(x * 0, x), SPECIAL),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_on_cuda_matches_cpu(name: str) -> None:
    fn, *arrays = FUNCTIONS[name]
    _check(fn, *arrays)


def test_clamp_grad_without_one_bound_stays_on_cuda() -> None:
    x = ndgrad.tensor(F, device="cuda", requires_grad=True)
    lo = ndgrad.tensor(np.full(4, -0.5, np.float32), device="cuda", requires_grad=True)
    ndgrad.clamp(x, min=lo).sum().backward()
    for t in (x, lo):
        assert t.grad.device == CUDA
    np.testing.assert_array_equal(x.grad.cpu().numpy(), (F >= -0.5).astype(np.float32))
