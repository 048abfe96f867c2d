"""Time each workload with ndgrad, torch and raw NumPy in one process; print times and ratios.

    python bench/run.py [--workloads lesson,chain] [--repeats N] [--json out.json] [--threads N]
    python bench/run.py --profile ndgrad --workloads chain     # cProfile instead of timings
    python bench/run.py --device cuda      # ndgrad (CuPy) vs torch CUDA, GPU-sized workloads

Repeats are interleaved between the libraries (in a rotating order) so that a noisy machine
slows them all alike; each library runs every workload once untimed first. A sample runs a
workload's step enough times in a row to last ``--min-time`` seconds and records the time per
step. The table shows medians; ``--json`` keeps every sample. Python's cyclic GC stays on, as
in real use (``--no-gc`` switches it off). On a small shared machine torch's OpenMP pool
stalls when another process holds a core: ``--threads 1`` gives steadier per-op numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import importlib
import io
import json
import math
import pstats
import statistics
import sys
import time
import traceback
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

if __package__:
    from . import machine
    from . import workloads as wls
    from .workloads import WORKLOADS, Workload
else:  # run as a script: python bench/run.py
    import machine
    import workloads as wls
    from workloads import WORKLOADS, Workload

LIBS = ("ndgrad", "compiled", "torch", "numpy")
DEFAULT_LIBS = ("ndgrad", "torch", "numpy")  # "compiled" with --compiled
# Peak memory is measured with tracemalloc, which follows every Python allocation: only for
# the training steps, where arrays dominate (on deep it would trace millions of nodes).
MEMORY_WORKLOADS = ("mlp", "cnn")


@dataclass
class Timing:
    """One library on one workload: per-step times of every sample, or why there are none."""

    number: int = 0  # steps per sample
    times: list[float] = field(default_factory=list)  # seconds per step, one per sample
    error: str | None = None
    trace: str | None = None
    check: Any = None  # the values the warm-up step returned, as NumPy arrays
    refused: str | None = None  # why ndgrad.compile cannot replay this workload
    peak: int | None = None  # bytes NumPy allocated at most during one step (not torch's)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.error else None

    def fail(self, exc: BaseException) -> None:
        self.error = f"{type(exc).__name__}: {exc}"
        self.trace = traceback.format_exc()


# ---------------------------------------------------------------------------------- libraries
def load_libs(names: list[str]) -> tuple[dict[str, ModuleType | None], dict[str, str]]:
    """Import the libraries to compare; one that cannot be imported is None, with a notice."""
    libs: dict[str, ModuleType | None] = {}
    notices: dict[str, str] = {}
    for name in names:
        if name == "numpy":
            libs[name] = np
            continue
        module = "ndgrad" if name == "compiled" else name
        try:
            libs[name] = importlib.import_module(module)
        except ImportError as e:
            if module == "ndgrad" and str(machine.REPO / "src") not in sys.path:
                # an uninstalled checkout: use its source tree
                sys.path.insert(0, str(machine.REPO / "src"))
                try:
                    libs[name] = importlib.import_module(name)
                    continue
                except ImportError:
                    pass
            libs[name] = None
            notices[name] = f"not importable ({e}); skipped"
    return libs, notices


def limit_threads(n: int, libs: dict[str, ModuleType | None], stack: contextlib.ExitStack) -> str:
    """Cap BLAS/OpenMP pools and torch's intra-op pool at ``n`` threads until ``stack`` closes."""
    torch = libs.get("torch")
    if torch is not None:
        before = torch.get_num_threads()
        torch.set_num_threads(n)
        stack.callback(torch.set_num_threads, before)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return (
            f"threadpoolctl missing: NumPy's BLAS not capped at {n} threads "
            "(set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS before starting)"
        )
    stack.enter_context(threadpool_limits(limits=n))
    return f"BLAS, OpenMP and torch capped at {n} thread(s)"


def to_numpy(value: Any) -> Any:
    """A step's result as NumPy arrays (a tuple stays a tuple), for comparison across libraries."""
    if isinstance(value, (tuple, list)):
        return tuple(to_numpy(v) for v in value)
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.array(value)  # a copy: later steps may update the arrays behind .grad


