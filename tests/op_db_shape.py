"""Op table entries for the shape family (see op_db.py)."""

from __future__ import annotations

from typing import Any

from op_info import OpInfo

# torch writes a view in place and names the base's node in its C++ namespace.
COPY_SLICES = "torch::autograd::CopySlices"


def _split_all(lib: Any, x: Any) -> Any:
    # Every part, each weighted differently: the gradients of all parts meet in x.
    parts = x.split(2, 1)
    return lib.cat([p * (i + 1) for i, p in enumerate(parts)], 1)


def _split_sizes_all(lib: Any, x: Any) -> Any:
    parts = lib.split(x, [1, 0, 2])
    return lib.cat([p * (i + 1) for i, p in enumerate(parts)])


def _unbind_all(lib: Any, x: Any) -> Any:
    return lib.stack(x.unbind(1)[::-1], 1)


def _chunk_all(lib: Any, x: Any) -> Any:
    a, b = x.chunk(2, -1)
    return a * b


def _tensor_split_all(lib: Any, x: Any) -> Any:
    parts = lib.tensor_split(x, [1, 3], dim=1)
    return lib.cat([p * (i + 1) for i, p in enumerate(parts)], 1)


def _diagonal_inplace(lib: Any, x: Any) -> Any:
    y = x.clone()
    y.diagonal().mul_(2)
    y.diagonal(1).add_(x[0, :3])
    return y


def _narrow_inplace(lib: Any, x: Any) -> Any:
    y = x * 1
    y.narrow(1, 1, 2).mul_(x[:, :2])
    return y


def _select_inplace(lib: Any, x: Any) -> Any:
    y = x * 1
    y.select(1, -1).zero_()
    return y * x


def _unfold_inplace(lib: Any, x: Any) -> Any:
    y = x * 1
    y.unfold(1, 2, 2).mul_(3)  # windows that do not overlap may be written
    return y


def _triu_inplace(lib: Any, x: Any) -> Any:
    y = x * 2
    y.triu_(1)
    z = x.sin()
    z.tril_(-1)
    return y + z


def _diagonal_stale(lib: Any, x: Any) -> Any:
    y = x * 1
    d = y.diagonal()
    y.mul_(x)  # d sees the product: its history is rebuilt from y
    return d * 1


def _unfold_read(lib: Any, x: Any) -> Any:
    u = x.unfold(-1, 3, 1)
    return u * u.sum(-1, keepdim=True)


def _broadcast_tensors(lib: Any, x: Any, y: Any) -> Any:
    a, b = lib.broadcast_tensors(x, y)
    return a * b.sin()


def _meshgrid(lib: Any, x: Any, y: Any) -> Any:
    a, b = lib.meshgrid(x, y, indexing="ij")
    return a * b.cos()


def _meshgrid_xy(lib: Any, x: Any, y: Any, z: Any) -> Any:
    a, b, c = lib.meshgrid([x, y, z], indexing="xy")
    return a * b + c


