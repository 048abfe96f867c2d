"""vmap: map a function over a batch dim, batched per op where it can be, else slice by slice."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .. import _random
from .._tensor import Tensor
from . import _batched as B
from ._pytree import broadcast_prefix, spec_str, tree_flatten, tree_unflatten

__all__ = ["vmap"]

_RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
    "of vmap"
)


class _State(threading.local):
    level = 0  # the innermost active vmap level, 0 outside vmap
    fast = True  # whether vmap tries its batched fast path (tests and benchmarks turn it off)


state = _State()


def _name(func: Any) -> str:
    return getattr(func, "__name__", repr(func))


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """``func`` mapped over dim ``in_dims`` of its inputs, results stacked along ``out_dims``."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs)

    return wrapped


def _flat_in_dims(func: Any, in_dims: Any, args: tuple[Any, ...]) -> tuple[list[Any], Any]:
    """The leaves of ``args``, their spec, and one in_dim per leaf, with torch's errors."""
    where = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(
            f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching "
            f"the structure of inputs, got: {type(in_dims)}."
        )
    if not args:
        raise ValueError(
            f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or "
            "you are trying to vmap over a function with no inputs. The latter is unsupported."
        )
    leaves, spec = tree_flatten(args)
    dims = broadcast_prefix(in_dims, args)
    if dims is None:
        raise ValueError(
            f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has "
            f"structure {spec_str(tree_flatten(in_dims)[1])} but inputs has structure "
            f"{spec_str(spec)}."
        )
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(
                f"{where}: Got in_dim={d} for an input but in_dim must be either an integer "
                "dimension or None."
            )
        if not isinstance(x, Tensor):
            raise ValueError(
                f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. "
                "We cannot vmap over non-Tensor arguments, please use None as the respective "
                "in_dim"
            )
        nd = x.dim()
        if not -nd <= d < nd:
            raise ValueError(
                f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                f"dimensionality {nd} so expected in_dim to satisfy -{nd} <= in_dim < {nd}."
            )
    return leaves, (spec, dims)


