"""ndgrad.utils: training utilities (checkpointing)."""

from . import checkpoint, data
