"""A small pytree: flatten and rebuild nested tuples, lists and dicts of leaves."""

from __future__ import annotations

from typing import Any

__all__ = ["tree_flatten", "tree_unflatten", "broadcast_prefix", "tree_map", "spec_str"]

# A spec is None for a leaf, or (container type, keys, child specs).
Spec = Any


def tree_flatten(tree: Any) -> tuple[list[Any], Spec]:
    """The leaves of ``tree`` left to right, and what ``tree_unflatten`` needs to rebuild it."""
    leaves: list[Any] = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree: Any, leaves: list[Any]) -> Spec:
    if isinstance(tree, (tuple, list)):
        return (type(tree), None, tuple(_flatten(c, leaves) for c in tree))
    if isinstance(tree, dict):
        keys = tuple(tree)
        return (type(tree), keys, tuple(_flatten(tree[k], leaves) for k in keys))
    leaves.append(tree)
    return None


def tree_unflatten(leaves: list[Any], spec: Spec) -> Any:
    it = iter(leaves)
    return _unflatten(it, spec)


def _unflatten(it: Any, spec: Spec) -> Any:
    if spec is None:
        return next(it)
    kind, keys, children = spec
    items = [_unflatten(it, c) for c in children]
    if keys is not None:
        return kind(zip(keys, items))
    if kind is tuple or kind is list:
        return kind(items)
    if hasattr(kind, "_fields"):  # a namedtuple
        return kind(*items)
    return kind(items)


def tree_map(fn: Any, tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix: Any, tree: Any) -> list[Any] | None:
    """``prefix`` repeated over the leaves of ``tree``; None when it is not a prefix of it."""
    out: list[Any] = []
    return out if _broadcast(prefix, tree, out) else None


def _broadcast(prefix: Any, tree: Any, out: list[Any]) -> bool:
    if not isinstance(prefix, (tuple, list, dict)):
        out.extend([prefix] * len(tree_flatten(tree)[0]))
        return True
    if isinstance(prefix, dict):
        if not isinstance(tree, dict) or set(prefix) != set(tree):
            return False
        return all(_broadcast(prefix[k], tree[k], out) for k in tree)
    if not isinstance(tree, (tuple, list)) or len(prefix) != len(tree):
        return False
    return all(_broadcast(p, t, out) for p, t in zip(prefix, tree))


def spec_str(spec: Spec) -> str:
    """A short description of a structure, for error messages."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    parts = [spec_str(c) for c in children]
    if keys is not None:
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts)) + "}"
    if kind is list:
        return "[" + ", ".join(parts) + "]"
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