def _batch_size(leaves: list[Any], dims: list[Any]) -> int:
    sizes = [x.shape[d] for x, d in zip(leaves, dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0]


def _generators() -> dict[Any, Any]:
    """The default generators ops draw from: the CPU's and each GPU's made so far."""
    return {"cpu": _random.default_generator, **_random.cuda_generators}


def _rng_token() -> Any:
    """Something that changes whenever a default generator draws (or a GPU's is made)."""
    return tuple((k, g.get_state().numpy().tobytes()) for k, g in _generators().items())


def _rng_save() -> dict[Any, Any]:
    return {k: g.get_state() for k, g in _generators().items()}


def _rng_restore(saved: dict[Any, Any]) -> None:
    """Put every generator back as ``_rng_save`` found it; a GPU's made since is dropped,
    so the next draw makes it afresh, as it was made the first time."""
    for k, g in _generators().items():
        if k in saved:
            g.set_state(saved[k])
        else:
            del _random.cuda_generators[k]


def _call(
    func: Any,
    in_dims: Any,
    out_dims: Any,
    randomness: str,
    chunk_size: int | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    leaves, (spec, dims) = _flat_in_dims(func, in_dims, args)
    size = _batch_size(leaves, dims)
    if chunk_size is None or chunk_size >= size:
        return _run(func, leaves, spec, dims, size, out_dims, randomness, kwargs)
    # Chunks: run each on a slice of the batch, then join the results along out_dims.
    parts = []
    for start in range(0, size, chunk_size):
        n = min(chunk_size, size - start)
        chunk = [x if d is None else x.narrow(d, start, n) for x, d in zip(leaves, dims)]
        parts.append(_run(func, chunk, spec, dims, n, out_dims, randomness, kwargs))
    flat = [tree_flatten(p)[0] for p in parts]
    out_spec = tree_flatten(parts[0])[1]
    ods = broadcast_prefix(out_dims, parts[0])
    joined = []
    for i, od in enumerate(ods):
        items = [f[i] for f in flat]
        joined.append(items[0] if od is None else _cat(items, od))
    return tree_unflatten(joined, out_spec)


def _cat(items: list[Any], dim: int) -> Any:
    from ..ops.joining import cat

    if any(type(t) is B.BatchedTensor for t in items):
        raise B.NoRule
    return cat(items, dim)


def _run(
    func: Any,
    leaves: list[Any],
    spec: Any,
    dims: list[Any],
    size: int,
    out_dims: Any,
    randomness: str,
    kwargs: dict[str, Any],
) -> Any:
    outer = state.level
    level = state.level = outer + 1
    try:
        rng = _rng_save()
        token = _rng_token()
        if state.fast:
            try:
                batched = [
                    x if d is None else B.add_level(x, d, level) for x, d in zip(leaves, dims)
                ]
                out = func(*tree_unflatten(batched, spec), **kwargs)
                if _rng_token() != token:
                    if randomness == "error":
                        raise RuntimeError(_RANDOM_ERROR)
                    if randomness == "different":
                        raise B.NoRule  # one draw shared by the batch: redo it per slice
            except B.NoRule:
                pass
            except RuntimeError as e:
                if str(e) == _RANDOM_ERROR:
                    raise
            except Exception:
                pass  # the per-slice run below raises the error torch would, if any
            else:
                return _unbatch(func, out, level, size, out_dims)
            _rng_restore(rng)
        return _loop(func, leaves, spec, dims, size, out_dims, randomness, kwargs, rng, token)
    finally:
        state.level = outer


def _check_outputs(func: Any, flat: list[Any], ods: list[Any]) -> None:
    for y, od in zip(flat, ods):
        if od is not None and not isinstance(y, Tensor):
            raise ValueError(
                f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
                f"{type(y)}. Did you mean to set out_dims= to None for output?"
            )


def _out_dims(func: Any, out_dims: Any, out: Any) -> tuple[list[Any], list[Any], Any]:
    flat, out_spec = tree_flatten(out)
    if not isinstance(out_dims, (int, tuple, type(None))) or isinstance(out_dims, bool):
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None or "
            f"a python collection of ints representing where in the outputs the vmapped "
            "dimension should appear."
        )
    ods = broadcast_prefix(out_dims, out)
    if ods is None:
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{spec_str(tree_flatten(out_dims)[1])} but outputs has structure "
            f"{spec_str(out_spec)}."
        )
    _check_outputs(func, flat, ods)
    return flat, ods, out_spec


def _unbatch(func: Any, out: Any, level: int, size: int, out_dims: Any) -> Any:
    flat, ods, out_spec = _out_dims(func, out_dims, out)
    res = []
    for y, od in zip(flat, ods):
        if od is None:
            if level in B.lift(y)[0]:
                raise ValueError(
                    f"vmap({_name(func)}, ...): `{_name(func)}` can not return a BatchedTensor "
                    "when out_dim is None"
                )
            res.append(y)
            continue
        _check_out_dim(y, od)
        res.append(B.remove_level(y, level, od, size))
    return tree_unflatten(res, out_spec)


def _check_out_dim(y: Tensor, od: int) -> None:
    nd = y.dim() + 1
    if not isinstance(od, int) or not -nd <= od < nd:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {od})"
        )


def _loop(
    func: Any,
    leaves: list[Any],
    spec: Any,
    dims: list[Any],
    size: int,
    out_dims: Any,
    randomness: str,
    kwargs: dict[str, Any],
    rng: Any,
    token: Any,
) -> Any:
    """The general path: call ``func`` on each slice of the batch and stack the results."""
    results = []
    for i in range(size):
        if randomness == "same":
            _rng_restore(rng)
        sliced = [x if d is None else x.select(d, i) for x, d in zip(leaves, dims)]
        results.append(func(*tree_unflatten(sliced, spec), **kwargs))
        if randomness == "error" and _rng_token() != token:
            raise RuntimeError(_RANDOM_ERROR)
    flat0, ods, out_spec = _out_dims(func, out_dims, results[0])
    flats = [tree_flatten(r)[0] for r in results]
    res = []
    for j, od in enumerate(ods):
        items = [f[j] for f in flats]
        if od is None:
            res.append(items[0])
            continue
        _check_out_dim(items[0], od)
        res.append(B.stack(items, od))
    return tree_unflatten(res, out_spec)
