"""``torch.compiler``'s question for code that runs both eagerly and under ndgrad.compile,
and ndgrad's ``watch`` for the Python values such code depends on."""

from __future__ import annotations

from ._compile import is_compiling, watch

__all__ = ["is_compiling", "watch"]
