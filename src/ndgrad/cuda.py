"""ndgrad.cuda: what CPU-only torch's torch.cuda answers (no GPU, seeding is a no-op)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_available",
    "device_count",
    "is_initialized",
    "current_device",
    "get_device_name",
    "synchronize",
    "empty_cache",
    "memory_allocated",
    "max_memory_allocated",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "seed_all",
    "initial_seed",
]

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def current_device() -> int:
    raise AssertionError(_NOT_COMPILED)


def get_device_name(device: Any = None) -> str:
    raise AssertionError(_NOT_COMPILED)


def synchronize(device: Any = None) -> None:
    raise AssertionError(_NOT_COMPILED)


def initial_seed() -> int:
    raise AssertionError(_NOT_COMPILED)


def empty_cache() -> None:
    return None


def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


# Seeding the GPU generators is silently skipped when there is no GPU, as in torch.
def manual_seed(seed: int) -> None:
    return None


def manual_seed_all(seed: int) -> None:
    return None


def seed() -> None:
    return None


def seed_all() -> None:
    return None


class _CudaLegacyType:
    """``ndgrad.cuda.FloatTensor`` and friends: they exist, but no tensor is one."""

    def __init__(self, name: str) -> None:
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"type torch.cuda.{self.__name__} not available. {_NOT_COMPILED}.")

    def __instancecheck__(self, obj: Any) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<class 'ndgrad.cuda.{self.__name__}'>"


FloatTensor = _CudaLegacyType("FloatTensor")
DoubleTensor = _CudaLegacyType("DoubleTensor")
HalfTensor = _CudaLegacyType("HalfTensor")
LongTensor = _CudaLegacyType("LongTensor")
IntTensor = _CudaLegacyType("IntTensor")
ShortTensor = _CudaLegacyType("ShortTensor")
CharTensor = _CudaLegacyType("CharTensor")
ByteTensor = _CudaLegacyType("ByteTensor")
BoolTensor = _CudaLegacyType("BoolTensor")
