"""What the numbers were measured on: machine, versions, thread counts and BLAS libraries."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(("model name", "Model", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def git_revision() -> str | None:
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if rev.returncode != 0:
        return None
    return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def thread_pools() -> list[dict[str, Any]] | None:
    """The native thread pools loaded in this process (BLAS, OpenMP), or None without
    threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads", "filepath")
    return [{k: info.get(k) for k in keep} for info in threadpool_info()]


def torch_blas(torch: ModuleType) -> str | None:
    """torch's BLAS as built in (statically linked MKL is invisible to threadpoolctl)."""
    try:
        config = torch.__config__.show()
    except Exception:  # only a description: never worth failing over
        return None
    found = re.search(r"BLAS_INFO=(\w+)", config)
    return found.group(1) if found else None


def header(libs: dict[str, ModuleType | None], notices: dict[str, str]) -> dict[str, Any]:
    """Everything needed to tell two runs apart, as plain JSON-able data."""
    head: dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": usable_cores(),
        "load_average": _load_average(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": np.__version__,
        "git": git_revision(),
        "dtype": "float32",
    }
    nd = libs.get("ndgrad")
    head["ndgrad"] = (
        f"{getattr(nd, '__version__', '?')} ({Path(nd.__file__).parent})" if nd else None
    )
    torch = libs.get("torch")
    if torch is not None:
        head["torch"] = torch.__version__
        head["torch_threads"] = torch.get_num_threads()
        head["torch_interop_threads"] = torch.get_num_interop_threads()
        head["torch_blas"] = torch_blas(torch)
    else:
        head["torch"] = None
    head["thread_pools"] = thread_pools()
    head["notices"] = dict(notices)
    return head


def format_header(head: dict[str, Any]) -> str:
    lines = [
        f"machine : {head['platform']}",
        f"cpu     : {head['cpu']}, {head['cores_logical']} logical cores "
        f"({head['cores_usable']} usable), load average {head['load_average'] or '?'}",
        f"python  : {head['python']}   numpy {head['numpy']}   torch {head['torch'] or '-'}",
        f"ndgrad  : {head['ndgrad'] or '-'}   git {head['git'] or '?'}   dtype {head['dtype']}",
    ]
    if head["torch"] is not None:
        lines.append(
            f"torch   : {head['torch_threads']} intra-op threads, "
            f"{head['torch_interop_threads']} inter-op, BLAS {head['torch_blas'] or '?'}"
        )
    pools = head["thread_pools"]
    if pools is None:
        lines.append("threads : threadpoolctl not installed: BLAS and thread counts unknown")
    else:
        for p in pools:
            name = Path(p["filepath"]).name if p["filepath"] else p["prefix"]
            owner = _owner(p["filepath"])
            lines.append(
                f"threads : {p['internal_api']} {p['version'] or ''} ({p['user_api']}), "
                f"{p['num_threads']} threads, {name}{owner}".replace("  ", " ")
            )
        if not pools:
            lines.append("threads : no BLAS/OpenMP pool loaded")
    for name, text in head["notices"].items():
        lines.append(f"note    : {name}: {text}")
    return "\n".join(lines)


def _owner(filepath: str | None) -> str:
    """Which package shipped a native library, from its path: numpy's BLAS, torch's OpenMP."""
    if not filepath:
        return ""
    parts = Path(filepath).parts
    if "site-packages" in parts:
        i = parts.index("site-packages")
        if i + 1 < len(parts):
            return f" [{parts[i + 1].split('.')[0]}]"
    return ""


def _load_average() -> str | None:
    """Other work on the machine at the start: the first thing to suspect in noisy timings."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return None
