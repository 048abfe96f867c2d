"""Process-wide settings torch keeps at top level: the thread count and deterministic mode.

ndgrad's ops run in NumPy, whose only threads are BLAS's (and OpenMP's). set_num_threads
limits those pools through threadpoolctl when it is installed; threadpoolctl is optional,
and without it the number is only recorded for get_num_threads. Every ndgrad op is
deterministic on the CPU, so the deterministic-algorithms flags are recorded to be read
back, and change nothing.
"""

from __future__ import annotations

import os

__all__ = [
    "set_num_threads",
    "get_num_threads",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
]

# Like torch's, these are one per process, not per thread.
_state = {"threads": os.cpu_count() or 1, "deterministic": False, "warn_only": False}


def set_num_threads(n: int, /) -> None:
    """Use ``n`` threads for BLAS (through threadpoolctl, when installed)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        threadpool_limits(limits=n)  # called, not entered: the limit stays
    _state["threads"] = n


def get_num_threads() -> int:
    """The number set by set_num_threads (the CPU count until then)."""
    return _state["threads"]


def _need_bool(name: str, where: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(
            f"_set_deterministic_algorithms(): argument '{name}'{where} must be bool, not "
            f"{type(value).__name__}"
        )


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the flag; ndgrad's CPU ops are deterministic whatever it says."""
    _need_bool("mode", " (position 1)", mode)
    _need_bool("warn_only", "", warn_only)
    _state["deterministic"] = mode
    _state["warn_only"] = warn_only


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["warn_only"]
