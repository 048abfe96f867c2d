"""The backward pass: count dependencies, then run each node once all its gradients are in.

Iterative throughout (explicit stacks, no recursion), so graph depth is unbounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor, bump, make
from .anomaly_mode import check_nan, explain
from .grad_mode import mode
from .graph import Node, Slot, retain_target

__all__ = ["run_backward"]


def _key(e: Any) -> Any:
    """The node an edge leads to (an edge to one output of a multi-output node is a Slot)."""
    return e.node if type(e) is Slot else e


def _dependencies(roots: Sequence[Any]) -> dict[Any, int]:
    """For every node and leaf reachable from ``roots``: how many edges point at it."""
    deps: dict[Any, int] = {}
    root_set = set(roots)
    stack = [r for r in root_set if isinstance(r, Node)]
    while stack:
        for e in stack.pop().edges:
            if e is None:
                continue
            if type(e) is Slot:
                e = e.node
            if e in deps:
                deps[e] += 1
            else:
                # First seen: walk on from it (a root is walked from already).
                deps[e] = 1
                if isinstance(e, Node) and e not in root_set:
                    stack.append(e)
    return deps


def _needed(roots: Sequence[Any], targets: set[Any], deps: dict[Any, int]) -> set[Any] | None:
    """The nodes that lie on some path from ``roots`` to ``targets``; None when that is all of
    them: every path ends at a leaf, so when every leaf reached is a target, every node is
    on such a path (autograd.grad with respect to all the leaves, as functional.hessian)."""
    leaves = [k for k in deps if not isinstance(k, Node)]
    if all(t in deps and not isinstance(t, Node) for t in targets) and all(
        k in targets for k in leaves
    ):
        return None
    parents: dict[Any, list[Any]] = {}
    root_set = set(roots)
    stack = [r for r in root_set if isinstance(r, Node)]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for e in node.edges:
            if e is None:
                continue
            e = _key(e)
            parents.setdefault(e, []).append(node)
            if e not in seen and isinstance(e, Node):
                seen.add(e)
                stack.append(e)
    needed = set()
    stack = [t for t in targets if t in parents or t in root_set]
    while stack:
        n = stack.pop()
        if n not in needed:
            needed.add(n)
            stack.extend(parents.get(n, ()))
    return needed


def graph_walk(
    roots: Sequence[Tensor], inputs: Sequence[Tensor] | None
) -> tuple[dict[Any, int], set[Any] | None]:
    """The dependency counts of the graph behind ``roots`` and, with ``inputs``, the nodes
    on a path to them (None: all of them)."""
    keys = [_key(r._node if r._node is not None else r) for r in roots]
    deps = _dependencies(keys)
    if inputs is None:
        return deps, None
    targets = {_key(t._node if t._node is not None else t) for t in inputs}
    return deps, _needed(keys, targets, deps)


def _add_slot(pending: dict[Any, Any], e: Slot, g: Any) -> None:
    # A multi-output node collects one gradient per output, in a list.
    bucket = pending.get(e.node)
    if bucket is None:
        bucket = pending[e.node] = [None] * e.node.nout
    bucket[e.k] = g if bucket[e.k] is None else bucket[e.k] + g


def _as_tensor(g: Any) -> Tensor:
    # B.array: NumPy hands back scalars for sums of 0-dim arrays.
    return g if isinstance(g, Tensor) else make(B.array(g))


def _hooked(hooks: dict[int, Any], g: Any) -> Any:
    """Run tensor hooks (they see Tensors); a hook's return value replaces the gradient."""
    for hook in tuple(hooks.values()):
        res = hook(_as_tensor(g))
        if res is not None:
            g = res if isinstance(g, Tensor) else res._data
    return g


def _owner(a: Any) -> int:
    """The id of the array that owns ``a``'s memory (NumPy keeps a view's base flat)."""
    base = getattr(a, "base", None)
    return id(a if base is None else base)


def _writable(g: Any) -> bool:
    """Whether ``g`` can become a .grad summed into in place: an array of its own elements
    (GPU libraries mark no broadcast view read-only, so a zero stride is checked too)."""
    flags = getattr(g, "flags", None)
    if flags is None or not getattr(flags, "writeable", True):
        return False
    return g.ndim == 0 or 0 not in g.strides


