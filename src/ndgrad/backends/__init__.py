"""ndgrad.backends: the switches lessons set on torch.backends (none changes our maths)."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
