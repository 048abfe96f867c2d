"""ndgrad.compat: make ``import torch`` (and ``torch.nn`` & co.) give ndgrad, in this process."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

__all__ = ["install_torch_alias", "uninstall_torch_alias"]


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.X.Y`` and loads them as ``ndgrad`` and ``ndgrad.X.Y``.

    The loader hands back the ndgrad module object itself, so ``torch.nn is ndgrad.nn``
    and nothing is imported twice. A name ndgrad lacks is not found (ModuleNotFoundError),
    rather than falling through to the real torch.
    """

    def __init__(self) -> None:
        self.hidden: dict[str, types.ModuleType] = {}  # real torch modules set aside
        self._own_spec: Any = None

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        target_name = "ndgrad" + fullname[len("torch") :]
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name is not None and target_name.startswith(e.name):
                return None  # ndgrad has no such module: not found, as for any name
            raise
        is_package = hasattr(module, "__path__")
        return importlib.machinery.ModuleSpec(fullname, self, is_package=is_package)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = sys.modules["ndgrad" + spec.name[len("torch") :]]
        self._own_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # Already imported as ndgrad.*; importlib stamped our spec on it, give its own back.
        module.__spec__ = self._own_spec


def _is_torch_name(name: str) -> bool:
    return name == "torch" or name.startswith("torch.")


def install_torch_alias() -> None:
    """From now on in this process, ``import torch`` gives ``ndgrad`` (submodules likewise).

    For a Jupyter kernel: run it in the first cell. Modules of a real torch imported before
    are set aside (names already bound to them keep pointing there) until
    :func:`uninstall_torch_alias`.
    """
    if any(isinstance(f, _TorchAlias) for f in sys.meta_path):
        return
    finder = _TorchAlias()
    for name in [n for n in sys.modules if _is_torch_name(n)]:
        finder.hidden[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, finder)


def uninstall_torch_alias() -> None:
    """Undo :func:`install_torch_alias`: ``import torch`` finds the real torch again."""
    finders = [f for f in sys.meta_path if isinstance(f, _TorchAlias)]
    if not finders:
        return
    sys.meta_path.remove(finders[0])
    for name in [n for n in sys.modules if _is_torch_name(n)]:
        del sys.modules[name]
    sys.modules.update(finders[0].hidden)  # a real torch imported before comes back as it was
