"""The chain-rule explainer: how each input's gradient was formed, node by node.

The numbers shown are the engine's own: incoming and outgoing gradients are captured with
node hooks during a real backward pass, and local derivatives come from running each
node's own rule on a gradient of ones.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor
from .graph import Node, Slot

__all__ = ["explain", "Explanation"]

# Forward expressions by node name: a, b are the operands; p a parameter.
_FORWARD = {
    "AddBackward0": "{a} + {b}",
    "SubBackward0": "{a} - {b}",
    "RsubBackward1": "{p} - {a}",
    "MulBackward0": "{a}*{b}",
    "DivBackward0": "{a}/{b}",
    "NegBackward0": "-{a}",
    "PowBackward0": "{a}**{p}",
    "PowBackward1": "{a}**{b}",
    "PowBackward2": "{p}**{a}",
    "MmBackward0": "{a} @ {b}",
    "MvBackward0": "{a} @ {b}",
    "DotBackward0": "{a} @ {b}",
    "MatmulBackward0": "{a} @ {b}",
    "CopySlices": "{a} with a part set to {b}",
}
_FUNCTIONS = {
    "SumBackward0": "sum",
    "SumBackward1": "sum",
    "MeanBackward0": "mean",
    "MeanBackward1": "mean",
    "ExpBackward0": "exp",
    "LogBackward0": "log",
    "SinBackward0": "sin",
    "CosBackward0": "cos",
    "TanhBackward0": "tanh",
    "SigmoidBackward0": "sigmoid",
    "ReluBackward0": "relu",
    "SqrtBackward0": "sqrt",
    "AbsBackward0": "abs",
    "SelectBackward0": "select",
    "SliceBackward0": "slice",
    "IndexBackward0": "index",
}
# Local derivatives d(out)/d(operand i), in the same letters.
_DERIVATIVE = {
    "AddBackward0": ("1", "1"),
    "SubBackward0": ("1", "-1"),
    "RsubBackward1": ("-1",),
    "MulBackward0": ("{b}", "{a}"),
    "DivBackward0": ("1/{b}", "-{a}/{b}**2"),
    "NegBackward0": ("-1",),
    "PowBackward1": ("{b}*{a}**({b} - 1)", "{a}**{b}*log({a})"),
    "PowBackward2": ("{p}**{a}*log({p})",),
    "ExpBackward0": ("exp({a})",),
    "LogBackward0": ("1/{a}",),
    "SinBackward0": ("cos({a})",),
    "CosBackward0": ("-sin({a})",),
    "TanhBackward0": ("1 - tanh({a})**2",),
    "SigmoidBackward0": ("sigmoid({a})*(1 - sigmoid({a}))",),
    "ReluBackward0": ("({a} > 0)",),
    "SqrtBackward0": ("1/(2*sqrt({a}))",),
    "AbsBackward0": ("sign({a})",),
    "MmBackward0": ("(g @ {b}^T)", "({a}^T @ g)"),
    "MatmulBackward0": ("(g @ {b}^T)", "({a}^T @ g)"),
    "SumBackward0": ("1 (for every element)",),
    "SumBackward1": ("1 (for every element)",),
    "MeanBackward0": ("1/{n}",),
    "MeanBackward1": ("1/{n}",),
    "SelectBackward0": ("1 at the selected element",),
    "SliceBackward0": ("1 on the slice",),
    "IndexBackward0": ("1 at each indexed position",),
    "CopySlices": ("1 outside the written part", "1 on the written part"),
}


# How tightly each node's expression binds, to print only the parentheses needed.
_PRECEDENCE = {
    "AddBackward0": 1,
    "SubBackward0": 1,
    "RsubBackward1": 1,
    "MulBackward0": 2,
    "DivBackward0": 2,
    "MmBackward0": 2,
    "MvBackward0": 2,
    "DotBackward0": 2,
    "MatmulBackward0": 2,
    "NegBackward0": 2,
    "PowBackward0": 3,
    "PowBackward1": 3,
    "PowBackward2": 3,
    "CopySlices": 0,
}
_ATOM = 4


def _paren(expr: str, prec: int, need: int) -> str:
    return f"({expr})" if prec < need else expr


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _show(t: Any) -> str:
    """A gradient or value: the number itself when small, else shape and a summary."""
    a = np.asarray(B.to_numpy(t._data if isinstance(t, Tensor) else t), dtype=np.float64)
    if a.size == 1:
        return _num(float(a.reshape(())))
    if a.size <= 6:
        return np.array2string(a, precision=4, separator=", ")
    shape = "x".join(map(str, a.shape))
    return f"[{shape} tensor: mean {a.mean():.4g}, min {a.min():.4g}, max {a.max():.4g}]"


@dataclass
class _Info:
    node: Node
    expr: str = ""
    letters: dict[str, str] = field(default_factory=dict)
    g_out: Any = None
    g_in: list[Any] = field(default_factory=list)


def _edges(node: Any) -> list[Any]:
    return [e.node if isinstance(e, Slot) else e for e in node.edges]


def _operand(node: Node, i: int, exprs: dict[int, tuple[str, int]]) -> tuple[str, int]:
    e = node.edges[i]
    if e is not None:
        return exprs[id(e.node if isinstance(e, Slot) else e)]
    const = getattr(node, "const", None)
    return (_num(const) if const is not None else "c"), _ATOM


class Explanation:
    """What explain() found: printable, with the engine's gradients in ``gradients``."""

    def __init__(self, lines: list[str], gradients: dict[str, Tensor]) -> None:
        self.lines = lines
        self.gradients = gradients

    def __str__(self) -> str:
        return "\n".join(self.lines)

    __repr__ = __str__


