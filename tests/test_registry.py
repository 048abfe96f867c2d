"""Every registered op is reached by some op_db entry: "gradcheck for every op" stays true."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.ops._registry import OPS as REGISTRY
from op_db import OPS, OpInfo, make_inputs


def _node_names(tensors: list[Any]) -> set[str]:
    """The names of every node behind ``tensors``, found through the public grad_fn API."""
    names: set[str] = set()
    seen: set[int] = set()
    stack = [t.grad_fn for t in tensors if t is not None and t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.name())
        stack.extend(fn for fn, _ in node.next_functions if fn is not None)
    return names


def _reached(info: OpInfo) -> set[str]:
    """Nodes of the forward graph, and if needed of the gradient graph as gradgradcheck
    builds it (its grad_outputs require grad)."""
    names: set[str] = set()
    for shapes in info.samples:
        xs = [ndgrad.tensor(a, requires_grad=True) for a in make_inputs(info, shapes, "f8", 0)]
        out = info.fn(ndgrad, *xs)
        names |= _node_names([out])
        if not set(info.covers) <= names:
            g = ndgrad.ones(out.shape, dtype=out.dtype, requires_grad=True)
            grads = ndgrad.autograd.grad(out, xs, g, create_graph=True, allow_unused=True)
            names |= _node_names(list(grads))
    return names


def test_every_registered_op_has_an_entry() -> None:
    covered = {name for info in OPS for name in info.covers}
    assert sorted(set(REGISTRY) - covered) == []


def test_entries_name_registered_ops_only() -> None:
    unknown = {name for info in OPS for name in info.covers} - set(REGISTRY)
    assert sorted(unknown) == []


@pytest.mark.parametrize("info", OPS, ids=[info.name for info in OPS])
def test_entry_reaches_what_it_covers(info: OpInfo) -> None:
    assert sorted(set(info.covers) - _reached(info)) == []


def test_node_walk_sees_double_backward_nodes() -> None:
    x = ndgrad.tensor(np.arange(3.0), requires_grad=True)
    g = ndgrad.ones(2, dtype=x.dtype, requires_grad=True)
    (gx,) = ndgrad.autograd.grad(x[1:], x, g, create_graph=True)
    assert _node_names([gx]) == {"IndexPutBackward0", "AccumulateGrad"}


# A Python float operand of + - * / reaches NumPy as a cached 0-dim array (a quicker operand):
# the values, forward and backward, must be those NumPy gives for the Python float itself.
_FLOATS = [0.1, -3.75, 1e30, 1e-45, 7e4, 0.0, -0.0, float("nan"), float("inf"), -float("inf")]
_BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "truediv": np.true_divide,
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", sorted(_BINARY))
def test_python_float_operands_keep_numpy_values(dtype: str, name: str) -> None:
    uf = _BINARY[name]
    arr = np.random.default_rng(3).standard_normal(64).astype(dtype) * 50
    for c in _FLOATS:
        x = ndgrad.tensor(arr.copy(), requires_grad=True)
        with np.errstate(all="ignore"):
            left = getattr(x, f"__{name}__")(c)
            right = getattr(x, f"__r{name}__")(c)
            want_left, want_right = uf(arr, c), uf(c, arr)
        for got, want in ((left, want_left), (right, want_right)):
            assert got.dtype == ndgrad.from_numpy(want).dtype
            np.testing.assert_array_equal(got.detach().numpy(), want)
            assert np.array_equal(np.signbit(got.detach().numpy()), np.signbit(want))
        with np.errstate(all="ignore"):
            (left.sum() + right.sum()).backward()
            one = np.ones_like(arr)
            if name == "add":
                want_grad = one + one
            elif name == "sub":
                want_grad = one - one
            elif name == "mul":
                want_grad = one * c + c * one
            else:
                want_grad = one / c - one * c / (arr * arr)
        np.testing.assert_array_equal(x.grad.numpy(), want_grad)


def test_python_float_cache_stays_small() -> None:
    from ndgrad.ops import _registry

    x = ndgrad.ones(3)
    for i in range(3000):
        x = x * (1 + i * 1e-9)
    assert 0 < len(_registry._SCALARS) <= 1024
    assert all(not a.flags.writeable for a in _registry._SCALARS.values())
