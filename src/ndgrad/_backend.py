"""The one module that knows NumPy from CuPy: array namespaces, devices and moves between them.

A CPU tensor holds a ``numpy.ndarray``; a CUDA tensor holds the GPU library's array. Ops are
written against NumPy's functions, which CuPy arrays take over through NumPy's dispatch
protocols (``__array_ufunc__``, ``__array_function__``); what NumPy cannot dispatch (making
a new array, scatter-add, copies to the host) goes through the helpers here.

CuPy is imported the first time a CUDA device is asked about, never before. Tests may
register a stand-in GPU library (``use_gpu``) to run the CUDA path on a machine without one.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import numpy as np

from ._device import cpu, device

__all__ = [
    "GPU",
    "gpu",
    "use_gpu",
    "cuda_available",
    "device_count",
    "xp",
    "device_of",
    "to_device",
    "to_numpy",
    "is_array",
    "array",
    "asarray",
    "scatter_add",
    "zeros",
    "full",
    "argsort",
    "as_strided",
    "view_reshape",
    "checked_linalg",
    "data_ptr",
    "namespace",
    "same_device",
    "created",
    "drew",
    "seeded",
]

_ndarray = np.ndarray
NOT_COMPILED = "Torch not compiled with CUDA enabled"


class GPU:
    """What ndgrad needs from a GPU array library, here CuPy's spelling of it."""

    # "cuda"; the tracer of ndgrad.compile plays a library of CPU arrays ("cpu").
    kind = "cuda"

    def __init__(self, module: Any, scatter: Any) -> None:
        self.xp = module
        self.ndarray = module.ndarray
        self._scatter = scatter

    def count(self) -> int:
        try:
            return int(self.xp.cuda.runtime.getDeviceCount())
        except Exception:
            return 0

    def index(self, arr: Any) -> int:
        return int(arr.device.id)

    def to_host(self, arr: Any) -> np.ndarray:
        return arr.get()

    def from_host(self, arr: Any, index: int) -> Any:
        with self.xp.cuda.Device(index):
            return self.xp.asarray(arr)

    def move(self, arr: Any, index: int) -> Any:
        with self.xp.cuda.Device(index):
            return self.xp.array(arr, copy=True)

    # The dtypes cupyx.scatter_add sums natively (atomicAdd); others go through the host.
    _ATOMIC = frozenset("iefdILQ")

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        if target.dtype.char in self._ATOMIC:
            self._scatter(target, index, values)
            return
        host = self.to_host(target)
        parts = index if isinstance(index, tuple) else (index,)
        parts = tuple(self.to_host(p) if isinstance(p, self.ndarray) else p for p in parts)
        vals = self.to_host(values) if isinstance(values, self.ndarray) else values
        np.add.at(host, parts if isinstance(index, tuple) else parts[0], vals)
        target[...] = self.xp.asarray(host)

    def as_strided(self, arr: Any, shape: Any, strides: Any) -> Any:
        return self.xp.lib.stride_tricks.as_strided(arr, shape, strides)

    def checked_linalg(self) -> Any:
        import cupyx

        return cupyx.errstate(linalg="raise")

    def ptr(self, arr: Any) -> int:
        return int(arr.data.ptr)

    def synchronize(self, index: int) -> None:
        self.xp.cuda.Device(index).synchronize()

    def memory_allocated(self) -> int:
        return int(self.xp.get_default_memory_pool().used_bytes())

    def empty_cache(self) -> None:
        self.xp.get_default_memory_pool().free_all_blocks()

    def name(self, index: int) -> str:
        props = self.xp.cuda.runtime.getDeviceProperties(index)
        name = props["name"]
        return name.decode() if isinstance(name, bytes) else str(name)


_gpu: GPU | None = None
_gpu_tried = False


def use_gpu(lib: GPU | None) -> None:
    """Make ``lib`` the GPU library (None: look for CuPy again on next use)."""
    global _gpu, _gpu_tried
    _gpu, _gpu_tried = lib, lib is not None


def gpu() -> GPU | None:
    """The GPU library, imported on first call; None when CuPy is not installed."""
    global _gpu, _gpu_tried
    if not _gpu_tried:
        _gpu_tried = True
        try:
            import cupy
            import cupyx
        except ImportError:
            return None
        # CuPy 14 deprecates cupyx.scatter_add for cupy.add.at (same kernels).
        _gpu = GPU(cupy, getattr(cupy.add, "at", None) or cupyx.scatter_add)
    return _gpu


def cuda_available() -> bool:
    lib = gpu()
    return lib is not None and lib.count() > 0


def device_count() -> int:
    lib = gpu()
    return 0 if lib is None else lib.count()


def _require(index: int | None) -> tuple[GPU, int]:
    """The GPU library and a valid device index, or torch's error for a missing CUDA."""
    lib = gpu()
    if lib is None:
        raise AssertionError(NOT_COMPILED)
    n = lib.count()
    if n == 0:
        raise RuntimeError("No CUDA GPUs are available")
    index = 0 if index is None else index
    if not 0 <= index < n:
        raise RuntimeError("CUDA error: invalid device ordinal")
    return lib, index


def _of_lib(x: Any) -> bool:
    """Whether ``x`` is an array of the registered library (CuPy, or a stand-in)."""
    return _gpu is not None and isinstance(x, _gpu.ndarray)


def xp(arr: Any) -> Any:
    """The array namespace of ``arr``: numpy, or the GPU library for a GPU array."""
    if type(arr) is _ndarray or not _of_lib(arr):
        return np
    return _gpu.xp


