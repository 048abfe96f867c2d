"""Decompositions and solvers (inv, det, solve, cholesky, qr, eigh, svd, pinv, lstsq) and VJPs.

A decomposition with several outputs records one node per output, all of the same op: each
node's rule gives that output's share of the input's gradient (the shares are linear in the
incoming gradients, so the engine's sum is the full gradient). The forward runs once; every
node carries the results in ``res`` and reads the others from there, or, when the backward
itself is differentiated, as outputs of nodes of the same op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _backend as B
from .. import return_types
from .._backend import zeros as _zeros  # for lstsq, whose argument B hides the module
from .._tensor import Tensor, make
from ..autograd.forward_ad import tangent_of
from . import _math as m
from ._registry import apply, apply1, defop

__all__ = [
    "LinAlgError",
    "inv",
    "det",
    "slogdet",
    "solve",
    "cholesky",
    "qr",
    "eigh",
    "eigvalsh",
    "linalg_svd",
    "svdvals",
    "pinv",
    "matrix_rank",
    "lstsq",
]

_LinAlgError = np.linalg.LinAlgError


class LinAlgError(RuntimeError):
    """A matrix the routine cannot handle: singular, or not positive-definite."""


_Slogdet = return_types.linalg_slogdet
_SlogdetLegacy = return_types.slogdet
_QR = return_types.linalg_qr
_Eigh = return_types.linalg_eigh
_SVD = return_types.linalg_svd
_SVDLegacy = return_types.svd
_Lstsq = return_types.linalg_lstsq


# ---------------------------------------------------------------------- checks
def _floating(name: str, t: Tensor) -> None:
    if t._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. "
            f"Got {t.dtype.scalar_name}"
        )


def _matrix(name: str, t: Tensor) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(
            f"{name}(): argument 'A' (position 1) must be Tensor, not {type(t).__name__}"
        )
    if t._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _floating(name, t)


def _square(name: str, t: Tensor) -> None:
    _matrix(name, t)
    shape = t._data.shape
    if shape[-1] != shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {shape[-2]} by "
            f"{shape[-1]} matrices"
        )


def _batch(a: np.ndarray, b: int) -> str:
    return f"(Batch element {b}): " if a.ndim > 2 else ""


def _singular(name: str, a: np.ndarray) -> LinAlgError:
    """torch's message: the first zero pivot of LU, found as the first column in the span of
    the ones before it (rank of growing column blocks; only on this error path)."""
    a = B.to_numpy(a)
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    first = np.full(flat.shape[0], n + 1)
    for k in range(n, 0, -1):
        first = np.where(np.linalg.matrix_rank(flat[:, :, :k]) < k, k, first)
    b = int(np.argmax(first <= n))
    return LinAlgError(
        f"{name}: {_batch(a, b)}The diagonal element {int(first[b])} is zero, the inversion "
        "could not be completed because the input matrix is singular."
    )


def _not_pd(name: str, a: np.ndarray) -> LinAlgError:
    a = B.to_numpy(a)
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    first = np.full(flat.shape[0], n + 1)
    for k in range(n, 0, -1):
        bad = np.linalg.eigvalsh(flat[:, :k, :k])[:, 0] <= 0
        first = np.where(bad, k, first)
    b = int(np.argmax(first <= n))
    return LinAlgError(
        f"{name}: {_batch(a, b)}The factorization could not be completed because the input is "
        f"not positive-definite (the leading minor of order {int(first[b])} is not "
        "positive-definite)."
    )


# ----------------------------------------------------------- rule vocabulary
def _eye_array(like: Any, n: int) -> Any:
    d = m.data(like)
    return B.xp(d).eye(n, dtype=d.dtype)


def _eye(like: Any, n: int) -> Any:
    return m.const(like, _eye_array(like, n))


def _cols(like: Any, n: int, start: int, stop: int) -> Any:
    """An n x (stop - start) selector: ``X @ sel`` keeps columns start:stop of X."""
    return m.const(like, _eye_array(like, n)[:, start:stop])


def _triu(like: Any, n: int, k: int = 0) -> Any:
    """The n x n mask of the upper triangle from diagonal ``k`` on."""
    d = m.data(like)
    xp = B.xp(d)
    return m.const(like, xp.triu(xp.ones((n, n), d.dtype), k))


def _unsq2(g: Any) -> Any:
    return m.unsqueeze(m.unsqueeze(g, -1), -1)


def _part(op: Any, a: Any, k: int, kw: dict[str, Any]) -> Any:
    """Output k of a multi-output op: its array, or a node of the op when differentiating."""
    if isinstance(a, Tensor):
        return m.call(op, a, **{**kw, "which": k})
    return kw["res"][k]


def _pick(a: np.ndarray, which: int, res: tuple[np.ndarray, ...], **kw: Any) -> np.ndarray:
    # A copy: writing an output in place must not change what the rules read from res.
    return res[which].copy()


def _outputs(op: Any, a: Tensor, res: tuple[np.ndarray, ...], kw: dict[str, Any]) -> list[Any]:
    return [apply1(op, a, {**kw, "which": k, "res": res}) for k in range(len(res))]


# ------------------------------------------------------------------ inv, det
def _inv_fwd(a: np.ndarray) -> np.ndarray:
    try:
        with B.checked_linalg(a):
            return np.linalg.inv(a)
    except _LinAlgError:
        raise _singular("linalg.inv", a) from None


INV = defop(
    "LinalgInvExBackward0",
    _inv_fwd,
    lambda g, a, out: -(m.mT(out) @ g @ m.mT(out)),
    save_out=True,
)


def _cofactor(a: np.ndarray) -> np.ndarray:
    """det(A) * inv(A)^T without dividing by det: finite for singular matrices too."""
    u, s, vh = np.linalg.svd(a)
    ones = np.ones_like(s[..., :1])
    left = np.cumprod(np.concatenate([ones, s[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, s[..., :0:-1]], -1), -1)[..., ::-1]
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * ((u * (left * right)[..., None, :]) @ vh)


def _det_vjp(g: Any, a: Any, out: Any) -> Any:
    if (m.data(out) == 0).any():
        # Singular: no inverse; the cofactor matrix (constant for higher orders).
        return _unsq2(g) * m.const(g, _cofactor(m.data(a)))
    return _unsq2(g * out) * m.mT(m.call(INV, a))


DET = defop("LinalgDetBackward0", np.linalg.det, _det_vjp, save_in=True, save_out=True)


def _slogdet_vjp(g: Any, a: Any, out: Any, which: int, res: Any) -> Any:
    if which == 0:
        # The sign is piecewise constant.
        return m.expand(_unsq2(g * 0), np.shape(m.data(a)))
    return _unsq2(g) * m.mT(m.call(INV, a))


SLOGDET = defop("LinalgSlogdetBackward0", _pick, _slogdet_vjp, save_in=True)


# ---------------------------------------------------------------------- solve
def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A X = B for matrices B, batch dims broadcast (CuPy's solve wants them equal)."""
    if a.shape[:-2] != b.shape[:-2]:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = np.broadcast_to(a, batch + a.shape[-2:])
        b = np.broadcast_to(b, batch + b.shape[-2:])
    with B.checked_linalg(a):
        return np.linalg.solve(a, b)


