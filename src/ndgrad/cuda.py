"""ndgrad.cuda: torch.cuda's queries and seeding, answered by the GPU backend (CuPy)."""

from __future__ import annotations

from typing import Any

from . import _backend as B
from . import _random
from ._device import device as _device

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

_NOT_COMPILED = B.NOT_COMPILED


def is_available() -> bool:
    return B.cuda_available()


def device_count() -> int:
    return B.device_count()


def is_initialized() -> bool:
    return B.cuda_available()


def _index(device: Any) -> int:
    """A device index from None (the current device), an int, a string or a device."""
    if device is None:
        return current_device()
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    d = _device(device)
    return 0 if d.index is None else d.index


def _lib(device: Any = None) -> Any:
    lib = B.gpu()
    if lib is None:
        raise AssertionError(_NOT_COMPILED)
    B.namespace(_device("cuda", _index(device) if device is not None else 0))
    return lib


def current_device() -> int:
    _lib()
    return 0


def get_device_name(device: Any = None) -> str:
    return _lib(device).name(_index(device))


def synchronize(device: Any = None) -> None:
    _lib(device).synchronize(_index(device))


def empty_cache() -> None:
    if B.cuda_available():
        B.gpu().empty_cache()


def memory_allocated(device: Any = None) -> int:
    return B.gpu().memory_allocated() if B.cuda_available() else 0


def max_memory_allocated(device: Any = None) -> int:
    return memory_allocated(device)


# Seeding: without a GPU these are silently skipped, as in torch.
def manual_seed(seed: Any) -> None:
    if B.cuda_available():
        _random.cuda_generator(current_device()).manual_seed(seed)


def manual_seed_all(seed: Any) -> None:
    for i in range(B.device_count() if B.gpu() is not None else 0):
        _random.cuda_generator(i).manual_seed(seed)


def seed() -> None:
    if B.cuda_available():
        _random.cuda_generator(current_device()).seed()


def seed_all() -> None:
    for i in range(B.device_count() if B.gpu() is not None else 0):
        _random.cuda_generator(i).seed()


def initial_seed() -> int:
    return _random.cuda_generator(current_device()).initial_seed()


class _CudaLegacyType:
    """``ndgrad.cuda.FloatTensor`` and friends: legacy constructors of CUDA tensors."""

    def __init__(self, name: str) -> None:
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not B.cuda_available():
            raise TypeError(f"type torch.cuda.{self.__name__} not available. {_NOT_COMPILED}.")
        from ._creation import legacy_new
        from ._tensor import Tensor, legacy_dtype

        return legacy_new(Tensor, legacy_dtype("ndgrad." + self.__name__), args, kwargs).cuda()

    def __instancecheck__(self, obj: Any) -> bool:
        from ._tensor import Tensor, legacy_type_name

        return (
            isinstance(obj, Tensor)
            and obj.is_cuda
            and legacy_type_name(obj._data.dtype) == self.__name__
        )

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