def namespace(dev: device) -> Any:
    """The array namespace that makes arrays on ``dev``."""
    return np if dev.type == "cpu" else _require(dev.index)[0].xp


def is_array(x: Any) -> bool:
    """Whether ``x`` is an array of any device."""
    return isinstance(x, _ndarray) or _of_lib(x)


def device_of(arr: Any) -> device:
    if type(arr) is _ndarray or not _of_lib(arr):
        return cpu
    return device("cuda", _gpu.index(arr)) if _gpu.kind == "cuda" else cpu


def created(arr: Any, redraw: Any = None) -> Any:
    """A creation function's new CPU array; while ndgrad.compile traces, the tracer's own
    (``redraw``, for random draws, makes the values again on each replay)."""
    if _gpu is None or _gpu.kind == "cuda":
        return arr
    return _gpu.created(arr, redraw)


def drew() -> None:
    """A random draw from a generator: the tracer of ndgrad.compile counts them."""
    if _gpu is not None and _gpu.kind != "cuda":
        _gpu.drew()


def seeded() -> None:
    """A generator seeded: the tracer of ndgrad.compile refuses it (a replay cannot)."""
    if _gpu is not None and _gpu.kind != "cuda":
        _gpu.seeded()


def to_device(arr: Any, dev: device) -> Any:
    """``arr`` on ``dev``: itself if already there, else a copy."""
    here = device_of(arr)
    if dev.type == "cpu":
        return arr if here.type == "cpu" else _gpu.to_host(arr)
    if dev.type != "cuda":
        raise RuntimeError(f"ndgrad has no {dev.type} device")
    lib, index = _require(dev.index)
    if here.type == "cpu":
        return lib.from_host(np.asarray(arr, order="C"), index)
    return arr if here.index == index else lib.move(arr, index)


def to_numpy(arr: Any) -> np.ndarray:
    """A NumPy array with ``arr``'s values (a host copy for a GPU array)."""
    if type(arr) is _ndarray:
        return arr
    if _of_lib(arr):
        return _gpu.to_host(arr)
    return np.asarray(arr)


def array(out: Any) -> Any:
    """A result as an array of its own device: NumPy scalars become 0-dim NumPy arrays."""
    if type(out) is _ndarray:
        return out
    return np.asarray(out) if isinstance(out, np.generic) or not is_array(out) else out


def asarray(value: Any, like: Any, dtype: Any = None) -> Any:
    """``value`` (a Python number, sequence or array) as an array on ``like``'s device."""
    if type(like) is _ndarray or not _of_lib(like):
        return np.asarray(value, dtype)
    if _of_lib(value):
        return value if dtype is None else value.astype(dtype, copy=False)
    return _gpu.from_host(np.asarray(value, dtype), _gpu.index(like))


def data_ptr(arr: Any) -> int:
    return arr.ctypes.data if type(arr) is _ndarray else _gpu.ptr(arr)


def zeros(like: Any, shape: tuple[int, ...], dtype: Any = None) -> Any:
    """Zeros of ``shape`` on ``like``'s device, of its dtype unless given. (Not
    ``zeros_like(like, shape=...)``: CuPy takes ``shape=()`` for no shape.)"""
    return xp(like).zeros(shape, like.dtype if dtype is None else dtype)


def full(like: Any, shape: tuple[int, ...], value: Any, dtype: Any = None) -> Any:
    """``value`` in every element of ``shape``, on ``like``'s device (see zeros)."""
    return xp(like).full(shape, value, like.dtype if dtype is None else dtype)


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` with repeated indices summed, in place."""
    if type(target) is _ndarray:
        np.add.at(target, index, values)
    else:
        _gpu.scatter_add(target, index, values)


_RESHAPE_NO_COPY = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def view_reshape(arr: Any, shape: tuple[int, ...]) -> Any:
    """``arr``'s memory seen in ``shape``, never a copy: AttributeError when the strides do
    not allow it. (NumPy 2.5 deprecates setting ``.shape``; CuPy's reshape has no ``copy``.)"""
    if type(arr) is _ndarray and _RESHAPE_NO_COPY:
        try:
            return arr.reshape(shape, copy=False)
        except ValueError:
            raise AttributeError("incompatible shape for a view") from None
    v = arr.view()
    v.shape = shape
    return v


def as_strided(arr: Any, shape: Any, strides: Any, writeable: bool = True) -> Any:
    """A view of ``arr``'s memory with byte ``strides``; GPU arrays are never read-only."""
    if type(arr) is _ndarray:
        return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=writeable)
    return _gpu.as_strided(arr, shape, strides)


_UNCHECKED = nullcontext()


def checked_linalg(like: Any) -> Any:
    """A context in which linalg routines on ``like``'s device raise LinAlgError for a singular
    or indefinite matrix, as NumPy's always do; CuPy's return garbage unless asked (asking
    synchronizes, as torch's error checks do)."""
    if type(like) is _ndarray or not _of_lib(like):
        return _UNCHECKED
    return _gpu.checked_linalg()


def argsort(arr: Any, axis: int = -1) -> Any:
    """Stable sort indices along ``axis`` (CuPy's sorts are stable and take no ``kind``)."""
    if type(arr) is _ndarray:
        return np.argsort(arr, axis=axis, kind="stable")
    return xp(arr).argsort(arr, axis=axis)


def same_device(arrays: Any) -> None:
    """Torch's error when the tensors of one op live on different devices."""
    devices = []
    for a in arrays:
        d = device_of(a)
        if d not in devices:
            devices.append(d)
    if len(devices) > 1:
        first, second = sorted(devices[:2], key=lambda d: d.type == "cpu")
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{first} and {second}!"
        )