def _solve_fwd(a: np.ndarray, b: np.ndarray, vec: bool, left: bool) -> np.ndarray:
    try:
        if not left:
            # X A = B is A^T X^T = B^T.
            a = np.swapaxes(a, -1, -2)
            if not vec:
                return np.swapaxes(_solve(a, np.swapaxes(b, -1, -2)), -1, -2)
        if vec:
            return _solve(a, b[..., None])[..., 0]
        return _solve(a, b)
    except _LinAlgError:
        raise LinAlgError(
            "torch.linalg.solve: The solver failed because the input matrix is singular."
        ) from None


def _solve_vjp_b(g: Any, a: Any, b: Any, out: Any, vec: bool, left: bool) -> Any:
    return m.call(SOLVE, m.mT(a), g, vec=vec, left=left)


def _solve_vjp_a(g: Any, a: Any, b: Any, out: Any, vec: bool, left: bool) -> Any:
    gb = _solve_vjp_b(g, a, b, out, vec, left)
    if vec:
        x, y = (gb, out) if left else (out, gb)
        return -(m.unsqueeze(x, -1) * m.unsqueeze(y, -2))
    return -(gb @ m.mT(out)) if left else -(m.mT(out) @ gb)


SOLVE = defop(
    "LinalgSolveExBackward0",
    _solve_fwd,
    _solve_vjp_a,
    _solve_vjp_b,
    save_in=True,
    save_out=True,
    reads=((0,), (0,)),
)


