"""Products: matmul/mm/bmm/mv/dot, outer and tensor products, einsum, the add*mm family."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor, make
from . import _math as m
from . import shape as S
from ._registry import apply, apply2, defop

__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "outer",
    "ger",
    "inner",
    "tensordot",
    "einsum",
    "kron",
    "cross",
    "addmm",
    "addmv",
    "addr",
    "baddbmm",
    "matrix_power",
    "chain_matmul",
    "det",
    "logdet",
    "slogdet",
    "inverse",
    "cholesky",
    "pinverse",
    "svd",
    "qr",
    "cdist",
]


def _mm_fwd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a @ b


def _matmul_grad_a(g: Any, b: Any, nda: int, ndb: int) -> Any:
    if ndb == 1:
        return m.unsqueeze(g, -1) * b
    if nda == 1:
        return m.squeeze(m.unsqueeze(g, -2) @ m.mT(b), -2)
    return g @ m.mT(b)


def _matmul_grad_b(g: Any, a: Any, nda: int, ndb: int) -> Any:
    if nda == 1:
        return m.unsqueeze(a, -1) * m.unsqueeze(g, -2)
    if ndb == 1:
        return m.squeeze(m.mT(a) @ m.unsqueeze(g, -1), -1)
    return m.mT(a) @ g


# Each input's gradient reads only the other input, so only that one is kept.
_READS = ((1,), (0,))
DOT = defop(
    "DotBackward0",
    _mm_fwd,
    lambda g, a, b, out: g * b,
    lambda g, a, b, out: g * a,
    save_in=True,
    reads=_READS,
)
MV = defop(
    "MvBackward0",
    _mm_fwd,
    lambda g, a, b, out: m.unsqueeze(g, -1) * b,
    lambda g, a, b, out: m.t(a) @ g,
    save_in=True,
    reads=_READS,
)


def _transposed(b: Any) -> bool:
    """Whether ``b`` is a transposed contiguous matrix (a weight's ``.t()``)."""
    return b.flags.f_contiguous and not b.flags.c_contiguous


def _mm_grad_b(g: Any, a: Any, b: Any, out: Any, bt: bool = False) -> Any:
    # b a transposed weight (x @ w.t(), as nn.Linear): its gradient made in w's layout,
    # so that w's gradient and the optimizer's update run over contiguous memory.
    return m.t(m.t(g) @ a) if bt else m.t(a) @ g


MM = defop(
    "MmBackward0",
    lambda a, b, bt=False: a @ b,
    lambda g, a, b, out, bt=False: g @ m.t(b),
    _mm_grad_b,
    save_in=True,
    reads=_READS,
)
# The batched and broadcast cases in one node (torch records several); the engine sums
# gradients over broadcast batch dims.
MATMUL = defop(
    "MatmulBackward0",
    lambda a, b, nda, ndb: _mm_fwd(a, b),
    lambda g, a, b, out, nda, ndb: _matmul_grad_a(g, b, nda, ndb),
    lambda g, a, b, out, nda, ndb: _matmul_grad_b(g, a, nda, ndb),
    save_in=True,
    reads=_READS,
)


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        bad = other if isinstance(input, Tensor) else input
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(bad).__name__}"
        )
    a, b = input._data.shape, other._data.shape
    na, nb = len(a), len(b)
    da, db = input.dtype, other.dtype
    if da is not db and na and nb:
        if na == 1 and nb == 1:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{da.scalar_name} and {db.scalar_name}"
            )
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{da.scalar_name.lower()} != {db.scalar_name.lower()}"
        )
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if na == 1 and nb == 1:
        if a != b:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] to have "
                f"the same number of elements, but got {a[0]} and {b[0]} elements respectively"
            )
        return apply2(DOT, input, other)
    if na == 2 and nb == 1:
        if a[1] != b[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a[0]}), mat ({_dims(a)}), vec ({b[0]})"
            )
        return apply2(MV, input, other)
    if na <= 2 and nb == 2:
        k = a[-1]
        if k != b[0]:
            rows = a[0] if na == 2 else 1
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {_dims(b)})"
            )
        if na == 2:
            if _transposed(other._data):
                return apply(MM, (input, other), {"bt": True})
            return apply2(MM, input, other)
        return apply(MATMUL, (input, other), {"nda": na, "ndb": nb})
    ka = a[-1]
    kb = b[-2] if nb > 1 else b[0]
    if ka != kb:
        raise _matmul_size_error(a, b)
    try:
        return apply(MATMUL, (input, other), {"nda": na, "ndb": nb})
    except ValueError:
        from ._util import broadcast_error

        raise broadcast_error(a[:-2], b[:-2]) from None