def gpu_notice(libs: dict[str, ModuleType | None]) -> str:
    """The GPU both libraries run on, and the GPU sizes of the workloads."""
    sizes = ", ".join(f"{k}={v}" for k, v in wls.GPU_SIZES.items())
    nd = libs.get("ndgrad")
    name = nd.cuda.get_device_name() if nd is not None and nd.cuda.is_available() else "none"
    return f"cuda: {name}; sizes {sizes}"


# ------------------------------------------------------------------------------------ timing
def build_step(wl: Workload, name: str, lib: ModuleType) -> Any:
    if name == "numpy":
        return wl.build_numpy() if wl.build_numpy is not None else None
    step = wl.build(lib)
    if name == "compiled":
        step = lib.compile(step)  # traced on the warm-up step, replayed after
    if wls.DEVICE == "cpu":
        return step
    sync = lib.cuda.synchronize

    def synced() -> Any:
        # GPU work is asynchronous: a step ends when the device has finished it.
        out = step()
        sync()
        return out

    return synced


def sample(step: Any, number: int, no_gc: bool = False) -> float:
    """Seconds per step over ``number`` steps in a row."""
    gc.collect()  # leave no garbage of one library for the next to pay for
    if no_gc:
        gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            step()
        return (time.perf_counter() - t0) / number
    finally:
        gc.enable()


def peak_memory(step: Any) -> int:
    """The most memory NumPy arrays (which tracemalloc sees) held at once during one step,
    beyond what was held before it: the step's working memory."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        step()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def warm_up(step: Any, min_time: float) -> tuple[int, Any]:
    """Run ``step`` untimed, then pick how many steps make a sample last ``min_time``.
    (Twice: a compiled step runs eagerly, then traces; the third call is a replay.)"""
    check = to_numpy(step())
    step()
    once = sample(step, 1)
    number = max(1, min(100_000, math.ceil(min_time / max(once, 1e-9))))
    return number, check


def measure(
    wl: Workload,
    libs: dict[str, ModuleType | None],
    repeats: int,
    min_time: float,
    no_gc: bool = False,
) -> dict[str, Timing]:
    timings: dict[str, Timing] = {}
    steps: dict[str, Any] = {}
    for name, lib in libs.items():
        if lib is None:
            continue
        t = timings[name] = Timing()
        try:
            step = build_step(wl, name, lib)
            if step is None:
                del timings[name]
                continue
            t.number, t.check = warm_up(step, min_time)
            if name != "torch" and wls.DEVICE == "cpu" and wl.name in MEMORY_WORKLOADS:
                # A compiled step's buffers live between steps: counted in its working memory.
                t.peak = peak_memory(step) + getattr(step, "buffer_bytes", lambda: 0)()
            steps[name] = step
        except Exception as e:
            if type(e).__name__ == "TraceError":
                t.refused = str(e)  # not an error of the bench: the step is not a static graph
                continue
            t.fail(e)
    order = list(steps)
    for r in range(repeats):
        k = r % len(order) if order else 0
        for name in order[k:] + order[:k]:
            t = timings[name]
            if t.error:
                continue
            try:
                t.times.append(sample(steps[name], t.number, no_gc))
            except Exception as e:
                t.fail(e)
    return timings


def compare(timings: dict[str, Timing]) -> list[str]:
    """Differences between the libraries' results (reference: torch, else NumPy)."""
    ok = {n: t.check for n, t in timings.items() if not t.error and t.check is not None}
    ref_name = next((n for n in ("torch", "numpy") if n in ok), None)
    notes = []
    for name, value in ok.items():
        for i, arr in enumerate(_flat(value)):
            if arr.dtype != np.float32:
                notes.append(f"{name} result {i} is {arr.dtype}, not float32")
    if ref_name is None or len(ok) < 2:
        return [*notes, f"only {', '.join(ok) or 'none'} ran: nothing to compare"]
    ref = _flat(ok[ref_name])
    for name, value in ok.items():
        if name == ref_name:
            continue
        got = _flat(value)
        if len(got) != len(ref):
            notes.append(f"{name} returned {len(got)} results, {ref_name} {len(ref)}")
            continue
        for i, (a, b) in enumerate(zip(got, ref)):
            if a.shape != b.shape:
                notes.append(f"{name} result {i}: shape {a.shape}, {ref_name} {b.shape}")
                continue
            scale = float(np.abs(b).max()) if b.size else 0.0
            if not np.allclose(a, b, rtol=1e-3, atol=1e-4 * scale + 1e-6):
                err = float(np.abs(a.astype(np.float64) - b).max())
                notes.append(f"{name} result {i} differs from {ref_name}: max abs err {err:.3g}")
    others = ", ".join(n for n in ok if n != ref_name)
    return notes or [f"{others} match {ref_name}"]