# ------------------------------------------------------------------- cholesky
def _cholesky_fwd(a: np.ndarray, upper: bool, name: str = "linalg.cholesky") -> np.ndarray:
    try:
        with B.checked_linalg(a):
            low = np.linalg.cholesky(a)
    except _LinAlgError:
        raise _not_pd(name, a) from None
    return np.swapaxes(low, -1, -2).copy() if upper else low


def _cholesky_vjp(g: Any, a: Any, out: Any, upper: bool, **kw: Any) -> Any:
    # gA = L^-T tril_half(L^T gL) L^-1, symmetrised: A is read as symmetric.
    low = m.mT(out) if upper else out
    gl = m.mT(g) if upper else g
    d = m.data(g)
    n = d.shape[-1]
    xp = B.xp(d)
    half = xp.tril(xp.ones((n, n), d.dtype)) - 0.5 * xp.eye(n, dtype=d.dtype)
    phi = (m.mT(low) @ gl) * m.const(g, half)
    inv = m.call(INV, low)
    ga = m.mT(inv) @ phi @ inv
    return (ga + m.mT(ga)) * 0.5


CHOLESKY = defop("LinalgCholeskyExBackward0", _cholesky_fwd, _cholesky_vjp, save_out=True)
# torch.cholesky (deprecated): the same maths under its own node name.
CHOLESKY_OLD = defop("CholeskyBackward0", _cholesky_fwd, _cholesky_vjp, save_out=True)


# ------------------------------------------------------------------------- qr
def _qr_tall(gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """m >= n: gA = [gQ - Q sym(N)] R^-T with N = Q^T gQ - gR R^T, sym(N) = triu(N) +
    triu(N, 1)^T (from dQ = (I - QQ^T) dA R^-1 + QC, C skew, dR R^-1 upper)."""
    like = gq if gq is not None else gr
    n = np.shape(m.data(r))[-1]
    if gq is not None:
        big_n = m.mT(q) @ gq
        if gr is not None:
            big_n = big_n - gr @ m.mT(r)
    else:
        big_n = -(gr @ m.mT(r))
    sym = big_n * _triu(like, n) + m.mT(big_n * _triu(like, n, 1))
    inner = -(q @ sym)
    if gq is not None:
        inner = inner + gq
    return m.call(SOLVE, m.mT(r), inner, vec=False, left=False)


def _qr_vjp(g: Any, a: Any, out: Any, which: int, res: Any, mode: str) -> Any:
    if mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
            "through linalg.qr."
        )
    rows, cols = np.shape(m.data(a))[-2:]
    if mode == "complete" and rows > cols:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    kw = {"res": res, "mode": mode}
    q = _part(QR, a, 0, kw)
    r = _part(QR, a, 1, kw)
    gq, gr = (g, None) if which == 0 else (None, g)
    if rows >= cols:
        return _qr_tall(gq, gr, q, r)
    # Wide: A = Q [R1 | R2] with Q, R1 the QR of X = A[:, :m], and R2 = Q^T Y, Y = A[:, m:].
    first = _cols(g, cols, 0, rows)
    rest = _cols(g, cols, rows, cols)
    r1 = r @ first
    if gr is None:
        return _qr_tall(gq, None, q, r1) @ m.mT(first)
    gr2 = gr @ rest
    gy = q @ gr2
    gq2 = (a @ rest) @ m.mT(gr2)
    if gq is not None:
        gq2 = gq2 + gq
    gx = _qr_tall(gq2, gr @ first, q, r1)
    return gx @ m.mT(first) + gy @ m.mT(rest)


