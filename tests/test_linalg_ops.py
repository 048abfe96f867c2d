"""Linear algebra beyond the op table: named results, integer dtypes, ranks, and errors."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad


def _t(a: Any, **kw: Any) -> ndgrad.Tensor:
    return ndgrad.tensor(np.asarray(a, dtype=np.float64), **kw)


# ------------------------------------------------------------ fixed values
def test_fixed_values() -> None:
    a = _t([[4.0, 2.0], [2.0, 3.0]])
    np.testing.assert_allclose(ndgrad.linalg.det(a).item(), 8.0)
    np.testing.assert_allclose(ndgrad.linalg.inv(a).numpy(), [[0.375, -0.25], [-0.25, 0.5]])
    np.testing.assert_allclose(
        ndgrad.linalg.cholesky(a).numpy(), [[2.0, 0.0], [1.0, np.sqrt(2.0)]]
    )
    np.testing.assert_allclose(ndgrad.linalg.solve(a, _t([8.0, 7.0])).numpy(), [1.25, 1.5])
    np.testing.assert_allclose(
        ndgrad.linalg.eigvalsh(_t([[2.0, 1.0], [1.0, 2.0]])).numpy(), [1, 3]
    )
    np.testing.assert_allclose(
        ndgrad.linalg.svdvals(_t([[3.0, 0.0], [0.0, -4.0]])).numpy(), [4, 3]
    )
    assert ndgrad.einsum("ii", _t(np.eye(3))).item() == 3.0
    assert ndgrad.kron(_t([1.0, 2.0]), _t([1.0, 10.0])).tolist() == [1.0, 10.0, 2.0, 20.0]
    assert ndgrad.linalg.cross(_t([1.0, 0, 0]), _t([0, 1.0, 0])).tolist() == [0.0, 0.0, 1.0]
    assert ndgrad.linalg.matrix_norm(_t([[1.0, -2.0], [3.0, 4.0]]), 1).item() == 6.0
    assert ndgrad.linalg.matrix_norm(_t([[1.0, -2.0], [3.0, 4.0]]), float("inf")).item() == 7.0


def test_slogdet_named_tuple() -> None:
    r = ndgrad.linalg.slogdet(_t([[0.0, 2.0], [1.0, 0.0]]))
    assert r.sign.item() == -1.0
    np.testing.assert_allclose(r.logabsdet.item(), np.log(2.0))
    sign, logabs = r
    assert sign is r[0] and logabs is r.logabsdet
    assert "linalg_slogdet(" in repr(r)
    assert type(ndgrad.slogdet(_t(np.eye(2)))).__name__ == "slogdet"


def test_decomposition_fields() -> None:
    a = _t(np.random.default_rng(0).normal(size=(2, 4, 3)))
    q, r = ndgrad.linalg.qr(a)
    np.testing.assert_allclose((q @ r).numpy(), a.numpy(), atol=1e-12)
    u, s, vh = ndgrad.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose((u * s.unsqueeze(-2) @ vh).numpy(), a.numpy(), atol=1e-12)
    assert ndgrad.linalg.svd(a).U.shape == (2, 4, 4)
    w, v = ndgrad.linalg.eigh(a.mT @ a)
    assert ndgrad.linalg.eigh(a.mT @ a).eigenvalues.shape == w.shape == (2, 3)
    assert ndgrad.linalg.qr(a, mode="r").Q.shape == (0,)


def test_in_place_products() -> None:
    c = ndgrad.ones(2, 2)
    c.addmm_(ndgrad.eye(2), ndgrad.eye(2), beta=2, alpha=3)
    assert c.tolist() == [[5.0, 2.0], [2.0, 5.0]]


def test_matrix_rank_and_lstsq() -> None:
    a = _t([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])
    rank = ndgrad.linalg.matrix_rank(a)
    assert rank.dtype is ndgrad.int64 and rank.item() == 1
    assert ndgrad.linalg.matrix_rank(_t(np.eye(3)), hermitian=True).item() == 3
    b = _t([[1.0], [2.0], [3.0]])
    r = ndgrad.linalg.lstsq(_t([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), b)
    assert r.solution.tolist() == [[1.0], [2.0]]
    assert r.residuals.shape == (0,) and r.singular_values.shape == (0,)
    r = ndgrad.linalg.lstsq(_t([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), b, driver="gelsd")
    np.testing.assert_allclose(r.residuals.numpy(), [9.0])


def test_integer_products_stay_integer() -> None:
    x = ndgrad.tensor([[1, 2], [3, 4]])
    assert ndgrad.bmm(x[None], x[None]).dtype is ndgrad.int64
    assert ndgrad.einsum("ij,jk->ik", x, x).tolist() == [[7, 10], [15, 22]]
    assert ndgrad.matrix_power(x, 2).tolist() == [[7, 10], [15, 22]]
    assert ndgrad.dot(x[0], x[1]).item() == 11
    assert ndgrad.outer(x[0], ndgrad.tensor([1.5])).dtype is ndgrad.float32


def test_einsum_output_owns_its_memory() -> None:
    x = ndgrad.ones(3, 3)
    d = ndgrad.einsum("ii->i", x)
    d += 1
    assert x.sum().item() == 9.0


def test_decomposition_outputs_written_in_place_keep_gradients_right() -> None:
    a = _t([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    w, v = ndgrad.linalg.eigh(a)
    w.mul_(0)  # its node reads the eigenvectors from its own copy, not from w
    v.sum().backward()
    assert np.isfinite(a.grad.numpy()).all()


# ------------------------------------------------------------------ errors
def _calls() -> list[tuple[str, Callable[[Any], Any]]]:
    def f(lib: Any) -> Any:
        return lib.ones(3, 3)

    return [
        ("inv singular", lambda lib: lib.linalg.inv(lib.zeros(3, 3))),
        ("inv rank 1", lambda lib: lib.linalg.inv(lib.tensor([[1.0, 2], [2, 4]]))),
        ("inv batch", lambda lib: lib.linalg.inv(lib.stack([lib.eye(3), lib.zeros(3, 3)]))),
        ("inv non-square", lambda lib: lib.linalg.inv(lib.ones(2, 3))),
        ("inv 1-D", lambda lib: lib.linalg.inv(lib.ones(3))),
        ("inv int", lambda lib: lib.linalg.inv(lib.ones(3, 3, dtype=lib.long))),
        ("det non-square", lambda lib: lib.linalg.det(lib.ones(2, 3))),
        ("cholesky", lambda lib: lib.linalg.cholesky(-lib.eye(3))),
        ("cholesky batch", lambda lib: lib.linalg.cholesky(lib.stack([lib.eye(2), -lib.eye(2)]))),
        ("solve singular", lambda lib: lib.linalg.solve(lib.zeros(3, 3), lib.ones(3))),
        ("solve shapes", lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(4))),
        ("solve dtype", lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(3, dtype=lib.float64))),
        ("eigh UPLO", lambda lib: lib.linalg.eigh(lib.eye(3), UPLO="X")),
        ("qr mode", lambda lib: lib.linalg.qr(lib.ones(2, 3), mode="bad")),
        ("svd 1-D", lambda lib: lib.linalg.svd(lib.ones(3))),
        ("bmm 2-D", lambda lib: lib.bmm(lib.ones(2, 3), lib.ones(3, 2))),
        ("bmm sizes", lambda lib: lib.bmm(lib.ones(2, 3, 4), lib.ones(2, 3, 4))),
        ("mv sizes", lambda lib: lib.mv(lib.ones(2, 3), lib.ones(2))),
        ("dot 2-D", lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2, 2))),
        ("dot sizes", lambda lib: lib.dot(lib.ones(3), lib.ones(2))),
        ("outer 2-D", lambda lib: lib.outer(lib.ones(2), lib.ones(2, 2))),
        ("inner", lambda lib: lib.inner(lib.ones(2, 3), lib.ones(2))),
        ("tensordot", lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(2, 3), dims=1)),
        ("tensordot dims", lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 2), dims=-1)),
        ("cross length", lambda lib: lib.linalg.cross(lib.ones(3, 4), lib.ones(3, 4))),
        ("cross ndim", lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(3))),
        ("addmm shapes", lambda lib: lib.addmm(lib.ones(3), lib.ones(2, 3), lib.ones(2, 3))),
        ("addmm input", lambda lib: lib.addmm(lib.ones(4), lib.ones(2, 3), lib.ones(3, 3))),
        ("matrix_power", lambda lib: lib.matrix_power(lib.ones(2, 3), 2)),
        ("multi_dot one", lambda lib: lib.linalg.multi_dot([lib.ones(2, 3)])),
        ("multi_dot sizes", lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(2, 3)])),
        ("einsum sizes", lambda lib: lib.einsum("ij,jk->ik", lib.ones(2, 3), lib.ones(2, 3))),
        ("einsum operands", lambda lib: lib.einsum("ij,jk->ik", lib.ones(2, 3))),
        ("einsum more", lambda lib: lib.einsum("i->i", lib.ones(2), lib.ones(2))),
        ("einsum subscripts", lambda lib: lib.einsum("ijk->i", lib.ones(2, 3))),
        ("einsum repeated out", lambda lib: lib.einsum("i->ii", lib.ones(3))),
        ("einsum unknown out", lambda lib: lib.einsum("i->j", lib.ones(3))),
        ("einsum diagonal", lambda lib: lib.einsum("ii->i", lib.ones(2, 3))),
        ("matrix_norm ord", lambda lib: lib.linalg.matrix_norm(lib.ones(2, 3), 3)),
        ("norm 3-D", lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), 2)),
    ]


CALLS = _calls()


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_errors_match_torch(name: str, call: Callable[[Any], Any]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(Exception) as got:
        call(ndgrad)
    assert str(got.value) == str(expected.value)
    assert isinstance(got.value, RuntimeError) == isinstance(expected.value, RuntimeError)
    is_linalg = isinstance(expected.value, torch.linalg.LinAlgError)
    assert isinstance(got.value, ndgrad.linalg.LinAlgError) == is_linalg


def test_lin_alg_error_is_a_runtime_error() -> None:
    assert issubclass(ndgrad.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ndgrad.linalg.LinAlgError, match="singular"):
        ndgrad.linalg.inv(ndgrad.zeros(2, 2))


def test_backward_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (torch, ndgrad):
        x = lib.ones(4, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="mode='r'"):
            lib.linalg.qr(x, mode="r")[1].sum().backward()
        with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
            lib.linalg.qr(x + 1, mode="complete")[1].sum().backward()


# ------------------------------------------------------ more values vs torch
def test_values_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 4, 3))
    sq = rng.normal(size=(2, 3, 3))
    cases = [
        lambda lib, a, s: lib.linalg.matrix_rank(a),
        lambda lib, a, s: lib.linalg.lstsq(a, a[..., :2], driver="gelsd").residuals,
        lambda lib, a, s: lib.linalg.lstsq(a, a[..., :2]).rank,
        lambda lib, a, s: lib.linalg.pinv(a, atol=0.5),
        lambda lib, a, s: lib.linalg.cond(s, "fro"),
        lambda lib, a, s: lib.linalg.vecdot(a, a),
        lambda lib, a, s: lib.einsum("b...,b...->b", a, a),
        lambda lib, a, s: lib.logdet(s),
        lambda lib, a, s: lib.linalg.matrix_power(s, 0),
        lambda lib, a, s: lib.linalg.norm(a, dim=(0, 2)),
        lambda lib, a, s: lib.qr(a, some=False)[1],
        lambda lib, a, s: lib.svd(a, compute_uv=False)[1],
    ]
    for k, f in enumerate(cases):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = f(torch, torch.tensor(a), torch.tensor(sq))
        got = f(ndgrad, ndgrad.tensor(a), ndgrad.tensor(sq))
        assert tuple(got.shape) == tuple(want.shape), k
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], k
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
