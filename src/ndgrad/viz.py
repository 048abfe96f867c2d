"""Pictures of autograd graphs: SVG laid out in pure Python, DOT text, and a terminal tree."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _backend as B
from ._tensor import Tensor
from .autograd.graph import Node, Slot

__all__ = ["Graph", "draw", "dot", "text"]

_SMALL = 8  # tensors with at most this many elements show their values


@dataclass
class Box:
    """One drawn node: an op (grad_fn), a leaf tensor, or the output."""

    key: int
    kind: str  # "op", "leaf", "output", "group"
    title: str
    lines: list[str] = field(default_factory=list)
    inputs: list[int] = field(default_factory=list)  # keys of boxes feeding this one


def _describe(t: Tensor) -> str:
    shape = "x".join(str(s) for s in t.shape) or "scalar"
    return f"{shape} {t.dtype.name}"


def _values(a: Any) -> str | None:
    if a.size > _SMALL:
        return None
    return np.array2string(B.to_numpy(a), precision=4, separator=", ", suppress_small=True)


def _edges(node: Any) -> list[Any]:
    return [
        e.node if isinstance(e, Slot) else e for e in getattr(node, "edges", ()) if e is not None
    ]


def _collect(output: Tensor, show_values: bool, names: dict[int, str]) -> dict[int, Box]:
    """Walk the graph behind ``output`` (iteratively) into boxes keyed by object id."""
    boxes: dict[int, Box] = {}
    out_box = Box(id(output), "output", "output", [_describe(output)])
    if show_values and (v := _values(output._data)) is not None:
        out_box.lines.append(f"value {v}")
    boxes[out_box.key] = out_box
    root = output.grad_fn
    if root is None:
        if output.requires_grad:
            out_box.kind = "leaf"
            out_box.title = "leaf (requires grad)"
        return boxes
    out_box.inputs.append(id(root))
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in boxes:
            continue
        if isinstance(obj, Node):
            box = Box(id(obj), "op", obj.name())
            for x in obj.saved or ():
                if isinstance(x, Tensor):
                    box.lines.append(f"saved {_describe(x)} v{x._version}")
            if getattr(obj, "out", None) is not None:
                box.lines.append(f"saved output {'x'.join(map(str, obj.out.shape)) or 'scalar'}")
            for e in _edges(obj):
                box.inputs.append(id(e))
                stack.append(e)
        else:
            title = names.get(id(obj), "leaf")
            box = Box(id(obj), "leaf", title, [f"{_describe(obj)}, requires grad"])
            if show_values:
                if (v := _values(obj._data)) is not None:
                    box.lines.append(f"value {v}")
                if obj.grad is not None and (g := _values(obj.grad._data)) is not None:
                    box.lines.append(f"grad {g}")
            box.lines.append(f"version {obj._version}")
        boxes[box.key] = box
    return boxes


def _collapse(boxes: dict[int, Box], limit: int) -> dict[int, Box]:
    """Fold chains of single-input, single-use ops into one box until the graph fits."""
    if len(boxes) <= limit:
        return boxes
    users: dict[int, int] = {}
    for b in boxes.values():
        for i in b.inputs:
            users[i] = users.get(i, 0) + 1
    merged: dict[int, int] = {}  # box key -> the chain head it was folded into
    for b in list(boxes.values()):
        if b.kind != "op" or b.key in merged:
            continue
        chain = [b]
        cur = b
        while len(cur.inputs) == 1:
            nxt = boxes.get(cur.inputs[0])
            if nxt is None or nxt.kind != "op" or users.get(nxt.key, 0) != 1 or nxt.key in merged:
                break
            chain.append(nxt)
            cur = nxt
        if len(chain) < 3:
            continue
        names: dict[str, int] = {}
        for c in chain:
            names[c.title] = names.get(c.title, 0) + 1
        summary = ", ".join(f"{n}x {k}" for k, n in names.items())
        group = Box(b.key, "group", f"{len(chain)} ops", [summary], list(cur.inputs))
        boxes[b.key] = group
        for c in chain[1:]:
            merged[c.key] = b.key
            del boxes[c.key]
    return boxes


def _layers(boxes: dict[int, Box], output_key: int) -> list[list[int]]:
    """Longest-path layering from the output, then barycentre ordering to cut crossings."""
    depth = {output_key: 0}
    order = [output_key]
    # Kahn-style pass over a DAG: a box's depth is 1 + the deepest user's.
    users: dict[int, list[int]] = {k: [] for k in boxes}
    for b in boxes.values():
        for i in b.inputs:
            if i in users:
                users[i].append(b.key)
    pending = {k: len(v) for k, v in users.items()}
    ready = [output_key]
    while ready:
        k = ready.pop()
        for i in boxes[k].inputs:
            if i not in boxes:
                continue
            depth[i] = max(depth.get(i, 0), depth[k] + 1)
            pending[i] -= 1
            if pending[i] == 0:
                ready.append(i)
                order.append(i)
    layers: list[list[int]] = [[] for _ in range(max(depth.values()) + 1)]
    for k in order:
        layers[depth[k]].append(k)
    for _ in range(2):
        for d in range(1, len(layers)):
            pos = {k: i for i, k in enumerate(layers[d - 1])}

            def centre(k: int, pos: dict[int, int] = pos) -> float:
                ps = [pos[u] for u in users[k] if u in pos]
                return sum(ps) / len(ps) if ps else 0.0

            layers[d].sort(key=centre)
    return layers


class Graph:
    """A drawn graph: ``svg``, ``to_dot()``, ``text()``; shows itself inline in Jupyter."""

    def __init__(
        self,
        output: Tensor,
        show_values: bool = True,
        max_nodes: int = 300,
        params: dict[str, Tensor] | None = None,
    ) -> None:
        self.output = output
        names = {id(t): name for name, t in (params or {}).items()}
        boxes = _collect(output, show_values, names)
        self.boxes = _collapse(boxes, max_nodes)
        self.output_key = id(output)

    @property
    def edges(self) -> list[tuple[int, int]]:
        return [(i, b.key) for b in self.boxes.values() for i in b.inputs if i in self.boxes]

    def to_dot(self) -> str:
        lines = ["digraph ndgrad {", "  rankdir=BT;", '  node [fontname="Helvetica"];']
        shapes = {"op": "box", "leaf": "ellipse", "output": "doubleoctagon", "group": "box3d"}
        for b in self.boxes.values():
            label = "\\n".join([b.title, *b.lines]).replace('"', '\\"')
            lines.append(f'  n{b.key} [label="{label}", shape={shapes[b.kind]}];')
        for src, dst in self.edges:
            lines.append(f"  n{src} -> n{dst};")
        lines.append("}")
        return "\n".join(lines)

    def text(self) -> str:
        """An indented tree from the output down to the leaves (shared parts shown once)."""
        out: list[str] = []
        seen: set[int] = set()
        stack = [(self.output_key, 0)]
        while stack:
            key, level = stack.pop()
            b = self.boxes[key]
            detail = f" [{'; '.join(b.lines)}]" if b.lines else ""
            again = " (shown above)" if key in seen else ""
            out.append("  " * level + ("└─ " if level else "") + b.title + detail + again)
            if key in seen:
                continue
            seen.add(key)
            for i in reversed(b.inputs):
                if i in self.boxes:
                    stack.append((i, level + 1))
        return "\n".join(out)

    @property
    def svg(self) -> str:
        return self._svg()

    def _svg(self) -> str:
        layers = _layers(self.boxes, self.output_key)
        char_w, line_h, pad, gap_x, gap_y = 7.5, 15.0, 8.0, 24.0, 40.0
        size: dict[int, tuple[float, float]] = {}
        for b in self.boxes.values():
            # Titles are bold, hence wider per character.
            width = max([len(b.title) * 8.5, *(len(s) * char_w for s in b.lines)]) + 2 * pad
            size[b.key] = (width, (1 + len(b.lines)) * line_h + 2 * pad)
        rows_w = [sum(size[k][0] for k in row) + gap_x * (len(row) - 1) for row in layers]
        width = max(rows_w) + 2 * gap_x
        pos: dict[int, tuple[float, float]] = {}
        y = gap_y / 2
        # Leaves at the top, the output at the bottom: gradients flow upwards.
        for row, row_w in zip(reversed(layers), reversed(rows_w)):
            x = (width - row_w) / 2
            h = max(size[k][1] for k in row)
            for k in row:
                pos[k] = (x, y)
                x += size[k][0] + gap_x
            y += h + gap_y
        height = y
        fills = {"op": "#dbe9f6", "leaf": "#e3f4e1", "output": "#fde8c8", "group": "#ece3f6"}
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
            'font-size="12">',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
            "</defs>",
        ]
        for src, dst in self.edges:
            (sx, sy), (sw, sh) = pos[src], size[src]
            (dx, dy), (dw, _) = pos[dst], size[dst]
            x1, y1, x2, y2 = sx + sw / 2, sy + sh, dx + dw / 2, dy
            mid = (y1 + y2) / 2
            parts.append(
                f'<g class="edge" data-from="n{src}" data-to="n{dst}"><path d="M{x1:.1f},{y1:.1f} '
                f'C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}" fill="none" '
                'stroke="#555" marker-end="url(#arrow)"/></g>'
            )
        for b in self.boxes.values():
            (x, y0), (w, h) = pos[b.key], size[b.key]
            rx = 14 if b.kind == "leaf" else 4
            parts.append(
                f'<g class="node {b.kind}" id="n{b.key}"><rect x="{x:.1f}" y="{y0:.1f}" '
                f'width="{w:.1f}" height="{h:.1f}" rx="{rx:.1f}" fill="{fills[b.kind]}" '
                'stroke="#333"/>'
            )
            for i, line in enumerate([b.title, *b.lines]):
                weight = ' font-weight="bold"' if i == 0 else ""
                parts.append(
                    f'<text x="{x + pad:.1f}" y="{y0 + pad + (i + 0.8) * line_h:.1f}"{weight}>'
                    f"{html.escape(line)}</text>"
                )
            parts.append("</g>")
        parts.append("</svg>")
        return "\n".join(parts)

    def save(self, path: str) -> None:
        """Write the SVG (or DOT, for a path ending in .dot)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_dot() if path.endswith(".dot") else self.svg)

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.text()


def draw(
    tensor: Tensor,
    show_values: bool = True,
    max_nodes: int = 300,
    params: dict[str, Tensor] | None = None,
) -> Graph:
    """The graph that produced ``tensor``: leaves (named by ``params``), ops, saved tensors,
    shapes, and values and gradients when small. Larger graphs fold chains of ops."""
    return Graph(tensor, show_values, max_nodes, params)


def dot(tensor: Tensor, show_values: bool = True) -> str:
    """DOT text of ``tensor``'s graph, for people who have Graphviz."""
    return Graph(tensor, show_values).to_dot()


def text(tensor: Tensor, show_values: bool = True) -> str:
    """A terminal tree of ``tensor``'s graph."""
    return Graph(tensor, show_values).text()
