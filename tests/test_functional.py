"""autograd.functional: closed forms and finite differences, then torch as the oracle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import functional as NF
from ndgrad.autograd import grad

RNG = np.random.default_rng(0)
X3 = RNG.uniform(0.5, 1.5, 3)
X23 = RNG.uniform(0.5, 1.5, (2, 3))
A = RNG.standard_normal((4, 3))
V3 = RNG.standard_normal(3)
V4 = RNG.standard_normal(4)


def T(a: Any, requires_grad: bool = False) -> ndgrad.Tensor:
    return ndgrad.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def N(t: ndgrad.Tensor) -> np.ndarray:
    return t.detach().numpy()


def close(t: ndgrad.Tensor, want: Any) -> None:
    np.testing.assert_allclose(N(t), want, rtol=1e-10, atol=1e-12)


def fd_jacobian(f: Any, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of a NumPy-in, NumPy-out function: shape f(x).shape + x.shape."""
    cols = []
    for i in range(x.size):
        d = np.zeros(x.size)
        d[i] = eps
        d = d.reshape(x.shape)
        cols.append((f(x + d) - f(x - d)) / (2 * eps))
    out = np.stack(cols, axis=-1)
    return out.reshape(np.shape(f(x)) + x.shape)


def nd(f: Any) -> Any:
    """Run an ndgrad function on NumPy arrays (for finite differences)."""
    return lambda a: N(f(T(a)))


# ------------------------------------------------------------------ closed forms, no torch


def test_jacobian_of_a_linear_map_is_its_matrix() -> None:
    J = NF.jacobian(lambda x: T(A) @ x, T(X3))
    assert isinstance(J, ndgrad.Tensor) and J.shape == (4, 3)
    close(J, A)


def test_jacobian_of_elementwise_square_is_diagonal() -> None:
    J = NF.jacobian(lambda x: x**2, T(X23))
    assert J.shape == (2, 3, 2, 3)
    close(J.reshape(6, 6), np.diag(2 * X23.ravel()))


def test_jacobian_scalar_output_and_scalar_input() -> None:
    close(NF.jacobian(lambda x: (x**2).sum(), T(X3)), 2 * X3)
    J = NF.jacobian(lambda x: x.exp() * 3, T(0.5))
    assert J.shape == ()
    close(J, 3 * np.exp(0.5))


def test_jacobian_tuple_inputs_and_outputs_nest_output_first() -> None:
    x, y = T(X3), T(X3[::-1].copy())
    J = NF.jacobian(lambda a, b: (a * b, a.sum()), (x, y))
    assert isinstance(J, tuple) and len(J) == 2
    assert all(isinstance(row, tuple) and len(row) == 2 for row in J)
    close(J[0][0], np.diag(N(y)))
    close(J[0][1], np.diag(N(x)))
    close(J[1][0], np.ones(3))
    close(J[1][1], np.zeros(3))  # independent of b: zeros, not an error


def test_jacobian_tuple_only_on_one_side_is_flat() -> None:
    x = T(X3)
    J = NF.jacobian(lambda a: (a * 2, a.sin()), x)
    assert isinstance(J, tuple) and all(isinstance(j, ndgrad.Tensor) for j in J)
    close(J[1], np.diag(np.cos(X3)))
    J = NF.jacobian(lambda a, b: a * b, (x, x))
    assert isinstance(J, tuple) and all(isinstance(j, ndgrad.Tensor) for j in J)
    close(J[0], np.diag(X3))


def test_jacobian_matches_finite_differences() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return (x.sin() * x.sum()).tanh()

    close_fd = fd_jacobian(nd(f), X23)
    np.testing.assert_allclose(N(NF.jacobian(f, T(X23))), close_fd, rtol=1e-6, atol=1e-8)


def test_jacobian_vectorize_gives_the_same_matrix() -> None:
    def f(a: ndgrad.Tensor, b: ndgrad.Tensor) -> tuple[ndgrad.Tensor, ndgrad.Tensor]:
        return a.exp() * b, (a * b).sum()

    xs = (T(X3), T(V3))
    want = NF.jacobian(f, xs)
    got = NF.jacobian(f, xs, vectorize=True)
    for rw, rg in zip(want, got):
        for w, g in zip(rw, rg):
            close(g, N(w))


