"""grad, grad_and_value, vjp, jvp, jacrev, jacfwd and hessian with torch.func's signatures.

Each transform gives its inputs fresh stand-ins (``_fresh``) that keep their links to outer
levels: a view when the input carries history, a dual tensor when it carries a tangent. Inside
another transform, results keep their graph, so transforms compose (grad of grad, jacfwd of
jacrev). Jacobians run ``func`` once on a batch of copies of the inputs through vmap's batched
path when every op has a batching rule, and fall back to one pass per row otherwise.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .. import autograd
from .._creation import eye, zeros_like
from .._tensor import Tensor
from ..autograd import forward_ad as fwad
from ..autograd.grad_mode import enable_grad, is_grad_enabled, mode
from ..ops.joining import stack
from . import _batched as B
from ._pytree import spec_str, tree_flatten, tree_unflatten
from ._vmap import state as vmap_state

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


class _Depth(threading.local):
    n = 0  # how many transforms are running around the current call
    forward = False  # whether a forward-AD level of ours is active


class _ReverseInForward(Exception):
    """A reverse-mode transform started under our forward-AD level.

    Tangents do not reach every value a backward pass reads (an op's saved output has
    none), so forward-over-reverse could lose terms; the forward transform reruns with the
    double-backward trick instead, which is exact.
    """


_depth = _Depth()


class _Forward:
    """Context manager: our forward-AD level is active (returns True from __exit__ to turn
    a reverse transform met inside into a None result)."""

    def __enter__(self) -> None:
        self.prev = _depth.forward
        _depth.forward = True

    def __exit__(self, kind: Any, *exc: object) -> bool:
        _depth.forward = self.prev
        return kind is _ReverseInForward


class _Level:
    """Context manager: one more transform level."""

    def __enter__(self) -> None:
        _depth.n += 1

    def __exit__(self, *exc: object) -> None:
        _depth.n -= 1


# ------------------------------------------------------------------ helpers


def _check_tensors(leaves: list[Any]) -> None:
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if type(x) is B.BatchedTensor:
            raise B.NoRule  # vmap reruns slice by slice, where each slice is a plain tensor


def _need_graph(leaves: list[Any]) -> bool:
    """Whether results must stay differentiable: inside a transform, or the inputs need it."""
    if not is_grad_enabled():
        return False
    if _depth.n > 0 or mode.dual:
        return True
    return any(x.requires_grad for x in leaves)


def _reverse_start() -> None:
    if _depth.forward and mode.dual:
        raise _ReverseInForward


def _fresh(x: Tensor) -> Tensor:
    """A new tensor standing for ``x`` that requires grad and keeps x's outer links."""
    if x.requires_grad:
        return x.view_as(x)
    y = x.detach().requires_grad_(True)
    tangent = fwad.tangent_of(x) if mode.dual else None
    return y if tangent is None else fwad.make_dual(y, tangent)


def _done(t: Any, keep: bool) -> Any:
    return t if keep or not isinstance(t, Tensor) else t.detach()


