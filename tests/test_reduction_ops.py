"""Reductions beyond the op table: indices, integer dtypes, named tuples, ties, zeros, errors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.ops.reduction import vector_norm

INF = float("inf")
NAN = float("nan")


def _t(values: Any, **kw: Any) -> ndgrad.Tensor:
    return ndgrad.tensor(values, **kw)


def _grad(f: Any, values: Any, lib: Any = ndgrad) -> np.ndarray:
    x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    f(lib, x).sum().backward()
    return x.grad.numpy()


# ------------------------------------------------------- fixed expected values
def test_named_tuple_values_indices_and_unpacking() -> None:
    r = _t([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]).max(1)
    values, indices = r
    assert isinstance(r, tuple) and len(r) == 2
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert r.values is r[0] and r.indices is r[1]
    assert indices.dtype is ndgrad.int64
    assert repr(r) == (
        "ndgrad.return_types.max(\nvalues=tensor([5., 7.]),\nindices=tensor([1, 0]))"
    )
    assert type(r).__name__ == "max" and type(_t([1.0]).min(0)).__name__ == "min"


def test_prod_gradient_with_zeros() -> None:
    assert _grad(lambda lib, x: x.prod(), [2.0, 3.0, 4.0]).tolist() == [12.0, 8.0, 6.0]
    assert _grad(lambda lib, x: x.prod(), [2.0, 0.0, 4.0]).tolist() == [0.0, 8.0, 0.0]
    assert _grad(lambda lib, x: x.prod(), [0.0, 3.0, 0.0]).tolist() == [0.0, 0.0, 0.0]
    g = _grad(lambda lib, x: x.prod(1), [[2.0, 0.0, 4.0], [1.0, 2.0, 3.0], [0.0, 0.0, 5.0]])
    assert g.tolist() == [[0.0, 8.0, 0.0], [6.0, 3.0, 2.0], [0.0, 0.0, 0.0]]


def test_cumprod_gradient_with_zeros() -> None:
    # d/dx_i of sum_k prod(x[:k+1]), by hand for x = [2, 0, 3, 0, 5].
    g = _grad(lambda lib, x: x.cumprod(0), [2.0, 0.0, 3.0, 0.0, 5.0])
    assert g.tolist() == [1.0, 2.0 * (1 + 3 + 0), 0.0, 0.0, 0.0]


def test_max_ties_full_shares_dim_picks_one() -> None:
    ties = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
    assert _grad(lambda lib, x: x.max(), ties).tolist() == [[0, 0.5, 0.5], [0, 0, 0]]
    assert _grad(lambda lib, x: x.amax(1), ties).tolist() == [[0, 0.5, 0.5], [0.5, 0.5, 0]]
    assert _grad(lambda lib, x: x.max(1).values, ties).tolist() == [[0, 1, 0], [1, 0, 0]]


def test_integer_dtypes() -> None:
    i32 = _t([1, 2, 3], dtype=ndgrad.int32)
    assert i32.prod().dtype is ndgrad.int64 and i32.prod().item() == 6
    assert i32.cumsum(0).dtype is ndgrad.int64 and i32.cumsum(0).tolist() == [1, 3, 6]
    assert i32.cumprod(0).dtype is ndgrad.int64
    assert i32.max().dtype is ndgrad.int32 and i32.amax().item() == 3
    assert _t([True, False, True]).cumsum(0).tolist() == [1, 1, 2]
    assert _t([1, 2]).cumsum(0, dtype=ndgrad.float32).dtype is ndgrad.float32
    assert _t([1, 2, 3]).logsumexp(0).dtype is ndgrad.float32
    assert _t([1, 2, 3]).nansum().item() == 6
    assert _t([1, 2, 2, 3]).median().item() == 2


def test_argmax_argmin_all_any_count_nonzero() -> None:
    x = _t([[1.0, 3.0, 3.0], [4.0, 0.0, 4.0]])
    assert x.argmax().item() == 3 and x.argmin().item() == 4
    assert x.argmax(1).tolist() == [1, 0] and x.argmin(0, keepdim=True).tolist() == [[0, 1, 0]]
    assert x.argmax(keepdim=True).shape == (1, 1)
    assert x.all().item() is False and x.any(1).tolist() == [True, True]
    assert x.all(dim=(0, 1)).dtype is ndgrad.bool
    assert _t([1, 0, 3], dtype=ndgrad.uint8).all().dtype is ndgrad.uint8
    assert ndgrad.count_nonzero(x).item() == 5 and x.count_nonzero(1).tolist() == [3, 2]


def test_median_mode_cummax_cummin() -> None:
    assert _t([1.0, 2.0, 3.0, 4.0]).median().item() == 2.0
    assert np.isnan(_t([1.0, NAN, 0.0]).median().item())
    v, i = _t([[2.0, 2.0, 2.0, 2.0], [1.0, 5.0, 3.0, 9.0]]).median(1)
    assert v.tolist() == [2.0, 3.0] and i.tolist() == [1, 2]
    v, i = _t([[1.0, 3.0, 3.0, 2.0, 1.0]]).mode(1)
    assert v.tolist() == [1.0] and i.tolist() == [4]
    v, i = _t([1.0, 3.0, 3.0, 2.0]).cummax(0)
    assert v.tolist() == [1.0, 3.0, 3.0, 3.0] and i.tolist() == [0, 1, 2, 2]
    v, i = ndgrad.cummin(_t([3.0, 1.0, 1.0, 2.0]), 0)
    assert v.tolist() == [3.0, 1.0, 1.0, 1.0] and i.tolist() == [0, 1, 2, 2]


def test_var_std_signatures() -> None:
    x = _t([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]])
    assert np.allclose(x.var(1).numpy(), [5 / 3, 0.0])
    assert np.allclose(x.var(1, False).numpy(), [1.25, 0.0])
    assert np.allclose(ndgrad.var(x, 1, True, True).numpy(), [[5 / 3], [0.0]])
    assert np.allclose(x.std(1, correction=0).numpy(), [1.25**0.5, 0.0])
    assert np.isclose(ndgrad.var(x, False).item(), np.var(x.numpy()))
    v, mu = ndgrad.var_mean(x, 1)
    assert np.allclose(mu.numpy(), [2.5, 2.0])
    # A constant row has std 0: its gradient is 0, not nan.
    assert _grad(lambda lib, t: t.std(1), x.numpy())[1].tolist() == [0.0] * 4


def test_logsumexp_is_stable() -> None:
    x = _t([1000.0, 1000.0], dtype=ndgrad.float64)
    assert np.isclose(x.logsumexp(0).item(), 1000.0 + np.log(2.0))
    assert _t([1.0, INF]).logsumexp(0).item() == INF
    assert _t([-INF, -INF]).logsumexp(0).item() == -INF
    assert _t([]).logsumexp(0).item() == -INF


def test_norms() -> None:
    x = _t([[3.0, -4.0], [0.0, 0.0]])
    assert x.norm().item() == 5.0 and x.norm(1).item() == 7.0
    assert x.norm(INF).item() == 4.0 and x.norm(0).item() == 2.0
    assert x.norm(dim=1).tolist() == [5.0, 0.0] and x.norm(p="fro").item() == 5.0
    assert vector_norm(x, -INF, dim=1).tolist() == [3.0, 0.0]
    # Subgradient 0 where the norm is 0.
    assert _grad(lambda lib, t: t.norm(dim=1), x.numpy()).tolist() == [[0.6, -0.8], [0.0, 0.0]]
    assert x.norm(dtype=ndgrad.float64).dtype is ndgrad.float64


def test_sum_mean_edge_cases() -> None:
    x = _t([[1.0, 2.0], [3.0, 4.0]])
    assert x.sum(()).item() == 10.0 and x.sum((), keepdim=True).shape == (1, 1)
    assert x.sum(-1).tolist() == [3.0, 7.0] and x.mean([]).item() == 2.5
    assert x.sum(dtype=ndgrad.float64).dtype is ndgrad.float64
    assert _t([[1, 2], [3, 4]]).sum(dtype=ndgrad.float32).dtype is ndgrad.float32
    assert ndgrad.nanmean(_t([1.0, NAN, 3.0])).item() == 2.0
    assert ndgrad.nansum(_t([1.0, NAN])).item() == 1.0


def test_binary_max_min() -> None:
    a, b = _t([1.0, 5.0, 2.0]), _t([3.0, 1.0, 2.0])
    assert ndgrad.max(a, b).tolist() == [3.0, 5.0, 2.0]
    assert a.min(b).tolist() == [1.0, 1.0, 2.0]


def test_does_not_mutate_the_input() -> None:
    a = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    x = ndgrad.tensor(a)
    before = x.numpy().copy()
    x.median(1), x.mode(1), x.cummax(1), x.cumprod(1), x.prod(1), x.norm(3), x.var(1)
    np.testing.assert_array_equal(x.numpy(), before)


ERRORS = [
    ("max", lambda lib: lib.tensor([]).max(), RuntimeError),
    ("min_dim", lambda lib: lib.zeros(0, 3).min(0), IndexError),
    ("amax_dim", lambda lib: lib.zeros(0, 3).amax(0), IndexError),
    ("argmax", lambda lib: lib.tensor([]).argmax(), IndexError),
    ("median_dim", lambda lib: lib.zeros(0, 3).median(0), IndexError),
    ("var_int", lambda lib: lib.tensor([1, 2, 3]).var(), RuntimeError),
    ("norm_int", lambda lib: lib.tensor([1, 2, 3]).norm(), RuntimeError),
    ("norm_order", lambda lib: lib.ones(2, 2).norm(p="abc"), RuntimeError),
    ("norm_inf_empty", lambda lib: lib.tensor([]).norm(INF), RuntimeError),
    ("norm_inf_empty_dim", lambda lib: lib.zeros(0, 3).norm(INF, dim=0), RuntimeError),
    ("nanmean_int", lambda lib: lib.tensor([1, 2]).nanmean(), RuntimeError),
    ("mean_int", lambda lib: lib.tensor([1, 2]).mean(), RuntimeError),
    ("dim_range", lambda lib: lib.ones(2, 3).max(dim=5), IndexError),
    ("cumsum_range", lambda lib: lib.ones(2, 3).cumsum(-3), IndexError),
]


@pytest.mark.parametrize("name, fn, exc", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_without_torch(name: str, fn: Any, exc: type) -> None:
    with pytest.raises(exc):
        fn(ndgrad)


# ------------------------------------------------------------------ vs torch
@pytest.mark.parametrize("name, fn, exc", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name: str, fn: Any, exc: type) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(exc) as expected:
        fn(torch)
    with pytest.raises(exc) as got:
        fn(ndgrad)
    assert str(got.value) == str(expected.value).replace("torch.", "ndgrad.")


def _same(n: Any, t: Any) -> None:
    assert str(n.dtype) == str(t.dtype).replace("torch.", "ndgrad."), (n.dtype, t.dtype)
    assert tuple(n.shape) == tuple(t.shape)
    np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-6, equal_nan=True)


X = np.array([[1.0, 3.0, 3.0, -2.0], [4.0, 0.0, 4.0, 1.0], [NAN, 2.0, 0.0, 5.0]])
PLAIN = [
    ("argmax", lambda lib, x: x.argmax()),
    ("argmin_dim", lambda lib, x: lib.argmin(x[:2], 1, keepdim=True)),
    ("argmax_nan", lambda lib, x: x.argmax(1)),
    ("all", lambda lib, x: x.all(1)),
    ("any_dims", lambda lib, x: lib.any(x, (0, 1), keepdim=True)),
    ("count_nonzero", lambda lib, x: lib.count_nonzero(x, dim=(0, 1))),
    ("max_nan", lambda lib, x: x.max()),
    ("amax_nan", lambda lib, x: x.amax(1)),
    ("median_nan", lambda lib, x: x.median()),
    ("nansum", lambda lib, x: x.nansum(0)),
    ("nanmean", lambda lib, x: x.nanmean(1, keepdim=True)),
    ("prod_int", lambda lib, x: x[:2].long().prod(1)),
    ("cumprod_int", lambda lib, x: x[:2].int().cumprod(1)),
    ("cumsum_bool", lambda lib, x: (x > 1).cumsum(0)),
    ("sum_bool", lambda lib, x: (x > 1).sum()),
    ("max_int", lambda lib, x: x[1:2].short().max()),
    ("norm_empty", lambda lib, x: x[:0].norm()),
    ("var_empty", lambda lib, x: x[:0].var(1)),
    ("logsumexp_int", lambda lib, x: x[:2].long().logsumexp(1)),
    ("lse_empty", lambda lib, x: x[:0].logsumexp(0)),
    ("amax_empty_rows", lambda lib, x: x[:, :0].amax(0)),
    ("median_empty", lambda lib, x: x[:0].median()),
    ("std_dof0", lambda lib, x: x[:, :1].std(1)),
]
PAIRS = [
    ("max_dim_nan", lambda lib, x: x.max(1)),
    ("min_dim", lambda lib, x: lib.min(x[:2], 0, True)),
    ("max_0d", lambda lib, x: x[0, 1].max(0)),
    ("median_dim", lambda lib, x: x[:2].median(1)),
    ("median_nan", lambda lib, x: x.median(0)),
    ("mode", lambda lib, x: x[:2].mode(0)),
    ("mode_0d", lambda lib, x: x[0, 0].mode()),
    ("cummax_nan", lambda lib, x: x.cummax(1)),
    ("cummin", lambda lib, x: x[:2].cummin(1)),
    ("cummax_0d", lambda lib, x: x[1, 1].cummax(0)),
    ("max_empty", lambda lib, x: x[:0].max(1)),
]


@pytest.mark.parametrize("name, fn", PLAIN, ids=[p[0] for p in PLAIN])
def test_plain_results_match_torch(name: str, fn: Any) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(fn(ndgrad, ndgrad.tensor(X)), fn(torch, torch.tensor(X)))


@pytest.mark.parametrize("name, fn", PAIRS, ids=[p[0] for p in PAIRS])
def test_values_indices_match_torch(name: str, fn: Any) -> None:
    torch = pytest.importorskip("torch")
    n, t = fn(ndgrad, ndgrad.tensor(X)), fn(torch, torch.tensor(X))
    _same(n.values, t.values)
    _same(n.indices, t.indices)
    assert repr(n).split("(")[0] == repr(t).split("(")[0].replace("torch.", "ndgrad.")


GRADS = [
    ("max_ties", lambda lib, x: x.max(), [[1.0, 3.0], [3.0, 0.0]]),
    ("min_ties", lambda lib, x: x.min(), [[1.0, 1.0], [3.0, 1.0]]),
    ("amax_ties", lambda lib, x: x.amax(0), [[1.0, 3.0], [1.0, 3.0]]),
    ("median_ties", lambda lib, x: x.median(), [2.0, 1.0, 2.0, 3.0]),
    ("norm_inf_ties", lambda lib, x: x.norm(INF), [[-3.0, 3.0], [1.0, 3.0]]),
    ("norm_at_zero", lambda lib, x: x.norm(dim=1), [[0.0, 0.0], [1.0, 2.0]]),
    ("norm_half_zero", lambda lib, x: x.norm(0.5), [[0.0, 4.0], [1.0, 2.0]]),
    ("norm_1_5_zero", lambda lib, x: x.norm(1.5, dim=0), [[0.0, 0.0], [1.0, 0.0]]),
    ("std_zero", lambda lib, x: x.std(), [2.0, 2.0, 2.0]),
    ("prod_one_zero", lambda lib, x: x.prod(0), [[0.0, 2.0], [3.0, 0.0], [4.0, 5.0]]),
    ("cumprod_zeros", lambda lib, x: x.cumprod(1), [[2.0, 0.0, 3.0, 0.0], [0.0, 1.0, 2.0, 3.0]]),
    ("binary_max_ties", lambda lib, x: lib.max(x, x.detach() * 0 + 1), [1.0, 2.0, 0.5]),
]


@pytest.mark.parametrize("name, fn, values", GRADS, ids=[g[0] for g in GRADS])
def test_gradient_conventions_match_torch(name: str, fn: Any, values: Any) -> None:
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(_grad(fn, values), _grad(fn, values, torch), rtol=1e-12)


def _second(lib: Any, fn: Any, values: Any) -> np.ndarray:
    x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    w = lib.tensor(np.linspace(-1.0, 1.0, x.numel()).reshape(x.shape), dtype=lib.float64)
    (g,) = lib.autograd.grad(fn(lib, x).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad((g * w).sum(), x)
    return h.numpy()


@pytest.mark.parametrize(
    "values", [[2.0, 0.0, 4.0, 3.0], [[1.0, 0.0, 2.0], [3.0, 4.0, 0.5]]], ids=["1d", "rows"]
)
def test_prod_second_order_with_one_zero_matches_torch(values: Any) -> None:
    torch = pytest.importorskip("torch")

    def fn(lib: Any, x: Any) -> Any:
        return x.prod(-1)

    np.testing.assert_allclose(_second(ndgrad, fn, values), _second(torch, fn, values))