QR = defop("LinalgQrBackward0", _pick, _qr_vjp, save_in=True)


# ----------------------------------------------------------------------- eigh
def _eigh_vjp(g: Any, a: Any, out: Any, which: int, res: Any, UPLO: str) -> Any:
    kw = {"res": res, "UPLO": UPLO}
    v = _part(EIGH, a, 1, kw)
    if which == 0:
        return (v * m.unsqueeze(g, -2)) @ m.mT(v)
    lam = _part(EIGH, a, 0, kw)
    n = np.shape(m.data(g))[-1]
    vg = m.mT(v) @ g
    gap = m.unsqueeze(lam, -2) - m.unsqueeze(lam, -1) + _eye(g, n)
    return v @ (((vg - m.mT(vg)) * 0.5) / gap) @ m.mT(v)


EIGH = defop("LinalgEighBackward0", _pick, _eigh_vjp, save_in=True)


# ------------------------------------------------------------------------ svd
def _svd_vjp(g: Any, a: Any, out: Any, which: int, res: Any, full_matrices: bool) -> Any:
    """torch's svd_backward, one output's share; distinct singular values assumed."""
    kw = {"res": res, "full_matrices": full_matrices}
    u = _part(SVD, a, 0, kw)
    s = _part(SVD, a, 1, kw)
    vh = _part(SVD, a, 2, kw)
    rows, cols = np.shape(m.data(a))[-2:]
    k = min(rows, cols)
    if full_matrices:
        # Columns past k are an arbitrary basis: their gradients are ignored, as in torch.
        if rows > k:
            u = u @ _cols(s, rows, 0, k)
            if which == 0:
                g = g @ _cols(g, rows, 0, k)
        if cols > k:
            vh = m.mT(_cols(s, cols, 0, k)) @ vh
            if which == 2:
                g = m.mT(_cols(g, cols, 0, k)) @ g
    if which == 1:
        return (u * m.unsqueeze(g, -2)) @ vh
    s2 = s * s
    gap = m.unsqueeze(s2, -2) - m.unsqueeze(s2, -1) + _eye(s, k)
    if which == 0:
        ug = m.mT(u) @ g
        ga = u @ ((ug - m.mT(ug)) * m.unsqueeze(s, -2) / gap) @ vh
        if rows > k:
            gs = g / m.unsqueeze(s, -2)
            ga = ga + (gs - u @ (m.mT(u) @ gs)) @ vh
        return ga
    vg = vh @ m.mT(g)
    ga = u @ (m.unsqueeze(s, -1) * (vg - m.mT(vg)) / gap) @ vh
    if cols > k:
        gs = g / m.unsqueeze(s, -1)
        ga = ga + u @ (gs - (gs @ m.mT(vh)) @ vh)
    return ga


SVD = defop("LinalgSvdBackward0", _pick, _svd_vjp, save_in=True)


# ----------------------------------------------------------------------- pinv
def _largest(s: np.ndarray) -> np.ndarray:
    """The largest of each row of non-negative values, 0 for empty rows (kept as a dim of 1);
    CuPy's max takes no ``initial``."""
    if s.shape[-1]:
        return s.max(-1, keepdims=True)
    return B.zeros(s, s.shape[:-1] + (1,))


