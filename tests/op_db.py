"""The op table: one entry per op, a lambda run with lib=ndgrad or lib=torch.

The core ops live here; each op family adds its entries in ``op_db_<family>.py``.
"""

from __future__ import annotations

from typing import Any

import op_db_elementwise
import op_db_indexing
import op_db_linalg
import op_db_reduction
import op_db_shape
from op_info import BINARY, POSITIVE, UNARY, OpInfo, Shapes, make_inputs

__all__ = ["OPS", "BY_NAME", "OpInfo", "Shapes", "make_inputs"]


# Multi-statement lambdas: index assignment and in-place ops on non-leaf tensors and views.
def _set_select(lib: Any, x: Any) -> Any:
    n = lib.zeros(3, dtype=x.dtype)
    n[0] = x[0] ** 2
    return n


def _set_slice(lib: Any, x: Any, w: Any) -> Any:
    y = x * 1
    y[1:, ::2] = w * 3
    return y


def _set_scalar(lib: Any, x: Any) -> Any:
    y = x.sin()
    y[:, 0] = 0.5
    return y * x


def _set_index(lib: Any, x: Any, w: Any) -> Any:
    y = x * 2
    y[[0, 2]] = w
    return y


def _set_mask(lib: Any, x: Any) -> Any:
    y = x.sin()
    y[x > 0] = 0.0
    return y


def _inplace_select(lib: Any, x: Any) -> Any:
    y = x * 1
    y[0].mul_(2)
    return y


def _inplace_add(lib: Any, x: Any) -> Any:
    y = x * 1
    y.add_(x)
    return y


def _inplace_mul(lib: Any, x: Any, w: Any) -> Any:
    y = x.cos()
    y.mul_(w)
    y *= 3
    return y


def _inplace_chain(lib: Any, x: Any) -> Any:
    y = x + 0
    y.sub_(x * x, alpha=2).div_(3)
    y.pow_(2)
    y.neg_()
    y.exp_()
    return y


def _inplace_unary(lib: Any, x: Any) -> Any:
    y = x * 3
    y.tanh_()
    z = x - 0
    z.clamp_(-0.5, 0.5)
    z.relu_()
    w = x * 1
    w.sigmoid_()
    return y + z + w


def _inplace_view_read(lib: Any, x: Any) -> Any:
    y = x * 1
    v = y[1]
    v.mul_(2)
    return y * v


def _inplace_transposed(lib: Any, x: Any, w: Any) -> Any:
    y = x * 1
    y.t().add_(w)
    y[:, 1] += w[1, 0]
    return y


def _fill_copy(lib: Any, x: Any, w: Any) -> Any:
    y = x * 1
    y[0].zero_()
    y[1].fill_(2)
    y[2].copy_(w)
    return y * x


def _stale_view(lib: Any, x: Any) -> Any:
    y = x * 1
    v = y[0]
    y.mul_(2)  # v sees the doubled values, so its gradient must double too
    return v * 1


def _sibling_view(lib: Any, x: Any) -> Any:
    y = x * 1
    a = y[:2]
    b = y[1:]
    a.mul_(3)  # b overlaps a in row 1
    return b * 1


def _view_of_written_view(lib: Any, x: Any) -> Any:
    y = x * 1
    z = y.view(-1)
    z[:2].mul_(3)
    return z * 1


def _write_after_mul_scalar(lib: Any, x: Any) -> Any:
    y = x * 1
    z = y * 2  # the gradient of y needs only the 2, not y
    y.add_(1)
    return z + y


def _write_after_matmul_const(lib: Any, x: Any) -> Any:
    y = x * 1
    z = y @ lib.ones(x.shape[-1], 2, dtype=x.dtype)  # y's gradient needs only the constant
    y.mul_(2)
    return z * y.sum()