def _argnums(argnums: Any, n: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not isinstance(nums, tuple) or not all(isinstance(a, int) for a in nums):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    if len({a % n for a in nums}) != len(nums):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return tuple(a % n for a in nums)


def _split_args(args: tuple[Any, ...], argnums: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """The differentiated part of ``args`` (one arg or a tuple) and how to put it back."""
    nums = _argnums(argnums, len(args))

    def rebuild(diff: Any) -> tuple[Any, ...]:
        new = list(args)
        if isinstance(argnums, int):
            new[nums[0]] = diff
        else:
            for a, d in zip(nums, diff):
                new[a] = d
        return tuple(new)

    diff = args[nums[0]] if isinstance(argnums, int) else tuple(args[a] for a in nums)
    return diff, rebuild


def _aux(out: Any, fn: str, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{fn}(f)(*args): output of function f should be a tuple: (output, aux) if "
            "has_aux is True"
        )
    return out


def _grads(outs: list[Tensor], ins: list[Tensor], gs: list[Any], keep: bool) -> list[Tensor]:
    """autograd.grad that skips outputs without history and gives zeros for unused inputs."""
    pairs = [(o, g) for o, g in zip(outs, gs) if o.requires_grad]
    res: Any = [None] * len(ins)
    if pairs:
        res = autograd.grad(
            [o for o, _ in pairs],
            ins,
            [g for _, g in pairs],
            retain_graph=True,
            create_graph=keep,
            allow_unused=True,
        )
    return [zeros_like(x) if g is None else _done(g, keep) for g, x in zip(res, ins)]


# ------------------------------------------------------------------ grad and vjp


def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``func`` returning (gradient of its scalar output with respect to ``argnums``, value)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        diff, rebuild = _split_args(args, argnums)
        leaves, spec = tree_flatten(diff)
        _check_tensors(leaves)
        _reverse_start()
        keep = _need_graph(leaves)
        with enable_grad(), _Level():
            fresh = [_fresh(x) for x in leaves]
            out, aux = _aux(
                func(*rebuild(tree_unflatten(fresh, spec)), **kwargs), "grad_and_value", has_aux
            )
            if not isinstance(out, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(out)}"
                )
            if out.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                    f"got tensor with {out.dim()} dims. Maybe you wanted to use the vjp or "
                    "jacrev APIs instead?"
                )
            gs = _grads([out], fresh, [None], keep)
        g = tree_unflatten(gs, spec)
        value = _done(out, keep)
        return (g, (value, aux)) if has_aux else (g, value)

    return wrapper


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``func`` returning the gradient of its scalar output with respect to ``argnums``."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``func(*primals)`` and a function taking cotangents to vector-Jacobian products."""
    leaves, spec = tree_flatten(primals)
    _check_tensors(leaves)
    _reverse_start()
    keep = _need_graph(leaves)
    with enable_grad(), _Level():
        fresh = [_fresh(x) for x in leaves]
        out, aux = _aux(func(*tree_unflatten(fresh, spec)), "vjp", has_aux)
    outs, out_spec = tree_flatten(out)
    for y in outs:
        if not isinstance(y, Tensor):
            raise RuntimeError(
                f"vjp(f, *primals): Expected f to be a function that has non-empty output (got "
                f"{type(y)}) and returns Tensors"
            )

    def vjp_fn(
        cotangents: Any, *, retain_graph: bool = True, create_graph: bool | None = None
    ) -> Any:
        cts, ct_spec = tree_flatten(cotangents)
        if spec_str(ct_spec) != spec_str(out_spec):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {spec_str(ct_spec)}, primal output: "
                f"{spec_str(out_spec)}"
            )
        for c, y in zip(cts, outs):
            if c.shape != y.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and output[0] "
                    f"has a shape of {y.shape}."
                )
        _check_tensors(cts)
        k = keep or _need_graph(cts) or bool(create_graph)
        with enable_grad(), _Level():
            gs = _grads(outs, fresh, cts, k)
        return tree_unflatten(gs, spec)

    value = tree_unflatten([_done(y, keep) for y in outs], out_spec)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


# ------------------------------------------------------------------ jvp


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> Any:
    """``func(*primals)`` and its Jacobian times ``tangents``, by forward-mode AD."""
    for what, x in (("primals", primals), ("tangents", tangents)):
        if not isinstance(x, tuple):
            raise RuntimeError(
                f"jvp(f, primals, tangents): Expected {what} to be a tuple. E.g. it should be "
                "valid to call f(*primals)."
            )
    leaves, spec = tree_flatten(primals)
    tleaves, tspec = tree_flatten(tangents)
    if spec_str(spec) != spec_str(tspec):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            f"structure. For example, if primals is a tuple of 3 tensors, tangents also must "
            f"be. Got primals with structure {spec_str(spec)} and tangents with structure "
            f"{spec_str(tspec)}"
        )
    _check_tensors(leaves)
    _check_tensors(tleaves)
    _reverse_start()  # nested forward levels go through the double-backward trick
    for x, t in zip(leaves, tleaves):
        if x.shape != t.shape:
            raise RuntimeError(
                "jvp(f, primals, tangents): Expected primals and tangents to have the same "
                f"shape. Got primal of shape {x.shape} and tangent of shape {t.shape}"
            )
    res = None
    if not mode.dual and not _need_graph(leaves + tleaves):
        res = _jvp_forward(func, leaves, tleaves, spec, has_aux)
    if res is None:
        res = _jvp_double_backward(func, leaves, tleaves, spec, has_aux)
    out, jv, aux = res
    return (out, jv, aux) if has_aux else (out, jv)


