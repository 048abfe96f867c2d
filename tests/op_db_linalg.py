"""Op table entries for the linalg family (see op_db.py)."""

from __future__ import annotations

from typing import Any

from op_info import OpInfo

Q = ("LinalgQrBackward0",)


def _spd(lib: Any, x: Any) -> Any:
    """A well-conditioned symmetric positive-definite matrix built from x."""
    n = x.shape[-1]
    return x @ x.mT + n * lib.eye(n, dtype=x.dtype)


def _sym(x: Any) -> Any:
    return x + x.mT


def _gauge(v: Any) -> Any:
    """Singular and eigen vectors are defined up to sign (LAPACK builds differ): compare
    quantities that do not depend on it, and keep the derivatives in them."""
    return v * v * (1 + v.sum(-2, keepdim=True) ** 2)


def _chol_legacy(lib: Any, x: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.cholesky(_spd(lib, x), upper=True)


def _chain(lib: Any, x: Any, y: Any, z: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.chain_matmul(x, y, z)


def _slogdet(lib: Any, x: Any) -> Any:
    sign, logabs = lib.linalg.slogdet(x)
    return sign * logabs


SQUARE = (((3, 3),), ((2, 3, 3),))
ADD_ALPHA = {"beta": 0.5, "alpha": 2}

OPS: list[OpInfo] = [
    # ----------------------------------------------------------------- products
    # cdist is composed here (differences, then a vector norm); torch has one CdistBackward0,
    # without a double backward, so the second-order comparison cannot run (smooth=False).
    OpInfo(
        "cdist",
        lambda lib, x, y: lib.cdist(x, y),
        (((3, 2), (4, 2)), ((2, 3, 2), (2, 4, 2))),
        ("LinalgVectorNormBackward0", "SubBackward0"),
        smooth=False,
        torch_grad_fn="CdistBackward0",
    ),
    OpInfo(
        "cdist_p1",
        lambda lib, x, y: lib.cdist(x, y, p=1.0),
        (((3, 2), (4, 2)),),
        ("LinalgVectorNormBackward0", "SubBackward0"),
        smooth=False,
        torch_grad_fn="CdistBackward0",
    ),
    OpInfo("bmm", lambda lib, x, y: lib.bmm(x, y), (((2, 3, 4), (2, 4, 2)),), ("BmmBackward0",)),
    OpInfo("bmm_method", lambda lib, x, y: x.bmm(y), (((1, 2, 3), (1, 3, 2)),), ("BmmBackward0",)),
    OpInfo("mv", lambda lib, x, y: lib.mv(x, y), (((3, 4), (4,)),), ("MvBackward0",)),
    OpInfo("dot", lambda lib, x, y: lib.dot(x, y), (((3,), (3,)),), ("DotBackward0",)),
    OpInfo("vdot", lambda lib, x, y: x.vdot(y), (((3,), (3,)),), ("VdotBackward0",)),
    OpInfo("outer", lambda lib, x, y: lib.outer(x, y), (((3,), (4,)),), ("MulBackward0",)),
    OpInfo("ger", lambda lib, x, y: x.ger(y), (((2,), (3,)),), ("MulBackward0",)),
    OpInfo(
        "inner",
        lambda lib, x, y: lib.inner(x, y),
        (((2, 3), (4, 3)), ((3,), (3,)), ((2, 1, 3), (3,))),
        ("MmBackward0",),
    ),
    OpInfo(
        "tensordot",
        lambda lib, x, y: lib.tensordot(x, y),
        (((2, 3, 4), (3, 4, 2)),),
        ("MmBackward0", "ViewBackward0"),
    ),
    OpInfo(
        "tensordot_lists",
        lambda lib, x, y: lib.tensordot(x, y, dims=([0, 2], [2, 0])),
        (((4, 3, 2), (2, 3, 4)),),
        ("MmBackward0", "PermuteBackward0"),
    ),
    OpInfo(
        "tensordot_0",
        lambda lib, x, y: lib.tensordot(x, y, dims=0),
        (((2, 3), (3,)),),
        ("MmBackward0",),
    ),
    # torch lowers einsum to permutes, views and bmm; ndgrad records one node.
    OpInfo(
        "einsum_mm",
        lambda lib, x, y: lib.einsum("ij,jk->ik", x, y),
        (((2, 3), (3, 4)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_batched_list",
        lambda lib, x, y: lib.einsum("bij,bjk", [x, y]),
        (((2, 2, 3), (2, 3, 4)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_trace",
        lambda lib, x: lib.einsum("ii", x),
        (((3, 3),),),
        ("EinsumBackward0",),
        torch_grad_fn="SumBackward1",
    ),
    OpInfo(
        "einsum_diagonal",
        lambda lib, x: lib.einsum("ii->i", x),
        (((3, 3),),),
        ("EinsumBackward0",),
        torch_grad_fn="PermuteBackward0",
    ),
    OpInfo(
        "einsum_repeated_two",
        lambda lib, x, y: lib.einsum("iij,jk->ik", x, y),
        (((3, 3, 2), (2, 4)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_sum_free",
        lambda lib, x, y: lib.einsum("ij,k->i", x, y),
        (((2, 3), (4,)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_ellipsis",
        lambda lib, x, y: lib.einsum("...ij,...jk->...ik", x, y),
        (((2, 1, 2, 3), (4, 3, 2)), ((2, 3), (3, 2))),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_ellipsis_implicit",
        lambda lib, x, y: lib.einsum("i...,i", x, y),
        (((2, 3, 4), (2,)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_three",
        lambda lib, x, y, z: lib.einsum("ij,jk,kl->li", x, y, z),
        (((2, 3), (3, 4), (4, 2)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_sublist",
        lambda lib, x, y: lib.einsum(x, [0, 1], y, [1], [0]),
        (((2, 3), (3,)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_broadcast_letter",
        lambda lib, x, y: lib.einsum("ij,ij->i", x, y),
        (((2, 1), (2, 3)),),
        ("EinsumBackward0",),
        torch_grad_fn="ViewBackward0",
    ),
    OpInfo(
        "kron",
        lambda lib, x, y: lib.kron(x, y),
        (((2, 3), (3, 2)), ((2,), (2, 3))),
        ("UnsafeViewBackward0", "MulBackward0"),
    ),
    OpInfo(
        "linalg_cross",
        lambda lib, x, y: lib.linalg.cross(x, y),
        (((4, 3), (4, 3)), ((4, 3), (1, 3))),
        ("LinalgCrossBackward0",),
    ),
    OpInfo(
        "cross_dim",
        lambda lib, x, y: lib.cross(x, y, dim=0),
        (((3, 2), (3, 2)),),
        ("LinalgCrossBackward0",),
    ),
    OpInfo(
        "addmm",
        lambda lib, c, x, y: lib.addmm(c, x, y),
        (((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4))),
        ("AddmmBackward0",),
    ),
    OpInfo(
        "addmm_scaled",
        lambda lib, c, x, y: c.addmm(x, y, **ADD_ALPHA),
        (((2, 4), (2, 3), (3, 4)),),
        ("AddmmBackward0",),
    ),
    OpInfo(
        "addmm_beta0",
        lambda lib, c, x, y: lib.addmm(c, x, y, beta=0),
        (((2, 4), (2, 3), (3, 4)),),
        ("AddmmBackward0",),
    ),
    OpInfo(
        "addmv",
        lambda lib, c, x, y: lib.addmv(c, x, y, **ADD_ALPHA),
        (((2,), (2, 3), (3,)), ((), (2, 3), (3,))),
        ("AddmvBackward0",),
    ),
    OpInfo(
        "addr",
        lambda lib, c, x, y: lib.addr(c, x, y, **ADD_ALPHA),
        (((2, 3), (2,), (3,)), ((3,), (2,), (3,))),
        ("AddrBackward0",),
    ),
    OpInfo(
        "baddbmm",
        lambda lib, c, x, y: lib.baddbmm(c, x, y, **ADD_ALPHA),
        (((2, 2, 4), (2, 2, 3), (2, 3, 4)), ((4,), (2, 2, 3), (2, 3, 4))),
        ("BaddbmmBackward0",),
    ),
    OpInfo(
        "matrix_power",
        lambda lib, x: lib.matrix_power(x, 3),
        (((3, 3),),),
        ("MmBackward0",),
        domain=(-1.0, 1.0),
    ),
    OpInfo(
        "matrix_power_negative",
        lambda lib, x: lib.linalg.matrix_power(x + 3 * lib.eye(3, dtype=x.dtype), -2),
        (((3, 3),),),
        ("MmBackward0", "LinalgInvExBackward0"),
    ),
    OpInfo("matrix_power_1", lambda lib, x: x.matrix_power(1), (((3, 3),),), ("CloneBackward0",)),
    # torch lowers a batched matmul to bmm between views.
    OpInfo(
        "matrix_power_batched",
        lambda lib, x: lib.matrix_power(x, 2),
        (((2, 3, 3),),),
        ("MatmulBackward0",),
        torch_grad_fn="UnsafeViewBackward0",
    ),
    OpInfo("chain_matmul", _chain, (((2, 3), (3, 4), (4, 2)),), ("MmBackward0", "ViewBackward0")),
    OpInfo(
        "multi_dot",
        lambda lib, x, y, z, w: lib.linalg.multi_dot([x, y, z, w]),
        (((3,), (3, 4), (4, 2), (2,)), ((1, 3), (3, 4), (4, 5), (5, 2))),
        ("MmBackward0", "UnsqueezeBackward0"),
    ),
    # ----------------------------------------------------------- decompositions
    OpInfo("inv", lambda lib, x: lib.linalg.inv(x), SQUARE, ("LinalgInvExBackward0",)),
    OpInfo("inverse", lambda lib, x: x.inverse(), SQUARE[:1], ("LinalgInvExBackward0",)),
    OpInfo("det", lambda lib, x: lib.linalg.det(x), SQUARE, ("LinalgDetBackward0",)),
    OpInfo("det_method", lambda lib, x: x.det(), SQUARE[:1], ("LinalgDetBackward0",)),
    OpInfo("slogdet", _slogdet, SQUARE, ("LinalgSlogdetBackward0", "LinalgInvExBackward0")),
    OpInfo(
        "slogdet_logabsdet",
        lambda lib, x: lib.slogdet(x)[1],
        SQUARE,
        ("LinalgSlogdetBackward0",),
    ),
    OpInfo(
        "logdet",
        lambda lib, x: lib.logdet(_spd(lib, x)),
        SQUARE,
        ("WhereBackward0", "LinalgSlogdetBackward0"),
    ),
    OpInfo(
        "solve",
        lambda lib, a, b: lib.linalg.solve(a + 3 * lib.eye(3, dtype=a.dtype), b),
        (((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 2))),
        ("LinalgSolveExBackward0",),
    ),
    OpInfo(
        "solve_right",
        lambda lib, a, b: lib.linalg.solve(a + 3 * lib.eye(3, dtype=a.dtype), b, left=False),
        (((3, 3), (2, 3)),),
        ("LinalgSolveExBackward0",),
    ),
    OpInfo(
        "cholesky",
        lambda lib, x: lib.linalg.cholesky(_spd(lib, x)),
        SQUARE,
        ("LinalgCholeskyExBackward0", "LinalgInvExBackward0"),
    ),
    OpInfo(
        "cholesky_upper",
        lambda lib, x: lib.linalg.cholesky(_spd(lib, x), upper=True),
        SQUARE[:1],
        ("LinalgCholeskyExBackward0",),
    ),
    OpInfo("cholesky_legacy", _chol_legacy, SQUARE[:1], ("CholeskyBackward0",)),
    OpInfo(
        "qr_Q",
        lambda lib, x: lib.linalg.qr(x)[0],
        (((4, 3),), ((3, 3),), ((3, 4),), ((2, 4, 3),)),
        Q + ("LinalgSolveExBackward0",),
    ),
    OpInfo(
        "qr_R",
        lambda lib, x: lib.linalg.qr(x).R,
        (((4, 3),), ((3, 4),), ((2, 3, 3),)),
        Q,
    ),
    OpInfo(
        "qr_complete",
        lambda lib, x: lib.linalg.qr(x, mode="complete")[0],
        (((3, 4),),),
        Q,
    ),
    OpInfo(
        "eigh_values",
        lambda lib, x: lib.linalg.eigh(_sym(x))[0],
        SQUARE,
        ("LinalgEighBackward0",),
    ),
    OpInfo(
        "eigh_vectors",
        lambda lib, x: _gauge(lib.linalg.eigh(_sym(x), UPLO="U").eigenvectors),
        SQUARE,
        ("LinalgEighBackward0",),
    ),
    OpInfo(
        "eigvalsh",
        lambda lib, x: lib.linalg.eigvalsh(_sym(x)),
        SQUARE[:1],
        ("LinalgEighBackward0",),
    ),
    OpInfo(
        "svd_U",
        lambda lib, x: _gauge(lib.linalg.svd(x, full_matrices=False)[0]),
        (((4, 3),), ((3, 4),), ((2, 3, 3),)),
        ("LinalgSvdBackward0",),
    ),
    OpInfo(
        "svd_S",
        lambda lib, x: lib.linalg.svd(x)[1],
        (((4, 3),), ((3, 4),)),
        ("LinalgSvdBackward0",),
    ),
    OpInfo(
        "svd_Vh",
        lambda lib, x: _gauge(lib.linalg.svd(x, full_matrices=False).Vh.mT),
        (((4, 3),), ((3, 4),), ((2, 3, 3),)),
        ("LinalgSvdBackward0",),
    ),
    # With full matrices the columns past min(m, n) get no gradient: use the first k.
    OpInfo(
        "svd_full",
        lambda lib, x: (
            _gauge(lib.linalg.svd(x)[0][..., :3]).sum(0)
            + _gauge(lib.linalg.svd(x)[2][..., :3, :].mT)
        ),
        (((4, 3),), ((3, 4),)),
        ("LinalgSvdBackward0",),
    ),
    OpInfo(
        "svd_legacy",
        lambda lib, x: _gauge(lib.svd(x)[2]),
        (((4, 3),),),
        ("LinalgSvdBackward0", "TransposeBackward0"),
    ),
    OpInfo("svdvals", lambda lib, x: lib.linalg.svdvals(x), (((4, 3),),), ("LinalgSvdBackward0",)),
    OpInfo(
        "pinv",
        lambda lib, x: lib.linalg.pinv(x),
        (((4, 3),), ((3, 4),), ((2, 3, 3),)),
        ("LinalgPinvBackward0",),
    ),
    OpInfo(
        "pinv_hermitian",
        lambda lib, x: lib.linalg.pinv(_spd(lib, x), hermitian=True),
        (((3, 3),),),
        ("LinalgPinvBackward0",),
    ),
    OpInfo(
        "pinverse",
        lambda lib, x: x.pinverse(),
        (((3, 4),),),
        ("LinalgPinvBackward0",),
    ),
    OpInfo(
        "lstsq",
        lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
        (((4, 3), (4, 2)), ((4, 3), (4,)), ((3, 4), (3, 2)), ((2, 4, 3), (2, 4, 1))),
        ("LinalgLstsqBackward0", "LinalgPinvBackward0"),
    ),
    # ----------------------------------------------------------------- norms
    OpInfo(
        "matrix_norm_fro",
        lambda lib, x: lib.linalg.matrix_norm(x),
        (((3, 4),), ((2, 3, 4),)),
        ("LinalgVectorNormBackward0",),
    ),
    OpInfo(
        "matrix_norm_nuc",
        lambda lib, x: lib.linalg.matrix_norm(x, "nuc", keepdim=True),
        (((3, 4),), ((2, 3, 4),)),
        ("LinalgSvdBackward0",),
        torch_grad_fn="PermuteBackward0",
    ),
    OpInfo(
        "norm_nuc",
        lambda lib, x: lib.linalg.norm(x, "nuc"),
        (((3, 4),),),
        ("LinalgSvdBackward0", "SumBackward1"),
    ),
    OpInfo(
        "matrix_norm_2",
        lambda lib, x: lib.linalg.matrix_norm(x, 2),
        (((3, 4),), ((2, 3, 3),)),
        ("LinalgSvdBackward0", "AmaxBackward0"),
        smooth=False,
    ),
    OpInfo(
        "matrix_norm_neg2",
        lambda lib, x: lib.linalg.matrix_norm(x, -2, dim=(0, 1)),
        (((3, 4),),),
        ("LinalgSvdBackward0", "AminBackward0"),
        smooth=False,
    ),
    OpInfo(
        "matrix_norm_1",
        lambda lib, x: lib.linalg.matrix_norm(x, 1),
        (((3, 4),), ((2, 3, 4),)),
        ("AmaxBackward0", "AbsBackward0"),
        kinks=(0.0,),
        smooth=False,
    ),
    OpInfo(
        "matrix_norm_inf",
        lambda lib, x: lib.linalg.norm(x, float("-inf"), dim=(1, 0), keepdim=True),
        (((3, 4),),),
        ("AminBackward0", "AbsBackward0"),
        kinks=(0.0,),
        smooth=False,
    ),
    OpInfo(
        "linalg_norm",
        lambda lib, x: lib.linalg.norm(x),
        (((3, 4),), ((2, 3, 4),)),
        ("LinalgVectorNormBackward0",),
    ),
    OpInfo(
        "linalg_norm_dim",
        lambda lib, x: lib.linalg.norm(x, 3, dim=1),
        (((3, 4),),),
        ("LinalgVectorNormBackward0",),
    ),
    # torch takes the ratio through a squeezed max and min (SqueezeBackward1).
    OpInfo(
        "cond",
        lambda lib, x: lib.linalg.cond(x),
        (((3, 3),),),
        ("LinalgSvdBackward0", "DivBackward0"),
        torch_grad_fn="SqueezeBackward1",
    ),
]