def _pinv_fwd(a: np.ndarray, atol: float, rtol: float, hermitian: bool) -> np.ndarray:
    if hermitian:
        w, v = np.linalg.eigh(a)
        mag = np.abs(w)
        tol = np.maximum(atol, rtol * _largest(mag))
        inv = np.where(mag > tol, 1 / np.where(mag > tol, w, 1), 0)
        return (v * inv[..., None, :]) @ np.swapaxes(v, -1, -2)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    tol = np.maximum(atol, rtol * _largest(s))
    inv = np.where(s > tol, 1 / np.where(s > tol, s, 1), 0).astype(a.dtype)
    return (np.swapaxes(vh, -1, -2) * inv[..., None, :]) @ np.swapaxes(u, -1, -2)


def _pinv_grad(g: Any, a: Any, p: Any) -> Any:
    """gA = -P^T G P^T + (I - AP) G^T P P^T + P^T P G^T (I - PA) for P = pinv(A)."""
    gt = m.mT(g)
    pt = m.mT(p)
    y = (gt @ p) @ pt
    z = pt @ (p @ gt)
    return -(pt @ g @ pt) + y - a @ (p @ y) + z - (z @ p) @ a


PINV = defop(
    "LinalgPinvBackward0",
    _pinv_fwd,
    lambda g, a, out, atol, rtol, hermitian: _pinv_grad(g, a, out),
    save_in=True,
    save_out=True,
)


# ---------------------------------------------------------------------- lstsq
def _lstsq_fwd(a: np.ndarray, b: np.ndarray, vec: bool) -> np.ndarray:
    rhs = b[..., None] if vec else b
    rows, cols = a.shape[-2:]
    try:
        if rows >= cols:
            q, r = np.linalg.qr(a)
            x = _solve(r, np.swapaxes(q, -1, -2) @ rhs)
        else:
            q, r = np.linalg.qr(np.swapaxes(a, -1, -2))
            x = q @ _solve(np.swapaxes(r, -1, -2), rhs)
    except _LinAlgError:
        x = _pinv_fwd(a, 0.0, _eps(a) * max(rows, cols), False) @ rhs
    return x[..., 0] if vec else x


def _eps(a: np.ndarray) -> float:
    return float(np.finfo(a.dtype).eps)


def _lstsq_p(a: Any) -> Any:
    rows, cols = np.shape(m.data(a))[-2:]
    return m.call(PINV, a, atol=0.0, rtol=_eps(m.data(a)) * max(rows, cols), hermitian=False)


def _lstsq_vjp_a(g: Any, a: Any, b: Any, out: Any, vec: bool) -> Any:
    # X = pinv(A) B for a full-rank A: the gradient of pinv with gP = gX B^T.
    gp = m.unsqueeze(g, -1) * m.unsqueeze(b, -2) if vec else g @ m.mT(b)
    return _pinv_grad(gp, a, _lstsq_p(a))


def _lstsq_vjp_b(g: Any, a: Any, b: Any, out: Any, vec: bool) -> Any:
    pt = m.mT(_lstsq_p(a))
    return m.squeeze(pt @ m.unsqueeze(g, -1), -1) if vec else pt @ g


LSTSQ = defop(
    "LinalgLstsqBackward0",
    _lstsq_fwd,
    _lstsq_vjp_a,
    _lstsq_vjp_b,
    save_in=True,
    reads=((0, 1), (0,)),
)


# ------------------------------------------------------------ public functions
def inv(A: Tensor, *, out: Any = None) -> Tensor:
    _square("linalg.inv", A)
    return apply1(INV, A)


inverse = inv


def det(A: Tensor, *, out: Any = None) -> Tensor:
    _square("linalg.det", A)
    return apply1(DET, A)


def slogdet(A: Tensor, *, out: Any = None) -> _Slogdet:
    _square("linalg.slogdet", A)
    sign, logabs = np.linalg.slogdet(A._data)
    res = (B.array(sign), B.array(logabs))
    return _Slogdet(*_outputs(SLOGDET, A, res, {}))