def _jvp_forward(
    func: Any, leaves: list[Any], tleaves: list[Any], spec: Any, has_aux: bool
) -> Any:
    """Real forward mode: one pass with dual tensors (None if ``func`` runs reverse mode)."""
    prim = None
    with fwad.dual_level(), _Level(), _Forward():
        duals = [fwad.make_dual(x, t) for x, t in zip(leaves, tleaves)]
        out, aux = _aux(func(*tree_unflatten(duals, spec)), "jvp", has_aux)
        outs, out_spec = tree_flatten(out)
        prim, tans = [], []
        for y in outs:
            if not isinstance(y, Tensor):
                raise RuntimeError(
                    "jvp(f, primals, tangents): Expected f(*primals) to return only tensors, "
                    f"got unsupported type {type(y)}"
                )
            p, t = fwad.unpack_dual(y)
            prim.append(p.detach())
            tans.append(zeros_like(p) if t is None else t.detach())
    if prim is None:
        return None
    return tree_unflatten(prim, out_spec), tree_unflatten(tans, out_spec), aux


def _jvp_double_backward(
    func: Any, leaves: list[Any], tleaves: list[Any], spec: Any, has_aux: bool
) -> Any:
    """J v as the derivative of the (linear) vjp u -> J^T u in direction v; differentiable,
    so used inside reverse-mode transforms and under an active forward-AD level."""
    keep = _need_graph(leaves + tleaves)
    with enable_grad(), _Level():
        fresh = [_fresh(x) for x in leaves]
        out, aux = _aux(func(*tree_unflatten(fresh, spec)), "jvp", has_aux)
        outs, out_spec = tree_flatten(out)
        us = [zeros_like(y).requires_grad_(True) for y in outs]
        back = _grads(outs, fresh, us, True)
        pairs = [(b, t) for b, t in zip(back, tleaves) if b.requires_grad]
        if pairs:
            res = autograd.grad(
                [b for b, _ in pairs],
                us,
                [t for _, t in pairs],
                create_graph=keep,
                allow_unused=True,
            )
        else:
            res = [None] * len(us)
        jv = [zeros_like(y) if g is None else _done(g, keep) for g, y in zip(res, outs)]
    value = [_done(y, keep) for y in outs]
    return tree_unflatten(value, out_spec), tree_unflatten(jv, out_spec), aux


# ------------------------------------------------------------------ Jacobians


def _copies(x: Tensor, n: int, level: int) -> Any:
    """``n`` copies of ``x`` as a batch at vmap ``level`` (a broadcast view, no copy)."""
    return B.wrap((level,), x.unsqueeze(0).expand((n, *x.shape)))


def _batched_run(func: Any, args: list[Any], spec: Any, n: int, kwargs: dict[str, Any]) -> Any:
    """``func`` on ``n`` copies of its inputs through vmap's batched path, or None if an op
    has no batching rule. Returns the level, the copies and the (batched) output."""
    if not vmap_state.fast:
        return None
    outer = vmap_state.level
    level = vmap_state.level = outer + 1
    try:
        batched = [_copies(x, n, level) for x in args]
        out = func(*tree_unflatten(batched, spec), **kwargs)
        return level, batched, out
    except B.NoRule:
        return None
    finally:
        vmap_state.level = outer


def _physical(y: Any, level: int, n: int) -> Any:
    """The batch of ``y`` at ``level``: its physical tensor, or ``y`` repeated n times."""
    levels, v = B.lift(y)
    if levels != (level,):
        if levels:
            raise B.NoRule
        v = y.unsqueeze(0).expand((n, *y.shape))
    return v


