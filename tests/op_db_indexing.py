"""Op table entries for the indexing family (see op_db.py)."""

from __future__ import annotations

from typing import Any

from op_info import UNARY, OpInfo

M34 = (((3, 4),),)
# Per column, distinct rows: scatter writes each position at most once (deterministic).
ROWS = [[0, 1, 2, 0], [2, 0, 1, 1]]
# Repeated targets: the reductions combine several values into one position.
DUPS = [[0, 0, 2, 0], [0, 2, 2, 1], [1, 0, 2, 1]]


def _scatter_reduce(reduce: str, include_self: bool) -> Any:
    def fn(lib: Any, x: Any, s: Any) -> Any:
        idx = lib.tensor(DUPS)
        return x.scatter_reduce(0, idx, s, reduce, include_self=include_self)

    return fn


# In place on non-leaf tensors and on views: history is rebased (CopySlices on the base).
def _masked_fill_(lib: Any, x: Any) -> Any:
    y = x * 2
    y.masked_fill_(x > 0, 0.5)
    return y


def _masked_fill_view_(lib: Any, x: Any, v: Any) -> Any:
    y = x * 1
    y[1:].masked_fill_(x[1:] < 0, v)
    return y


def _index_add_view_(lib: Any, x: Any, s: Any) -> Any:
    y = x.sin()
    y.t().index_add_(1, lib.tensor([2, 0, 2]), s, alpha=-1.5)
    return y * x


def _scatter_view_(lib: Any, x: Any, s: Any) -> Any:
    y = x * 1
    y[:, 1:].scatter_(0, lib.tensor([[2, 0, 1]]), s)
    return y


def _index_fill_(lib: Any, x: Any) -> Any:
    y = x.sin()
    y.index_fill_(1, lib.tensor([0, 3]), -1.0)
    return y * x


def _index_copy_(lib: Any, x: Any, s: Any) -> Any:
    y = x.cos()
    y.index_copy_(0, lib.tensor([2, 0]), s * s)
    return y


def _scatter_add_(lib: Any, x: Any, s: Any) -> Any:
    y = x * 3
    y.scatter_add_(1, lib.tensor(DUPS[:2]), s)
    return y


