"""Op table entries for the reduction family (see op_db.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from op_info import UNARY, OpInfo

MAT = (((3, 4),), ((2, 1, 3),))
WIDE = (((3, 4),), ((2, 3, 2),))  # no reduced dim of size 1: var needs two or more
ROWS_ONE_ZERO = (((2,),), ((3, 2),))  # on kinks, every other element is 0: one per row
# Row 0 gets one zero, row 1 none, row 2 two: every branch of the product rules.
ZERO_MASK = np.array([[1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
INF = float("inf")


def _masked(lib: Any, x: Any) -> Any:
    return x * lib.tensor(ZERO_MASK, dtype=x.dtype)


def _vector_norm(lib: Any) -> Any:
    if lib.__name__ == "torch":
        return lib.linalg.vector_norm
    from ndgrad.ops.reduction import vector_norm

    return vector_norm


def _var_mean(lib: Any, x: Any) -> Any:
    v, mu = lib.var_mean(x, 1)
    return v * mu


def _std_mean(lib: Any, x: Any) -> Any:
    s, mu = lib.std_mean(x, (0, -1), keepdim=True, correction=0)
    return s + mu


OPS: list[OpInfo] = [
    # ---------------------------------------------------------------- sum, mean
    OpInfo("sum_empty_dims", lambda lib, x: x.sum(()), MAT, ("SumBackward1",)),
    OpInfo("sum_none_keepdim", lambda lib, x: lib.sum(x, None, True), MAT, ("SumBackward1",)),
    OpInfo("mean_empty_dims", lambda lib, x: x.mean([]), MAT, ("MeanBackward1",)),
    OpInfo("nansum", lambda lib, x: x.nansum(1), MAT, ("NansumBackward0",)),
    OpInfo("nansum_all", lambda lib, x: lib.nansum(x), ((((3, 4),),)), ("NansumBackward0",)),
    OpInfo(
        "nanmean",
        lambda lib, x: x.nanmean(-1, keepdim=True),
        MAT,
        ("NansumBackward0", "DivBackward0"),
    ),
    # --------------------------------------------------------------------- prod
    OpInfo("prod", lambda lib, x: x.prod(), MAT + ROWS_ONE_ZERO, ("ProdBackward0",), kinks=(0.0,)),
    OpInfo(
        "prod_dim",
        lambda lib, x: x.prod(-1),
        MAT + ROWS_ONE_ZERO,
        ("ProdBackward1",),
        kinks=(0.0,),
    ),
    OpInfo("prod_keepdim", lambda lib, x: lib.prod(x, 0, keepdim=True), MAT, ("ProdBackward1",)),
    OpInfo(
        "prod_masked_zeros",
        lambda lib, x: _masked(lib, x).prod(1),
        (((3, 4),),),
        ("ProdBackward1", "MulBackward0", "WhereBackward0", "SumBackward1"),
    ),
    OpInfo(
        "prod_masked_zeros_all",
        lambda lib, x: _masked(lib, x)[0].prod(),
        (((3, 4),),),
        ("ProdBackward0", "ProdBackward1"),
    ),
    # ------------------------------------------------------------------ max, min
    OpInfo("max", lambda lib, x: x.max(), MAT, ("MaxBackward1",)),
    OpInfo("min", lambda lib, x: lib.min(x), MAT, ("MinBackward1",)),
    OpInfo(
        "max_dim",
        lambda lib, x: x.max(1).values,
        MAT,
        ("MaxBackward0", "ValueSelectingReductionBackward0"),
    ),
    OpInfo("max_dim_keepdim", lambda lib, x: lib.max(x, -1, True)[0], MAT, ("MaxBackward0",)),
    OpInfo("min_dim", lambda lib, x: x.min(dim=0).values, MAT, ("MinBackward0",)),
    OpInfo("amax", lambda lib, x: x.amax(1), MAT, ("AmaxBackward0",)),
    OpInfo("amax_all", lambda lib, x: lib.amax(x), MAT, ("AmaxBackward0",)),
    OpInfo("amin", lambda lib, x: lib.amin(x, (0, -1), keepdim=True), MAT, ("AminBackward0",)),
    # ------------------------------------------------------------ median, mode
    OpInfo("median", lambda lib, x: x.median(), MAT, ("MedianBackward0",)),
    OpInfo("median_dim", lambda lib, x: lib.median(x, 1).values, MAT, ("MedianBackward1",)),
    OpInfo("mode", lambda lib, x: x.mode(1, keepdim=True).values, MAT, ("ModeBackward0",)),
    # ------------------------------------------------------------------ var, std
    OpInfo("var", lambda lib, x: x.var(), WIDE, ("VarBackward0", "MeanBackward1")),
    OpInfo("var_dim", lambda lib, x: lib.var(x, 1, keepdim=True), WIDE, ("VarBackward0",)),
    OpInfo("var_biased", lambda lib, x: x.var(0, False), WIDE, ("VarBackward0",)),
    OpInfo("std", lambda lib, x: x.std(), WIDE, ("StdBackward0",)),
    OpInfo(
        "std_correction",
        lambda lib, x: x.std(-1, correction=2),
        (((3, 4),), ((2, 3, 5),)),
        ("StdBackward0",),
    ),
    OpInfo("var_mean", _var_mean, WIDE, ("VarBackward0", "MeanBackward1")),
    OpInfo("std_mean", _std_mean, WIDE, ("StdBackward0", "MeanBackward1")),
    # One node per output here: torch records the pair as one VarMeanBackward0 node.
    OpInfo(
        "var_mean_first",
        lambda lib, x: lib.var_mean(x)[0],
        WIDE,
        ("VarBackward0",),
        torch_grad_fn="VarMeanBackward0",
    ),
    # ---------------------------------------------------------------- logsumexp
    OpInfo("logsumexp", lambda lib, x: x.logsumexp(1), MAT, ("LogsumexpBackward0",)),
    OpInfo(
        "logsumexp_dims",
        lambda lib, x: lib.logsumexp(x, (0, -1), keepdim=True),
        MAT,
        ("LogsumexpBackward0",),
    ),
    # ---------------------------------------------------------- softmax family, nll
    OpInfo(
        "softmax_op", lambda lib, x: lib.nn.functional.softmax(x, -1), UNARY, ("SoftmaxBackward0",)
    ),
    OpInfo(
        "log_softmax",
        lambda lib, x: lib.nn.functional.log_softmax(x, 0),
        UNARY,
        ("LogSoftmaxBackward0",),
    ),
    OpInfo(
        "nll_loss",
        lambda lib, x: lib.nn.functional.nll_loss(x, lib.tensor([1, -100, 3])),
        (((3, 4),),),
        ("NllLossBackward0",),
    ),
    OpInfo(
        "cross_entropy_weighted_sum",
        lambda lib, x: lib.nn.functional.cross_entropy(
            x,
            lib.tensor([[0, 2], [1, 1]]),
            weight=lib.tensor([0.5, 2.0, 1.0], dtype=x.dtype),
            reduction="sum",
        ),
        (((2, 3, 2),),),
        ("NllLossBackward0", "LogSoftmaxBackward0"),
        torch_grad_fn="NllLoss2DBackward0",
    ),
    OpInfo(
        "cross_entropy_none",
        lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor([2, 0]), reduction="none"),
        (((2, 3),),),
        ("NllLossBackward0", "LogSoftmaxBackward0"),
    ),
    # -------------------------------------------------------------------- scans
    OpInfo("cumsum", lambda lib, x: x.cumsum(1), MAT, ("CumsumBackward0",)),
    OpInfo("cumsum_0d", lambda lib, x: lib.cumsum(x, dim=0), (((),),), ("CumsumBackward0",)),
    OpInfo(
        "cumprod",
        lambda lib, x: x.cumprod(-1),
        MAT + ROWS_ONE_ZERO,
        ("CumprodBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "cumprod_masked_zeros",
        lambda lib, x: _masked(lib, x).cumprod(1),
        (((3, 4),),),
        ("CumprodBackward0", "ProdBackward1", "CumsumBackward0", "WhereBackward0"),
    ),
    OpInfo("cummax", lambda lib, x: x.cummax(1).values, MAT, ("CummaxBackward0",)),
    OpInfo("cummin", lambda lib, x: lib.cummin(x, 0)[0], MAT, ("CumminBackward0",)),
    OpInfo("logcumsumexp", lambda lib, x: x.logcumsumexp(1), MAT, ("LogcumsumexpBackward0",)),
    OpInfo(
        "logcumsumexp_wide",
        lambda lib, x: lib.logcumsumexp(x * 300, 0),
        (((4, 3),),),
        ("LogcumsumexpBackward0",),
        smooth=False,  # its second derivatives are rounding noise next to their scale
    ),
    OpInfo(
        "logcumsumexp_0d",
        lambda lib, x: lib.logcumsumexp(x, -1),
        (((),),),
        ("LogcumsumexpBackward0",),
    ),
    # --------------------------------------------------------------------- norms
    OpInfo("norm", lambda lib, x: x.norm(), MAT, ("LinalgVectorNormBackward0",), kinks=(0.0,)),
    OpInfo("norm_dim", lambda lib, x: lib.norm(x, dim=1), MAT, ("LinalgVectorNormBackward0",)),
    OpInfo(
        "norm_1",
        lambda lib, x: x.norm(1, dim=0, keepdim=True),
        MAT,
        ("LinalgVectorNormBackward0", "SignBackward0"),
        kinks=(0.0,),
    ),
    OpInfo("norm_3", lambda lib, x: x.norm(3), MAT, ("LinalgVectorNormBackward0",), kinks=(0.0,)),
    OpInfo(
        "norm_nuc_torch", lambda lib, x: lib.norm(x, p="nuc"), MAT[:1], ("LinalgSvdBackward0",)
    ),
    OpInfo(
        "norm_half",
        lambda lib, x: x.norm(0.5, dim=-1),
        MAT,
        ("LinalgVectorNormBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "norm_1_5",
        lambda lib, x: x.norm(1.5),
        MAT,
        ("LinalgVectorNormBackward0",),
        kinks=(0.0,),
    ),
    OpInfo(
        "norm_inf",
        lambda lib, x: x.norm(INF, dim=1),
        MAT,
        ("LinalgVectorNormBackward0",),
        kinks=(0.0,),
    ),
    OpInfo("norm_neg_inf", lambda lib, x: x.norm(-INF), MAT, ("LinalgVectorNormBackward0",)),
    OpInfo("norm_0", lambda lib, x: x.norm(0, dim=1), MAT, ("LinalgVectorNormBackward0",)),
    OpInfo(
        "vector_norm",
        lambda lib, x: _vector_norm(lib)(x, 2, dim=(0, -1), keepdim=True),
        MAT,
        ("LinalgVectorNormBackward0",),
    ),
]
