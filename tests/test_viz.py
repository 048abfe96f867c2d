"""Graph pictures: the SVG and DOT describe exactly the graph, and the text tree reads it."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import ndgrad as torch
from ndgrad import viz

SVG = "{http://www.w3.org/2000/svg}"


def _lesson_z():
    x = torch.tensor([2.0], requires_grad=True)
    y = x + 2
    z = y**2 + 3
    return x, z


def _groups(svg: str, cls: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if g.get("class", "").split()[0] == cls]


def test_svg_has_one_element_per_node_and_edge():
    x, z = _lesson_z()
    g = viz.draw(z, params={"x": x})
    nodes, edges = _groups(g.svg, "node"), _groups(g.svg, "edge")
    assert len(nodes) == 5 and len(edges) == 4  # output, Add, Pow, Add, x
    titles = [n.find(f"{SVG}text").text for n in nodes]
    assert sorted(titles) == sorted(
        ["output", "AddBackward0", "PowBackward0", "AddBackward0", "x"]
    )
    ids = {n.get("id") for n in nodes}
    assert all(e.get("data-from") in ids and e.get("data-to") in ids for e in edges)
    text = ET.tostring(ET.fromstring(g.svg), encoding="unicode")
    assert "value [19.]" in text and "1 float32, requires grad" in text


def test_dot_text_lists_nodes_and_edges():
    x, z = _lesson_z()
    d = viz.dot(z)
    assert d.startswith("digraph ndgrad {") and d.rstrip().endswith("}")
    assert len(re.findall(r"^  n\d+ \[label=", d, re.M)) == 5
    assert len(re.findall(r"^  n\d+ -> n\d+;$", d, re.M)) == 4
    assert 'label="PowBackward0\\nsaved 1 float32 v0"' in d


def test_text_tree_follows_the_chain_to_the_leaf():
    x, z = _lesson_z()
    lines = viz.text(z).splitlines()
    assert lines[0].startswith("output [1 float32; value [19.]]")
    assert [ln.strip("└─ ").split(" [")[0] for ln in lines[1:]] == [
        "AddBackward0",
        "PowBackward0",
        "AddBackward0",
        "leaf",
    ]


def test_shared_subgraph_shown_once_and_values_and_grads_of_small_leaves():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    out = (y * y + y).sum()
    out.backward()
    g = viz.draw(out, params={"x": x})
    assert len(_groups(g.svg, "node")) == len(g.boxes) == 6
    assert "(shown above)" in g.text()
    leaf = next(b for b in g.boxes.values() if b.kind == "leaf")
    assert leaf.title == "x" and any(s.startswith("grad [") for s in leaf.lines)


def test_large_graph_folds_chains_and_stays_readable():
    w = torch.randn(4, requires_grad=True)
    h = w
    for i in range(600):
        h = (h * 1.01).sin() if i % 2 else h + 0.1
    g = viz.draw(h.sum(), max_nodes=300)
    assert len(g.boxes) <= 300
    groups = [b for b in g.boxes.values() if b.kind == "group"]
    assert groups and "SinBackward0" in groups[0].lines[0]
    assert len(_groups(g.svg, "node")) == len(g.boxes)
    assert len(_groups(g.svg, "edge")) == len(g.edges)


def test_jupyter_and_files(tmp_path):
    _, z = _lesson_z()
    g = viz.draw(z)
    assert g._repr_svg_() == g.svg and str(g) == g.text()
    g.save(str(tmp_path / "z.svg"))
    g.save(str(tmp_path / "z.dot"))
    assert ET.parse(tmp_path / "z.svg").getroot().tag == f"{SVG}svg"
    assert (tmp_path / "z.dot").read_text().startswith("digraph")


def test_multi_output_function_and_no_graph():
    class Split(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, a, b):
            return 2 * a + 3 * b

    x = torch.ones(2, requires_grad=True)
    a, b = Split.apply(x)
    g = viz.draw(a + b)
    assert sum(1 for b_ in g.boxes.values() if b_.title == "SplitBackward") == 1
    plain = viz.draw(torch.ones(2))
    assert len(plain.boxes) == 1 and len(_groups(plain.svg, "node")) == 1


def test_tour_writes_one_svg_per_step(tmp_path):
    from ndgrad import tour

    assert tour.run(lambda s: None, graph_dir=str(tmp_path)) == 0
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"step{i}_{s.output}.svg" for i, s in enumerate(tour.STEPS, 1)]
    for f in tmp_path.iterdir():
        assert _groups(f.read_text(), "node")


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="needs an SVG renderer")
def test_svg_renders_to_a_picture_that_is_not_blank(tmp_path):
    _, z = _lesson_z()
    (tmp_path / "z.svg").write_text(viz.draw(z).svg)
    subprocess.run(
        ["rsvg-convert", str(tmp_path / "z.svg"), "-o", str(tmp_path / "z.png")], check=True
    )
    data = (tmp_path / "z.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    # Distinct bytes in the compressed image data: a blank picture compresses to almost none.
    assert len(set(np.frombuffer(data, np.uint8))) > 100