def test_hessian_of_sum_of_cubes_is_diag_6x() -> None:
    H = NF.hessian(lambda x: (x**3).sum(), T(X3))
    assert isinstance(H, ndgrad.Tensor) and H.shape == (3, 3)
    close(H, np.diag(6 * X3))
    H = NF.hessian(lambda x: (x**3).sum(), T(X23))
    assert H.shape == (2, 3, 2, 3)
    close(H.reshape(6, 6), np.diag(6 * X23.ravel()))


def test_hessian_of_a_quadratic_form_is_symmetric_part() -> None:
    M = RNG.standard_normal((3, 3))
    H = NF.hessian(lambda x: x @ (T(M) @ x), T(X3))
    close(H, M + M.T)


def test_hessian_tuple_inputs_nest() -> None:
    x, y = T(X3), T(V3)
    H = NF.hessian(lambda a, b: (a**2 * b).sum(), (x, y))
    assert isinstance(H, tuple) and all(isinstance(r, tuple) and len(r) == 2 for r in H)
    close(H[0][0], np.diag(2 * V3))
    close(H[0][1], np.diag(2 * X3))
    close(H[1][0], np.diag(2 * X3))
    close(H[1][1], np.zeros((3, 3)))


def test_hessian_matches_finite_differences_of_the_gradient() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return (x.sin() * x.exp()).sum() * x.sum()

    def g(a: np.ndarray) -> np.ndarray:
        x = T(a, requires_grad=True)
        return N(grad(f(x), x)[0])

    want = fd_jacobian(g, X3)
    np.testing.assert_allclose(N(NF.hessian(f, T(X3))), want, rtol=1e-6, atol=1e-8)


def test_vjp_and_jvp_of_a_linear_map() -> None:
    x = T(X3)
    out, res = NF.vjp(lambda a: T(A) @ a, x, T(V4))
    close(out, A @ X3)
    close(res, A.T @ V4)
    out, res = NF.jvp(lambda a: T(A) @ a, x, T(V3))
    close(out, A @ X3)
    close(res, A @ V3)


def test_vjp_jvp_v_defaults_for_single_elements() -> None:
    out, res = NF.vjp(lambda a: (a**2).sum(), T(X3))
    close(res, 2 * X3)
    out, res = NF.jvp(lambda a: a * T(V3), T(2.0))
    close(res, V3)


def test_vjp_and_jvp_tuples() -> None:
    x, y = T(X3), T(V3)
    out, res = NF.vjp(lambda a, b: (a * b, a.sum()), (x, y), (T(np.ones(3)), T(2.0)))
    assert isinstance(out, tuple) and isinstance(res, tuple)
    close(res[0], V3 + 2)
    close(res[1], X3)
    out, res = NF.jvp(lambda a, b: (a * b, b.sum()), (x, y), (T(np.ones(3)), T(V4[:3])))
    assert isinstance(res, tuple)
    close(res[0], V3 + X3 * V4[:3])
    close(res[1], V4[:3].sum())


def test_jvp_matches_finite_differences() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return (x.exp() @ x.t()).sin()

    d = RNG.standard_normal(X23.shape)
    eps = 1e-6
    want = (nd(f)(X23 + eps * d) - nd(f)(X23 - eps * d)) / (2 * eps)
    _, res = NF.jvp(f, T(X23), T(d))
    np.testing.assert_allclose(N(res), want, rtol=1e-6, atol=1e-8)


def test_hvp_and_vhp_of_sum_of_cubes() -> None:
    for fn in (NF.hvp, NF.vhp):
        out, res = fn(lambda a: (a**3).sum(), T(X3), T(V3))
        close(out, (X3**3).sum())
        close(res, 6 * X3 * V3)


def test_hvp_is_vhp_transposed() -> None:
    M = RNG.standard_normal((3, 3))

    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return x @ (T(M) @ x) + (x**3).sum()

    _, hv = NF.hvp(f, T(X3), T(V3))
    _, vh = NF.vhp(f, T(X3), T(V3))
    H = M + M.T + np.diag(6 * X3)
    close(hv, H @ V3)
    close(vh, V3 @ H)


def test_hvp_and_vhp_tuples_with_unused_input() -> None:
    x, y, z = T(X3), T(V3), T(V4)
    for fn in (NF.hvp, NF.vhp):
        out, res = fn(lambda a, b, c: (a**2 * b).sum(), (x, y, z), (y, x, z))
        assert isinstance(res, tuple) and len(res) == 3
        close(res[0], 2 * V3 * V3 + 2 * X3 * X3)
        close(res[1], 2 * X3 * V3)
        close(res[2], np.zeros(4))


# ------------------------------------------------------------------ graphs, modes, inputs