def _caller_names(frame: Any) -> dict[int, str]:
    names: dict[int, str] = {}
    if frame is not None:
        for name, value in frame.f_locals.items():
            if isinstance(value, Tensor) and not name.startswith("_"):
                names.setdefault(id(value), name)
    return names


def explain(
    output: Tensor,
    inputs: Tensor | Any,
    names: dict[str, Tensor] | None = None,
    print_result: bool = True,
) -> Explanation:
    """Explain d(output)/d(inputs) by the chain rule, with the engine's own numbers."""
    from . import grad

    frame = inspect.currentframe()
    by_id = _caller_names(frame.f_back if frame else None)
    if isinstance(inputs, dict):
        names, inputs = inputs, tuple(inputs.values())
    by_id.update({id(t): n for n, t in (names or {}).items()})
    ins = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    out_name = by_id.get(id(output), "out")
    root = output.grad_fn
    if root is None:
        raise RuntimeError(f"{out_name} was not computed from tensors that require grad")

    # Topological order (output first) without recursion, and each node's expression.
    order: list[Node] = []
    pending = {id(root): 0}
    nodes = {id(root): root}
    stack = [root]
    while stack:
        n = stack.pop()
        for e in _edges(n):
            if isinstance(e, Node):
                pending[id(e)] = pending.get(id(e), 0) + 1
                if id(e) not in nodes:
                    nodes[id(e)] = e
                    stack.append(e)
    ready = [root]
    while ready:
        n = ready.pop()
        order.append(n)
        for e in _edges(n):
            if isinstance(e, Node):
                pending[id(e)] -= 1
                if pending[id(e)] == 0:
                    ready.append(e)
    exprs: dict[int, tuple[str, int]] = {}
    leaves: list[Tensor] = []
    for n in reversed(order):
        for e in _edges(n):
            if e is not None and not isinstance(e, Node) and id(e) not in exprs:
                exprs[id(e)] = (by_id.get(id(e), f"leaf{len(leaves)}"), _ATOM)
                leaves.append(e)
        exprs[id(n)] = _expression(n, exprs)

    info = {id(n): _Info(n, exprs[id(n)][0]) for n in order}
    handles = [n.register_hook(_recorder(info[id(n)])) for n in order]
    try:
        grads = grad(output, ins, retain_graph=True, allow_unused=True)
    finally:
        for h in handles:
            h.remove()

    lines = [f"How d{out_name}/d({', '.join(by_id.get(id(t), '?') for t in ins)}) is formed,"]
    lines.append(f"from {out_name} = {exprs[id(root)][0]} back to the inputs:\n")
    for n in order:
        lines += _node_lines(info[id(n)], exprs)
    result: dict[str, Tensor] = {}
    for t, g in zip(ins, grads):
        name = by_id.get(id(t), "input")
        total = _total_derivative(t, root, exprs, info)
        value = "no gradient (not used)" if g is None else _show(g)
        lines.append(
            f"d{out_name}/d{name} = {total} = {value}"
            if total
            else f"d{out_name}/d{name} = {value}"
        )
        if g is not None:
            result[name] = g
    explanation = Explanation(lines, result)
    if print_result:
        print(explanation)
    return explanation


