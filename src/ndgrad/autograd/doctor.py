"""The gradient doctor: why a gradient is NaN, Inf or None, in plain words, with the fix."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import _backend as B
from .._tensor import Tensor
from .grad_mode import mode

__all__ = ["doctor", "Report", "diagnose"]


def _has(a: Any, test: Callable[[Any], Any]) -> bool:
    return a is not None and B.is_array(a) and bool(test(a).any())


def _zero(a: Any) -> Any:
    return a == 0


def diagnose(node: Any, g: Any) -> str:
    """The likely cause, in plain words, of a non-finite gradient out of ``node``."""
    name = node.name()
    raw = getattr(node, "raw", None) or ()
    x = raw[0] if raw else None
    y = raw[1] if len(raw) > 1 else None
    out = getattr(node, "out", None)
    # A node with several outputs receives a list of gradients (None where none came).
    grads = g if isinstance(g, list) else [g]
    zero_g = any(_has(a._data if isinstance(a, Tensor) else a, _zero) for a in grads)
    cause = ""
    if name == "SqrtBackward0" and _has(out, _zero):
        cause = "sqrt at 0: its derivative 1/(2*sqrt(x)) is infinite there."
    elif name == "LogBackward0" and _has(x, _zero):
        cause = "log of 0: its derivative 1/x is infinite there."
    elif name == "LogBackward0" and _has(x, lambda a: a < 0):
        cause = "log of a negative number, which is NaN."
    elif name == "DivBackward0" and _has(y if y is not None else x, _zero):
        cause = "division by 0: the derivative of a/b is infinite where b == 0."
    elif name.startswith("PowBackward") and _has(x, _zero):
        cause = "a power below 1 at 0 (e.g. x**0.5 or x**-1): its derivative is infinite there."
    elif "Norm" in name:
        cause = "a norm at 0: its derivative x/|x| is 0/0 there; add a small eps inside the norm."
    elif name == "ExpBackward0" and _has(out, np.isinf):
        cause = "overflow in exp: exp(x) is inf for x above ~88 (float32) or ~709 (float64)."
    elif _has(out, lambda a: ~np.isfinite(a)):
        cause = f"{name} produced non-finite values already in the forward pass."
    if cause and zero_g:
        cause += (
            " The incoming gradient is 0 there (0 * inf = nan): typical of where(cond, f(x), "
            "...) or masking, where f is not defined in the branch not taken. Make f's input "
            "safe first, e.g. where(cond, x, 1.0) or x.clamp(min=eps), then select."
        )
    return cause or f"{name} turned finite gradients into non-finite ones."


def forward_line(node: Any) -> str:
    """The user's line that recorded ``node`` (anomaly mode keeps the trace)."""
    trace = getattr(node, "trace", None)
    if not trace:
        return ""
    frames = [f for f in trace.strip().split("\n  File ") if "/ndgrad/" not in f.split(",")[0]]
    return ("  File " + frames[-1].strip()) if frames else ""


class Report:
    """What the doctor found; ``str(report)`` reads as a short letter."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.error: BaseException | None = None

    @property
    def healthy(self) -> bool:
        return not self.problems and not self.warnings

    def __str__(self) -> str:
        if self.healthy:
            return "gradient doctor: no problems found."
        lines = ["gradient doctor:"]
        lines += [f"- problem: {p}" for p in self.problems]
        lines += [f"- warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    __repr__ = __str__


def _params(params: Any) -> list[tuple[str, Tensor]]:
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    if isinstance(params, dict):
        return list(params.items())
    return [(f"parameter {i}", p) for i, p in enumerate(params)]


def doctor(fn: Callable[[], Any], params: Iterable[Tensor] | Any = None) -> Report:
    """Run ``fn`` (a forward and a backward) and report why gradients went wrong.

    ``params`` (tensors, a dict, or a Module) are checked for gradients that stayed None
    or were not zeroed before this backward.
    """
    report = Report()
    named = _params(params)
    before = {id(p): None if p.grad is None else p.grad._data.copy() for _, p in named}
    roots: list[Tensor] = []
    prev = (mode.anomaly, mode.check_nan, mode.check_inf, mode.roots)
    mode.anomaly, mode.check_nan, mode.check_inf, mode.roots = True, True, True, roots
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn()
    except RuntimeError as e:
        report.error = e
        report.problems.append(str(e))
    finally:
        mode.anomaly, mode.check_nan, mode.check_inf, mode.roots = prev
    for w in caught:
        if "not a leaf Tensor is being accessed" in str(w.message):
            report.warnings.append(
                f"{w.filename}:{w.lineno}: .grad of a non-leaf tensor is always None; call "
                ".retain_grad() on it before backward to keep its gradient."
            )
    for r in roots:
        if r.grad_fn is None and r.requires_grad:
            report.warnings.append(
                "backward was called on a tensor with no grad_fn that requires grad: setting "
                "requires_grad=True on a loss silences 'does not require grad', but no "
                "parameter receives a gradient. Find where the graph was cut (.detach(), "
                ".data, .item(), .numpy(), or no_grad) instead."
            )
    if roots and report.error is None:
        for name, p in named:
            old = before[id(p)]
            if p.grad is None:
                report.warnings.append(
                    f"{name}: .grad is still None after backward: it did not take part in the "
                    "graph of the loss (used under no_grad, through .detach()/.data, or not "
                    "at all)."
                )
            elif old is not None and np.any(old != 0):
                report.warnings.append(
                    f"{name}: .grad was not zeroed before this backward, so the new gradient "
                    "was added to the old one; call optimizer.zero_grad() (or "
                    "model.zero_grad()) each step."
                )
    return report


def explain_failure(node: Any, i: int, kind: str, g: Any) -> str:
    """The message detect_anomaly raises: torch's wording, then the doctor's diagnosis."""
    message = f"Function '{node.name()}' returned {kind} values in its {i}th output."
    where = forward_line(node)
    cause = diagnose(node, g)
    return f"{message}\nLikely cause: {cause}" + (f"\nRecorded at:\n{where}" if where else "")