def test_results_are_detached_and_inputs_untouched() -> None:
    x = T(X3, requires_grad=True)
    before = N(x).copy()
    results = [
        NF.jacobian(lambda a: a.exp(), x),
        NF.hessian(lambda a: (a**3).sum(), x),
        *NF.vjp(lambda a: a.exp(), x, T(V3)),
        *NF.jvp(lambda a: a.exp(), x, T(V3)),
        *NF.hvp(lambda a: (a**3).sum(), x, T(V3)),
        *NF.vhp(lambda a: (a**3).sum(), x, T(V3)),
    ]
    for r in results:
        assert not r.requires_grad and r.grad_fn is None
    assert x.requires_grad and x.is_leaf and x.grad is None
    np.testing.assert_array_equal(N(x), before)
    y = T(X3)
    NF.jacobian(lambda a: a.exp(), y)
    assert not y.requires_grad


def test_works_under_no_grad() -> None:
    with ndgrad.no_grad():
        close(NF.jacobian(lambda x: x**2, T(X3)), np.diag(2 * X3))
        close(NF.hessian(lambda x: (x**3).sum(), T(X3)), np.diag(6 * X3))
        assert not ndgrad.is_grad_enabled()


def test_gradient_is_with_respect_to_the_argument_not_a_captured_tensor() -> None:
    x = T(X3, requires_grad=True)
    # func uses x both through its argument and from the enclosing scope.
    J = NF.jacobian(lambda a: a * x, x)
    close(J, np.diag(X3))


def test_jacobian_create_graph_differentiates_again() -> None:
    x = T(X3, requires_grad=True)
    J = NF.jacobian(lambda a: a**3, x, create_graph=True)
    assert J.requires_grad
    close(J, np.diag(3 * X3**2))
    (g,) = grad(J.sum(), x)
    close(g, 6 * X3)


def test_hessian_create_graph_differentiates_again() -> None:
    x = T(X3, requires_grad=True)
    H = NF.hessian(lambda a: (a**4).sum(), x, create_graph=True)
    close(H, np.diag(12 * X3**2))
    (g,) = grad(H.sum(), x)
    close(g, 24 * X3)


def test_products_create_graph_differentiate_again() -> None:
    x = T(X3, requires_grad=True)
    v = T(V3)
    _, r = NF.vjp(lambda a: a**3, x, v, create_graph=True)
    close(grad(r.sum(), x)[0], 6 * X3 * V3)
    _, r = NF.jvp(lambda a: a**3, x, v, create_graph=True)
    close(grad(r.sum(), x)[0], 6 * X3 * V3)
    for fn in (NF.hvp, NF.vhp):
        out, r = fn(lambda a: (a**4).sum(), x, v, create_graph=True)
        assert out.requires_grad
        close(grad(r.sum(), x)[0], 24 * X3 * V3)


def test_create_graph_reaches_v() -> None:
    x = T(X3)
    v = T(V3, requires_grad=True)
    _, r = NF.jvp(lambda a: a**3, x, v, create_graph=True)
    close(grad(r.sum(), v)[0], 3 * X3**2)


def test_forward_mode_matches_reverse_mode() -> None:
    def f(a: Any, b: Any) -> Any:
        return (a * b).sin(), a.exp().sum()

    xs = (T(X3), T(V3))
    fwd = NF.jacobian(f, xs, vectorize=True, strategy="forward-mode")
    rev = NF.jacobian(f, xs)
    vec = NF.jacobian(f, xs, vectorize=True)
    for i in range(2):
        for j in range(2):
            close(fwd[i][j], rev[i][j].numpy())
            close(vec[i][j], rev[i][j].numpy())
    close(
        NF.jacobian(lambda a: a * 2, T(X3), vectorize=True, strategy="forward-mode"), 2 * np.eye(3)
    )
    h = NF.hessian(
        lambda a: (a**3).sum(), T(X3), vectorize=True, outer_jacobian_strategy="forward-mode"
    )
    close(h, np.diag(6 * X3))


def test_public_names() -> None:
    assert ndgrad.autograd.functional is NF
    assert set(NF.__all__) == {"vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"}


# ------------------------------------------------------------------ torch as the oracle


def _lib_inputs(L: Any, arrays: tuple[np.ndarray, ...], requires_grad: bool) -> tuple[Any, ...]:
    return tuple(L.tensor(a, dtype=L.float64, requires_grad=requires_grad) for a in arrays)


def _F(L: Any) -> Any:
    return NF if L is ndgrad else L.autograd.functional


