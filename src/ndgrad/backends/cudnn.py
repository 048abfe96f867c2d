"""ndgrad.backends.cudnn: settable flags, as on CPU-only torch; nothing reads them."""

from __future__ import annotations

enabled = True
benchmark = False
deterministic = False


def is_available() -> bool:
    return False


def version() -> None:
    return None
