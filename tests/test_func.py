"""ndgrad.func (torch.func): each transform against torch.func, compositions, vmap over op_db."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad.func as F
from ndgrad.func import _batched
from ndgrad.func._pytree import tree_flatten
from ndgrad.func._vmap import state
from op_db import OPS, make_inputs

torch = pytest.importorskip("torch")
TF = torch.func

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))
W = RNG.standard_normal((3, 5))
V = RNG.uniform(0.5, 1.5, 3)
U = RNG.standard_normal(3)


def _lib(lib: Any) -> Any:
    return F if lib is ndgrad else TF


def _compare(got: Any, want: Any, atol: float = 1e-10) -> None:
    """Same nesting (tuple/list/dict), same shapes, same values."""
    gl, gs = tree_flatten(got)
    wl, ws = tree_flatten(want)
    assert _shape_of(gs) == _shape_of(ws), (got, want)
    for g, w in zip(gl, wl):
        if isinstance(w, torch.Tensor):
            assert isinstance(g, ndgrad.Tensor)
            assert tuple(g.shape) == tuple(w.shape)
            np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), atol=atol)
        else:
            assert g == w


def _shape_of(spec: Any) -> Any:
    if spec is None:
        return None
    kind, keys, children = spec
    return (
        kind.__name__ if kind in (tuple, list, dict) else "tuple",
        keys,
        tuple(map(_shape_of, children)),
    )


def both(case: Any, *arrays: np.ndarray) -> None:
    got = case(ndgrad, F, *[ndgrad.tensor(a) for a in arrays])
    want = case(torch, TF, *[torch.tensor(a) for a in arrays])
    _compare(got, want)


def _f(L: Any, a: Any) -> Any:
    return (a.sin() * a).sum()


# ------------------------------------------------------------------ transforms vs torch.func

CASES = {
    "grad": (lambda L, T, x: T.grad(lambda a: (a.sin() * a).sum())(x), X),
    "grad_argnums_tuple": (
        lambda L, T, x, w: T.grad(lambda a, b: (a @ b).tanh().sum(), argnums=(0, 1))(x, w),
        X,
        W,
    ),
    "grad_argnum_negative": (
        lambda L, T, x, w: T.grad(lambda a, b: (a @ b).exp().sum(), argnums=-1)(x, w),
        X,
        W,
    ),
    "grad_has_aux": (
        lambda L, T, x: T.grad(lambda a: ((a**2).sum(), {"m": a.mean()}), has_aux=True)(x),
        X,
    ),
    "grad_dict_input": (
        lambda L, T, x, w: T.grad(lambda p: (p["a"] @ p["b"]).sum())({"a": x, "b": w}),
        X,
        W,
    ),
    "grad_unused": (lambda L, T, x, w: T.grad(lambda a, b: a.sum(), argnums=1)(x, w), X, W),
    "grad_and_value": (lambda L, T, x: T.grad_and_value(lambda a: a.exp().sum())(x), X),
    "grad_and_value_aux": (
        lambda L, T, x: T.grad_and_value(lambda a: (a.exp().sum(), a * 2), has_aux=True)(x),
        X,
    ),
    "grad_of_grad": (
        lambda L, T, v: T.grad(lambda a: T.grad(lambda b: (b**3).sin().sum())(a).sum())(v),
        V,
    ),
    "grad_closure": (
        lambda L, T, v, u: T.grad(lambda a: T.grad(lambda b: (a * b**2).sum())(u).sum())(v),
        V,
        U,
    ),
    "vjp": (
        lambda L, T, v, u: T.vjp(lambda a, b: (a * b).sin(), v, u)[1](v.cos()),
        V,
        U,
    ),
    "vjp_value_and_aux": (
        lambda L, T, v: T.vjp(lambda a: (a.exp(), a.sum()), v, has_aux=True)[::2],
        V,
    ),
    "vjp_tuple_output": (
        lambda L, T, v: T.vjp(lambda a: (a.exp(), a.sum()), v)[1]((v, v.sum())),
        V,
    ),
    "jvp": (lambda L, T, v, u: T.jvp(lambda a: a.sin() * a.sum(), (v,), (u,)), V, U),
    "jvp_two_inputs": (
        lambda L, T, v, u: T.jvp(lambda a, b: (a * b, a.exp()), (v, u), (u, v)),
        V,
        U,
    ),
    "jvp_aux": (
        lambda L, T, v, u: T.jvp(lambda a: (a.tanh(), a * 3), (v,), (u,), has_aux=True),
        V,
        U,
    ),
    "jacrev": (lambda L, T, v: T.jacrev(lambda a: a.sin() * a.sum())(v), V),
    "jacrev_matrix": (lambda L, T, x, w: T.jacrev(lambda a: (a @ w).tanh())(x), X, W),
    "jacrev_argnums": (
        lambda L, T, x, w: T.jacrev(lambda a, b: (a @ b).tanh(), argnums=(0, 1))(x, w),
        X,
        W,
    ),
    "jacrev_tuple_output": (lambda L, T, v: T.jacrev(lambda a: (a.exp(), a.sum()))(v), V),
    "jacrev_chunked": (
        lambda L, T, x, w: T.jacrev(lambda a: (a @ w).sin(), chunk_size=4)(x),
        X,
        W,
    ),
    "jacrev_aux": (lambda L, T, v: T.jacrev(lambda a: (a.exp(), a.sum()), has_aux=True)(v), V),
    "jacrev_dict": (
        lambda L, T, v, u: T.jacrev(lambda p: p["a"] * p["b"])({"a": v, "b": u}),
        V,
        U,
    ),
    "jacrev_module_fn": (lambda L, T, v: T.jacrev(lambda a: L.sin(a) * L.sum(a))(v), V),
    "jacfwd": (lambda L, T, v: T.jacfwd(lambda a: a.sin() * a.sum())(v), V),
    "jacfwd_matrix": (lambda L, T, x, w: T.jacfwd(lambda a: (a @ w).tanh())(x), X, W),
    "jacfwd_argnums": (
        lambda L, T, x, w: T.jacfwd(lambda a, b: (a @ b).tanh(), argnums=(0, 1))(x, w),
        X,
        W,
    ),
    "jacfwd_tuple_output": (lambda L, T, v: T.jacfwd(lambda a: (a.exp(), a.sum()))(v), V),
    "jacfwd_aux": (lambda L, T, v: T.jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(v), V),
    "jacfwd_module_fn": (lambda L, T, v: T.jacfwd(lambda a: L.sin(a) * L.sum(a))(v), V),
    "hessian": (lambda L, T, v: T.hessian(lambda a: (a.sin() * a**2).sum())(v), V),
    "hessian_argnums": (
        lambda L, T, v, u: T.hessian(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(v, u),
        V,
        U,
    ),
    "hessian_matrix": (lambda L, T, x: T.hessian(lambda a: (a @ a.T).tanh().sum())(x), X),
    "jacfwd_of_jacfwd": (lambda L, T, v: T.jacfwd(T.jacfwd(lambda a: a.sin() * a.prod()))(v), V),
    "jacrev_of_jacrev": (lambda L, T, v: T.jacrev(T.jacrev(lambda a: a.sin() * a.prod()))(v), V),
    "jvp_of_grad": (
        lambda L, T, v, u: T.jvp(T.grad(lambda a: (a.sin() * a).sum()), (v,), (u,)),
        V,
        U,
    ),
    "grad_of_jvp": (
        lambda L, T, v, u: T.grad(lambda a: T.jvp(lambda b: b.sin() * b, (a,), (u,))[1].sum())(v),
        V,
        U,
    ),
    "jvp_of_jvp": (
        lambda L, T, v, u: T.jvp(
            lambda a: T.jvp(lambda b: b.exp() * b, (a,), (u,))[1], (v,), (u,)
        ),
        V,
        U,
    ),
    "vmap_of_grad": (lambda L, T, x: T.vmap(T.grad(lambda a: (a.sin() * a).sum()))(x), X),
    "vmap_of_grad_in_dims": (
        lambda L, T, x, w: T.vmap(T.grad(lambda b, a: (a @ b).tanh().sum()), in_dims=(None, 0))(
            w, x
        ),
        X,
        W,
    ),
    "vmap_of_jacrev": (lambda L, T, x: T.vmap(T.jacrev(lambda a: a.sin() * a.sum()))(x), X),
    "vmap_of_jacfwd": (lambda L, T, x: T.vmap(T.jacfwd(lambda a: a.sin() * a.sum()))(x), X),
    "vmap_of_jvp": (
        lambda L, T, x: T.vmap(lambda a: T.jvp(lambda b: b.exp(), (a,), (a.cos(),))[1])(x),
        X,
    ),
    "vmap_of_hessian": (lambda L, T, x: T.vmap(T.hessian(lambda a: (a**3).sum()))(x), X),
    "jacrev_of_vmap": (lambda L, T, x: T.jacrev(T.vmap(lambda a: a.sin() * a.sum()))(x), X),
    "jacfwd_of_vmap": (lambda L, T, x: T.jacfwd(T.vmap(lambda a: a.sin() * a.sum()))(x), X),
    "grad_of_vmap": (
        lambda L, T, x: T.grad(lambda a: T.vmap(lambda r: r.exp().sum())(a).sum())(x),
        X,
    ),
    # vmap structure and dims
    "vmap": (lambda L, T, x, w: T.vmap(lambda a: (a @ w).tanh())(x), X, W),
    "vmap_in_dims_1": (lambda L, T, x: T.vmap(lambda a: a * a.sum(), in_dims=1)(x), X),
    "vmap_in_dims_neg": (lambda L, T, x: T.vmap(lambda a: a.exp(), in_dims=-1, out_dims=-1)(x), X),
    "vmap_out_dims_1": (
        lambda L, T, x: T.vmap(lambda a: a.outer(a) if False else a[:, None] * a, out_dims=1)(x),
        X,
    ),
    "vmap_out_dims_tuple": (
        lambda L, T, x: T.vmap(lambda a: (a.sum(), a * 2), out_dims=(0, 1))(x),
        X,
    ),
    "vmap_out_dims_none": (
        lambda L, T, x, w: T.vmap(lambda a: (a * 2, w), out_dims=(0, None))(x),
        X,
        W,
    ),
    "vmap_none_in_dim": (
        lambda L, T, x, w: T.vmap(lambda a, b: b @ a, in_dims=(0, None))(x, w.T),
        X,
        W,
    ),
    "vmap_nested_in_dims": (
        lambda L, T, x, v: T.vmap(lambda p, q: p[0] * q + p[1], in_dims=((0, 1), None))(
            (x, x.T), v
        ),
        X,
        V,
    ),
    "vmap_dict_input": (
        lambda L, T, x, v: T.vmap(
            lambda d: {"s": d["a"] + d["b"]}, in_dims=({"a": 0, "b": None},)
        )({"a": x, "b": v}),
        X,
        V,
    ),
    "vmap_list_output": (lambda L, T, x: T.vmap(lambda a: [a, a.sum()])(x), X),
    "vmap_non_tensor_arg": (
        lambda L, T, x: T.vmap(lambda a, s, k=1.0: a * s + k, in_dims=(0, None))(x, 3.0, k=2.0),
        X,
    ),
    "vmap_unbatched_output": (lambda L, T, x, w: T.vmap(lambda a: w)(x), X, W),
    "vmap_nested": (lambda L, T, x: T.vmap(T.vmap(lambda a: a.exp() * 2))(x), X),
    "vmap_nested_mixed": (
        lambda L, T, x, w: T.vmap(
            T.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(None, 1)
        )(x, w),
        X,
        W,
    ),
    "vmap_nested_module_fn": (lambda L, T, x: T.vmap(T.vmap(lambda a: L.exp(a) * a.sum()))(x), X),
    "vmap_nested_reduce": (
        lambda L, T, x: T.vmap(T.vmap(lambda a: a.sum(), in_dims=0), in_dims=1)(
            x[None].expand(2, 4, 3)
        ),
        X,
    ),
    "vmap_chunk_size": (
        lambda L, T, x, w: T.vmap(lambda a: (a @ w).sin(), chunk_size=3)(x),
        X,
        W,
    ),
    "vmap_matmul_vec": (
        lambda L, T, x, w: T.vmap(lambda a, b: b @ a, in_dims=(0, None))(
            x, W.T.copy() if False else w.T
        ),
        X,
        W,
    ),
    "vmap_matmul_both": (
        lambda L, T, x: T.vmap(lambda a, b: a @ b)(x[:, :, None], x[:, None, :]),
        X,
    ),
    "vmap_shape_ops": (
        lambda L, T, x: T.vmap(
            lambda a: a.reshape(3, 1).expand(3, 2).permute(1, 0).flatten().unsqueeze(0).squeeze()
        )(x),
        X,
    ),
    "vmap_index": (lambda L, T, x: T.vmap(lambda a: a[1:] * a[0] + a[None, ..., -1])(x), X),
    "vmap_reductions": (
        lambda L, T, x: T.vmap(
            lambda a: (a.max(), a.max(0).values, a.argmax(), a.std(), a.logsumexp(0), a.cumsum(0))
        )(x),
        X,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_transform_vs_torch(name: str) -> None:
    case, *arrays = CASES[name]
    both(case, *arrays)


@pytest.mark.parametrize("name", [n for n in CASES if "vmap" in n])
def test_vmap_cases_slice_by_slice(name: str) -> None:
    case, *arrays = CASES[name]
    state.fast = False
    try:
        both(case, *arrays)
    finally:
        state.fast = True


def test_results_are_differentiable_when_inputs_need_it() -> None:
    for lib in (ndgrad, torch):
        x = lib.tensor(V, requires_grad=True)
        g = _lib(lib).grad(lambda a: (a**3).sum())(x)
        (gg,) = lib.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(gg.detach().numpy(), 6 * V)
        y = _lib(lib).vmap(lambda a: a.sin())(x)
        (gy,) = lib.autograd.grad(y.sum(), x)
        np.testing.assert_allclose(gy.detach().numpy(), np.cos(V))


def test_top_level_results_have_no_history() -> None:
    x = ndgrad.tensor(V)
    assert not F.grad(lambda a: (a**3).sum())(x).requires_grad
    assert not F.jacrev(lambda a: a.exp())(x).requires_grad
    assert not F.jacfwd(lambda a: a.exp())(x).requires_grad


# ------------------------------------------------------------------ vmap paths and randomness


def test_fast_path_runs_once_and_matches_the_loop() -> None:
    calls = []
    w = ndgrad.tensor(W, requires_grad=True)

    def f(a: Any) -> Any:
        calls.append(1)
        return ((a @ w).tanh() * 0.5 + a.sum()).relu().mean(-1)

    x = ndgrad.tensor(X, requires_grad=True)
    fast = F.vmap(f)(x)
    assert len(calls) == 1
    gx, gw = ndgrad.autograd.grad(fast.sum(), (x, w))
    state.fast = False
    try:
        slow = F.vmap(f)(x)
        sx, sw = ndgrad.autograd.grad(slow.sum(), (x, w))
    finally:
        state.fast = True
    assert len(calls) == 1 + 1 + 4 or len(calls) == 1 + 4
    for a, b in ((fast, slow), (gx, sx), (gw, sw)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)


def test_op_without_rule_falls_back_to_slices() -> None:
    calls = []

    def f(a: Any) -> Any:
        calls.append(1)
        return ndgrad.cumsum(a, 0) * a.sum()  # module functions have no batching rule

    x = ndgrad.tensor(X)
    got = F.vmap(f)(x)
    assert len(calls) == 1 + 4
    np.testing.assert_allclose(got.numpy(), np.cumsum(X, 1) * X.sum(1, keepdims=True))


def test_batched_tensor_reports_logical_shape() -> None:
    seen = []

    def f(a: Any) -> Any:
        seen.append(
            (tuple(a.shape), a.dim(), a.size(-1), a.numel(), len(a), isinstance(a, ndgrad.Tensor))
        )
        return a

    F.vmap(f, in_dims=1)(ndgrad.tensor(X))
    assert seen[0] == ((4,), 1, 4, 4, 4, True)
    assert isinstance(F.vmap(lambda a: a)(ndgrad.tensor(X)), ndgrad.Tensor)
    assert not isinstance(F.vmap(lambda a: a)(ndgrad.tensor(X)), _batched.BatchedTensor)


def test_randomness() -> None:
    x = ndgrad.zeros(4, 3)
    same = F.vmap(lambda a: a + ndgrad.randn(3), randomness="same")(x)
    assert np.allclose(same.numpy(), same.numpy()[0])
    same2 = F.vmap(lambda a: a + ndgrad.randn_like(a), randomness="same")(x)
    assert np.allclose(same2.numpy(), same2.numpy()[0])
    diff = F.vmap(lambda a: a + ndgrad.randn(3), randomness="different")(x)
    assert not np.allclose(diff.numpy(), diff.numpy()[0])
    for lib in (ndgrad, torch):
        with pytest.raises(RuntimeError) as got:
            _lib(lib).vmap(lambda a, lib=lib: a + lib.randn(3))(lib.zeros(4, 3))
        assert "called random operation while in randomness error mode" in str(got.value)


def test_chunk_size_and_nested_vmap_agree_with_loop() -> None:
    x = ndgrad.tensor(RNG.standard_normal((5, 4, 3)))

    def f(a: Any) -> Any:
        return (a.exp() * a.sum(-1, keepdim=True)).T

    want = np.stack([np.stack([f(ndgrad.tensor(r)).numpy() for r in m]) for m in x.numpy()])
    got = F.vmap(F.vmap(f))(x)
    np.testing.assert_allclose(got.numpy(), want)
    got = F.vmap(F.vmap(f, chunk_size=3), chunk_size=2)(x)
    np.testing.assert_allclose(got.numpy(), want)
    got = F.vmap(F.vmap(f, out_dims=1), in_dims=2, out_dims=-1)(x.permute(1, 2, 0))
    np.testing.assert_allclose(got.numpy(), np.transpose(want, (2, 1, 0)))


# ------------------------------------------------------------------ vmap over the op table

_DATA_DEPENDENT = {"index_mask", "masked_select", "masked_select_broadcast"}
_OPS = [info for info in OPS if info.samples[0] and info.name not in _DATA_DEPENDENT]


def _batched_inputs(info: Any, size: int = 3) -> list[np.ndarray]:
    shapes = info.samples[0]
    samples = [make_inputs(info, shapes, np.float64, seed) for seed in range(size)]
    return [np.stack([s[i] for s in samples]) for i in range(len(shapes))]


@pytest.mark.parametrize("info", _OPS, ids=[i.name for i in _OPS])
def test_vmap_op_db(info: Any) -> None:
    arrays = _batched_inputs(info)
    xs = [ndgrad.tensor(a) for a in arrays]
    want = ndgrad.stack([info.fn(ndgrad, *[x[i] for x in xs]) for i in range(3)])
    got = F.vmap(lambda *a: info.fn(ndgrad, *a))(*xs)
    np.testing.assert_allclose(got.numpy(), want.numpy(), equal_nan=True)
    assert got.dtype == want.dtype
    # batch dim last in, first argument unbatched, result batched along the last dim
    moved = [ndgrad.tensor(np.moveaxis(a, 0, -1)) for a in arrays]
    got = F.vmap(lambda *a: info.fn(ndgrad, *a), in_dims=-1, out_dims=-1)(*moved)
    np.testing.assert_allclose(got.numpy(), np.moveaxis(want.numpy(), 0, -1), equal_nan=True)


@pytest.mark.parametrize("info", _OPS[::7], ids=[i.name for i in _OPS[::7]])
def test_vmap_op_db_gradients_match_loop(info: Any) -> None:
    arrays = _batched_inputs(info)
    res = []
    for fast in (True, False):
        state.fast = fast
        try:
            xs = [ndgrad.tensor(a, requires_grad=True) for a in arrays]
            out = F.vmap(lambda *a: info.fn(ndgrad, *a))(*xs)
            if not out.requires_grad:
                return
            res.append(ndgrad.autograd.grad((out * out).sum(), xs, allow_unused=True))
        finally:
            state.fast = True
    for g, h in zip(*res):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g.numpy(), h.numpy(), atol=1e-10)


def test_fast_path_covers_many_ops() -> None:
    fast = 0
    for info in _OPS:
        xs = [ndgrad.tensor(a) for a in _batched_inputs(info)]
        state.level += 1
        try:
            info.fn(ndgrad, *[_batched.add_level(x, 0, state.level) for x in xs])
            fast += 1
        except Exception:
            pass
        finally:
            state.level -= 1
    assert fast >= 100


# ------------------------------------------------------------------ functional_call


class _Linear:
    """A stand-in module: parameters in ``_parameters``, buffers in ``_buffers``."""

    def __init__(self, lib: Any) -> None:
        self.__dict__["_parameters"] = {
            "weight": lib.tensor(W.T.copy(), requires_grad=True),
            "bias": lib.tensor(U[:5] if False else np.arange(5.0), requires_grad=True),
        }
        self.__dict__["_buffers"] = {"scale": lib.tensor(2.0)}

    def __getattr__(self, name: str) -> Any:
        for table in ("_parameters", "_buffers"):
            if name in self.__dict__[table]:
                return self.__dict__[table][name]
        raise AttributeError(name)

    def named_parameters(self, remove_duplicate: bool = True) -> Any:
        return iter(self._parameters.items())

    def named_buffers(self, remove_duplicate: bool = True) -> Any:
        return iter(self._buffers.items())

    def __call__(self, x: Any) -> Any:
        return (x @ self.weight.T + self.bias) * self.scale


class _TorchLinear(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(W.T.copy()))
        self.bias = torch.nn.Parameter(torch.arange(5.0, dtype=torch.float64))
        self.register_buffer("scale", torch.tensor(2.0, dtype=torch.float64))

    def forward(self, x: Any) -> Any:
        return (x @ self.weight.T + self.bias) * self.scale


def _module(lib: Any) -> Any:
    return _Linear(lib) if lib is ndgrad else _TorchLinear()


def test_functional_call_swaps_and_restores() -> None:
    m = _Linear(ndgrad)
    w = ndgrad.tensor(RNG.standard_normal((5, 3)))
    out = F.functional_call(m, {"weight": w}, (ndgrad.tensor(X),))
    np.testing.assert_allclose(out.detach().numpy(), (X @ w.numpy().T + np.arange(5.0)) * 2)
    assert m.weight is m._parameters["weight"]
    np.testing.assert_allclose(m.weight.detach().numpy(), W.T)
    out = F.functional_call(m, ({"weight": w}, {"scale": ndgrad.tensor(1.0)}), ndgrad.tensor(X))
    np.testing.assert_allclose(out.detach().numpy(), X @ w.numpy().T + np.arange(5.0))
    assert m.scale.item() == 2.0


def test_functional_call_grad_over_params_vs_torch() -> None:
    def run(lib: Any) -> Any:
        m = _module(lib)
        params = {k: v.detach() for k, v in m.named_parameters()}
        x = lib.tensor(X)

        def loss(p: Any, a: Any) -> Any:
            return _lib(lib).functional_call(m, p, (a,)).tanh().sum()

        per_sample = _lib(lib).vmap(_lib(lib).grad(loss), in_dims=(None, 0))(params, x)
        return _lib(lib).grad(loss)(params, x), per_sample

    _compare(run(ndgrad), run(torch))


def test_functional_call_real_module_when_available() -> None:
    try:
        from ndgrad import nn
    except ImportError:
        pytest.skip("ndgrad.nn is not there yet")
    if not hasattr(nn, "Linear"):
        pytest.skip("ndgrad.nn.Linear is not there yet")
    m = nn.Linear(3, 5)
    w = ndgrad.tensor(RNG.standard_normal((5, 3)), dtype=ndgrad.float32)
    b = ndgrad.zeros(5)
    out = F.functional_call(m, {"weight": w, "bias": b}, ndgrad.ones(2, 3))
    np.testing.assert_allclose(out.numpy(), np.ones((2, 3)) @ w.numpy().T, rtol=1e-6)
    assert m.weight is not w


def test_functional_call_errors_match_torch() -> None:
    for lib in (ndgrad, torch):
        m = _module(lib)
        x = lib.tensor(X)
        with pytest.raises(ValueError) as e1:
            _lib(lib).functional_call(m, ({"weight": x}, {"weight": x}), (x,))
        assert str(e1.value) == (
            "['weight'] appeared in multiple dictionaries; behavior of functional call is ambiguous"
        )
    m = _Linear(ndgrad)
    with pytest.raises(RuntimeError) as e2:
        F.functional_call(m, {"foo": ndgrad.tensor(X)}, (ndgrad.tensor(X),), strict=True)
    assert str(e2.value) == (
        "Error(s) in reparametrizing for _Linear:\n\tUnexpected key(s): 'foo'.\n\t"
        "Missing key(s): 'bias', 'scale', 'weight'."
    )


# ------------------------------------------------------------------ errors vs torch

ERRORS = {
    "batch_mismatch": lambda L, T: T.vmap(L.add)(L.ones(2, 3), L.ones(3, 3)),
    "no_inputs": lambda L, T: T.vmap(L.sin)(),
    "in_dims_list": lambda L, T: T.vmap(L.sin, in_dims=[0])(L.ones(2)),
    "in_dims_str": lambda L, T: T.vmap(L.sin, in_dims="a")(L.ones(2)),
    "in_dim_range": lambda L, T: T.vmap(L.sin, in_dims=5)(L.ones(2, 3)),
    "in_dim_scalar": lambda L, T: T.vmap(L.sin)(L.tensor(1.0)),
    "in_dim_non_tensor": lambda L, T: T.vmap(lambda a, b: a, in_dims=(0, 0))(L.ones(2), 1.0),
    "all_none": lambda L, T: T.vmap(L.sin, in_dims=(None,))(L.ones(2)),
    "non_tensor_output": lambda L, T: T.vmap(lambda a: 1.0)(L.ones(2)),
    "batched_out_dim_none": lambda L, T: T.vmap(lambda a: a, out_dims=None)(L.ones(2)),
    "out_dim_range": lambda L, T: T.vmap(lambda a: a, out_dims=3)(L.ones(2, 3)),
    "randomness_value": lambda L, T: T.vmap(L.sin, randomness="foo")(L.ones(2)),
    "grad_not_scalar": lambda L, T: T.grad(lambda a: a)(L.ones(2)),
    "grad_argnum_range": lambda L, T: T.grad(lambda a: a.sum(), argnums=2)(L.ones(2)),
    "grad_argnums_empty": lambda L, T: T.grad(lambda a: a.sum(), argnums=())(L.ones(2)),
    "grad_argnums_type": lambda L, T: T.grad(lambda a: a.sum(), argnums=1.0)(L.ones(2)),
    "grad_aux_not_tuple": lambda L, T: T.grad(lambda a: a.sum(), has_aux=True)(L.ones(2)),
    "grad_non_tensor": lambda L, T: T.grad(lambda a: a)(3.0),
    "jvp_primals_not_tuple": lambda L, T: T.jvp(lambda a: a, L.ones(2), L.ones(2)),
    "vjp_cotangent_structure": lambda L, T: T.vjp(lambda a: a, L.ones(2))[1]((L.ones(2),) * 2),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name: str) -> None:
    case = ERRORS[name]
    with pytest.raises(Exception) as want:
        case(torch, TF)
    with pytest.raises(type(want.value)) as got:
        case(ndgrad, F)
    assert str(got.value) == str(want.value).replace("torch.", "ndgrad.")
