"""``python -m ndgrad run FILE``: a torch script or notebook, with ``import torch`` giving ndgrad."""

from __future__ import annotations

import ast
import builtins
import io
import json
import linecache
import os
import re
import runpy
import sys
import traceback
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._compare import compare
from .compat import install_torch_alias

USAGE = """usage: python -m ndgrad run [--compare] [--rtol R] [--atol A] FILE [args...]

Runs FILE (a Python script, or a Jupyter notebook .ipynb) with torch, torch.nn, torch.optim,
... resolving to ndgrad in that process. A notebook's code cells run in order, each one's
output under a "--- cell N ---" marker; IPython magics (%...) and shell lines (!...) are
skipped with a notice.

  --compare   (notebooks) compare each cell's output with the one stored in the notebook,
              number by number; report per cell; exit status 1 if any cell differed
  --rtol R    relative tolerance for --compare (default 1e-3)
  --atol A    absolute tolerance for --compare (default 1e-5); one unit in the last
              printed digit is always allowed
"""

_HELP_LINE = re.compile(r"^\s*[\w.]+\?{1,2}\s*$")  # IPython's "obj?" help syntax


@dataclass
class Cell:
    """A notebook code cell: its number among code cells, source, and stored output text."""

    number: int
    source: str
    stored: str


def main(argv: list[str]) -> int:
    options = {"--compare": False, "--rtol": 1e-3, "--atol": 1e-5}
    args = list(argv)
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag in ("-h", "--help"):
            print(USAGE)
            return 0
        if flag == "--compare":
            options["--compare"] = True
        elif flag in ("--rtol", "--atol") and args:
            options[flag] = float(args.pop(0))
        else:
            print(f"unknown option {flag!r}\n\n{USAGE}", file=sys.stderr)
            return 2
    if not args:
        print(USAGE, file=sys.stderr)
        return 2
    path = Path(args[0]).resolve()
    if not path.is_file():
        print(f"ndgrad run: no such file: {args[0]}", file=sys.stderr)
        return 2
    is_notebook = path.suffix == ".ipynb"
    if options["--compare"] and not is_notebook:
        print(
            "ndgrad run: --compare needs a notebook (.ipynb) with stored outputs", file=sys.stderr
        )
        return 2
    install_torch_alias()
    sys.argv = [str(path), *args[1:]]
    sys.path.insert(0, str(path.parent))
    if not is_notebook:
        return run_script(path)
    return run_notebook(path, options["--compare"], options["--rtol"], options["--atol"])


def run_script(path: Path) -> int:
    """Run ``path`` as ``__main__``; the exit status is the script's."""
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as e:
        return _exit_status(e)
    except BaseException as e:
        _print_user_traceback(e, str(path))
        return 1
    return 0


def run_notebook(path: Path, check: bool, rtol: float, atol: float) -> int:
    """Run the notebook's code cells in order, in one namespace, as Jupyter's "Run All"."""
    cells = load_cells(path)
    os.environ.setdefault("MPLBACKEND", "Agg")  # no window to show figures in
    os.chdir(path.parent)  # Jupyter runs a notebook from its own folder
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    namespace["display"] = _display
    printed: list[str] = []
    status = 0
    for cell in cells:
        print(f"--- cell {cell.number} ---", flush=True)
        code, notices = strip_magics(cell.source)
        for notice in notices:
            print(f"[ndgrad run] skipped {notice}", flush=True)
        try:
            printed.append(run_cell(code, namespace, f"<cell {cell.number}>"))
        except SystemExit as e:
            status = _exit_status(e)
            break
        except BaseException as e:
            _print_user_traceback(e, f"<cell {cell.number}>")
            status = 1
            break
    if check:
        status = max(status, report(cells, printed, rtol, atol))
    return status


def load_cells(path: Path) -> list[Cell]:
    """The code cells of an nbformat-4 notebook, with the text of their stored outputs."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if notebook.get("nbformat", 0) < 4:
        raise ValueError(f"{path}: only nbformat 4 notebooks are supported")
    code = [c for c in notebook["cells"] if c.get("cell_type") == "code"]
    return [
        Cell(i + 1, _text(c.get("source", "")), stored_output(c.get("outputs", [])))
        for i, c in enumerate(code)
    ]


def stored_output(outputs: list[dict[str, Any]]) -> str:
    """What a cell printed when it was saved: stdout and text results, not images or stderr."""
    parts = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") == "stdout":
            parts.append(_text(out.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            if any(mime.startswith("image/") for mime in data):
                continue  # a figure: its text/plain is "<Figure size ...>"
            if "text/plain" in data:
                parts.append(_text(data["text/plain"]) + "\n")
    return "".join(parts)


def strip_magics(source: str) -> tuple[str, list[str]]:
    """``source`` with IPython-only lines turned into ``pass``, and a notice for each."""
    lines = source.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        if first.split()[0] != "%%time":
            return "", [f"cell magic {first} (the whole cell)"]
        lines.remove(next(line for line in lines if line.strip()))
        notices = [f"cell magic {first} (the cell runs, untimed)"]
    else:
        notices = []
    kept = []
    for line in lines:
        text = line.strip()
        if text.startswith(("%", "!")) or _HELP_LINE.match(line):
            kind = {"%": "IPython magic", "!": "shell line"}.get(text[0], "help request")
            notices.append(f"{kind}: {text}")
            line = line[: len(line) - len(line.lstrip())] + "pass"
        kept.append(line)
    return "\n".join(kept) + "\n", notices


class _Tee(io.TextIOBase):
    """Writes to the real stdout and keeps a copy, so a cell's output is shown and compared."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        return self.copy.write(text)

    def flush(self) -> None:
        self.stream.flush()


def run_cell(code: str, namespace: dict[str, Any], filename: str) -> str:
    """Run one cell as IPython does (the last bare expression is displayed); return its output."""
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = ast.parse(code, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not code.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    tee = _Tee(sys.stdout)
    with redirect_stdout(tee):
        exec(compile(tree, filename, "exec"), namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval"), namespace)
            if value is not None:
                namespace["_"] = value
                print(repr(value))
    sys.stdout.flush()
    return tee.copy.getvalue()


def report(cells: list[Cell], printed: list[str], rtol: float, atol: float) -> int:
    """Print each cell's verdict against its stored output and a summary; 1 if any differed."""
    print("--- compare with the outputs stored in the notebook ---")
    counts = {"matched": 0, "differed": 0, "not comparable": 0}
    for cell in cells:
        if cell.number > len(printed):
            status, detail = "not comparable", "not run"
        else:
            verdict = compare(cell.stored, printed[cell.number - 1], rtol, atol)
            status, detail = verdict.status, verdict.detail
        counts[status] += 1
        print(f"cell {cell.number}: {status} ({detail})")
    print(
        f"compare: {counts['matched']} matched, {counts['differed']} differed, "
        f"{counts['not comparable']} not comparable (of {len(cells)} code cells)"
    )
    return 1 if counts["differed"] else 0


def _display(*objs: Any, **kwargs: Any) -> None:
    """IPython's ``display`` for text: each object's repr on its own line."""
    for obj in objs:
        print(repr(obj))


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _exit_status(e: SystemExit) -> int:
    if e.code is None or isinstance(e.code, int):
        return e.code or 0
    print(e.code, file=sys.stderr)
    return 1


def _print_user_traceback(e: BaseException, filename: str) -> None:
    """The traceback from the user's code down, without this runner's frames."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    sys.stdout.flush()
    traceback.print_exception(type(e), e, tb or e.__traceback__)