OPS: list[OpInfo] = [
    # ----------------------------------------------------------------- joining
    OpInfo(
        "cat",
        lambda lib, x, y: lib.cat([x, y]),
        (((3, 4), (2, 4)), ((2,), (3,))),
        ("CatBackward0", "SliceBackward0"),
    ),
    OpInfo("cat_dim", lambda lib, x, y: lib.cat((x, y), dim=-1), (((2, 3, 2), (2, 3, 1)),), ()),
    OpInfo("cat_one", lambda lib, x: lib.cat([x], 1), (((3, 4),),), ("CatBackward0",)),
    OpInfo("cat_three", lambda lib, x, y: lib.cat([x, y, x * 2], 1), (((3, 2), (3, 1)),), ()),
    # Legacy: a 1-d empty tensor is skipped whatever the others' shapes; it still gets a
    # (0,)-shaped gradient.
    OpInfo(
        "cat_legacy_empty",
        lambda lib, x, y: lib.cat([y, x, y]),
        (((3, 4), (0,)),),
        ("CatBackward0",),
    ),
    OpInfo(
        "cat_promotes",
        lambda lib, x: lib.cat([lib.ones(2, 3, dtype=lib.int32), x]),
        (((1, 3),),),
        ("CatBackward0",),
    ),
    OpInfo("concat", lambda lib, x, y: lib.concat([x, y], axis=1), (((3, 1), (3, 2)),), ()),
    OpInfo("concatenate", lambda lib, x, y: lib.concatenate([x, y], 0), (((1, 2), (3, 2)),), ()),
    OpInfo(
        "stack",
        lambda lib, x, y: lib.stack([x, y]),
        (((3, 4), (3, 4)), ((), ())),
        ("StackBackward0", "SelectBackward0"),
    ),
    OpInfo("stack_dim", lambda lib, x, y: lib.stack((x, y, x), -1), (((2, 3), (2, 3)),), ()),
    OpInfo("stack_mid", lambda lib, x: lib.stack([x, x * 2], 1), (((2, 3),),), ()),
    OpInfo(
        "hstack",
        lambda lib, x, y: lib.hstack([x, y]),
        (((3,), (2,)), ((2, 3), (2, 1)), ((), (2,))),
        ("CatBackward0",),
    ),
    OpInfo(
        "vstack",
        lambda lib, x, y: lib.vstack((x, y)),
        (((3,), (3,)), ((2, 3), (3,)), ((), ())),
        ("CatBackward0", "UnsqueezeBackward0"),
    ),
    OpInfo(
        "dstack",
        lambda lib, x, y: lib.dstack([x, y]),
        (((3,), (3,)), ((2, 3), (2, 3, 2))),
        ("CatBackward0",),
    ),
    OpInfo(
        "column_stack",
        lambda lib, x, y: lib.column_stack([x, y]),
        (((3,), (3, 2)), ((), ())),
        ("CatBackward0",),
    ),
    # --------------------------------------------------------------- splitting
    OpInfo(
        "split",
        lambda lib, x: x.split(2)[1],
        (((5, 3),),),
        ("SplitBackward0", "IndexPutBackward0"),
    ),
    OpInfo("split_all", _split_all, (((2, 5),), ((3, 4),)), ("SplitBackward0",)),
    OpInfo(
        "split_sizes",
        lambda lib, x: lib.split(x, [1, 2], dim=-1)[1],
        (((2, 3),),),
        ("SplitWithSizesBackward0",),
    ),
    OpInfo("split_sizes_all", _split_sizes_all, (((3, 2),),), ("SplitWithSizesBackward0",)),
    OpInfo("chunk", lambda lib, x: lib.chunk(x, 3)[0], (((5, 2),),), ("SplitBackward0",)),
    OpInfo("chunk_all", _chunk_all, (((2, 4),),), ("SplitBackward0",)),
    OpInfo(
        "tensor_split",
        lambda lib, x: x.tensor_split(3)[2],
        (((5, 2),),),
        ("SliceBackward0",),
    ),
    OpInfo("tensor_split_all", _tensor_split_all, (((2, 5),),), ("SliceBackward0",)),
    OpInfo(
        "unbind",
        lambda lib, x: lib.unbind(x, -1)[1],
        (((3, 2),), ((2,),)),
        ("UnbindBackward0", "IndexPutBackward0"),
    ),
    OpInfo("unbind_all", _unbind_all, (((2, 3, 2),),), ("UnbindBackward0",)),
    # --------------------------------------------------------------- repeating
    OpInfo(
        "repeat",
        lambda lib, x: x.repeat(2, 1, 3),
        (((3, 1),), ((),), ((2, 1, 3),)),
        ("RepeatBackward0", "SumBackward1"),
    ),
    OpInfo(
        "tile",
        lambda lib, x: lib.tile(x, (2,)),
        (((3, 2),), ((3,),)),
        ("RepeatBackward0",),
    ),
    # torch builds it the same way: an expanded copy, viewed with the repeated dim merged.
    OpInfo(
        "repeat_interleave",
        lambda lib, x: x.repeat_interleave(2, dim=1),
        (((3, 2),), ((2, 3, 2),)),
        ("ViewBackward0", "CloneBackward0", "ExpandBackward0", "UnsqueezeBackward0"),
    ),
    OpInfo(
        "repeat_interleave_flat",
        lambda lib, x: lib.repeat_interleave(x, 3),
        (((2, 2),), ((),)),
        ("ViewBackward0",),
    ),
    # torch gathers with index_select (IndexSelectBackward0); ndgrad indexes with a list of
    # indices (IndexBackward0): same values and gradient.
    OpInfo(
        "repeat_interleave_tensor",
        lambda lib, x: x.repeat_interleave(lib.tensor([2, 0, 1]), dim=0),
        (((3, 2),),),
        ("IndexBackward0",),
        torch_grad_fn="IndexSelectBackward0",
    ),
    # -------------------------------------------------------------- reordering
    OpInfo(
        "flip",
        lambda lib, x: x.flip(0, -1),
        (((3, 4),), ((2, 3, 2),)),
        ("FlipBackward0",),
    ),
    OpInfo("flip_fn", lambda lib, x: lib.flip(x, [1]), (((3, 4),),), ("FlipBackward0",)),
    OpInfo("flip_none", lambda lib, x: lib.flip(x, ()), (((3, 4),), ((),)), ("FlipBackward0",)),
    OpInfo("fliplr", lambda lib, x: lib.fliplr(x), (((3, 4),),), ("FlipBackward0",)),
    OpInfo("flipud", lambda lib, x: x.flipud(), (((3, 4),), ((3,),)), ("FlipBackward0",)),
    OpInfo("roll", lambda lib, x: x.roll(1, 0), (((3, 4),),), ("RollBackward0",)),
    OpInfo(
        "roll_dims",
        lambda lib, x: lib.roll(x, (-1, 5), (1, -1)),
        (((2, 3, 4),),),
        ("RollBackward0",),
    ),
    OpInfo("roll_flat", lambda lib, x: x.roll(5), (((3, 4),), ((),)), ("RollBackward0",)),
    OpInfo("rot90", lambda lib, x: x.rot90(), (((3, 4),),), ("Rot90Backward0",)),
    OpInfo(
        "rot90_k",
        lambda lib, x: lib.rot90(x, 2) + lib.rot90(x, -1, [1, 0]).rot90(3, (0, 1)),
        (((3, 4),),),
        ("Rot90Backward0",),
    ),
    OpInfo("rot90_dims", lambda lib, x: x.rot90(1, (2, 0)), (((2, 3, 4),),), ("Rot90Backward0",)),
    # ------------------------------------------------------------ views by index
    OpInfo(
        "narrow",
        lambda lib, x: x.narrow(1, 1, 2),
        (((3, 4),),),
        ("SliceBackward0",),
    ),
    OpInfo("narrow_fn", lambda lib, x: lib.narrow(x, -1, -3, 3), (((2, 3),),), ()),
    OpInfo("select", lambda lib, x: x.select(1, -1), (((3, 4),),), ("SelectBackward0",)),
    OpInfo("select_fn", lambda lib, x: lib.select(x, 0, 1), (((3,),),), ("SelectBackward0",)),
    OpInfo(
        "movedim",
        lambda lib, x: x.movedim(0, -1),
        (((2, 3, 4),),),
        ("PermuteBackward0",),
    ),
    OpInfo(
        "moveaxis",
        lambda lib, x: lib.moveaxis(x, (0, 1), (2, 0)),
        (((2, 3, 4),),),
        ("PermuteBackward0",),
    ),
    OpInfo(
        "swapaxes",
        lambda lib, x: lib.swapaxes(x, 0, 1) + x.swapdims(1, 0),
        (((3, 3),),),
        ("TransposeBackward0",),
    ),
    OpInfo("unflatten", lambda lib, x: x.unflatten(1, (2, -1)), (((3, 4),),), ("ViewBackward0",)),
    OpInfo("ravel", lambda lib, x: lib.ravel(x), (((3, 4),), ((),)), ("ViewBackward0",)),
    # ---------------------------------------------------- triangles, diagonals
    OpInfo("triu", lambda lib, x: x.triu(), (((3, 4),), ((2, 3, 3),)), ("TriuBackward0",)),
    OpInfo("triu_k", lambda lib, x: lib.triu(x, -1), (((4, 3),),), ("TriuBackward0",)),
    OpInfo("tril", lambda lib, x: lib.tril(x, 1), (((3, 4),), ((2, 3, 3),)), ("TrilBackward0",)),
    OpInfo(
        "diagonal",
        lambda lib, x: x.diagonal(),
        (((3, 4),), ((4, 3),)),
        ("DiagonalBackward0", "DiagEmbedBackward0"),
    ),
    OpInfo(
        "diagonal_offset",
        lambda lib, x: lib.diagonal(x, 1) + lib.diagonal(x, -1)[:2],
        (((3, 3),),),
        ("DiagonalBackward0",),
    ),
    OpInfo(
        "diagonal_dims",
        lambda lib, x: x.diagonal(-1, 2, 0),
        (((3, 2, 4),),),
        ("DiagonalBackward0",),
    ),
    OpInfo("diagonal_far", lambda lib, x: x.diagonal(5) + 1, (((3, 4),),), ("DiagonalBackward0",)),
    OpInfo(
        "diag_embed",
        lambda lib, x: lib.diag_embed(x),
        (((3,),), ((2, 3),)),
        ("DiagEmbedBackward0", "DiagonalBackward0"),
    ),
    OpInfo(
        "diag_embed_dims",
        lambda lib, x: x.diag_embed(-1, 0, 2),
        (((2, 3),),),
        ("DiagEmbedBackward0",),
    ),
    OpInfo("diag_vector", lambda lib, x: lib.diag(x, 1), (((3,),),), ("DiagEmbedBackward0",)),
    OpInfo(
        "diag_matrix",
        lambda lib, x: x.diag(-1),
        (((3, 4),),),
        ("DiagonalBackward0_copy", "DiagEmbedBackward0"),
    ),
    OpInfo(
        "trace",
        lambda lib, x: x.trace(),
        (((3, 4),), ((3, 3),), ((4, 2),)),
        ("TraceBackward0", "ExpandBackward0"),
    ),
    # ------------------------------------------------------------ broadcasting
    OpInfo(
        "broadcast_to",
        lambda lib, x: x.broadcast_to((2, 3, 4)),
        (((3, 1),), ((),)),
        ("ExpandBackward0",),
    ),
    OpInfo(
        "broadcast_tensors",
        _broadcast_tensors,
        (((3, 1), (4,)), ((), (2,))),
        ("ExpandBackward0",),
    ),
    # torch gathers (GatherBackward0); ndgrad indexes with broadcast index arrays
    # (IndexBackward0): same values and gradient.
    OpInfo(
        "take_along_dim",
        lambda lib, x: lib.take_along_dim(x, lib.tensor([[0, 2], [1, 1], [3, 0]]), 1),
        (((3, 4),),),
        ("IndexBackward0",),
        torch_grad_fn="GatherBackward0",
    ),
    OpInfo(
        "take_along_dim_broadcast",
        lambda lib, x: x.take_along_dim(lib.tensor([[2, 0], [1, 1], [3, 3]]), -1),
        (((3, 4),), ((1, 4),)),
        ("IndexBackward0",),
        torch_grad_fn="GatherBackward0",
    ),
    OpInfo(
        "take_along_dim_flat",
        lambda lib, x: lib.take_along_dim(x, lib.tensor([[5, 0], [5, 11]])),
        (((3, 4),),),
        ("IndexBackward0",),
        torch_grad_fn="GatherBackward0",
    ),
    # -------------------------------------------------------------- windows
    OpInfo(
        "unfold",
        lambda lib, x: x.unfold(1, 3, 1),
        (((2, 5),), ((2, 5, 2),)),
        ("UnfoldBackward0", "UnfoldBackwardBackward0"),
    ),
    OpInfo(
        "unfold_step",
        lambda lib, x: x.unfold(0, 2, 3),
        (((8,),), ((7, 2),)),
        ("UnfoldBackward0",),
    ),
    OpInfo("unfold_0d", lambda lib, x: x.unfold(0, 1, 2), (((),),), ("UnfoldBackward0",)),
    OpInfo(
        "unfold_overlap", lambda lib, x: x.unfold(-1, 3, 2), (((2, 7),),), ("UnfoldBackward0",)
    ),
    OpInfo("unfold_read", _unfold_read, (((2, 5),),), ("UnfoldBackward0",)),
    OpInfo(
        "atleast",
        lambda lib, x: lib.cat(
            [lib.atleast_1d(x).flatten(), lib.atleast_2d(x).flatten(), lib.atleast_3d(x).flatten()]
        ),
        (((),), ((3,),), ((2, 3),)),
        ("ViewBackward0",),
    ),
    OpInfo("meshgrid", _meshgrid, (((3,), (2,)), ((), (2,))), ("ExpandBackward0",)),
    OpInfo("meshgrid_xy", _meshgrid_xy, (((3,), (2,), (4,)),), ("ExpandBackward0",)),
    OpInfo(
        "cartesian_prod",
        lambda lib, x, y: lib.cartesian_prod(x, y),
        (((3,), (2,)),),
        ("StackBackward0",),
    ),
    # ------------------------------------------------- in-place through views
    OpInfo(
        "diagonal_inplace",
        _diagonal_inplace,
        (((3, 4),),),
        ("CopySlices", "DiagonalBackward0"),
        torch_grad_fn=COPY_SLICES,
    ),
    OpInfo(
        "narrow_inplace", _narrow_inplace, (((3, 4),),), ("CopySlices",), torch_grad_fn=COPY_SLICES
    ),
    OpInfo("select_inplace", _select_inplace, (((3, 4),),), ("CopySlices",)),
    OpInfo(
        "unfold_inplace",
        _unfold_inplace,
        (((3, 4),), ((2, 5),)),
        ("CopySlices", "UnfoldBackward0"),
        torch_grad_fn=COPY_SLICES,
    ),
    OpInfo("triu_inplace", _triu_inplace, (((3, 4),),), ("TriuBackward0", "TrilBackward0")),
    # Reading a view whose base was written after it was taken: rebuilt from the base.
    OpInfo("diagonal_stale", _diagonal_stale, (((3, 4),),), ("AsStridedBackward0",)),
]
