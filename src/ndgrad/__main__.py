"""``python -m ndgrad tour|bench|digits|ops|run``: the command-line entry points."""

from __future__ import annotations

import sys
from pathlib import Path

USAGE = """usage: python -m ndgrad COMMAND

commands:
  tour     run the autograd lesson step by step, checking each result against the maths
           (--graph DIR writes each step's graph as an SVG; --explain shows the chain rule)
  bench    run the benchmark suite (needs a source checkout: bench/run.py)
  digits   train a small CNN on the 8x8 handwritten digits (--epochs, --out, ...; --help)
  ops      print the table of supported torch functions (--update-readme FILE rewrites it)
  run      run a torch script or notebook on ndgrad: python -m ndgrad run FILE [args...]
           (--compare checks a notebook's outputs against the ones stored in it)
"""


def _bench(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    if not (root / "bench" / "run.py").exists():
        print("bench needs a source checkout of ndgrad (bench/run.py not found)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(root))
    from bench.run import main

    return main(argv) or 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "tour":
        from .tour import main as tour

        return tour(rest)
    if command == "bench":
        return _bench(rest)
    if command == "digits":
        from .digits import main as digits

        return digits(rest)
    if command == "run":
        from ._run import main as run

        return run(rest)
    if command == "ops":
        from ._supported import table, update_readme

        if rest[:1] == ["--update-readme"] and len(rest) == 2:
            print("updated" if update_readme(rest[1]) else "already current")
        else:
            print(table())
        return 0
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