OPS: list[OpInfo] = [
    # ------------------------------------------------------------------ gather
    # Its VJP is a scatter_add into zeros, whose own VJP is gather again.
    OpInfo(
        "gather",
        lambda lib, x: x.gather(1, lib.tensor([[0, 0, 3], [2, 1, 1], [3, 3, 0]])),
        M34,
        ("GatherBackward0", "ScatterAddBackward0"),
    ),
    OpInfo(
        "gather_fn_dim0",
        lambda lib, x: lib.gather(x, 0, lib.tensor([[2, 0], [2, 2]])),
        M34,
        ("GatherBackward0",),
    ),
    OpInfo("gather_0d", lambda lib, x: lib.gather(x, 0, lib.tensor(0)), UNARY[1:2], ()),
    # ----------------------------------------------------------------- scatter
    OpInfo(
        "scatter_src",
        lambda lib, x, s: lib.scatter(x, 0, lib.tensor(ROWS), s),
        (((3, 4), (2, 4)),),
        ("ScatterBackward0", "ScatterBackward1", "GatherBackward0"),
    ),
    OpInfo(
        "scatter_value",
        lambda lib, x: x.scatter(1, lib.tensor([[1], [3], [0]]), 0.5),
        M34,
        ("ScatterBackward1",),
    ),
    OpInfo(
        "scatter_add",
        lambda lib, x, s: lib.scatter_add(x, 0, lib.tensor(DUPS), s),
        (((3, 4), (3, 4)),),
        ("ScatterAddBackward0",),
    ),
    OpInfo(
        "scatter_reduce_sum",
        _scatter_reduce("sum", True),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
    ),
    OpInfo(
        "scatter_reduce_sum_exclude",
        _scatter_reduce("sum", False),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
    ),
    OpInfo(
        "scatter_reduce_mean",
        _scatter_reduce("mean", True),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
    ),
    OpInfo(
        "scatter_reduce_mean_exclude",
        _scatter_reduce("mean", False),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
    ),
    # Ties share the gradient evenly; random inputs have none, so second order is checked.
    OpInfo(
        "scatter_reduce_amax",
        _scatter_reduce("amax", True),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
    ),
    OpInfo(
        "scatter_reduce_amin_exclude",
        _scatter_reduce("amin", False),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
    ),
    # On the kinks every other input is exactly 0: products divide only by non-zeros.
    OpInfo(
        "scatter_reduce_prod",
        _scatter_reduce("prod", True),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "scatter_reduce_prod_exclude",
        _scatter_reduce("prod", False),
        (((3, 4), (3, 4)),),
        ("ScatterReduceBackward0",),
        domain=(0.5, 1.5),
    ),
    # ----------------------------------------------------------- index_* family
    OpInfo(
        "index_select",
        lambda lib, x: x.index_select(0, lib.tensor([2, 0, 2])),
        M34,
        ("IndexSelectBackward0", "IndexAddBackward0"),
    ),
    OpInfo(
        "index_select_dim1",
        lambda lib, x: lib.index_select(x, -1, lib.tensor([3, 1])),
        (((2, 3, 4),),),
        ("IndexSelectBackward0",),
    ),
    OpInfo("index_select_0d", lambda lib, x: x.index_select(0, lib.tensor([0])), UNARY[1:2], ()),
    OpInfo(
        "index_add",
        lambda lib, x, s: x.index_add(0, lib.tensor([0, 2, 0]), s, alpha=2),
        (((3, 4), (3, 4)),),
        ("IndexAddBackward0", "IndexSelectBackward0"),
    ),
    OpInfo(
        "index_add_fn_dim1",
        lambda lib, x, s: lib.index_add(x, 1, lib.tensor([3, 3]), s),
        (((3, 4), (3, 2)),),
        ("IndexAddBackward0",),
    ),
    OpInfo(
        "index_copy",
        lambda lib, x, s: x.index_copy(1, lib.tensor([3, 0]), s),
        (((3, 4), (3, 2)),),
        ("IndexCopyBackward0", "IndexFillBackward0"),
    ),
    OpInfo(
        "index_fill",
        lambda lib, x: lib.index_fill(x, 0, lib.tensor([1, 1]), -0.5),
        M34,
        ("IndexFillBackward0",),
    ),
    OpInfo(
        "index_fill_tensor",
        lambda lib, x, v: x.index_fill(1, lib.tensor([0, 2, 0]), v),
        (((3, 4), ()),),
        ("IndexFillBackward1",),
    ),
    # ---------------------------------------------------------- masked_* family
    OpInfo(
        "masked_fill",
        lambda lib, x: x.masked_fill(x > 0, 0.5),
        UNARY,
        ("MaskedFillBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "masked_fill_broadcast",
        lambda lib, x, y: lib.masked_fill(x, y > 0, -1.0),
        (((4,), (3, 4)),),
        ("MaskedFillBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "masked_fill_tensor",
        lambda lib, x, v: x.masked_fill(x < 0, v),
        (((3, 4), ()), ((), ())),
        ("MaskedFillBackward1",),
        kinks=(0.0,),
    ),
    OpInfo(
        "masked_select",
        lambda lib, x: x.masked_select(x > 0),
        M34,
        ("MaskedSelectBackward0", "MaskedScatterBackward0"),
        kinks=(0.0,),
    ),
    OpInfo(
        "masked_select_broadcast",
        lambda lib, x, y: lib.masked_select(x, y > 0),
        (((4,), (3, 4)),),
        ("MaskedSelectBackward0",),
        kinks=(0.0,),
    ),
    # source has more elements than the mask selects: the rest get a zero gradient.
    OpInfo(
        "masked_scatter",
        lambda lib, x, s: x.masked_scatter(x > 0, s),
        (((3, 4), (3, 4)), ((3, 4), (20,))),
        ("MaskedScatterBackward0", "MaskedSelectBackward0"),
        kinks=(0.0,),
    ),
    # ---------------------------------------------------------------- take/put
    OpInfo(
        "take",
        lambda lib, x: x.take(lib.tensor([[0, 5], [11, -1], [5, 5]])),
        M34,
        ("TakeBackward0", "PutBackward0"),
    ),
    OpInfo(
        "put_accumulate",
        lambda lib, x, s: x.put(lib.tensor([1, 5, 1]), s, accumulate=True),
        (((3, 4), (3,)),),
        ("PutBackward0", "TakeBackward0"),
    ),
    OpInfo(
        "put",
        lambda lib, x, s: lib.put(x, lib.tensor([[1, 5], [-1, 0]]), s),
        (((3, 4), (4,)),),
        ("PutBackward0",),
    ),
    # ----------------------------------------------------------------- sorting
    # The VJP puts each gradient back where its value came from (a scatter_add).
    OpInfo(
        "sort",
        lambda lib, x: x.sort(1).values,
        (((3, 4),), ((2, 3, 4),)),
        ("SortBackward0", "ScatterAddBackward0"),
    ),
    OpInfo(
        "sort_descending_dim0",
        lambda lib, x: lib.sort(x, 0, descending=True)[0],
        M34,
        ("SortBackward0",),
    ),
    OpInfo(
        "sort_stable", lambda lib, x: lib.sort(x, stable=True).values, UNARY, ("SortBackward1",)
    ),
    OpInfo("topk", lambda lib, x: lib.topk(x, 2).values, M34, ("TopkBackward0",)),
    OpInfo(
        "topk_smallest_dim0",
        lambda lib, x: x.topk(2, 0, largest=False)[0],
        M34,
        ("TopkBackward0",),
    ),
    OpInfo("topk_0d", lambda lib, x: lib.topk(x, 1).values, UNARY[1:2], ()),
    OpInfo(
        "kthvalue",
        lambda lib, x: x.kthvalue(2, 1).values,
        (((3, 4),), ((2, 3, 4),)),
        ("KthvalueBackward0",),
    ),
    OpInfo(
        "kthvalue_keepdim",
        lambda lib, x: lib.kthvalue(x, 3, 0, keepdim=True)[0],
        M34,
        ("KthvalueBackward0",),
    ),
    OpInfo("kthvalue_0d", lambda lib, x: x.kthvalue(1).values, UNARY[1:2], ()),
    # ---------------------------------------------------------------- in place
    OpInfo(
        "masked_fill_inplace",
        _masked_fill_,
        UNARY[:2],
        ("MaskedFillBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "masked_fill_inplace_view",
        _masked_fill_view_,
        (((3, 4), ()),),
        ("CopySlices", "MaskedFillBackward1"),
        kinks=(0.0,),
        torch_grad_fn="torch::autograd::CopySlices",
    ),
    OpInfo(
        "index_add_inplace_view",
        _index_add_view_,
        (((3, 4), (4, 3)),),
        ("IndexAddBackward0", "TBackward0"),
    ),
    OpInfo(
        "scatter_inplace_view",
        _scatter_view_,
        (((3, 4), (1, 3)),),
        ("ScatterBackward0",),
        torch_grad_fn="torch::autograd::CopySlices",
    ),
    OpInfo("index_fill_inplace", _index_fill_, M34, ("IndexFillBackward0",)),
    OpInfo("index_copy_inplace", _index_copy_, (((3, 4), (2, 4)),), ("IndexCopyBackward0",)),
    OpInfo("scatter_add_inplace", _scatter_add_, (((3, 4), (2, 4)),), ("ScatterAddBackward0",)),
]
