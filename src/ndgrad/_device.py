"""ndgrad.device: where a tensor lives, the CPU or a CUDA GPU."""

from __future__ import annotations

from typing import Any

__all__ = ["device", "cpu"]


class device:
    """A device such as ``device(type='cpu')``, built from a string, a device or a type."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # A bare index means "the accelerator": CUDA when there is one.
            from ._backend import cuda_available

            if not cuda_available():
                raise RuntimeError("Cannot access accelerator device when none is available.")
            self.type, self.index = "cuda", type
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type!r}")
        name, _, idx = type.partition(":")
        if name not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta device type at start of device string: " + type
            )
        self.type = name
        self.index = int(idx) if idx else index

    def __eq__(self, other: object) -> bool:
        # As torch: a device never equals a string (device("cpu") == "cpu" is False).
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


cpu = device("cpu")