CORE: list[OpInfo] = [
    # ----------------------------------------------------------------- arithmetic
    OpInfo("add", lambda lib, x, y: x + y, BINARY, ("AddBackward0",)),
    OpInfo("add_scalar", lambda lib, x: x + 2, UNARY, ("AddBackward0",)),
    OpInfo("radd_scalar", lambda lib, x: 2.5 + x, UNARY, ("AddBackward0",)),
    OpInfo(
        "add_alpha",
        lambda lib, x, y: lib.add(x, y, alpha=2),
        BINARY[:2],
        ("AddBackward0", "MulBackward0"),
    ),
    OpInfo("sub", lambda lib, x, y: x - y, BINARY, ("SubBackward0",)),
    OpInfo("sub_scalar", lambda lib, x: x - 2, UNARY, ("SubBackward0",)),
    OpInfo("sub_alpha", lambda lib, x, y: x.sub(y, alpha=3), BINARY[:2], ("SubBackward0",)),
    OpInfo("rsub_scalar", lambda lib, x: 2 - x, UNARY, ("RsubBackward1",)),
    OpInfo("rsub", lambda lib, x: lib.rsub(x, 1.5), UNARY[:1], ("RsubBackward1",)),
    OpInfo("mul", lambda lib, x, y: x * y, BINARY, ("MulBackward0",)),
    OpInfo("mul_scalar", lambda lib, x: x * 2, UNARY, ("MulBackward0",)),
    OpInfo("rmul_scalar", lambda lib, x: 2 * x, UNARY, ("MulBackward0",)),
    OpInfo("mul_self", lambda lib, x: x * x, UNARY, ("MulBackward0",)),
    OpInfo("div", lambda lib, x, y: x / y, BINARY, ("DivBackward0",), domain=POSITIVE),
    OpInfo("div_scalar", lambda lib, x: x / 2, UNARY, ("DivBackward0",)),
    # torch computes a scalar over a tensor as reciprocal() * scalar: MulBackward0.
    OpInfo(
        "rdiv_scalar",
        lambda lib, x: 2 / x,
        UNARY,
        ("DivBackward0",),
        domain=POSITIVE,
        torch_grad_fn="MulBackward0",
    ),
    OpInfo("neg", lambda lib, x: -x, UNARY, ("NegBackward0",)),
    OpInfo("neg_fn", lambda lib, x: lib.neg(x), UNARY[:1], ("NegBackward0",)),
    # ----------------------------------------------------------------------- pow
    OpInfo("pow_int", lambda lib, x: x**3, UNARY, ("PowBackward0",)),
    OpInfo("pow_float", lambda lib, x: x**2.5, UNARY, ("PowBackward0",), domain=POSITIVE),
    OpInfo("pow_negative", lambda lib, x: x**-1.5, UNARY, ("PowBackward0",), domain=POSITIVE),
    OpInfo("pow_zero", lambda lib, x: x**0, UNARY, ("PowBackward0",)),
    OpInfo("pow_fn", lambda lib, x: lib.pow(x, 2), UNARY, ("PowBackward0",)),
    OpInfo(
        "pow_tensor",
        lambda lib, x, y: x**y,
        BINARY,
        ("PowBackward1",),
        domain=(POSITIVE, (-2.0, 2.0)),
    ),
    OpInfo("rpow_scalar", lambda lib, x: 2**x, UNARY, ("PowBackward2",)),
    OpInfo("rpow_fn", lambda lib, x: lib.pow(0.5, x), UNARY[:1], ("PowBackward2",)),
    # ------------------------------------------------------------------- unary
    OpInfo("exp", lambda lib, x: x.exp(), UNARY, ("ExpBackward0",)),
    OpInfo("log", lambda lib, x: lib.log(x), UNARY, ("LogBackward0",), domain=POSITIVE),
    OpInfo("sin", lambda lib, x: x.sin(), UNARY, ("SinBackward0",)),
    OpInfo("cos", lambda lib, x: lib.cos(x), UNARY, ("CosBackward0",)),
    OpInfo("tanh", lambda lib, x: x.tanh(), UNARY, ("TanhBackward0",)),
    OpInfo("sigmoid", lambda lib, x: lib.sigmoid(x), UNARY, ("SigmoidBackward0",)),
    OpInfo("sqrt", lambda lib, x: x.sqrt(), UNARY, ("SqrtBackward0",), domain=POSITIVE),
    OpInfo("relu", lambda lib, x: lib.relu(x), UNARY, ("ReluBackward0",), kinks=(0.0,)),
    OpInfo("relu_method", lambda lib, x: x.relu(), UNARY[:1], ("ReluBackward0",), kinks=(0.0,)),
    OpInfo("sign", lambda lib, x: lib.sign(x) * x, UNARY, ("SignBackward0",), kinks=(0.0,)),
    OpInfo("abs", lambda lib, x: x.abs(), UNARY, ("AbsBackward0",), kinks=(0.0,)),
    OpInfo("abs_fn", lambda lib, x: abs(x), UNARY[:1], ("AbsBackward0",), kinks=(0.0,)),
    OpInfo(
        "clamp",
        lambda lib, x: lib.clamp(x, -0.5, 0.5),
        UNARY,
        ("ClampBackward1",),
        kinks=(-0.5, 0.5),
    ),
    OpInfo("clamp_min", lambda lib, x: x.clamp(min=0.1), UNARY, ("ClampBackward1",), kinks=(0.1,)),
    OpInfo(
        "clip_max", lambda lib, x: lib.clip(x, max=0.2), UNARY, ("ClampBackward1",), kinks=(0.2,)
    ),
    OpInfo(
        "where",
        lambda lib, x, y: lib.where(x > 0, x, y),
        BINARY,
        ("WhereBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "where_scalar",
        lambda lib, x: lib.where(x > 0, x, 0.5),
        UNARY,
        ("WhereBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "where_scalar_first",
        lambda lib, x: lib.where(x < 0, -1.5, x * x),
        UNARY,
        ("WhereBackward0",),
        kinks=(0.0,),
    ),
    # ---------------------------------------------------------------- reductions
    OpInfo("sum", lambda lib, x: x.sum(), UNARY, ("SumBackward0",)),
    OpInfo("sum_fn", lambda lib, x: lib.sum(x), UNARY[:1], ("SumBackward0",)),
    OpInfo("sum_dim", lambda lib, x: x.sum(0), UNARY, ("SumBackward1",)),
    OpInfo("sum_keepdim", lambda lib, x: x.sum(-1, keepdim=True), UNARY, ("SumBackward1",)),
    OpInfo("sum_dims", lambda lib, x: lib.sum(x, (0, 2)), (((2, 3, 4),),), ("SumBackward1",)),
    OpInfo("mean", lambda lib, x: x.mean(), UNARY, ("MeanBackward0",)),
    OpInfo("mean_dim", lambda lib, x: x.mean(1), UNARY[::2], ("MeanBackward1",)),
    OpInfo(
        "mean_keepdim",
        lambda lib, x: lib.mean(x, (0, -1), keepdim=True),
        UNARY[::2],
        ("MeanBackward1",),
    ),
    # ------------------------------------------------------------------ shapes
    OpInfo("view", lambda lib, x: x.view(4, 3), (((3, 4),),), ("ViewBackward0",)),
    OpInfo("view_infer", lambda lib, x: x.view(-1), UNARY, ("ViewBackward0",)),
    OpInfo("reshape", lambda lib, x: x.reshape(2, 6), (((3, 4),),), ("ViewBackward0",)),
    OpInfo("flatten", lambda lib, x: x.flatten(), UNARY, ("ViewBackward0",)),
    OpInfo(
        "reshape_noncontiguous",
        lambda lib, x: x.t().reshape(-1),
        (((3, 4),),),
        ("TBackward0", "UnsafeViewBackward0"),
    ),
    OpInfo(
        "reshape_sliced",
        lambda lib, x: x[:, 1:].reshape(-1),
        (((3, 4),),),
        ("SliceBackward0", "UnsafeViewBackward0"),
    ),
    # Evenly strided, so both libraries return a view; torch names it ReshapeAliasBackward0.
    OpInfo(
        "reshape_strided_view",
        lambda lib, x: x[:, ::2].reshape(2, 3),
        (((3, 4),),),
        ("UnsafeViewBackward0",),
        torch_grad_fn="ReshapeAliasBackward0",
    ),
    OpInfo(
        "transpose", lambda lib, x: x.transpose(0, 2), (((2, 3, 4),),), ("TransposeBackward0",)
    ),
    OpInfo("mT", lambda lib, x: x.mT, (((2, 3, 4),),), ("TransposeBackward0",)),
    OpInfo("t", lambda lib, x: x.t(), (((3, 4),), ((3,),)), ("TBackward0",)),
    OpInfo("permute", lambda lib, x: x.permute(2, 0, 1), (((2, 3, 4),),), ("PermuteBackward0",)),
    OpInfo("T", lambda lib, x: x.T, (((3, 4),),), ("PermuteBackward0",)),
    OpInfo("unsqueeze", lambda lib, x: x.unsqueeze(0), UNARY, ("UnsqueezeBackward0",)),
    OpInfo("unsqueeze_last", lambda lib, x: x.unsqueeze(-1), UNARY, ("UnsqueezeBackward0",)),
    OpInfo(
        "squeeze",
        lambda lib, x: x.squeeze(),
        (((3, 1, 4),), ((1, 1),), ((3, 4),)),
        ("SqueezeBackward0",),
    ),
    OpInfo("squeeze_dim", lambda lib, x: x.squeeze(1), (((3, 1, 4),),), ("SqueezeBackward1",)),
    OpInfo(
        "squeeze_dim_noop", lambda lib, x: x.squeeze(0), (((3, 1, 4),),), ("SqueezeBackward1",)
    ),
    # torch records a squeeze over a tuple of dims as SqueezeBackward2.
    OpInfo(
        "squeeze_dims",
        lambda lib, x: x.squeeze((0, 2)),
        (((1, 3, 1),),),
        ("SqueezeBackward1",),
        torch_grad_fn="SqueezeBackward2",
    ),
    OpInfo("expand", lambda lib, x: x.expand(2, 3, 4), (((3, 1),), ((),)), ("ExpandBackward0",)),
    OpInfo("expand_keep", lambda lib, x: x.expand(-1, 4), (((3, 1),),), ("ExpandBackward0",)),
    OpInfo(
        "expand_as", lambda lib, x, y: x.expand_as(y) * y, (((4,), (3, 4)),), ("ExpandBackward0",)
    ),
    OpInfo("clone", lambda lib, x: x.clone(), UNARY, ("CloneBackward0",)),
    OpInfo("contiguous", lambda lib, x: x.t().contiguous(), (((3, 4),),), ("CloneBackward0",)),
    # A float32 round trip: finite differences need a larger step and tolerances.
    OpInfo(
        "to_dtype",
        lambda lib, x: x.to(lib.float32).to(lib.float64) * 2,
        UNARY,
        ("ToCopyBackward0",),
        smooth=False,
        gradcheck_kw={"eps": 1e-3, "atol": 1e-3, "rtol": 1e-2},
    ),
    OpInfo("double", lambda lib, x: x.double() * x, UNARY[:1], ("MulBackward0",)),
    # A 0-d float64 does not promote a float32 tensor; each gradient takes its input's dtype.
    OpInfo(
        "promote_0d",
        lambda lib, x, y: x.double() * y.float(),
        (((), (3,)),),
        ("MulBackward0", "ToCopyBackward0"),
        smooth=False,
        gradcheck_kw={"eps": 1e-3, "atol": 1e-3, "rtol": 1e-2},
    ),
    # An integer copy carries no gradient; the product promotes back to float.
    OpInfo(
        "to_long", lambda lib, x: x * x.long(), UNARY[:1], ("MulBackward0",), domain=(1.1, 1.9)
    ),
    # ---------------------------------------------------------------- getitem
    # Backward of every index is IndexPutBackward0 (a scatter): reached in double backward.
    OpInfo(
        "index_int",
        lambda lib, x: x[0],
        (((3, 4),), ((3,),)),
        ("SelectBackward0", "IndexPutBackward0"),
    ),
    OpInfo("index_negative", lambda lib, x: x[-1, -2], (((3, 4),),), ("SelectBackward0",)),
    OpInfo("index_chain", lambda lib, x: x[1][2] * x[0], (((3, 4),),), ("SelectBackward0",)),
    OpInfo("index_ellipsis_int", lambda lib, x: x[..., 1], (((2, 3, 4),),), ("SelectBackward0",)),
    OpInfo(
        "index_slices",
        lambda lib, x: x[1:, ::2],
        (((3, 4),),),
        ("SliceBackward0", "IndexPutBackward0"),
    ),
    OpInfo("index_slice_neg", lambda lib, x: x[-2:, 1:-1], (((3, 4),),), ("SliceBackward0",)),
    OpInfo("index_none_slice", lambda lib, x: x[:, None, 1:], (((3, 4),),), ("SliceBackward0",)),
    # torch names x[None] after unsqueeze (UnsqueezeBackward0); ndgrad's node names are
    # unique, and UnsqueezeBackward0 is taken by Tensor.unsqueeze.
    OpInfo(
        "index_none",
        lambda lib, x: x[None],
        UNARY[:2],
        ("UnsqueezeBackward1",),
        torch_grad_fn="UnsqueezeBackward0",
    ),
    # torch records x[...] as an alias of x (AliasBackward0).
    OpInfo(
        "index_ellipsis",
        lambda lib, x: x[...],
        UNARY[:2],
        ("SliceBackward0",),
        torch_grad_fn="AliasBackward0",
    ),
    OpInfo(
        "index_list",
        lambda lib, x: x[[0, 2, 0]],
        (((3, 4),),),
        ("IndexBackward0", "IndexPutBackward0"),
    ),
    OpInfo(
        "index_tensor",
        lambda lib, x: x[lib.tensor([[0, 1], [2, 2]])],
        (((3, 4),), ((3,),)),
        ("IndexBackward0",),
    ),
    OpInfo("index_list_slice", lambda lib, x: x[[1, 0], 1:], (((3, 4),),), ("IndexBackward0",)),
    OpInfo(
        "index_repeated_cols",
        lambda lib, x: x[:, [1, 1, 3]],
        (((3, 4),),),
        ("IndexBackward0",),
    ),
    OpInfo(
        "index_two_lists",
        lambda lib, x: x[[0, 2, 2], [1, 3, 3]],
        (((3, 4),),),
        ("IndexBackward0",),
    ),
    OpInfo(
        "index_mask",
        lambda lib, x: x[x > 0],
        (((3, 4),),),
        ("IndexBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "index_bool_tensor",
        lambda lib, x: x[lib.tensor([True, False, True])],
        (((3, 4),),),
        ("IndexBackward0",),
    ),
    # ---------------------------------------------------------------- setitem
    # torch names a tensor written through an index CopySlices in its C++ namespace, and
    # records an advanced-index write as IndexPutBackward0.
    OpInfo(
        "setitem_select",
        _set_select,
        (((3,),),),
        ("CopySlices", "AsStridedBackward0"),
        torch_grad_fn="torch::autograd::CopySlices",
    ),
    OpInfo(
        "setitem_slice",
        _set_slice,
        (((3, 4), (2, 2)), ((3, 4), (2,)), ((3, 4), ())),
        ("CopySlices", "CopySlicesMaskBackward0"),
        torch_grad_fn="torch::autograd::CopySlices",
    ),
    OpInfo(
        "setitem_scalar",
        _set_scalar,
        (((3, 4),),),
        ("CopySlices",),
    ),
    OpInfo(
        "setitem_index",
        _set_index,
        (((3, 4), (4,)), ((3, 4), (2, 4))),
        ("CopySlices",),
        torch_grad_fn="IndexPutBackward0",
    ),
    OpInfo(
        "setitem_mask",
        _set_mask,
        (((3, 4),),),
        ("CopySlices",),
        kinks=(0.0,),
        torch_grad_fn="IndexPutBackward0",
    ),
    # ---------------------------------------------------------------- in-place
    OpInfo(
        "inplace_select",
        _inplace_select,
        (((3, 4),),),
        ("CopySlices", "SelectBackward0"),
        torch_grad_fn="torch::autograd::CopySlices",
    ),
    OpInfo("inplace_add", _inplace_add, UNARY, ("AddBackward0",)),
    OpInfo("inplace_mul", _inplace_mul, BINARY[:2], ("CosBackward0", "MulBackward0")),
    OpInfo(
        "inplace_chain",
        _inplace_chain,
        UNARY,
        ("SubBackward0", "DivBackward0", "PowBackward0", "NegBackward0", "ExpBackward0"),
        domain=(-1.0, 1.0),
    ),
    OpInfo(
        "inplace_unary",
        _inplace_unary,
        UNARY,
        ("TanhBackward0", "SigmoidBackward0", "ClampBackward1", "ReluBackward0"),
        kinks=(-0.5, 0.0, 0.5),
    ),
    # Reading a view after an in-place write through it: the view's history is rebuilt
    # from its base (AsStridedBackward0, as in torch).
    OpInfo(
        "inplace_view_read",
        _inplace_view_read,
        (((3, 4),),),
        ("CopySlices", "AsStridedBackward0"),
    ),
    OpInfo(
        "inplace_transposed",
        _inplace_transposed,
        (((3, 4), (4, 3)),),
        ("CopySlices", "TBackward0", "AsStridedBackward0"),
        torch_grad_fn="torch::autograd::CopySlices",
    ),
    OpInfo(
        "fill_copy",
        _fill_copy,
        (((3, 4), (4,)), ((3, 4), ())),
        ("CopySlices",),
    ),
    # Views that exist when their base is written through another path: torch rebuilds
    # their history from the base on next use. (They test semantics, not node coverage.)
    OpInfo("inplace_base_then_view", _stale_view, (((2, 3),),), ("MulBackward0",)),
    OpInfo("inplace_sibling_view", _sibling_view, (((3, 2),),), ("MulBackward0",)),
    OpInfo("inplace_view_of_view", _view_of_written_view, (((2, 3),),), ("MulBackward0",)),
    # Writing a tensor that an earlier op read but whose value its gradient does not need.
    OpInfo("inplace_after_mul_scalar", _write_after_mul_scalar, UNARY[:1], ("MulBackward0",)),
    OpInfo(
        "inplace_after_matmul_const", _write_after_matmul_const, (((2, 3),),), ("MmBackward0",)
    ),
    # ------------------------------------------------------------------ matmul
    OpInfo("matmul_1d_1d", lambda lib, x, y: x @ y, (((3,), (3,)),), ("DotBackward0",)),
    OpInfo("matmul_2d_1d", lambda lib, x, y: x @ y, (((2, 3), (3,)),), ("MvBackward0",)),
    OpInfo("matmul_2d_2d", lambda lib, x, y: x @ y, (((2, 3), (3, 4)),), ("MmBackward0",)),
    OpInfo("mm", lambda lib, x, y: lib.mm(x, y), (((2, 3), (3, 4)),), ("MmBackward0",)),
    OpInfo("matmul_fn", lambda lib, x, y: x.matmul(y), (((3,), (3,)),), ("DotBackward0",)),
    # torch composes these from mm/bmm and views, so its last node differs; ndgrad
    # records one MatmulBackward0.
    OpInfo(
        "matmul_1d_2d",
        lambda lib, x, y: x @ y,
        (((3,), (3, 2)),),
        ("MatmulBackward0",),
        torch_grad_fn="SqueezeBackward4",
    ),
    OpInfo(
        "matmul_batched",
        lambda lib, x, y: x @ y,
        (((2, 2, 3), (2, 3, 2)), ((2, 2, 3), (3, 2)), ((2, 2, 3), (3,))),
        ("MatmulBackward0",),
        torch_grad_fn="UnsafeViewBackward0",
    ),
    OpInfo(
        "matmul_broadcast",
        lambda lib, x, y: lib.matmul(x, y),
        (((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 2))),
        ("MatmulBackward0",),
        torch_grad_fn="UnsafeViewBackward0",
    ),
    OpInfo(
        "matmul_2d_3d",
        lambda lib, x, y: x @ y,
        (((1, 3), (2, 3, 2)),),
        ("MatmulBackward0",),
        torch_grad_fn="TransposeBackward0",
    ),
    # ---------------------------------------------------------------- composites
    OpInfo(
        "softmax",
        lambda lib, x: x.exp() / x.exp().sum(-1, keepdim=True),
        UNARY[::2],
        ("ExpBackward0", "SumBackward1", "DivBackward0"),
    ),
    OpInfo(
        "mlp",
        lambda lib, x, w: (x @ w).tanh().mean(0),
        (((4, 3), (3, 2)),),
        ("MmBackward0", "TanhBackward0", "MeanBackward1"),
    ),
]

OPS: list[OpInfo] = (
    CORE
    + op_db_elementwise.OPS
    + op_db_reduction.OPS
    + op_db_shape.OPS
    + op_db_indexing.OPS
    + op_db_linalg.OPS
)
BY_NAME = {info.name: info for info in OPS}
assert len(BY_NAME) == len(OPS), "op_db names must be unique"
