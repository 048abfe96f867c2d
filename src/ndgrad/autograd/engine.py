"""The backward pass: count dependencies, then run each node once all its gradients are in.

Iterative throughout (explicit stacks, no recursion), so graph depth is unbounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._tensor import Tensor, make, version_counter
from .grad_mode import mode
from .graph import Node, retain_target

__all__ = ["run_backward"]


def _dependencies(roots: Sequence[Any]) -> dict[Any, int]:
    """For every node and leaf reachable from ``roots``: how many edges point at it."""
    deps: dict[Any, int] = {}
    stack = [r for r in roots if isinstance(r, Node)]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for e in node.edges:
            if e is None:
                continue
            if e in deps:
                deps[e] += 1
            else:
                deps[e] = 1
            if e not in seen and isinstance(e, Node):
                seen.add(e)
                stack.append(e)
    return deps


def _needed(roots: Sequence[Any], targets: set[Any]) -> set[Any]:
    """The nodes that lie on some path from ``roots`` to ``targets``."""
    parents: dict[Any, list[Any]] = {}
    stack = [r for r in roots if isinstance(r, Node)]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for e in node.edges:
            if e is None:
                continue
            parents.setdefault(e, []).append(node)
            if e not in seen and isinstance(e, Node):
                seen.add(e)
                stack.append(e)
    needed = set()
    root_set = set(roots)
    stack = [t for t in targets if t in parents or t in root_set]
    while stack:
        n = stack.pop()
        if n in needed:
            continue
        needed.add(n)
        stack.extend(parents.get(n, ()))
    return needed


def _as_tensor(g: Any) -> Tensor:
    return g if isinstance(g, Tensor) else make(g)


def _hooked(hooks: dict[int, Any], g: Any) -> Any:
    """Run tensor hooks (they see Tensors); a hook's return value replaces the gradient."""
    for hook in tuple(hooks.values()):
        res = hook(_as_tensor(g))
        if res is not None:
            g = res if isinstance(g, Tensor) else res._data
    return g


def _accumulate(leaf: Tensor, g: Any, create_graph: bool) -> None:
    hooks = getattr(leaf, "_hooks", None)
    if hooks:
        g = _hooked(hooks, g)
    old = getattr(leaf, "_grad", None)
    if create_graph:
        leaf._grad = g if old is None else old + g
    elif old is None:
        # A fresh, contiguous copy: g may alias the caller's gradient or a saved value.
        leaf._grad = make(np.array(g, dtype=leaf._data.dtype, order="C"))
    elif old._rg:
        leaf._grad = old + make(g)
    else:
        # In place, as torch does: a reference the user holds to .grad sees the sum.
        np.add(old._data, g, out=old._data, casting="unsafe")
        version_counter(old)[0] += 1
    post = getattr(leaf, "_post_hooks", None)
    if post:
        for hook in tuple(post.values()):
            hook(leaf)


def _run_prehooks(node: Node, g: Any) -> Any:
    for kind, fn in tuple(node.hooks.values()):
        if kind == "pre":
            res = fn(_as_tensor(g))
            if res is not None:
                res = res if isinstance(res, Tensor) else res[0]
                g = res if isinstance(g, Tensor) else res._data
    return g


def _run_posthooks(node: Node, grads: tuple[Any, ...], g: Any) -> tuple[Any, ...]:
    for kind, fn in tuple(node.hooks.values()):
        if kind == "post":
            wrapped = tuple(None if x is None else _as_tensor(x) for x in grads)
            res = fn(wrapped, (_as_tensor(g),))
            if res is not None:
                tensors = isinstance(g, Tensor)
                grads = tuple(x if x is None or tensors else x._data for x in res)
    return grads


def run_backward(
    roots: Sequence[Tensor],
    grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
    accumulate: bool = True,
) -> list[Tensor | None]:
    """Propagate ``grads`` from ``roots`` back through the graph.

    With ``accumulate``, leaves (or only ``inputs``, when given) receive their gradient in
    ``.grad``; otherwise the gradients of ``inputs`` are returned and ``.grad`` is untouched.
    """
    edges = [r._node if r._node is not None else r for r in roots]
    targets: dict[Any, int] = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            targets.setdefault(t._node if t._node is not None else t, i)
    needed = _needed(edges, set(targets)) if inputs is not None else None
    deps = _dependencies(edges)
    captured: list[Tensor | None] = [None] * (len(inputs) if inputs is not None else 0)

    pending: dict[Any, Any] = {}
    if not create_graph:
        grads = [g._data for g in grads]
    for e, g in zip(edges, grads):
        pending[e] = pending[e] + g if e in pending else g
    ready = [e for e in dict.fromkeys(edges) if deps.get(e, 0) == 0]

    prev_mode = mode.enabled
    mode.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            g = pending.pop(node, None)
            if targets and g is not None and node in targets:
                _capture(captured, inputs, targets, node, g)
            if not isinstance(node, Node):
                if g is not None and accumulate and (inputs is None or node in targets):
                    _accumulate(node, g, create_graph)
                continue
            if g is None or (needed is not None and node not in needed):
                grads_in = (None,) * len(node.edges)
            else:
                if node.hooks:
                    g = _run_prehooks(node, g)
                if node.retain is not None:
                    _retain(node, g)
                grads_in = node.run(g, create_graph, retain_graph)
                if node.hooks:
                    grads_in = _run_posthooks(node, grads_in, g)
            for e, gi in zip(node.edges, grads_in):
                if e is None:
                    continue
                if gi is not None:
                    prev = pending.get(e)
                    pending[e] = gi if prev is None else prev + gi
                d = deps[e] - 1
                if d:
                    deps[e] = d
                else:
                    ready.append(e)
    finally:
        mode.enabled = prev_mode
    return [None if g is None else _as_tensor(g) for g in captured]


def _capture(
    captured: list[Tensor | None],
    inputs: Sequence[Tensor] | None,
    targets: dict[Any, int],
    node: Any,
    g: Tensor,
) -> None:
    assert inputs is not None
    for i, t in enumerate(inputs):
        if (t._node if t._node is not None else t) is node:
            captured[i] = g


def _retain(node: Node, g: Any) -> None:
    t = retain_target(node)
    if t is None:
        return
    g = g if isinstance(g, Tensor) else make(np.array(g, order="C"))
    old = getattr(t, "_grad", None)
    t._grad = g if old is None else old + g
