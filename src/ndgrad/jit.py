"""ndgrad.jit: ``trace`` records a function on example inputs and replays it (ndgrad.compile)."""

from __future__ import annotations

from ._compile import CompiledFunction, TraceError, trace

__all__ = ["trace", "CompiledFunction", "TraceError"]