def _first(y: Any, level: int) -> Any:
    levels, v = B.lift(y)
    return v[0] if levels == (level,) else y


def _onehots(outs: list[Tensor], start: int, stop: int) -> list[Tensor]:
    """Rows start..stop of the identity over all outputs' elements, split per output."""
    total = sum(y.numel() for y in outs)
    e = eye(total, dtype=outs[0].dtype, device=outs[0].device)[start:stop]
    parts, off = [], 0
    for y in outs:
        parts.append(e[:, off : off + y.numel()].reshape((stop - start, *y.shape)))
        off += y.numel()
    return parts


def jacrev(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to ``argnums``, by reverse mode: one
    vector-Jacobian product per output element (batched over copies when possible)."""
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        diff, rebuild = _split_args(args, argnums)
        leaves, spec = tree_flatten(diff)
        _check_tensors(leaves)
        _reverse_start()
        keep = _need_graph(leaves)

        def f(*d: Any) -> Any:
            return func(*rebuild(tree_unflatten(list(d), spec)), **kwargs)

        with enable_grad(), _Level():
            fresh = [_fresh(x) for x in leaves]
            out, aux = _aux(f(*fresh), "jacrev", has_aux)
            outs, out_spec = tree_flatten(out)
            total = sum(y.numel() for y in outs)
            size = chunk_size or max(total, 1)
            blocks: list[list[list[Tensor]]] = [[[] for _ in leaves] for _ in outs]
            for start in range(0, total, size):
                stop = min(start + size, total)
                rows = _jacrev_rows(f, fresh, outs, start, stop, keep, has_aux)
                # rows[k]: (stop - start, *x_k.shape), rows of the flattened Jacobian
                off = 0
                for i, y in enumerate(outs):
                    lo, hi = max(off, start), min(off + y.numel(), stop)
                    if lo < hi:
                        for k in range(len(leaves)):
                            blocks[i][k].append(rows[k][lo - start : hi - start])
                    off += y.numel()
        res = []
        for i, y in enumerate(outs):
            row = []
            for k, x in enumerate(leaves):
                parts = blocks[i][k]
                if not parts:
                    b = zeros_like(x).reshape(-1)[:0].reshape((0, *x.shape))
                elif len(parts) == 1:
                    b = parts[0]
                else:
                    from ..ops.joining import cat

                    b = cat(parts, 0)
                row.append(_done(b.reshape((*y.shape, *x.shape)), keep))
            res.append(row)
        jac = tree_unflatten([tree_unflatten(r, spec) for r in res], out_spec)
        return (jac, _aux_done(aux, keep)) if has_aux else jac

    return wrapper


def _aux_done(aux: Any, keep: bool) -> Any:
    leaves, spec = tree_flatten(aux)
    return tree_unflatten([_done(a, keep) for a in leaves], spec)


def _jacrev_rows(
    f: Any,
    fresh: list[Tensor],
    outs: list[Tensor],
    start: int,
    stop: int,
    keep: bool,
    has_aux: bool,
) -> list[Tensor]:
    """Rows start..stop of d(all outputs, flattened)/d(each input)."""
    n = stop - start
    onehots = _onehots(outs, start, stop)

    def first(*d: Any) -> Any:
        return _aux(f(*d), "jacrev", has_aux)[0]

    run = _batched_run(first, fresh, _tuple_spec(len(fresh)), n, {})
    if run is not None:
        level, batched, bout = run
        try:
            phys = [_physical(y, level, n) for y in tree_flatten(bout)[0]]
            ins = [B.lift(b)[1] for b in batched]
            return _grads(phys, ins, onehots, keep)
        except B.NoRule:
            pass
    # One backward pass per row.
    per_input: list[list[Tensor]] = [[] for _ in fresh]
    for j in range(n):
        gs = _grads(outs, fresh, [o[j] for o in onehots], keep)
        for k, g in enumerate(gs):
            per_input[k].append(g)
    return [stack(p, 0) for p in per_input]


def _tuple_spec(n: int) -> Any:
    return tree_flatten(tuple(range(n)))[1]


def jacfwd(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to ``argnums``, by forward mode: one tangent per
    input element, all pushed at once through a batch of copies when possible."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        diff, rebuild = _split_args(args, argnums)
        leaves, spec = tree_flatten(diff)
        _check_tensors(leaves)

        def f(*d: Any) -> Any:
            return func(*rebuild(tree_unflatten(list(d), spec)), **kwargs)

        numels = [x.numel() for x in leaves]
        total = sum(numels)
        basis = _onehots(leaves, 0, total) if total else [zeros_like(x)[None][:0] for x in leaves]
        res = None
        if not mode.dual and not _need_graph(leaves) and total:
            res = _jacfwd_batched(f, leaves, basis, total, has_aux)
        if res is None:
            res = _jacfwd_loop(f, leaves, basis, total, has_aux)
        out, tans, aux = res
        outs, out_spec = tree_flatten(out)
        # tans[i]: (total, *out_i.shape); split the rows by input and move them last.
        blocks = []
        for y, t in zip(outs, tans):
            row, off = [], 0
            for x, m in zip(leaves, numels):
                part = t[off : off + m].reshape((*x.shape, *y.shape))
                nx = x.dim()
                perm = [*range(nx, nx + y.dim()), *range(nx)]
                row.append(part.permute(perm))
                off += m
            blocks.append(row)
        jac = tree_unflatten([tree_unflatten(r, spec) for r in blocks], out_spec)
        return (jac, aux) if has_aux else jac

    return wrapper


def _jacfwd_batched(
    f: Any, leaves: list[Tensor], basis: list[Tensor], n: int, has_aux: bool
) -> Any:
    """All tangents at once: dual copies of the inputs, batched through vmap's fast path."""
    with fwad.dual_level(), _Level(), _Forward():
        duals = [
            fwad.make_dual(x.unsqueeze(0).expand((n, *x.shape)), e) for x, e in zip(leaves, basis)
        ]
        outer = vmap_state.level
        level = vmap_state.level = outer + 1
        if not vmap_state.fast:
            vmap_state.level = outer
            return None
        try:
            out, aux = _aux(f(*[B.wrap((level,), d) for d in duals]), "jacfwd", has_aux)
            outs, out_spec = tree_flatten(out)
            prim, tans = [], []
            for y in outs:
                v = _physical(y, level, n)
                p, t = fwad.unpack_dual(v)
                prim.append(p[0])
                tans.append(zeros_like(p) if t is None else t)
            aux = tree_unflatten(
                [_first(a, level) for a in tree_flatten(aux)[0]], tree_flatten(aux)[1]
            )
        except (B.NoRule, _ReverseInForward):
            return None
        finally:
            vmap_state.level = outer
    return tree_unflatten(prim, out_spec), [t.detach() for t in tans], aux


def _jacfwd_loop(f: Any, leaves: list[Tensor], basis: list[Tensor], n: int, has_aux: bool) -> Any:
    """One jvp per input element."""
    tangent_rows: list[list[Tensor]] | None = None
    out = aux = None
    for j in range(n):
        res = jvp(f, tuple(leaves), tuple(e[j] for e in basis), has_aux=has_aux)
        out, jv = res[0], res[1]
        aux = res[2] if has_aux else None
        flat = tree_flatten(jv)[0]
        if tangent_rows is None:
            tangent_rows = [[] for _ in flat]
        for r, t in zip(tangent_rows, flat):
            r.append(t)
    if n == 0:
        out = f(*leaves)
        if has_aux:
            out, aux = _aux(out, "jacfwd", has_aux)
        outs = tree_flatten(out)[0]
        return out, [zeros_like(y)[None][:0] for y in outs], aux
    return out, [stack(r, 0) for r in tangent_rows or []], aux


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The Hessian of ``func``: forward-mode Jacobian of its reverse-mode Jacobian."""
    return jacfwd(jacrev(func, argnums), argnums)