def _flat(r: Any, path: str = "") -> list[tuple[str, Any]]:
    """Leaves of a nested tuple with their paths; the path spells the nesting."""
    if isinstance(r, tuple):
        return [leaf for i, el in enumerate(r) for leaf in _flat(el, f"{path}({i})")]
    return [(path, r)]


# Each case: (lambda L, F, xs, cg: result, input arrays). v vectors come in xs too.
ORACLE = {
    "jac_vector": (lambda L, F, xs, cg: F.jacobian(lambda a: a.exp() * a.sum(), xs[0], cg), (X3,)),
    "jac_scalar": (
        lambda L, F, xs, cg: F.jacobian(lambda a: (a.sin() ** 2).sum(), xs[0], cg),
        (X23,),
    ),
    "jac_matrix_in_out": (lambda L, F, xs, cg: F.jacobian(lambda a: a @ a.t(), xs[0], cg), (X23,)),
    "jac_tuples": (
        lambda L, F, xs, cg: F.jacobian(lambda a, b: (b @ a, (a * a).sum(), b.tanh()), xs, cg),
        (X3, X23),
    ),
    "jac_tuple_out": (
        lambda L, F, xs, cg: F.jacobian(lambda a: (a.exp(), a.sum()), xs[0], cg),
        (X3,),
    ),
    "jac_unused": (lambda L, F, xs, cg: F.jacobian(lambda a, b: a.exp(), xs, cg), (X3, V4)),
    "jac_vectorize": (
        lambda L, F, xs, cg: F.jacobian(lambda a, b: (a * b, b.exp()), xs, cg, vectorize=True),
        (X3, V3),
    ),
    "jac_vectorize_unused": (
        lambda L, F, xs, cg: F.jacobian(lambda a, b: a.exp(), xs, cg, vectorize=True),
        (X3, V4),
    ),
    "jac_vectorize_constant_output": (
        lambda L, F, xs, cg: F.jacobian(
            lambda a: (a.sin(), L.ones(2, dtype=L.float64)), xs[0], cg, vectorize=True
        ),
        (X3,),
    ),
    "hess_vectorize": (
        lambda L, F, xs, cg: F.hessian(lambda a, b: (b @ a.exp()).sum() ** 2, xs, cg, True),
        (X3, X23),
    ),
    "hess": (
        lambda L, F, xs, cg: F.hessian(lambda a: (a**3).sum() * a.sin().sum(), xs[0], cg),
        (X3,),
    ),
    "hess_matrix": (
        lambda L, F, xs, cg: F.hessian(lambda a: (a @ a.t()).exp().sum(), xs[0], cg),
        (X23,),
    ),
    "hess_tuples": (
        lambda L, F, xs, cg: F.hessian(lambda a, b: (b @ a.sin()).pow(2).sum(), xs, cg),
        (X3, X23),
    ),
    "hess_linear_part": (
        lambda L, F, xs, cg: F.hessian(lambda a, b: (a * 2).sum() + (b**3).sum(), xs, cg),
        (X3, V3),
    ),
    "vjp": (
        lambda L, F, xs, cg: F.vjp(lambda a: a.exp() @ a.t(), xs[0], xs[1], cg),
        (X23, A[:2, :2]),
    ),
    "vjp_scalar_no_v": (
        lambda L, F, xs, cg: F.vjp(lambda a: a.sin().sum(), xs[0], None, cg),
        (X3,),
    ),
    "vjp_tuples": (
        lambda L, F, xs, cg: F.vjp(lambda a, b: (b @ a, a * 2), xs[:2], xs[2:], cg),
        (X3, X23, V3[:2], V3),
    ),
    "vjp_unused": (
        lambda L, F, xs, cg: F.vjp(lambda a, b: a.exp(), xs[:2], xs[2], cg),
        (X3, V4, V3),
    ),
    "jvp": (lambda L, F, xs, cg: F.jvp(lambda a: a.exp() @ a.t(), xs[0], xs[1], cg), (X23, A[:2])),
    "jvp_scalar_no_v": (
        lambda L, F, xs, cg: F.jvp(lambda a: a.exp() * 3, xs[0], None, cg),
        (X3[0],),
    ),
    "jvp_tuples": (
        lambda L, F, xs, cg: F.jvp(lambda a, b: (b @ a.tanh(), a.sum()), xs[:2], xs[2:], cg),
        (X3, X23, V3, A[:2]),
    ),
    "jvp_identity": (lambda L, F, xs, cg: F.jvp(lambda a: a, xs[0], xs[1], cg), (X3, V3)),
    "hvp": (
        lambda L, F, xs, cg: F.hvp(lambda a: (a**3).sum() * a.sin().sum(), xs[0], xs[1], cg),
        (X3, V3),
    ),
    "hvp_tuples": (
        lambda L, F, xs, cg: F.hvp(lambda a, b: (b @ a.exp()).sum() ** 2, xs[:2], xs[2:], cg),
        (X3, X23, V3, A[:2]),
    ),
    "vhp": (
        lambda L, F, xs, cg: F.vhp(lambda a: (a**3).sum() * a.sin().sum(), xs[0], xs[1], cg),
        (X3, V3),
    ),
    "vhp_tuples": (
        lambda L, F, xs, cg: F.vhp(lambda a, b: (b @ a.exp()).sum() ** 2, xs[:2], xs[2:], cg),
        (X3, X23, V3, A[:2]),
    ),
}