def _operands(n: Node, exprs: dict[int, tuple[str, int]], need: int) -> tuple[str, str]:
    """The first two operands, parenthesised for an operator binding with ``need``."""
    out = []
    for i in range(2):
        if i < len(n.edges):
            text, prec = _operand(n, i, exprs)
            # The right operand of - and / and the base of ** need their own parentheses.
            tight = need + 1 if (i == 1 and need in (1, 2)) or (i == 0 and need == 3) else need
            out.append(_paren(text, prec, tight))
        else:
            out.append("")
    return out[0], out[1]


def _expression(n: Node, exprs: dict[int, tuple[str, int]]) -> tuple[str, int]:
    name = n.name()
    kw = n.kw or {}
    p = kw.get("p", kw.get("other", kw.get("base")))
    if name in _FORWARD:
        prec = _PRECEDENCE.get(name, _ATOM)
        a, b = _operands(n, exprs, prec)
        text = _FORWARD[name].format(a=a, b=b, p=_num(p) if p is not None else "p")
        return text, prec
    args = ", ".join(_operand(n, i, exprs)[0] for i in range(len(n.edges)))
    return f"{_FUNCTIONS.get(name, name.removesuffix('Backward0'))}({args})", _ATOM


def _local_symbol(n: Node, i: int, exprs: dict[int, tuple[str, int]]) -> str:
    name = n.name()
    kw = n.kw or {}
    # Derivative formulas multiply and divide their operands: parenthesise sums.
    a, b = _operands(n, exprs, 3)
    if name == "PowBackward0":
        p = kw["p"]
        return "0" if p == 0 else ("2*" + a if p == 2 else f"{_num(p)}*{a}**{_num(p - 1)}")
    rules = _DERIVATIVE.get(name)
    if rules is None or i >= len(rules):
        return f"d{name}/d(input {i})"
    shape = kw.get("shape")
    count = int(np.prod([shape[d] for d in kw.get("axes") or range(len(shape))])) if shape else 1
    p = kw.get("p", kw.get("other", kw.get("base")))
    return rules[i].format(a=a, b=b, n=count, p=_num(p) if p is not None else "p")


def _recorder(record: _Info) -> Any:
    def hook(grad_inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]) -> None:
        record.g_out = grad_outputs[0]
        record.g_in = list(grad_inputs)

    return hook


def _node_lines(rec: _Info, exprs: dict[int, tuple[str, int]]) -> list[str]:
    n = rec.node
    lines = [f"{n.name()}: {rec.expr}"]
    if rec.g_out is None:
        return lines + ["  receives no gradient\n"]
    lines.append(f"  incoming gradient g = {_show(rec.g_out)}")
    local = _local_values(n, rec.g_out)
    for i, e in enumerate(n.edges):
        if e is None or i >= len(rec.g_in) or rec.g_in[i] is None:
            continue
        target = exprs[id(e.node if isinstance(e, Slot) else e)][0]
        symbol = _local_symbol(n, i, exprs)
        shown = None if local[i] is None else _show(local[i])
        value = "" if shown is None or shown == symbol else f" = {shown}"
        lines.append(f"  d({rec.expr})/d({target}) = {symbol}{value}")
        lines.append(f"  gradient passed to {target}: {_show(rec.g_in[i])}")
    lines.append("")
    return lines


def _local_values(n: Node, g_out: Any) -> list[Any]:
    """The node's own rule applied to a gradient of ones (its local derivative, summed back)."""
    ones = np.ones_like(g_out._data)
    try:
        return list(n.run(ones, create_graph=False, retain=True))
    except Exception:  # a node whose saved values are gone: show the gradients only
        return [None] * len(n.edges)


def _total_derivative(
    leaf: Tensor, root: Node, exprs: dict[int, tuple[str, int]], info: dict[int, _Info]
) -> str:
    """Sum over paths from the root to ``leaf`` of the product of local derivatives."""
    paths: list[str] = []
    stack: list[tuple[Any, list[str]]] = [(root, [])]
    while stack and len(paths) < 8:
        node, factors = stack.pop()
        if node is leaf:
            kept = [f for f in factors if f not in ("1", "1 (for every element)")]
            paths.append("*".join(kept) if kept else "1")
            continue
        if not isinstance(node, Node):
            continue
        for i, e in enumerate(node.edges):
            target = e.node if isinstance(e, Slot) else e
            if target is not None:
                stack.append((target, [*factors, _local_symbol(node, i, exprs)]))
    if not paths:
        return ""
    if len(paths) == 1:
        return paths[0]
    return " + ".join(paths) + f"   ({len(paths)} paths add up)"
