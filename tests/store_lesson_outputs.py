"""Fill a lesson notebook's outputs by running its code cells with real PyTorch.

Usage: python tests/store_lesson_outputs.py NOTEBOOK.ipynb [...]

A stand-in for Jupyter's "Run All, Save" (no IPython needed): stdout and stderr become stream
outputs, a cell's last bare expression an execute_result, as a kernel would record them.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
from pathlib import Path

from ndgrad._run import strip_magics


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def run_cell(code: str, namespace: dict, number: int) -> list[dict]:
    tree = ast.parse(code)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not code.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    out, err = io.StringIO(), io.StringIO()
    value = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(compile(tree, f"<cell {number}>", "exec"), namespace)
        if last is not None:
            value = eval(compile(last, f"<cell {number}>", "eval"), namespace)
    outputs = []
    for name, stream in (("stdout", out), ("stderr", err)):
        if stream.getvalue():
            outputs.append(
                {"name": name, "output_type": "stream", "text": _lines(stream.getvalue())}
            )
    if value is not None:
        outputs.append(
            {
                "data": {"text/plain": _lines(repr(value))},
                "execution_count": number,
                "metadata": {},
                "output_type": "execute_result",
            }
        )
    return outputs


def store(path: Path) -> None:
    notebook = json.loads(path.read_text())
    namespace = {"__name__": "__main__"}
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        number = 0
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            number += 1
            code, _ = strip_magics("".join(cell["source"]))
            cell["outputs"] = run_cell(code, namespace, number)
            cell["execution_count"] = number
    finally:
        os.chdir(cwd)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    import torch

    assert "ndgrad" not in torch.__name__, "store outputs with the real torch"
    for name in sys.argv[1:]:
        store(Path(name))
        print("stored", name)