@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize("case", sorted(ORACLE))
def test_vs_torch(case: str, create_graph: bool) -> None:
    torch = pytest.importorskip("torch")
    fn, arrays = ORACLE[case]
    results = []
    for L in (torch, ndgrad):
        xs = _lib_inputs(L, arrays, requires_grad=create_graph)
        r = fn(L, _F(L), xs, create_graph)
        leaves = _flat(r)
        # Differentiate every result again: its second-order gradients must agree too.
        again = None
        if create_graph:
            outs = [t for _, t in leaves if t.requires_grad]
            total = sum((t * (k + 1)).sum() for k, t in enumerate(outs))
            again = L.autograd.grad(total, xs, allow_unused=True, materialize_grads=True)
        results.append((leaves, again))
    (want, want_again), (got, got_again) = results
    assert [p for p, _ in got] == [p for p, _ in want]
    for (path, w), (_, g) in zip(want, got):
        assert isinstance(g, ndgrad.Tensor), path
        assert tuple(g.shape) == tuple(w.shape), path
        assert str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1], path
        assert g.requires_grad == w.requires_grad, path
        np.testing.assert_allclose(N(g), w.detach().numpy(), rtol=1e-10, atol=1e-12)
    if create_graph:
        for w, g in zip(want_again, got_again):
            np.testing.assert_allclose(N(g), w.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_jacobian_dtype_follows_the_input_vs_torch() -> None:
    torch = pytest.importorskip("torch")
    for L in (torch, ndgrad):
        x = L.tensor(X3, dtype=L.float32)
        J = _F(L).jacobian(lambda a: a.double().exp(), x)
        assert str(J.dtype).endswith("float32")


# ------------------------------------------------------------------ errors, with torch's text


def _x3(L: Any) -> Any:
    return L.tensor([1.0, 2.0, 3.0], dtype=L.float64)


def _ones(L: Any, *shape: int) -> Any:
    return L.ones(*shape, dtype=L.float64)


ERRORS = {
    "vjp_strict_unused": lambda L: _F(L).vjp(
        lambda a, b: a * 2, (_x3(L), _x3(L)), _x3(L), strict=True
    ),
    "vjp_strict_constant_output": lambda L: _F(L).vjp(
        lambda a: _ones(L, 3), _x3(L), _x3(L), strict=True
    ),
    "vjp_strict_create_graph_linear": lambda L: _F(L).vjp(
        lambda a: a * 2, _x3(L), _x3(L), strict=True, create_graph=True
    ),
    "vjp_v_shape": lambda L: _F(L).vjp(lambda a: a * 2, _x3(L), _ones(L, 2)),
    "vjp_v_tuple_entry_shape": lambda L: _F(L).vjp(
        lambda a: (a * 2, a), _x3(L), (_x3(L), _ones(L, 2))
    ),
    "vjp_v_tuple_length": lambda L: _F(L).vjp(lambda a: (a * 2, a), _x3(L), (_x3(L),)),
    "vjp_v_too_many": lambda L: _F(L).vjp(lambda a: a * 2, _x3(L), (_x3(L), _x3(L))),
    "vjp_v_none_nonscalar": lambda L: _F(L).vjp(lambda a: a * 2, _x3(L)),
    "vjp_inputs_list": lambda L: _F(L).vjp(lambda a: a * 2, [_x3(L)], _x3(L)),
    "vjp_inputs_entry_not_tensor": lambda L: _F(L).vjp(lambda a, b: a * 2, (_x3(L), 1.0), _x3(L)),
    "vjp_output_list": lambda L: _F(L).vjp(lambda a: [a], _x3(L), _x3(L)),
    "vjp_v_list": lambda L: _F(L).vjp(lambda a: a, _x3(L), [1.0, 2.0, 3.0]),
    "jvp_strict_unused": lambda L: _F(L).jvp(
        lambda a, b: a * 2, (_x3(L), _x3(L)), (_x3(L), _x3(L)), strict=True
    ),
    "jvp_strict_constant_output": lambda L: _F(L).jvp(
        lambda a: _ones(L, 3), _x3(L), _x3(L), strict=True
    ),
    "jvp_strict_create_graph_linear": lambda L: _F(L).jvp(
        lambda a: a * 2, _x3(L), _x3(L), strict=True, create_graph=True
    ),
    "jvp_v_shape": lambda L: _F(L).jvp(lambda a: a * 2, _x3(L), _ones(L, 2)),
    "jvp_v_none_nonscalar": lambda L: _F(L).jvp(lambda a: a * 2, _x3(L)),
    "jacobian_strict_unused": lambda L: _F(L).jacobian(
        lambda a, b: a * 2, (_x3(L), _x3(L)), strict=True
    ),
    "jacobian_strict_unused_first": lambda L: _F(L).jacobian(
        lambda a, b: (b, a * 2), (_x3(L), _x3(L)), strict=True
    ),
    "jacobian_strict_constant_output": lambda L: _F(L).jacobian(
        lambda a: (a, _ones(L, 3)), _x3(L), strict=True
    ),
    "jacobian_strict_create_graph_linear": lambda L: _F(L).jacobian(
        lambda a: (a.exp(), a * 2), _x3(L), strict=True, create_graph=True
    ),
    "jacobian_strict_vectorize": lambda L: _F(L).jacobian(
        lambda a: a * 2, _x3(L), strict=True, vectorize=True
    ),
    "jacobian_bad_strategy": lambda L: _F(L).jacobian(lambda a: a, _x3(L), strategy="reverse"),
    "jacobian_forward_create_graph": lambda L: _F(L).jacobian(
        lambda a: a, _x3(L), create_graph=True, strategy="forward-mode"
    ),
    "jacobian_forward_strict": lambda L: _F(L).jacobian(
        lambda a: a, _x3(L), strict=True, strategy="forward-mode"
    ),
    "jacobian_forward_not_vectorized": lambda L: _F(L).jacobian(
        lambda a: a, _x3(L), strategy="forward-mode"
    ),
    "jacobian_empty_output": lambda L: _F(L).jacobian(lambda a: a[:0], _x3(L)),
    "hessian_strict_linear": lambda L: _F(L).hessian(lambda a: (a * 2).sum(), _x3(L), strict=True),
    "hessian_strict_unused": lambda L: _F(L).hessian(
        lambda a, b: (a**3).sum(), (_x3(L), _x3(L)), strict=True
    ),
    "hessian_strict_constant": lambda L: _F(L).hessian(lambda a: _ones(L, 1), _x3(L), strict=True),
    "hessian_tuple_output": lambda L: _F(L).hessian(lambda a: (a.sum(), a.sum()), _x3(L)),
    "hessian_vector_output": lambda L: _F(L).hessian(lambda a: a**2, _x3(L)),
    "hessian_bad_strategy": lambda L: _F(L).hessian(
        lambda a: a.sum(), _x3(L), outer_jacobian_strategy="x"
    ),
    "hessian_inputs_list": lambda L: _F(L).hessian(lambda a: a.sum(), [_x3(L)]),
    "hessian_forward_not_vectorized": lambda L: _F(L).hessian(
        lambda a: (a**3).sum(), _x3(L), outer_jacobian_strategy="forward-mode"
    ),
    "hvp_strict_linear": lambda L: _F(L).hvp(lambda a: (a * 2).sum(), _x3(L), _x3(L), strict=True),
    "hvp_strict_unused": lambda L: _F(L).hvp(
        lambda a, b: (a**3).sum(), (_x3(L), _x3(L)), (_x3(L), _x3(L)), strict=True
    ),
    "hvp_vector_output": lambda L: _F(L).hvp(lambda a: a**2, _x3(L), _x3(L)),
    "hvp_tuple_output": lambda L: _F(L).hvp(lambda a: (a.sum(),), _x3(L), _x3(L)),
    "hvp_v_none_nonscalar": lambda L: _F(L).hvp(lambda a: (a**3).sum(), _x3(L)),
    "hvp_v_entry_shape": lambda L: _F(L).hvp(
        lambda a, b: (a**3).sum(), (_x3(L), _x3(L)), (_x3(L), _ones(L, 2))
    ),
    "vhp_strict_linear": lambda L: _F(L).vhp(lambda a: (a * 2).sum(), _x3(L), _x3(L), strict=True),
    "vhp_strict_unused": lambda L: _F(L).vhp(
        lambda a, b: (a**3).sum(), (_x3(L), _x3(L)), (_x3(L), _x3(L)), strict=True
    ),
    "vhp_vector_output": lambda L: _F(L).vhp(lambda a: a**2, _x3(L), _x3(L)),
    "vhp_tuple_output": lambda L: _F(L).vhp(lambda a: (a.sum(),), _x3(L), _x3(L)),
    "vhp_v_none_nonscalar": lambda L: _F(L).vhp(lambda a: (a**3).sum(), _x3(L)),
}

_STRICT = " This is not allowed in strict mode."
_NO_GRAD_OUT = (
    "Output {} of the user-provided function does not require gradients. The outputs must be "
    "computed in a differentiable manner from the input when running in strict mode."
)
_JAC_CONST = (
    "While computing the hessian, found that the jacobian of the user-provided function with "
    "respect to input {} is independent of the input. This is not allowed in strict mode. You "
    "should ensure that your function is twice differentiable and that the jacobian depends on "
    "the inputs (this would be violated by a linear function for example)."
)
_CG = "The jacobian of the user-provided function is independent of input {}. This is not "
_CG += "allowed in strict mode when create_graph=True."
_INDEP = "The output of the user-provided function is independent of input {}." + _STRICT
_TYPE = "The {} given to {} must be either a Tensor or a tuple of Tensors but {} has type {}."
_V_NONE_IN = (
    "The vector v can only be None if the input to the user-provided function is a single "
    "Tensor with a single element."
)
_FWD = (
    'ndgrad.autograd.functional.jacobian: `{}=True` and `strategy="forward-mode"` are not '
    'supported together (yet). Please either set `{}=False` or `strategy="reverse-mode"`.'
)
_NOT_VEC = (
    "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented "
    "for `vectorize=True`."
)
_SINGLE = "The function given to {} should return a single Tensor"
_ONE_ELEMENT = "The Tensor returned by the function given to {} should contain a single element"

# torch 2.13's type and text for each case, with "torch." written "ndgrad.".
EXPECTED = {
    "vjp_strict_unused": (RuntimeError, _INDEP.format(1)),
    "vjp_strict_constant_output": (RuntimeError, _NO_GRAD_OUT.format(0)),
    "vjp_strict_create_graph_linear": (RuntimeError, _CG.format(0)),
    "vjp_v_shape": (
        RuntimeError,
        "v has invalid size: should be ndgrad.Size([3]) but got ndgrad.Size([2]).",
    ),
    "vjp_v_tuple_entry_shape": (
        RuntimeError,
        "Entry 1 in v has invalid size: should be ndgrad.Size([3]) but got ndgrad.Size([2]).",
    ),
    "vjp_v_tuple_length": (RuntimeError, "v is a tuple of invalid length: should be 2 but got 1."),
    "vjp_v_too_many": (RuntimeError, "The given v should contain a single Tensor."),
    "vjp_v_none_nonscalar": (
        RuntimeError,
        "The vector v can only be None if the user-provided function returns a single Tensor "
        "with a single element.",
    ),
    "vjp_inputs_list": (
        TypeError,
        _TYPE.format("inputs", "vjp", "the given inputs", "<class 'list'>"),
    ),
    "vjp_inputs_entry_not_tensor": (
        TypeError,
        _TYPE.format("inputs", "vjp", "the value at index 1", "<class 'float'>"),
    ),
    "vjp_output_list": (
        TypeError,
        _TYPE.format(
            "outputs of the user-provided function",
            "vjp",
            "the given outputs of the user-provided function",
            "<class 'list'>",
        ),
    ),
    "vjp_v_list": (TypeError, _TYPE.format("v", "vjp", "the given v", "<class 'list'>")),
    "jvp_strict_unused": (RuntimeError, _INDEP.format(1)),
    "jvp_strict_constant_output": (RuntimeError, _NO_GRAD_OUT.format(0)),
    "jvp_strict_create_graph_linear": (RuntimeError, _CG.format(0)),
    "jvp_v_shape": (
        RuntimeError,
        "v has invalid size: should be ndgrad.Size([3]) but got ndgrad.Size([2]).",
    ),
    "jvp_v_none_nonscalar": (RuntimeError, _V_NONE_IN),
    "jacobian_strict_unused": (
        RuntimeError,
        "Output 0 of the user-provided function is independent of input 1." + _STRICT,
    ),
    "jacobian_strict_unused_first": (
        RuntimeError,
        "Output 0 of the user-provided function is independent of input 0." + _STRICT,
    ),
    "jacobian_strict_constant_output": (RuntimeError, _NO_GRAD_OUT.format(1)),
    # torch names the output's index (1) where it means the input's (0).
    "jacobian_strict_create_graph_linear": (RuntimeError, _CG.format(1)),
    "jacobian_strict_vectorize": (
        RuntimeError,
        "ndgrad.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
        "supported together. Please either set `strict=False` or `vectorize=False`.",
    ),
    "jacobian_bad_strategy": (
        AssertionError,
        'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
        'function has more outputs than inputs, "forward-mode" tends to be more performant. '
        'Otherwise, prefer to use "reverse-mode".',
    ),
    "jacobian_forward_create_graph": (
        NotImplementedError,
        _FWD.format("create_graph", "create_graph"),
    ),
    "jacobian_forward_strict": (RuntimeError, _FWD.format("strict", "strict")),
    "jacobian_forward_not_vectorized": (NotImplementedError, _NOT_VEC),
    "jacobian_empty_output": (RuntimeError, "stack expects a non-empty TensorList"),
    "hessian_strict_linear": (RuntimeError, _JAC_CONST.format(0)),
    "hessian_strict_unused": (RuntimeError, _JAC_CONST.format(1)),
    "hessian_strict_constant": (RuntimeError, _NO_GRAD_OUT.format(0)),
    "hessian_tuple_output": (RuntimeError, _SINGLE.format("hessian")),
    "hessian_vector_output": (RuntimeError, _ONE_ELEMENT.format("hessian")),
    "hessian_bad_strategy": (
        AssertionError,
        'Expected strategy to be either "forward-mode" or "reverse-mode".',
    ),
    "hessian_inputs_list": (
        TypeError,
        _TYPE.format("inputs", "hessian", "the given inputs", "<class 'list'>"),
    ),
    "hessian_forward_not_vectorized": (NotImplementedError, _NOT_VEC),
    "hvp_strict_linear": (RuntimeError, _JAC_CONST.format(0)),
    "hvp_strict_unused": (RuntimeError, _INDEP.format(1)),
    "hvp_vector_output": (RuntimeError, _ONE_ELEMENT.format("hvp")),
    "hvp_tuple_output": (RuntimeError, _SINGLE.format("hvp")),
    "hvp_v_none_nonscalar": (RuntimeError, _V_NONE_IN),
    "hvp_v_entry_shape": (
        RuntimeError,
        "Entry 1 in v has invalid size: should be ndgrad.Size([3]) but got ndgrad.Size([2]).",
    ),
    "vhp_strict_linear": (RuntimeError, _JAC_CONST.format(0)),
    "vhp_strict_unused": (RuntimeError, _INDEP.format(1)),
    "vhp_vector_output": (RuntimeError, _ONE_ELEMENT.format("vhp")),
    "vhp_tuple_output": (RuntimeError, _SINGLE.format("vhp")),
    "vhp_v_none_nonscalar": (RuntimeError, _V_NONE_IN),
}


def _raised(case: str, L: Any) -> tuple[type, str]:
    with pytest.raises(Exception) as info:
        ERRORS[case](L)
    return type(info.value), str(info.value).replace("torch.", "ndgrad.")


def test_every_error_case_has_an_expectation() -> None:
    assert set(ERRORS) == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error(case: str) -> None:
    assert _raised(case, ndgrad) == EXPECTED[case]


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_vs_torch(case: str) -> None:
    torch = pytest.importorskip("torch")
    assert _raised(case, ndgrad) == _raised(case, torch)


@pytest.mark.parametrize("fn", ["hvp", "vhp", "hessian"])
def test_strict_quadratic_with_create_graph_agrees_with_torch(fn: str) -> None:
    # torch accepts these (the Hessian is constant, yet the check passes); so must we.
    torch = pytest.importorskip("torch")
    for L in (torch, ndgrad):
        f = getattr(_F(L), fn)
        args = (_x3(L),) if fn == "hessian" else (_x3(L), _x3(L))
        f(lambda a: (a**2).sum(), *args, strict=True, create_graph=True)
