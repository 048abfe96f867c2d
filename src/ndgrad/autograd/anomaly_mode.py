"""Anomaly detection: remember where each op was recorded, and stop at NaN gradients."""

from __future__ import annotations

import traceback
import warnings
from typing import Any

import numpy as np

from .grad_mode import _ModeContext, mode

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]


def is_anomaly_enabled() -> bool:
    return mode.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return mode.check_nan


class detect_anomaly(_ModeContext):
    """Within the block: ops keep their forward traceback, and backward raises at NaNs."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and "
            "should only be enabled for debugging.",
            stacklevel=2,
        )

    def clone(self) -> detect_anomaly:
        obj = self.__class__.__new__(self.__class__)
        obj.check_nan = self.check_nan
        obj.prev = (False, True)
        return obj

    def _enter(self) -> None:
        self.prev = (mode.anomaly, mode.check_nan)
        mode.anomaly, mode.check_nan = True, self.check_nan

    def _exit(self) -> None:
        mode.anomaly, mode.check_nan = self.prev


class set_detect_anomaly(_ModeContext):
    """Turn anomaly detection on or off, at once or for a block."""

    def __init__(self, mode_: bool, check_nan: bool = True) -> None:
        self.prev = (mode.anomaly, mode.check_nan)
        mode.anomaly, mode.check_nan = bool(mode_), check_nan

    def _enter(self) -> None:
        pass

    def _exit(self) -> None:
        mode.anomaly, mode.check_nan = self.prev


def record_trace(node: Any) -> None:
    """Keep the stack of the forward call that created ``node`` (anomaly mode only)."""
    node.trace = "".join(traceback.format_stack()[:-3])


def explain(node: Any) -> None:
    """Warn with the forward traceback of ``node``, as torch does before re-raising."""
    trace = getattr(node, "trace", None)
    if trace:
        warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the "
            f"error:\n{trace}",
            stacklevel=3,
        )


def check_nan(node: Any, grads: Any, g: Any) -> None:
    """Raise at the first NaN (or, for the doctor, Inf) gradient a node returned."""
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = gi._data if hasattr(gi, "_data") else gi
        kind = "nan" if np.isnan(arr).any() else None
        if kind is None and mode.check_inf and np.isinf(arr).any():
            kind = "inf"
        if kind is not None:
            from .doctor import explain_failure

            raise RuntimeError(explain_failure(node, i, kind, g))
