"""Shape family: integer and bool dtypes, views sharing memory, empty tensors, errors vs torch."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad


def _np(t: Any) -> Any:
    if isinstance(t, (tuple, list)):
        return [_np(x) for x in t]
    return t.detach().numpy()


def _arange(lib: Any, *shape: int, dtype: Any = None) -> Any:
    n = int(np.prod(shape))
    return (
        lib.arange(n).reshape(*shape)
        if dtype is None
        else lib.arange(n, dtype=dtype).reshape(*shape)
    )


# ------------------------------------------------------ fixed values, no torch
def test_cat_stack_values() -> None:
    a, b = ndgrad.tensor([[1, 2]]), ndgrad.tensor([[3, 4], [5, 6]])
    assert ndgrad.cat([a, b]).tolist() == [[1, 2], [3, 4], [5, 6]]
    assert ndgrad.cat([a, a], dim=1).tolist() == [[1, 2, 1, 2]]
    assert ndgrad.stack([a[0], b[0]], 1).tolist() == [[1, 3], [2, 4]]
    assert ndgrad.hstack([ndgrad.tensor(1), ndgrad.tensor([2, 3])]).tolist() == [1, 2, 3]
    assert ndgrad.vstack([ndgrad.tensor([1, 2]), a]).tolist() == [[1, 2], [1, 2]]
    assert ndgrad.dstack([a, a]).shape == (1, 2, 2)
    assert ndgrad.column_stack([ndgrad.tensor([1, 2]), b]).tolist() == [[1, 3, 4], [2, 5, 6]]


def test_cat_promotes_and_skips_legacy_empty() -> None:
    x = ndgrad.ones(2, 3, dtype=ndgrad.int32)
    assert ndgrad.cat([x, x.double()]).dtype is ndgrad.float64
    assert ndgrad.cat([x.bool(), x]).dtype is ndgrad.int32
    # A 1-d empty tensor is skipped but still takes part in type promotion.
    out = ndgrad.cat([x, ndgrad.tensor([])])
    assert out.shape == (2, 3) and out.dtype is ndgrad.float32
    assert ndgrad.cat([ndgrad.tensor([]), ndgrad.tensor([])]).shape == (0,)
    assert ndgrad.cat([ndgrad.tensor([]), ndgrad.zeros(0, 3)]).shape == (0, 3)


def test_split_family_values() -> None:
    x = ndgrad.arange(7)
    assert [p.tolist() for p in x.split(3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [p.tolist() for p in ndgrad.split(x, [2, 0, 5])] == [[0, 1], [], [2, 3, 4, 5, 6]]
    assert [p.tolist() for p in x.chunk(3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [len(p) for p in ndgrad.chunk(ndgrad.arange(6), 4)] == [2, 2, 2]
    assert [len(p) for p in x.tensor_split(3)] == [3, 2, 2]
    assert [p.tolist() for p in x.tensor_split([1, -2, 9])] == [[0], [1, 2, 3, 4], [5, 6], []]
    assert [len(p) for p in x.tensor_split(ndgrad.tensor([2]))] == [2, 5]
    assert [p.tolist() for p in _arange(ndgrad, 2, 2).unbind(1)] == [[0, 2], [1, 3]]
    assert [p.shape for p in ndgrad.zeros(0, 2).split(1)] == [(0, 2)]
    assert [p.shape for p in ndgrad.zeros(0).chunk(3)] == [(0,), (0,), (0,)]


def test_repeat_values() -> None:
    x = ndgrad.tensor([[1, 2]])
    assert x.repeat(2, 2).tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert x.repeat(1, 1, 2).shape == (1, 1, 4)
    assert ndgrad.tile(x, (2,)).tolist() == [[1, 2, 1, 2]]
    assert x.repeat_interleave(2).tolist() == [1, 1, 2, 2]
    assert x.repeat_interleave(ndgrad.tensor([0, 3]), dim=1).tolist() == [[2, 2, 2]]
    assert ndgrad.repeat_interleave(ndgrad.tensor([2, 0, 1])).tolist() == [0, 0, 2]
    assert x.repeat_interleave(2, dim=0).dtype is ndgrad.int64


def test_reorder_values() -> None:
    x = _arange(ndgrad, 2, 3)
    assert x.flip(1).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert x.fliplr().tolist() == x.flip(1).tolist()
    assert x.flipud().tolist() == [[3, 4, 5], [0, 1, 2]]
    assert x.roll(1).tolist() == [[5, 0, 1], [2, 3, 4]]
    assert x.roll((1, -1), (0, 1)).tolist() == [[4, 5, 3], [1, 2, 0]]
    assert x.rot90().tolist() == [[2, 5], [1, 4], [0, 3]]
    assert x.rot90(-1).tolist() == [[3, 0], [4, 1], [5, 2]]
    assert x.movedim(0, 1).tolist() == [[0, 3], [1, 4], [2, 5]]


def test_triangles_and_diagonals() -> None:
    x = _arange(ndgrad, 3, 3)
    assert x.triu(1).tolist() == [[0, 1, 2], [0, 0, 5], [0, 0, 0]]
    assert x.tril(-1).tolist() == [[0, 0, 0], [3, 0, 0], [6, 7, 0]]
    assert x.diagonal().tolist() == [0, 4, 8]
    assert x.diagonal(-1).tolist() == [3, 7]
    assert x.diagonal(5).shape == (0,)
    assert ndgrad.diag(ndgrad.tensor([1, 2]), 1).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert ndgrad.diag(x, 1).tolist() == [1, 5]
    assert ndgrad.diag_embed(ndgrad.tensor([[1, 2]])).tolist() == [[[1, 0], [0, 2]]]
    assert x.trace().item() == 12 and x.trace().dtype is ndgrad.int64
    assert x.int().trace().dtype is ndgrad.int64
    assert ndgrad.zeros(0, 2).diagonal().shape == (0,)


def test_unfold_values() -> None:
    x = ndgrad.arange(5.0, requires_grad=True)
    u = x.unfold(0, 2, 1)
    assert u.tolist() == [[0, 1], [1, 2], [2, 3], [3, 4]]
    assert x.unfold(0, 2, 2).tolist() == [[0, 1], [2, 3]]
    assert x.unfold(0, 0, 2).shape == (3, 0)
    u.sum().backward()
    # Each element's gradient counts the windows that hold it.
    assert x.grad.tolist() == [1, 2, 2, 2, 1]


def test_grids_and_broadcasting() -> None:
    a, b = ndgrad.tensor([1, 2, 3]), ndgrad.tensor([4, 5])
    gi, gj = ndgrad.meshgrid(a, b, indexing="ij")
    assert gi.shape == (3, 2) and gj.tolist() == [[4, 5]] * 3
    gx, gy = ndgrad.meshgrid([a, b], indexing="xy")
    assert gx.shape == (2, 3) and gx.tolist() == [[1, 2, 3]] * 2
    assert ndgrad.cartesian_prod(a, b).tolist() == [[1, 4], [1, 5], [2, 4], [2, 5], [3, 4], [3, 5]]
    assert ndgrad.cartesian_prod(a) is a
    assert ndgrad.broadcast_shapes((3, 1), (1, 4), 4) == (3, 4)
    assert ndgrad.broadcast_shapes() == ()
    assert isinstance(ndgrad.broadcast_shapes((2,)), ndgrad.Size)
    x, y = ndgrad.broadcast_tensors(a[:, None], b)
    assert x.shape == y.shape == (3, 2)
    assert ndgrad.atleast_1d(ndgrad.tensor(1)).shape == (1,)
    assert [t.shape for t in ndgrad.atleast_2d(a, ndgrad.tensor(1))] == [(1, 3), (1, 1)]
    assert ndgrad.atleast_3d([b])[0].shape == (1, 2, 1)
    assert _arange(ndgrad, 2, 6).unflatten(1, (3, -1)).shape == (2, 3, 2)
    t = _arange(ndgrad, 3, 4)
    idx = ndgrad.tensor([[1], [0], [3]])
    assert ndgrad.take_along_dim(t, idx, 1).tolist() == [[1], [4], [11]]
    assert t.take_along_dim(ndgrad.tensor([5, 0])).tolist() == [5, 0]


def test_meshgrid_warns_without_indexing() -> None:
    with pytest.warns(UserWarning, match="it will be required to pass the indexing"):
        a, b = ndgrad.meshgrid(ndgrad.arange(2), ndgrad.arange(3))
    assert a.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ndgrad.meshgrid(ndgrad.arange(2), indexing="ij")


# ----------------------------------------------------------------------- views
VIEWS: dict[str, Callable[[Any], Any]] = {
    "diagonal": lambda x: x.diagonal(),
    "diagonal_offset": lambda x: x.diagonal(-1, 1, 0),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "unfold": lambda x: x.unfold(1, 2, 2),
    "unbind": lambda x: x.unbind(1)[1],
    "split": lambda x: x.split(1)[2],
    "split_sizes": lambda x: x.split([1, 2])[1],
    "chunk": lambda x: x.chunk(2, 1)[1],
    "tensor_split": lambda x: x.tensor_split(2, 1)[1],
    "movedim": lambda x: x.movedim(1, 0),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "broadcast_to": lambda x: x.broadcast_to(2, 3, 4),
    "meshgrid": lambda x: ndgrad.meshgrid(x[0], x[1], indexing="ij")[0],
}


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_with_base(name: str) -> None:
    x = _arange(ndgrad, 3, 4, dtype=ndgrad.float32)
    v = VIEWS[name](x)
    assert np.shares_memory(v.numpy(), x.numpy())


@pytest.mark.parametrize("name", ["diagonal", "narrow", "select", "unbind", "split", "unfold"])
def test_writes_through_views_reach_the_base(name: str) -> None:
    x = _arange(ndgrad, 3, 4, dtype=ndgrad.float32)
    before = x.numpy().copy()
    v = VIEWS[name](x)
    v.add_(100)
    changed = x.numpy() != before
    assert changed.sum() == v.numel()
    assert x._version == v._version == 1


def test_copies_do_not_share_memory() -> None:
    x = _arange(ndgrad, 3, 4, dtype=ndgrad.float32)
    for out in (
        x.flip(0),
        x.flip(()),
        x.roll(0),
        x.rot90(0),
        x.triu(),
        x.repeat(1, 1),
        ndgrad.cat([x]),
        ndgrad.diag(x),
        x.repeat_interleave(1, 0),
        x.trace(),
    ):
        assert not np.shares_memory(out.numpy(), x.numpy())


def test_overlapping_unfold_cannot_be_written() -> None:
    # Deliberate difference: torch lets overlapping windows be written in place, with a
    # result that depends on the order of the writes; ndgrad refuses as for expand().
    x = ndgrad.zeros(4)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        x.unfold(0, 2, 1).add_(1)
    x.unfold(0, 2, 2).add_(1)
    assert x.tolist() == [1, 1, 1, 1]


def test_repeat_to_empty_and_back() -> None:
    x = ndgrad.ones(2, 3, requires_grad=True)
    y = x.repeat(0, 2)
    assert y.shape == (0, 6)
    y.sum().backward()
    assert x.grad.tolist() == [[0, 0, 0]] * 2


def test_empty_diagonal_gradient() -> None:
    x = ndgrad.zeros(0, 2, requires_grad=True)
    x.diagonal().sum().backward()
    assert x.grad.shape == (0, 2)


def test_contiguous_copy_is_packed() -> None:
    from ndgrad.ops.shape import contiguous

    x = _arange(ndgrad, 3, 4, dtype=ndgrad.float64).requires_grad_()
    y = contiguous(x.t())
    assert y.is_contiguous() and y.view(-1).shape == (12,)
    assert y.grad_fn.name() == "CloneBackward0"
    assert contiguous(x) is x
    # An expanded tensor's copy is packed, as in torch; a dense one keeps its layout.
    assert x[:, :1].expand(3, 4).clone().is_contiguous()
    assert not x.t().clone().is_contiguous()


# ------------------------------------------------------------------ vs torch
def _ints(lib: Any) -> Any:
    return _arange(lib, 3, 4, dtype=lib.int32)


# Integer and bool inputs: values, dtypes and shapes (no gradients involved).
INT_CASES: dict[str, Callable[[Any], Any]] = {
    "cat_int": lambda lib: lib.cat([_ints(lib), _ints(lib)[:1]]),
    "cat_promote_float": lambda lib: lib.cat([_ints(lib), lib.ones(1, 4)]),
    "cat_promote_bool": lambda lib: lib.cat([_ints(lib) > 4, _ints(lib).to(lib.int16)], 1),
    "cat_uint8_int8": lambda lib: lib.cat(
        [lib.ones(2, dtype=lib.uint8), lib.ones(2, dtype=lib.int8)]
    ),
    "cat_legacy_empty": lambda lib: lib.cat([_ints(lib), lib.tensor([], dtype=lib.int64)]),
    "stack_promote": lambda lib: lib.stack([_ints(lib), _ints(lib).double()], 2),
    "stack_0d": lambda lib: lib.stack([lib.tensor(1), lib.tensor(2)]),
    "hstack": lambda lib: lib.hstack([_ints(lib), _ints(lib)]),
    "vstack": lambda lib: lib.vstack([lib.tensor([1, 2]), lib.tensor(3).repeat(2)]),
    "dstack": lambda lib: lib.dstack([lib.tensor(1), lib.tensor(2)]),
    "column_stack": lambda lib: lib.column_stack([lib.tensor(1), lib.tensor(2)]),
    "split": lambda lib: _ints(lib).split(3, 1),
    "split_sizes": lambda lib: lib.split(_ints(lib), [2, 0, 1]),
    "chunk": lambda lib: lib.chunk(lib.arange(6), 5),
    "chunk_empty": lambda lib: lib.zeros(0, 2).chunk(3),
    "tensor_split": lambda lib: lib.tensor_split(_ints(lib), 5),
    "tensor_split_idx": lambda lib: _ints(lib).tensor_split([1, 5, -1, 0], dim=1),
    "tensor_split_tensor": lambda lib: _ints(lib).tensor_split(lib.tensor([1, 2]), 1),
    "unbind": lambda lib: lib.unbind(_ints(lib), -1),
    "repeat": lambda lib: (_ints(lib) > 3).repeat(2, 1, 2),
    "repeat_0d": lambda lib: lib.tensor(7).repeat(2, 3),
    "tile": lambda lib: _ints(lib).tile(2),
    "repeat_interleave": lambda lib: _ints(lib).repeat_interleave(2, -1),
    "repeat_interleave_flat": lambda lib: lib.repeat_interleave(_ints(lib), lib.tensor(2)),
    "repeat_interleave_tensor": lambda lib: _ints(lib).repeat_interleave(lib.tensor([1, 0, 2]), 0),
    "repeat_interleave_only": lambda lib: lib.repeat_interleave(lib.tensor([3, 1])),
    "flip": lambda lib: (_ints(lib) > 5).flip(0, 1),
    "roll": lambda lib: _ints(lib).roll(-7),
    "roll_dims": lambda lib: _ints(lib).roll([1, 5], [0, 1]),
    "roll_0d": lambda lib: lib.tensor(3).roll(2),
    "rot90": lambda lib: lib.rot90(_ints(lib), 3, [1, 0]),
    "triu": lambda lib: _ints(lib).triu(-1),
    "tril_bool": lambda lib: (_ints(lib) > 2).tril(),
    "diagonal": lambda lib: _arange(lib, 2, 3, 4).diagonal(1, -1, 0),
    "diag": lambda lib: lib.diag(lib.tensor([True, False]), -2),
    "diag_matrix": lambda lib: lib.diag(_ints(lib), 2),
    "diag_embed": lambda lib: lib.diag_embed(_ints(lib), 1, 0, 2),
    "trace": lambda lib: _ints(lib).to(lib.uint8).trace(),
    "trace_half": lambda lib: _ints(lib).half().trace(),
    "narrow": lambda lib: _ints(lib).narrow(0, -2, 2),
    "narrow_tensor_start": lambda lib: _ints(lib).narrow(1, lib.tensor(1), 2),
    "select": lambda lib: _ints(lib).select(-1, -4),
    "movedim": lambda lib: _arange(lib, 2, 3, 4).movedim((0, 2), (1, 0)),
    "swapaxes": lambda lib: lib.swapaxes(_ints(lib), 0, 1),
    "unflatten": lambda lib: _ints(lib).unflatten(-1, lib.Size([2, 2])),
    "ravel": lambda lib: _ints(lib).t().ravel(),
    "broadcast_to": lambda lib: _ints(lib)[0].broadcast_to([2, -1]),
    "broadcast_tensors": lambda lib: lib.broadcast_tensors(_ints(lib), lib.tensor(1.5)),
    "take_along_dim": lambda lib: lib.take_along_dim(_ints(lib), lib.tensor([[0], [3], [-1]]), 1),
    "unfold": lambda lib: _arange(lib, 2, 7).unfold(1, 3, 2),
    "unfold_0d": lambda lib: lib.tensor(4).unfold(0, 1, 1),
    "atleast_3d": lambda lib: lib.atleast_3d(lib.tensor(1), lib.tensor([1, 2]), _ints(lib)),
    "meshgrid_0d": lambda lib: lib.meshgrid(lib.tensor(1), lib.arange(3), indexing="xy"),
    "cartesian_prod": lambda lib: lib.cartesian_prod(lib.arange(2), lib.arange(3), lib.arange(2)),
    "squeeze_dims": lambda lib: lib.zeros(1, 3, 1, 2).squeeze((0, 2, 3)),
}


@pytest.mark.parametrize("name", INT_CASES)
def test_matches_torch_without_grad(name: str) -> None:
    torch = pytest.importorskip("torch")
    expected = INT_CASES[name](torch)
    got = INT_CASES[name](ndgrad)
    if isinstance(expected, torch.Tensor):
        expected, got = [expected], [got]
    assert isinstance(got, tuple) == isinstance(expected, tuple) or len(got) == 1
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert str(g.dtype) == str(e.dtype).replace("torch.", "ndgrad.")
        assert tuple(g.shape) == tuple(e.shape)
        np.testing.assert_array_equal(g.numpy(), e.numpy())


# Views written in place: values and gradients of the leaf, against torch.
def _diagonal_mul(lib: Any, a: Any) -> Any:
    x = a.clone()
    x.diagonal().mul_(2)
    return x


def _diagonal_offset_dims(lib: Any, a: Any) -> Any:
    x = a * 1
    x.diagonal(1, 1, 0).sub_(a[0, :2].exp())
    return x * a


def _narrow_chain(lib: Any, a: Any) -> Any:
    x = a.clone()
    x.narrow(0, 1, 2).select(1, 0).mul_(3)
    return x


def _unfold_write(lib: Any, a: Any) -> Any:
    x = a * 2
    u = x.unfold(1, 2, 2)
    u[:, 0].mul_(a[:, :2])
    return x.sin() + u.sum()


def _view_read_after_base_write(lib: Any, a: Any) -> Any:
    x = a * 1
    u = x.unfold(1, 2, 2)
    n = x.narrow(1, 0, 3)
    x.mul_(a)
    return u.sum() + (n * n).sum()


def _tril_1d_view(lib: Any, a: Any) -> Any:
    x = a * 1
    x.diagonal().tril_()  # a 1-d view: tril_ refuses it
    return x


INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "diagonal_mul": _diagonal_mul,
    "diagonal_offset_dims": _diagonal_offset_dims,
    "narrow_chain": _narrow_chain,
    "unfold_write": _unfold_write,
    "view_read_after_base_write": _view_read_after_base_write,
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_through_views_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    arr = np.random.default_rng(0).uniform(-1, 1, (3, 4))
    results = []
    for lib in (torch, ndgrad):
        a = lib.tensor(arr, requires_grad=True)
        out = INPLACE[name](lib, a)
        out.backward(lib.ones_like(out))
        results.append((out.detach().numpy().copy(), a.grad.numpy().copy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12)


# Errors: the same exception type and message as torch.
ERRORS: dict[str, Callable[[Any], Any]] = {
    "cat_empty": lambda lib: lib.cat([]),
    "cat_0d": lambda lib: lib.cat([lib.ones(2), lib.tensor(1.0)]),
    "cat_sizes": lambda lib: lib.cat([lib.ones(3, 4), lib.ones(3, 5)]),
    "cat_ndim": lambda lib: lib.cat([lib.ones(3, 4), lib.ones(4)]),
    "cat_dim": lambda lib: lib.cat([lib.ones(3, 4)], 2),
    "cat_tensor": lambda lib: lib.cat(lib.ones(3, 4)),
    "cat_element": lambda lib: lib.cat([lib.ones(3), 1]),
    "stack_empty": lambda lib: lib.stack([]),
    "stack_sizes": lambda lib: lib.stack([lib.ones(3, 4), lib.ones(4, 3)]),
    "stack_dim": lambda lib: lib.stack([lib.ones(3, 4)], -4),
    "stack_tensor": lambda lib: lib.stack(lib.ones(3)),
    "hstack_empty": lambda lib: lib.hstack([]),
    "vstack_empty": lambda lib: lib.vstack(()),
    "split_zero": lambda lib: lib.ones(3).split(0),
    "split_negative": lambda lib: lib.ones(3).split(-1),
    "split_0d": lambda lib: lib.tensor(1.0).split(1),
    "split_sizes_sum": lambda lib: lib.ones(3).split([1, 1]),
    "split_sizes_negative": lambda lib: lib.ones(4, 3).split([-1, 4], 1),
    "chunk_zero": lambda lib: lib.ones(3).chunk(0),
    "chunk_0d": lambda lib: lib.tensor(1.0).chunk(2),
    "tensor_split_zero": lambda lib: lib.ones(3).tensor_split(0),
    "tensor_split_0d": lambda lib: lib.tensor(1.0).tensor_split(2),
    "tensor_split_float": lambda lib: lib.ones(3).tensor_split(lib.tensor(1.0)),
    "tensor_split_2d": lambda lib: lib.ones(3).tensor_split(lib.tensor([[1]])),
    "unbind_0d": lambda lib: lib.tensor(1.0).unbind(),
    "repeat_few": lambda lib: lib.ones(3, 4).repeat(2),
    "repeat_negative": lambda lib: lib.ones(3, 4).repeat(-1, 2),
    "repeat_no_args": lambda lib: lib.ones(3).repeat(),
    "repeat_interleave_negative": lambda lib: lib.ones(3).repeat_interleave(-1),
    "repeat_interleave_negative_tensor": lambda lib: lib.ones(3).repeat_interleave(
        lib.tensor([1, -1, 1])
    ),
    "repeat_interleave_length": lambda lib: lib.ones(3, 2).repeat_interleave(
        lib.tensor([1, 2]), 0
    ),
    "repeat_interleave_float": lambda lib: lib.ones(3).repeat_interleave(lib.tensor([1.0] * 3)),
    "repeat_interleave_2d": lambda lib: lib.ones(3).repeat_interleave(lib.tensor([[1] * 3])),
    "repeat_interleave_output_size": lambda lib: lib.ones(3).repeat_interleave(2, output_size=5),
    "repeat_interleave_only_2d": lambda lib: lib.repeat_interleave(lib.tensor([[1, 2]])),
    "flip_repeated": lambda lib: lib.ones(3, 4).flip(0, -2),
    "flip_dim": lambda lib: lib.ones(3, 4).flip(2),
    "fliplr_1d": lambda lib: lib.ones(3).fliplr(),
    "flipud_0d": lambda lib: lib.tensor(1.0).flipud(),
    "roll_align": lambda lib: lib.ones(3, 4).roll((1, 2), 0),
    "roll_align_flat": lambda lib: lib.ones(3, 4).roll((1, 2)),
    "roll_0d_dim": lambda lib: lib.tensor(1.0).roll(1, 0),
    "rot90_1d": lambda lib: lib.ones(3).rot90(),
    "rot90_same": lambda lib: lib.ones(3, 4).rot90(1, [1, -1]),
    "rot90_len": lambda lib: lib.ones(3, 4).rot90(1, [0]),
    "narrow_past_end": lambda lib: lib.ones(3, 4).narrow(1, 3, 2),
    "narrow_negative_length": lambda lib: lib.ones(3, 4).narrow(1, 0, -1),
    "narrow_start": lambda lib: lib.ones(3, 4).narrow(1, -5, 0),
    "narrow_0d": lambda lib: lib.tensor(1.0).narrow(0, 0, 1),
    "select_index": lambda lib: lib.ones(3, 4).select(1, 4),
    "select_negative": lambda lib: lib.ones(3, 4).select(1, -5),
    "select_0d": lambda lib: lib.tensor(1.0).select(0, 0),
    "select_dim": lambda lib: lib.ones(3, 4).select(2, 0),
    "movedim_repeated": lambda lib: lib.ones(3, 4).movedim((0, 0), (0, 1)),
    "movedim_repeated_dst": lambda lib: lib.ones(3, 4).movedim((0, 1), (1, 1)),
    "movedim_length": lambda lib: lib.ones(3, 4).movedim((0, 1), (0,)),
    "triu_1d": lambda lib: lib.ones(3).triu(),
    "tril_0d": lambda lib: lib.tensor(1.0).tril(),
    "tril_inplace_1d": lambda lib: _tril_1d_view(lib, lib.ones(3, 3)),
    "diagonal_same": lambda lib: lib.ones(3, 4).diagonal(0, 1, -1),
    "diagonal_1d": lambda lib: lib.ones(3).diagonal(),
    "diag_3d": lambda lib: lib.diag(lib.ones(2, 2, 2)),
    "diag_0d": lambda lib: lib.diag(lib.tensor(1.0)),
    "diag_embed_same": lambda lib: lib.diag_embed(lib.ones(3), 0, 0, -2),
    "diag_embed_0d": lambda lib: lib.diag_embed(lib.tensor(1.0)),
    "trace_1d": lambda lib: lib.ones(3).trace(),
    "trace_bool": lambda lib: lib.ones(3, 3, dtype=lib.bool).trace(),
    "broadcast_to": lambda lib: lib.ones(3, 4).broadcast_to((2, 4)),
    "broadcast_to_rightmost": lambda lib: lib.ones(2, 3, 1).broadcast_to(2, 4, 4),
    "expand_leading_negative": lambda lib: lib.ones(3).expand(-1, 3),
    "cat_generator": lambda lib: lib.cat(t for t in [lib.ones(2), 3]),
    "broadcast_tensors": lambda lib: lib.broadcast_tensors(lib.ones(3, 4), lib.ones(5)),
    "broadcast_tensors_list": lambda lib: lib.broadcast_tensors([lib.ones(3)]),
    "broadcast_shapes": lambda lib: lib.broadcast_shapes((3, 1), (2, 4)),
    "broadcast_shapes_negative": lambda lib: lib.broadcast_shapes((-1, 1)),
    "unflatten_product": lambda lib: lib.ones(3, 4).unflatten(1, (3, 2)),
    "unflatten_empty": lambda lib: lib.ones(3, 4).unflatten(1, ()),
    "squeeze_repeated": lambda lib: lib.ones(1, 3).squeeze((0, 0)),
    "take_along_dim_dtype": lambda lib: lib.take_along_dim(lib.ones(3), lib.tensor([0.0]), 0),
    "take_along_dim_int32": lambda lib: lib.take_along_dim(
        lib.ones(3), lib.tensor([0], dtype=lib.int32), 0
    ),
    "take_along_dim_ndim": lambda lib: lib.take_along_dim(lib.ones(3, 4), lib.tensor([0]), 1),
    "take_along_dim_broadcast": lambda lib: lib.take_along_dim(
        lib.ones(3, 1), lib.tensor([[0], [0]]), 1
    ),
    "unfold_size": lambda lib: lib.ones(3, 4).unfold(1, 5, 1),
    "unfold_step": lambda lib: lib.ones(3, 4).unfold(1, 2, 0),
    "unfold_negative": lambda lib: lib.ones(3, 4).unfold(1, -1, 1),
    "meshgrid_empty": lambda lib: lib.meshgrid(indexing="ij"),
    "meshgrid_indexing": lambda lib: lib.meshgrid(lib.ones(2), indexing="ji"),
    "meshgrid_dtype": lambda lib: lib.meshgrid(lib.ones(2), lib.ones(2).double(), indexing="ij"),
    "cartesian_prod_2d": lambda lib: lib.cartesian_prod(lib.ones(2, 2), lib.ones(2)),
    "cartesian_prod_empty": lambda lib: lib.cartesian_prod(),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as expected:
        ERRORS[name](torch)
    with pytest.raises(Exception) as got:
        ERRORS[name](ndgrad)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)


def test_error_messages_without_torch() -> None:
    x = ndgrad.ones(3, 4)
    with pytest.raises(RuntimeError, match=r"^Sizes of tensors must match except in dimension 1"):
        ndgrad.cat([x, ndgrad.ones(2, 4)], 1)
    with pytest.raises(IndexError, match=r"select\(\): index 4 out of range"):
        x.select(1, 4)
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 4"):
        x.unfold(1, 5, 1)
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, 0"):
        x.diagonal(0, 0, 0)