def _matmul_size_error(a: tuple[int, ...], b: tuple[int, ...]) -> RuntimeError:
    """torch's message: it folds a batched left operand into rows for a 1-D or 2-D right one,
    and otherwise broadcasts the batch dims before its bmm checks the inner sizes."""
    ka = a[-1]
    if len(a) >= 3 and len(b) <= 2:
        rows = int(np.prod(a[:-1]))
        if len(b) == 1:
            return RuntimeError(
                f"size mismatch, got input ({rows}), mat ({rows}x{ka}), vec ({b[0]})"
            )
        return RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{ka} and {_dims(b)})"
        )
    try:
        batch = np.broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        from ._util import broadcast_error

        return broadcast_error(a[:-2], b[:-2])
    n = int(np.prod(batch))
    return RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {ka}] but got: "
        f"[{n}, {b[-2] if len(b) > 1 else b[0]}]."
    )


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    a, b = input._data.shape, mat2._data.shape
    if len(a) != 2:
        raise RuntimeError("self must be a matrix")
    if len(b) != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


# ---------------------------------------------------------------- more products
def _scaled(x: Any, s: Any) -> Any:
    return x if s == 1 else x * s


def _addmm_fwd(c: Any, a: np.ndarray, b: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
    out = a @ b
    if alpha != 1:
        out *= alpha
    if beta != 0:
        # beta == 0 ignores c entirely (nan and inf included), as in torch.
        out += c if beta == 1 else beta * c
    return out


def _addr_fwd(c: Any, a: np.ndarray, b: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
    out = np.multiply.outer(a, b)
    if alpha != 1:
        out *= alpha
    if beta != 0:
        out += c if beta == 1 else beta * c
    return out


def _beta_vjp(g: Any, c: Any, a: Any, b: Any, out: Any, beta: Any, alpha: Any) -> Any:
    return g * 0 if beta == 0 else _scaled(g, beta)


BMM = defop(
    "BmmBackward0",
    _mm_fwd,
    lambda g, a, b, out: g @ m.mT(b),
    lambda g, a, b, out: m.mT(a) @ g,
    save_in=True,
    reads=_READS,
)
VDOT = defop(
    "VdotBackward0",
    _mm_fwd,
    lambda g, a, b, out: g * b,
    lambda g, a, b, out: g * a,
    save_in=True,
    reads=_READS,
)
# beta * c + alpha * (a @ b): c's rule reads nothing, a's reads b, b's reads a.
_ADD_READS = ((), (2,), (1,))
ADDMM = defop(
    "AddmmBackward0",
    lambda c, a, b, beta, alpha, bt=False: _addmm_fwd(c, a, b, beta, alpha),
    lambda g, c, a, b, out, beta, alpha, bt=False: _beta_vjp(g, c, a, b, out, beta, alpha),
    lambda g, c, a, b, out, beta, alpha, bt=False: _scaled(g @ m.mT(b), alpha),
    lambda g, c, a, b, out, beta, alpha, bt=False: _scaled(_mm_grad_b(g, a, b, out, bt), alpha),
    save_in=True,
    reads=_ADD_READS,
)
BADDBMM = defop(
    "BaddbmmBackward0",
    _addmm_fwd,
    _beta_vjp,
    lambda g, c, a, b, out, beta, alpha: _scaled(g @ m.mT(b), alpha),
    lambda g, c, a, b, out, beta, alpha: _scaled(m.mT(a) @ g, alpha),
    save_in=True,
    reads=_ADD_READS,
)
ADDMV = defop(
    "AddmvBackward0",
    _addmm_fwd,
    _beta_vjp,
    lambda g, c, a, v, out, beta, alpha: _scaled(m.unsqueeze(g, -1) * v, alpha),
    lambda g, c, a, v, out, beta, alpha: _scaled(m.t(a) @ g, alpha),
    save_in=True,
    reads=_ADD_READS,
)
ADDR = defop(
    "AddrBackward0",
    _addr_fwd,
    _beta_vjp,
    lambda g, c, u, v, out, beta, alpha: _scaled(g @ v, alpha),
    lambda g, c, u, v, out, beta, alpha: _scaled(m.t(g) @ u, alpha),
    save_in=True,
    reads=_ADD_READS,
)
# d(a x b) = da x b + a x db, and <g, da x b> = <b x g, da>.
CROSS = defop(
    "LinalgCrossBackward0",
    lambda a, b, dim: np.cross(a, b, axis=dim),
    lambda g, a, b, out, dim: m.call(CROSS, b, g, dim=dim),
    lambda g, a, b, out, dim: m.call(CROSS, g, a, dim=dim),
    save_in=True,
    reads=_READS,
)


# ------------------------------------------------------------------------ einsum
def _einsum_fwd(*operands: np.ndarray, eq: str) -> np.ndarray:
    out = B.array(np.einsum(eq, *operands, optimize=len(operands) > 1))
    # A single-operand einsum may return a view (a diagonal, a transpose): own the result.
    return out if out.flags.owndata or out.base is None else out.copy()


def _einsum_rule(g: Any, *args: Any, eq: str, i: int) -> Any:
    return _einsum_grad(g, args[:-1], i, eq)


def _einsum_grad(g: Any, operands: tuple[Any, ...], i: int, eq: str) -> Any:
    lhs, out_sub = eq.split("->")
    terms = lhs.split(",")
    term = terms[i]
    x = operands[i]
    x_shape = np.shape(m.data(x))
    others = "".join(t for j, t in enumerate(terms) if j != i) + out_sub
    unique = "".join(dict.fromkeys(term))
    present = "".join(c for c in unique if c in others)
    rest = [op for j, op in enumerate(operands) if j != i]
    rest_terms = [t for j, t in enumerate(terms) if j != i]
    gx = m.call(EINSUM, g, *rest, eq=",".join([out_sub, *rest_terms]) + "->" + present)
    size = {c: x_shape[term.index(c)] for c in unique}
    have = dict(zip(present, np.shape(m.data(gx))))
    # Letters only operand i has were summed away, and letters where the others are size 1
    # were broadcast: spread the gradient over them (the engine sums the opposite case).
    want = tuple(have[c] if have.get(c, 1) != 1 else size[c] for c in unique)
    if present != unique:
        gx = m.reshape(gx, tuple(have.get(c, 1) for c in unique))
    if np.shape(m.data(gx)) != want:
        gx = m.expand(gx, want)
    if len(unique) != len(term):
        # A repeated letter reads a diagonal: put the gradient back on it.
        gshape = dict(zip(unique, np.shape(m.data(gx))))
        free = iter(c for c in _LETTERS if c not in eq)
        target, eyes, eye_terms, seen = [], [], [], set()
        for c in term:
            if c in seen:
                f = next(free)
                eye_terms.append(c + f)
                d = m.data(gx)
                eyes.append(m.const(gx, B.xp(d).eye(gshape[c], dtype=d.dtype)))
                target.append(f)
            else:
                seen.add(c)
                target.append(c)
        sub = ",".join([unique, *eye_terms]) + "->" + "".join(target)
        gx = m.call(EINSUM, gx, *eyes, eq=sub)
    return gx


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

# One variadic node for any equation; torch's last node depends on how it lowered it.
EINSUM = defop("EinsumBackward0", _einsum_fwd, _einsum_rule, save_in=True, variadic=True)


def _parse_einsum(equation: str, shapes: list[tuple[int, ...]]) -> str:
    """The equation with ``...`` spelled out as letters and the output made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for c in eq:
        if c not in _LETTERS and c not in ".,->":
            raise RuntimeError(
                "einsum(): invalid subscript given at index "
                f"{eq.index(c)} in the equation string, subscripts must be in [a-zA-Z]"
            )
    n_ell = 0
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        if "..." in t:
            n_ell = max(n_ell, len(shape) - (len(t) - 3))
        elif len(t) != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                f"the number of dimensions ({len(shape)}) for operand {k} and no ellipsis "
                "was given"
            )
    ell = "".join([c for c in _LETTERS if c not in eq][:n_ell])
    full = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            k = len(shape) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k :] if k else "")
        full.append(t)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
            if not any(c in t for t in full):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
    else:
        joined = "".join(terms).replace("...", "")
        once = sorted(c for c in set(joined) if joined.count(c) == 1)
        out = ell + "".join(once)
    seen: dict[str, int] = {}
    for k, (t, shape) in enumerate(zip(full, shapes)):
        mine: dict[str, int] = {}
        for c, s in zip(t, shape):
            if c in mine and mine[c] != s:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                    f"match, {s} != {mine[c]}"
                )
            mine[c] = s
            prev = seen.get(c, 1)
            if s != 1 and prev != 1 and s != prev:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {s} for operand {k} which does not "
                    f"broadcast with previously seen size {prev}"
                )
            if s != 1:
                seen[c] = s
    return ",".join(full) + "->" + out


def _sublist_equation(args: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]): the same as a subscript string."""

    def letters(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)

    operands = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(operands) > len(subs):
        out = operands.pop()
    eq = ",".join(letters(s) for s in subs)
    if out is not None:
        eq += "->" + letters(out)
    return eq, operands


def einsum(*args: Any) -> Tensor:
    """Sums of products of operands' elements, named by subscript letters."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand")
    if isinstance(args[0], str):
        equation = args[0]
        operands = list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    for k, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(
                f"einsum(): argument 'operands' (position 2) must be tuple of Tensors, but found "
                f"element of type {type(op).__name__} at pos {k}"
            )
    first = operands[0].dtype if operands else None
    for op in operands[1:]:
        if op.dtype is not first:
            raise RuntimeError(
                f"expected scalar type {first.scalar_name} but found {op.dtype.scalar_name}"
            )
    eq = _parse_einsum(equation, [op._data.shape for op in operands])
    return apply(EINSUM, tuple(operands), {"eq": eq})


# -------------------------------------------------------------- public products
def _same_dtype_dot(a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{a.dtype.scalar_name} and {b.dtype.scalar_name}"
        )


def _dot_check(input: Tensor, other: Tensor) -> None:
    na, nb = input._data.ndim, other._data.ndim
    if na != 1 or nb != 1:
        raise RuntimeError(f"1D tensors expected, but got {na}D and {nb}D tensors")
    _same_dtype_dot(input, other)
    n, k = input._data.shape[0], other._data.shape[0]
    if n != k:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{k}] to have "
            f"the same number of elements, but got {n} and {k} elements respectively"
        )


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    _dot_check(input, tensor)
    return apply2(DOT, input, tensor)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    _dot_check(input, other)
    if input._data.dtype.kind == "c":
        raise NotImplementedError("vdot of complex tensors is not supported")
    return apply2(VDOT, input, other)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if input.dtype is not vec.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{vec.dtype.scalar_name}, {input.dtype.scalar_name}, and {vec.dtype.scalar_name}"
        )
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_dims(a.shape)}), vec ({v.shape[0]})"
        )
    return apply2(MV, input, vec)


def _bmm_check(a: tuple[int, ...], b: tuple[int, ...], da: Any, db: Any) -> None:
    if len(a) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(b) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b[0] != a[0] or b[1] != a[2]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a[0]}, {a[2]}] but got: [{b[0]}, {b[1]}]."
        )
    if da is not db:
        raise RuntimeError(f"expected scalar type {da.scalar_name} but found {db.scalar_name}")


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    _bmm_check(input._data.shape, mat2._data.shape, input.dtype, mat2.dtype)
    return apply2(BMM, input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    if input._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    # torch computes it as a broadcast product (MulBackward0).
    return S.reshape(input, (-1, 1)) * vec2


ger = outer


def _check_add(name: str, c: Any, a: Tensor, b: Tensor, shape: tuple[int, ...], beta: Any) -> None:
    if isinstance(c, Tensor):
        if c.dtype is not a.dtype:
            raise RuntimeError(
                f"self and {name} must have the same dtype, but got "
                f"{c.dtype.scalar_name} and {a.dtype.scalar_name}"
            )
        cs = c._data.shape
        lead = len(shape) - len(cs)
        bad = lead < 0 or any(s != 1 and s != t for s, t in zip(cs, shape[lead:]))
        if bad:
            S.expand(c, shape)  # raises torch's expand error
            raise RuntimeError(f"shape {list(cs)} does not broadcast to {list(shape)}")


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    a, b = mat1._data.shape, mat2._data.shape
    if len(a) != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {len(a)}-D tensor")
    if len(b) != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {len(b)}-D tensor")
    if a[1] != b[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims(a)} and {_dims(b)})"
        )
    _check_add("mat2", input, mat1, mat2, (a[0], b[1]), beta)
    kw = {"beta": beta, "alpha": alpha, "bt": _transposed(mat2._data)}
    return apply(ADDMM, (input, mat1, mat2), kw)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    a, v = mat._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input._data.ndim}, {a.ndim}, {v.ndim}"
        )
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_dims(a.shape)}), vec ({v.shape[0]})"
        )
    _check_add("mat", input, mat, vec, (a.shape[0],), beta)
    return apply(ADDMV, (input, mat, vec), {"beta": beta, "alpha": alpha})


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    if vec1._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D"
            if vec1._data.ndim != 1
            else f"addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D"
        )
    _check_add("vec2", input, vec1, vec2, (vec1._data.shape[0], vec2._data.shape[0]), beta)
    return apply(ADDR, (input, vec1, vec2), {"beta": beta, "alpha": alpha})


def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    a, b = batch1._data.shape, batch2._data.shape
    _bmm_check(a, b, batch1.dtype, batch2.dtype)
    _check_add("batch2", input, batch1, batch2, (a[0], a[1], b[2]), beta)
    return apply(BADDBMM, (input, batch1, batch2), {"beta": beta, "alpha": alpha})


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Contract ``dims`` trailing dims of ``a`` with leading dims of ``b`` (or listed pairs)."""
    sa, sb = a._data.shape, b._data.shape
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > len(sa) or dims > len(sb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(len(sa) - dims, len(sa)))
        db = list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = [d % len(sa) for d in da]
        db = [d % len(sb) for d in db]
    for i, j in zip(da, db):
        if sa[i] != sb[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa[i]} in dim "
                f"{i - len(sa) if isinstance(dims, int) else i} and second has size {sb[j]} "
                f"in dim {j}"
            )
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    # Lowered to one mm between permuted reshapes, as torch does: BLAS does the work.
    free_a = [d for d in range(len(sa)) if d not in da]
    free_b = [d for d in range(len(sb)) if d not in db]
    k = int(np.prod([sa[d] for d in da], dtype=np.int64))
    pa = free_a + da
    pb = db + free_b
    x = a if pa == list(range(len(sa))) else S.permute(a, tuple(pa))
    y = b if pb == list(range(len(sb))) else S.permute(b, tuple(pb))
    x = S.reshape(x, (-1, k)) if free_a else S.reshape(x, (1, k))
    y = S.reshape(y, (k, -1)) if free_b else S.reshape(y, (k, 1))
    res = matmul(x, y)
    return S.reshape(res, tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b))


