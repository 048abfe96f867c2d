"""Thread-local gradient mode: no_grad, enable_grad, set_grad_enabled, inference_mode."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


class _Extra:
    """A mode flag whose setting also updates ``extra``, the one flag ops read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return getattr(obj, self.slot)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj, self.slot, value)
        obj.extra = obj._anomaly or obj._dual != 0 or obj._saved_hooks is not None


class _Mode(threading.local):
    # Class attributes are the defaults every new thread starts from.
    enabled = True
    inference = False
    check_nan = True
    # The gradient doctor also stops at Inf, and collects the tensors backward starts from.
    check_inf = False
    roots: list[Any] | None = None
    # Whether anomaly mode, forward AD or saved-tensor hooks is on: the one flag an op reads
    # on its way.
    extra = False
    anomaly = _Extra()
    _anomaly = False
    # The active forward-AD level, 0 when none.
    dual = _Extra()
    _dual = 0
    # The innermost saved_tensors_hooks (pack, unpack), or None.
    saved_hooks = _Extra()
    _saved_hooks: tuple[Callable[..., Any], Callable[..., Any]] | None = None


mode = _Mode()


def is_grad_enabled() -> bool:
    return mode.enabled


def is_inference_mode_enabled() -> bool:
    return mode.inference


class _ModeContext:
    """Base for the grad-mode switches: a context manager and a decorator."""

    def _enter(self) -> None:
        raise NotImplementedError

    def _exit(self) -> None:
        raise NotImplementedError

    def clone(self) -> _ModeContext:
        return self.__class__()

    def __enter__(self) -> None:
        self._enter()

    def __exit__(self, *exc: object) -> None:
        self._exit()

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _wrap_generator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # The mode holds only while the generator body runs, not between its yields.
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            gen = func(*args, **kwargs)
            ctx = self.clone()
            try:
                with ctx:
                    item = next(gen)
                while True:
                    try:
                        sent = yield item
                    except GeneratorExit:
                        with ctx:
                            gen.close()
                        raise
                    except BaseException as exc:
                        with ctx:
                            item = gen.throw(exc)
                    else:
                        with ctx:
                            item = gen.send(sent)
            except StopIteration as stop:
                return stop.value

        return wrapper


class no_grad(_ModeContext):
    """Turn gradient recording off inside the block or function."""

    def __init__(self) -> None:
        self.prev = True

    def _enter(self) -> None:
        self.prev = mode.enabled
        mode.enabled = False

    def _exit(self) -> None:
        mode.enabled = self.prev


class enable_grad(_ModeContext):
    """Turn gradient recording on inside the block or function."""

    def __init__(self) -> None:
        self.prev = True

    def _enter(self) -> None:
        self.prev = mode.enabled
        mode.enabled = True

    def _exit(self) -> None:
        mode.enabled = self.prev


class set_grad_enabled(_ModeContext):
    """Set gradient recording on or off; takes effect at once, like torch's."""

    def __init__(self, mode_: bool) -> None:
        self.prev = mode.enabled
        self.mode = bool(mode_)
        mode.enabled = self.mode

    def clone(self) -> set_grad_enabled:
        obj = self.__class__.__new__(self.__class__)
        obj.prev = mode.enabled
        obj.mode = self.mode
        return obj

    def _enter(self) -> None:
        mode.enabled = self.mode

    def _exit(self) -> None:
        mode.enabled = self.prev

    def __call__(self, func: F) -> F:
        # Used as a decorator, the constructor's immediate switch must be undone.
        mode.enabled = self.prev
        return super().__call__(func)


class inference_mode(_ModeContext):
    """Like no_grad, and flags the thread as in inference mode."""

    def __init__(self, mode_: bool = True) -> None:
        self.mode = bool(mode_)
        self.prev = (True, False)

    def clone(self) -> inference_mode:
        return self.__class__(self.mode)

    def _enter(self) -> None:
        self.prev = (mode.enabled, mode.inference)
        if self.mode:
            mode.enabled = False
            mode.inference = True

    def _exit(self) -> None:
        mode.enabled, mode.inference = self.prev