def _flat(value: Any) -> list[np.ndarray]:
    if isinstance(value, tuple):
        return [a for v in value for a in _flat(v)]
    return [np.asarray(value)]


# ------------------------------------------------------------------------------------- table
def fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def spread(times: list[float]) -> float:
    """Median absolute deviation relative to the median: how noisy the samples were."""
    med = statistics.median(times)
    return statistics.median(abs(t - med) for t in times) / med if med else 0.0


def summarise(wl: Workload, timings: dict[str, Timing]) -> dict[str, Any]:
    med = {n: t.median for n, t in timings.items()}
    ratios = {
        f"{mine}/{other}": med[mine] / med[other] if med.get(mine) and med.get(other) else None
        for mine in ("ndgrad", "compiled")
        if mine in timings
        for other in ("torch", "numpy")
    }
    per_op = {n: m / wl.ops * 1e6 if m and wl.ops else None for n, m in med.items()}
    peak = {n: t.peak for n, t in timings.items() if t.peak is not None}
    return {"median_s": med, "ratios": ratios, "us_per_op": per_op, "peak_bytes": peak}


def cell(t: Timing | None) -> str:
    if t is None or t.refused:
        return "-"
    if t.error:
        return "error"
    return f"{fmt_time(t.median)} ±{spread(t.times) * 100:.0f}%"