def _slogdet_legacy(input: Tensor) -> _SlogdetLegacy:
    return _SlogdetLegacy(*slogdet(input))


def logdet(input: Tensor) -> Tensor:
    """log(det(A)): nan for a negative determinant, -inf for a singular matrix."""
    sign, logabs = slogdet(input)
    nan = make(np.full_like(logabs._data, np.nan))
    from . import elementwise as E

    return E.where(sign < 0, nan, logabs)


def _is_vector_rhs(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(b) == 1 or (len(b) == len(a) - 1 and b == a[:-1])


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    _square("linalg.solve", A)
    if A.dtype is not B.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype.scalar_name} and B of type {B.dtype.scalar_name} instead"
        )
    sa, sb = A._data.shape, B._data.shape
    vec = _is_vector_rhs(sa, sb)
    rows = sb[-1] if vec or not left else sb[-2]
    if rows != sa[-1]:
        cols = 1 if vec else sb[-1 if left else -2]
        shapes = (
            f"({sa[-2]}x{sa[-1]} and {rows}x{cols})"
            if left
            else f"({cols}x{rows} and {sa[-2]}x{sa[-1]})"
        )
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} {shapes}"
        )
    return apply(SOLVE, (A, B), {"vec": vec, "left": left})


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    _square("linalg.cholesky", A)
    return apply1(CHOLESKY, A, {"upper": upper})


def _cholesky_legacy(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    _square("cholesky", input)
    return apply1(CHOLESKY_OLD, input, {"upper": upper, "name": "cholesky"})


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> _QR:
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    _matrix("linalg.qr", A)
    if mode == "r":
        r = np.linalg.qr(A._data, mode="r")
        res = (B.zeros(r, (0,)), r)
    else:
        res = tuple(np.linalg.qr(A._data, mode=mode))
    return _QR(*_outputs(QR, A, res, {"mode": mode}))


def _uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> _Eigh:
    _square("linalg.eigh", A)
    _uplo(UPLO)
    res = tuple(np.linalg.eigh(A._data, UPLO=UPLO))
    return _Eigh(*_outputs(EIGH, A, res, {"UPLO": UPLO}))


def _differentiated(A: Tensor) -> bool:
    """Whether a derivative of the result may be asked for (reverse or forward mode)."""
    return A.requires_grad or tangent_of(A) is not None


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    _square("linalg.eigvalsh", A)
    _uplo(UPLO)
    if not _differentiated(A):
        return make(np.linalg.eigvalsh(A._data, UPLO=UPLO))
    res = tuple(np.linalg.eigh(A._data, UPLO=UPLO))
    return apply1(EIGH, A, {"UPLO": UPLO, "which": 0, "res": res})


def linalg_svd(
    A: Tensor, full_matrices: bool = True, *, driver: Any = None, out: Any = None
) -> _SVD:
    _matrix("linalg.svd", A)
    res = tuple(np.linalg.svd(A._data, full_matrices=full_matrices))
    return _SVD(*_outputs(SVD, A, res, {"full_matrices": full_matrices}))


def svdvals(A: Tensor, *, driver: Any = None, out: Any = None) -> Tensor:
    _matrix("linalg.svdvals", A)
    if not _differentiated(A):
        return make(np.linalg.svd(A._data, compute_uv=False))
    res = tuple(np.linalg.svd(A._data, full_matrices=False))
    return apply1(SVD, A, {"full_matrices": False, "which": 1, "res": res})


def svd(
    input: Tensor, some: bool = True, compute_uv: bool = True, *, out: Any = None
) -> _SVDLegacy:
    """torch.svd (legacy): V rather than Vh; ``some`` is ``not full_matrices``."""
    from .shape import transpose

    if not compute_uv:
        s = svdvals(input)
        a = input._data
        rows, cols = a.shape[-2:]
        batch = a.shape[:-2]
        return _SVDLegacy(
            make(B.zeros(a, batch + (rows, rows))),
            s,
            make(B.zeros(a, batch + (cols, cols))),
        )
    u, s, vh = linalg_svd(input, full_matrices=not some)
    return _SVDLegacy(u, s, transpose(vh, -2, -1))


def _tolerances(a: np.ndarray, atol: Any, rtol: Any) -> tuple[float, float]:
    def num(v: Any) -> Any:
        return v.item() if isinstance(v, Tensor) else v

    atol, rtol = num(atol), num(rtol)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _eps(a) * max(a.shape[-2:])
    return float(atol or 0.0), float(rtol)


def pinv(
    A: Tensor,
    *,
    atol: Any = None,
    rtol: Any = None,
    hermitian: bool = False,
    out: Any = None,
) -> Tensor:
    if A._data.ndim < 2 or A._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.pinv({A.dtype.scalar_name}{{{list(A._data.shape)}}}): expected a tensor "
            "with 2 or more dimensions of float, double, cfloat or cdouble types"
        )
    a_tol, r_tol = _tolerances(A._data, atol, rtol)
    return apply1(PINV, A, {"atol": a_tol, "rtol": r_tol, "hermitian": hermitian})


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    return pinv(input, rtol=rcond)


