"""functional_call: run a module with some parameters and buffers swapped for given tensors."""

from __future__ import annotations

from typing import Any

__all__ = ["functional_call"]

_ABSENT = object()


def _merge(dicts: Any) -> dict[str, Any]:
    if isinstance(dicts, dict):
        return dict(dicts)
    if not isinstance(dicts, (list, tuple)) or not all(isinstance(d, dict) for d in dicts):
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but "
            f"got {type(dicts)}"
        )
    merged: dict[str, Any] = {}
    repeated = []
    for d in dicts:
        for k, v in d.items():
            if k in merged and k not in repeated:
                repeated.append(k)
            merged[k] = v
    if repeated:
        raise ValueError(
            f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
            "ambiguous"
        )
    return merged


def _named(module: Any, what: str) -> list[tuple[str, Any]]:
    fn = getattr(module, what)
    try:
        return list(fn(remove_duplicate=False))
    except TypeError:
        return list(fn())


def _owner(module: Any, name: str) -> tuple[Any, str]:
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def _swap(module: Any, leaf: str, value: Any) -> Any:
    """Put ``value`` at ``module.leaf``; return what was there (``_ABSENT`` if nothing)."""
    for table in ("_parameters", "_buffers"):
        d = module.__dict__.get(table)
        if d is not None and leaf in d:
            old = d[leaf]
            d[leaf] = value
            return old
    old = module.__dict__.get(leaf, _ABSENT)
    if value is _ABSENT:
        del module.__dict__[leaf]
    else:
        module.__dict__[leaf] = value
    return old


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with the named parameters and buffers replaced for the
    call only; tied weights follow their replaced twin when ``tie_weights``."""
    values = _merge(parameter_and_buffer_dicts)
    named = _named(module, "named_parameters") + _named(module, "named_buffers")
    if tie_weights:
        by_id: dict[int, list[str]] = {}
        for name, t in named:
            by_id.setdefault(id(t), []).append(name)
        for names in by_id.values():
            given = [n for n in names if n in values]
            if given:
                for n in names:
                    values.setdefault(n, values[given[0]])
    if strict:
        known = {n for n, _ in named}
        unexpected = sorted(set(values) - known)
        missing = sorted(known - set(values))
        if unexpected or missing:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                + "\n\t".join(lines)
            )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    done = []
    try:
        for name, value in values.items():
            owner, leaf = _owner(module, name)
            done.append((owner, leaf, _swap(owner, leaf, value)))
        return module(*args, **(kwargs or {}))
    finally:
        for owner, leaf, old in reversed(done):
            _swap(owner, leaf, old)