def table(rows: list[tuple[Workload, dict[str, Timing], dict[str, Any]]], libs: list[str]) -> str:
    names = rows[0][2]["ratios"] if rows else {}
    short = [k.replace("ndgrad", "nd").replace("compiled", "cmp") for k in names]
    head = ["workload", *libs, *short, *(f"us/op {n}" for n in libs)]
    body = []
    for wl, timings, summary in rows:
        ratios = summary["ratios"]
        per_op = summary["us_per_op"]
        body.append(
            [
                wl.name,
                *(cell(timings.get(n)) for n in libs),
                *(f"{r:.2f}x" if r else "-" for r in ratios.values()),
                *(f"{per_op[n]:.2f}" if per_op.get(n) else "-" for n in libs),
            ]
        )
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for r in [head, *body]:
        left = r[0].ljust(widths[0])
        lines.append("  ".join([left, *(c.rjust(w) for c, w in zip(r[1:], widths[1:]))]))
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- profile
def profile(wl: Workload, name: str, lib: ModuleType, min_time: float, top: int) -> str:
    step = build_step(wl, name, lib)
    if step is None:
        return f"{wl.name}: no {name} version"
    number, _ = warm_up(step, min_time)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(number):
        step()
    prof.disable()
    out = io.StringIO()
    out.write(f"== {wl.name} with {name}: {number} steps under cProfile\n")
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# -------------------------------------------------------------------------------------- main
def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench", description="Time workloads with ndgrad, torch and raw NumPy."
    )
    p.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help=f"comma-separated, from: {', '.join(WORKLOADS)} (default: all)",
    )
    p.add_argument("--libs", default=",".join(DEFAULT_LIBS), help="comma-separated (default: all)")
    p.add_argument(
        "--compiled", action="store_true", help="add ndgrad.compile'd steps as a column"
    )
    p.add_argument("--repeats", type=int, default=5, help="timed samples per library")
    p.add_argument("--min-time", type=float, default=0.05, help="seconds a sample lasts at least")
    p.add_argument("--threads", type=int, help="cap BLAS, OpenMP and torch threads")
    p.add_argument(
        "--no-gc", action="store_true", help="switch Python's cyclic GC off inside samples"
    )
    p.add_argument("--json", metavar="PATH", help="write all timings and the header here")
    p.add_argument("--profile", metavar="LIB", choices=LIBS, help="cProfile LIB, no timings")
    p.add_argument("--top", type=int, default=25, help="functions shown by --profile")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument(
        "--device",
        default="cpu",
        choices=("cpu", "cuda"),
        help="cuda: ndgrad on CuPy vs torch on CUDA, with "
        + ", ".join(f"{k}={v}" for k, v in wls.GPU_SIZES.items()),
    )
    args = p.parse_args(argv)
    if args.device == "cuda":
        if args.workloads == ",".join(WORKLOADS):
            args.workloads = ",".join(wls.GPU_WORKLOADS)
        if args.libs == ",".join(DEFAULT_LIBS):
            args.libs = "ndgrad,torch"  # the NumPy limit is a CPU engine's
    args.workloads = [w for w in args.workloads.split(",") if w]
    requested = [n for n in args.libs.split(",") if n] + (["compiled"] if args.compiled else [])
    args.libs = [n for n in LIBS if n in requested]  # the table's column order, always
    for w in args.workloads:
        if w not in WORKLOADS:
            p.error(f"unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    for n in requested:
        if n not in LIBS:
            p.error(f"unknown library {n!r}; choose from {', '.join(LIBS)}")
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    if args.threads is not None and args.threads < 1:
        p.error("--threads must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.list:
        width = max(map(len, WORKLOADS))
        for wl in WORKLOADS.values():
            numpy = "numpy" if wl.build_numpy else "     "
            print(f"{wl.name:{width}} {numpy}  {wl.about}")
        return 0
    names = [args.profile] if args.profile else args.libs
    libs, notices = load_libs(names)
    wls.configure(args.device)
    if args.device == "cuda":
        notices["device"] = gpu_notice(libs)
    workloads = [WORKLOADS[w] for w in args.workloads]
    with contextlib.ExitStack() as stack:
        if args.threads:
            notices["threads"] = limit_threads(args.threads, libs, stack)
        head = machine.header(libs, notices)
        print(machine.format_header(head))
        print(flush=True)
        if args.profile:
            lib = libs[args.profile]
            if lib is None:
                return 1
            for wl in workloads:
                print(profile(wl, args.profile, lib, args.min_time, args.top))
            return 0
        return run(args, libs, workloads, head)


def run(
    args: argparse.Namespace,
    libs: dict[str, ModuleType | None],
    workloads: list[Workload],
    head: dict[str, Any],
) -> int:
    rows = []
    report: dict[str, Any] = {"header": head, "args": vars(args), "workloads": {}}
    for wl in workloads:
        print(f"running {wl.name} ...", file=sys.stderr, flush=True)
        timings = measure(wl, libs, args.repeats, args.min_time, args.no_gc)
        summary = summarise(wl, timings)
        notes = compare(timings)
        rows.append((wl, timings, summary))
        report["workloads"][wl.name] = {
            "about": wl.about,
            "ops": wl.ops,
            **summary,
            "check": notes,
            "libs": {
                n: {"number": t.number, "times_s": t.times, "error": t.error}
                for n, t in timings.items()
            },
        }
    print(table(rows, list(libs)))
    gc_state = "off" if args.no_gc else "on"
    print(f"\nmedian of {args.repeats} samples, GC {gc_state}; ± is the median absolute deviation")
    for wl, timings, summary in rows:
        print(f"check {wl.name}: " + "; ".join(report["workloads"][wl.name]["check"]))
        for name, t in timings.items():
            if t.refused:
                print(f"{name} {wl.name}: not compiled ({t.refused})")
        if summary["peak_bytes"]:
            peaks = ", ".join(f"{n} {b / 2**20:.2f} MB" for n, b in summary["peak_bytes"].items())
            print(f"peak memory {wl.name}: {peaks}")
    failed = [(wl, n, t) for wl, timings, _ in rows for n, t in timings.items() if t.error]
    for wl, name, t in failed:
        print(f"\n{wl.name} failed with {name}:\n{t.trace}", file=sys.stderr)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)  # bench/results/ is git-ignored
        with open(path, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
        print(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