def inner(input: Tensor, other: Tensor) -> Tensor:
    sa, sb = input._data.shape, other._data.shape
    if not sa or not sb:
        return input * other
    if sa[-1] != sb[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(sa)} and {list(sb)}"
        )
    return tensordot(input, other, ([-1], [-1]))


def kron(input: Tensor, other: Tensor) -> Tensor:
    sa, sb = input._data.shape, other._data.shape
    nd = max(len(sa), len(sb))
    sa = (1,) * (nd - len(sa)) + sa
    sb = (1,) * (nd - len(sb)) + sb
    # Interleave the two inputs' dims, multiply by broadcasting, then merge each pair.
    x = S.reshape(input, tuple(d for s in sa for d in (s, 1)))
    y = S.reshape(other, tuple(d for s in sb for d in (1, s)))
    prod = x * y
    shape = tuple(p * q for p, q in zip(sa, sb))
    return apply(S.RESHAPE_COPY, (prod,), {"shape": shape, "in_shape": prod._data.shape})


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: with ``dim=None``, the first dim of size 3."""
    if dim is None:
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return _cross(input, other, dim)


def _cross(input: Tensor, other: Tensor, dim: int) -> Tensor:
    sa, sb = input._data.shape, other._data.shape
    if len(sa) != len(sb):
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    from ._util import norm_dim

    d = norm_dim(dim, len(sa))
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa[d]} and {sb[d]}"
        )
    if input.dtype is not other.dtype:
        raise RuntimeError(
            f"expected scalar type {input.dtype.scalar_name} but found {other.dtype.scalar_name}"
        )
    return apply(CROSS, (input, other), {"dim": d})


def _square(name: str, shape: tuple[int, ...]) -> None:
    if len(shape) < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {shape[-2]} by "
            f"{shape[-1]} matrices"
        )


def matrix_power(input: Tensor, n: int) -> Tensor:
    shape = input._data.shape
    _square("linalg.matrix_power", shape)
    if n == 0:
        a = input._data
        return input * 0 + make(B.xp(a).eye(shape[-1], dtype=a.dtype))
    if n < 0:
        from .decomp import inv

        input = inv(input)
        n = -n
    if n == 1:
        return S.clone(input)
    # Square and multiply: about log2(n) products.
    result = None
    base = input
    while True:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            return result
        base = matmul(base, base)


def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    """A chain of matrix products, multiplied in the order that costs the fewest flops."""
    return _chain(list(tensors), "multi_dot")


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return S.clone(matrices[0])
    for k, t in enumerate(matrices):
        if t._data.ndim != 2:
            raise RuntimeError(
                f"chain_matmul(): Expected 2D tensors, but got {t._data.ndim}D tensor at index {k}"
            )
    return _chain(list(matrices), "chain_matmul")


def _chain(ts: list[Tensor], name: str) -> Tensor:
    n = len(ts)
    if n < 2:
        raise RuntimeError(f"{name}(): expected at least 2 tensors but got {n}")
    first, last = ts[0]._data.ndim, ts[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"{name}(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"{name}(): the last tensor must be 1D or 2D but got {last}D")
    for k in range(1, n - 1):
        if ts[k]._data.ndim != 2:
            raise RuntimeError(f"{name}(): tensor {k} must be 2D but got {ts[k]._data.ndim}D")
    out_shape = ()
    if first == 1:
        ts[0] = S.unsqueeze(ts[0], 0)
    else:
        out_shape += (ts[0]._data.shape[0],)
    if last == 1:
        ts[-1] = S.unsqueeze(ts[-1], -1)
    else:
        out_shape += (ts[-1]._data.shape[1],)
    dims = [ts[0]._data.shape[0]] + [t._data.shape[1] for t in ts]
    for k in range(n - 1):
        if ts[k]._data.shape[1] != ts[k + 1]._data.shape[0]:
            raise RuntimeError(
                f"{name}(): tensors {k} and {k + 1} with shapes {list(ts[k]._data.shape)} "
                f"and {list(ts[k + 1]._data.shape)} cannot be multiplied"
            )
    for k in range(n - 1):
        if ts[k].dtype is not ts[k + 1].dtype:
            raise RuntimeError(
                f"{name}(): all tensors must have be the same dtype but tensor 0 is "
                f"{ts[0].dtype.scalar_name} and tensor {k + 1} {ts[k + 1].dtype.scalar_name}"
            )
    split = _chain_order(dims)

    def product(i: int, j: int) -> Tensor:
        if i == j:
            return ts[i]
        k = split[i][j]
        return mm(product(i, k), product(k + 1, j))

    return S.reshape(product(0, n - 1), out_shape)


def _chain_order(dims: list[int]) -> list[list[int]]:
    """Matrix-chain dynamic programme over the n matrices (not their elements)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best
    return split


# torch's top-level spellings of the decompositions (torch.slogdet and torch.cholesky are the
# legacy forms: their own result type and node name).
from .decomp import _cholesky_legacy as cholesky  # noqa: E402
from .decomp import _slogdet_legacy as slogdet  # noqa: E402
from .decomp import det, inverse, logdet, pinverse, svd  # noqa: E402


def qr(input: Tensor, some: bool = True, *, out: Any = None) -> Any:
    """torch.qr (legacy): ``some`` picks the reduced rather than the complete factorisation."""
    from .decomp import qr as linalg_qr

    return linalg_qr(input, "reduced" if some else "complete")


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """p-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(
            f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D"
            if x1.dim() < 2
            else f"cdist only supports at least 2D tensors, X2 got: {x2.dim()}D"
        )
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            "X1 and X2 must have the same number of columns. X1: "
            f"{x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    from .reduction import vector_norm

    # Every pair's difference, then its norm: (..., P, 1, M) - (..., 1, R, M).
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)