def _accumulate(leaf: Tensor, g: Any, create_graph: bool, taken: set[int]) -> None:
    hooks = getattr(leaf, "_hooks", None)
    if hooks:
        g = _hooked(hooks, g)
    old = getattr(leaf, "_grad", None)
    if create_graph:
        leaf._grad = g if old is None else old + g
    elif old is None:
        # Rules return fresh arrays or views of their incoming gradient, so g may alias
        # only the caller's gradient or a gradient another leaf already took: copy then
        # (and for read-only broadcast views); otherwise keep g as it is, as torch does.
        owner = _owner(g)
        if owner in taken or not _writable(g):
            g = g.astype(leaf._data.dtype, order="C", copy=True)
        elif g.dtype != leaf._data.dtype:
            g = g.astype(leaf._data.dtype)
        else:
            taken.add(owner)
        leaf._grad = make(B.array(g))
    elif old._rg:
        leaf._grad = old + make(B.array(g))
    else:
        # In place, as torch does: a reference the user holds to .grad sees the sum.
        np.add(old._data, g, out=old._data, casting="unsafe")
        bump(old)
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
    walk: tuple[dict[Any, int], set[Any] | None] | None = None,
) -> list[Tensor | None]:
    """Propagate ``grads`` from ``roots`` back through the graph.

    With ``accumulate``, leaves (or only ``inputs``, when given) receive their gradient in
    ``.grad``; otherwise the gradients of ``inputs`` are returned and ``.grad`` is untouched.
    ``walk``: what graph_walk gave for these roots and inputs, for repeated passes through
    one graph (a Jacobian's rows).
    """
    if mode.roots is not None:
        mode.roots.extend(roots)
    edges = [r._node if r._node is not None else r for r in roots]
    keys = [_key(e) for e in edges]
    in_edges = [t._node if t._node is not None else t for t in inputs or ()]
    targets = {_key(e) for e in in_edges}
    if walk is None:
        deps = _dependencies(keys)
        needed = _needed(keys, targets, deps) if inputs is not None else None
    else:
        deps, needed = dict(walk[0]), walk[1]  # the counts are used up by the pass
    captured: list[Any] = [None] * len(in_edges)

    pending: dict[Any, Any] = {}
    if not create_graph:
        grads = [g._data for g in grads]
    # Arrays no leaf may keep as its .grad without a copy (see _accumulate).
    taken = {_owner(g) for g in grads}
    for e, g in zip(edges, grads):
        if type(e) is Slot:
            _add_slot(pending, e, g)
        else:
            pending[e] = pending[e] + g if e in pending else g
    ready = [k for k in dict.fromkeys(keys) if deps.get(k, 0) == 0]

    anomaly = mode.anomaly
    prev_mode = mode.enabled
    mode.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            g = pending.pop(node, None)
            if targets and g is not None and node in targets:
                _capture(captured, in_edges, node, g)
            if not isinstance(node, Node):
                if g is not None and accumulate and (inputs is None or node in targets):
                    _accumulate(node, g, create_graph, taken)
                continue
            if g is None or (needed is not None and node not in needed):
                grads_in: Any = (None,) * len(node.edges)
            elif node.hooks is None and node.retain is None and not anomaly:
                grads_in = node.run(g, create_graph, retain_graph)
            else:
                if node.hooks:
                    g = _run_prehooks(node, g)
                if node.retain is not None:
                    _retain(node, g)
                if anomaly:
                    grads_in = _run_checked(node, g, create_graph, retain_graph)
                else:
                    grads_in = node.run(g, create_graph, retain_graph)
                if node.hooks:
                    grads_in = _run_posthooks(node, grads_in, g)
            for e, gi in zip(node.edges, grads_in):
                if e is None:
                    continue
                if type(e) is Slot:
                    if gi is not None:
                        _add_slot(pending, e, gi)
                    e = e.node
                elif gi is not None:
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


def _run_checked(node: Node, g: Any, create_graph: bool, retain_graph: bool) -> Any:
    """node.run under anomaly detection: NaN checks, and the forward trace on any error."""
    try:
        # Keep the saved values until the check has looked at them.
        grads = node.run(g, create_graph, True)
        if mode.check_nan:
            check_nan(node, grads, g)
        if not retain_graph:
            node.release()
    except Exception:
        explain(node)
        raise
    return grads


def _capture(captured: list[Any], in_edges: list[Any], node: Any, g: Any) -> None:
    for i, e in enumerate(in_edges):
        if type(e) is Slot:
            if e.node is node:
                captured[i] = g[e.k]
        elif e is node:
            captured[i] = g


def _retain(node: Node, g: Any) -> None:
    t = retain_target(node)
    if t is None:
        return
    g = g if isinstance(g, Tensor) else make(g.astype(g.dtype, order="C", copy=True))
    old = getattr(t, "_grad", None)
    t._grad = g if old is None else old + g