def matrix_rank(
    A: Tensor,
    tol: Any = None,
    hermitian: bool = False,
    *,
    atol: Any = None,
    rtol: Any = None,
    out: Any = None,
) -> Tensor:
    _matrix("linalg.matrix_rank", A)
    a = A._data
    if tol is not None:
        atol, rtol = tol, 0.0
    a_tol, r_tol = _tolerances(a, atol, rtol)
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(a))
    else:
        s = np.linalg.svd(a, compute_uv=False)
    cut = np.maximum(a_tol, r_tol * _largest(s))
    return make(B.array((s > cut).sum(-1)).astype(np.int64, copy=False))


def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: str | None = None) -> _Lstsq:
    """Least squares by QR (the full-rank solution); min-norm through pinv if rank-deficient."""
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    _floating("torch.linalg.lstsq", A)
    if A.dtype is not B.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {A.dtype.scalar_name} and other's dtype {B.dtype.scalar_name}"
        )
    drivers = ("gels", "gelsy", "gelsd", "gelss")
    if driver is not None and driver not in drivers:
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    driver = driver or "gelsy"
    sa, sb = A._data.shape, B._data.shape
    vec = B._data.ndim == A._data.ndim - 1
    if (sb[-1] if vec else sb[-2]) != sa[-2]:
        raise RuntimeError(
            "torch.linalg.lstsq: input.size(-2) should match other.size(-1)"
            if vec
            else "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"
        )
    x = apply(LSTSQ, (A, B), {"vec": vec})
    a = A._data
    empty = make(_zeros(a, (0,)))
    batch = np.broadcast_shapes(sa[:-2], sb[:-1] if vec else sb[:-2])
    if driver == "gels":
        rank = make(_zeros(a, (0,), np.int64))
    else:
        rank = matrix_rank(A, rtol=rcond)
        if rank._data.shape != batch:
            rank = make(np.broadcast_to(rank._data, batch).copy())
    singular = empty
    if driver in ("gelsd", "gelss"):
        singular = make(np.linalg.svd(a, compute_uv=False))
    residuals = empty
    rows, cols = sa[-2:]
    if driver != "gelsy" and rows > cols and bool((rank._data == cols).all()):
        from . import linalg as L
        from .reduction import sum as _sum

        r = L.matmul(A, x if not vec else x.unsqueeze(-1)) - (B if not vec else B.unsqueeze(-1))
        residuals = _sum(r * r, -2)
        if vec:
            residuals = residuals.squeeze(-1)
    return _Lstsq(x, residuals, rank, singular)
