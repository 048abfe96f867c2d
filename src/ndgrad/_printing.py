"""Tensor repr text matching PyTorch character for character, plus its print options."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _backend as B

__all__ = ["format_tensor", "get_printoptions", "set_printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

# (precision, threshold, edgeitems, linewidth) for each named profile.
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set print options like ``torch.set_printoptions``.

    As in torch, an unknown profile is ignored and ``sci_mode`` is always
    overwritten (omitting it restores automatic choice).
    """
    if profile in _PROFILES:
        (
            _OPTS.precision,
            _OPTS.threshold,
            _OPTS.edgeitems,
            _OPTS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options, usable as ``set_printoptions(**get_printoptions())``."""
    return dataclasses.asdict(_OPTS)


class _Formatter:
    """Chooses one number style and column width for all values of a tensor."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            self.width = max([1, *(len(str(v)) for v in values.tolist())])
            return
        finite = values[np.isfinite(values) & (values != 0)]
        if finite.size == 0:
            return
        # float64 so float16 magnitudes such as 1e8 cannot overflow the ratio.
        mags = np.abs(finite.astype(np.float64))
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = _OPTS.sci_mode
        p = _OPTS.precision
        if self.sci_mode:
            texts = [f"{v:.{p}e}" for v in finite.tolist()]
        elif self.int_mode:
            # Room for the trailing "." that marks a float.
            texts = [f"{v:.0f}." for v in finite.tolist()]
        else:
            texts = [f"{v:.{p}f}" for v in finite.tolist()]
        self.width = max(self.width, *map(len, texts))

    def format(self, v: Any) -> str:
        p = _OPTS.precision
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:{self.width}.{p}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{p}f}"
        return text.rjust(self.width)


class _Renderer:
    """Lays out the nested brackets, sharing one style across the whole tensor.

    For a summarised tensor it is given only the values shown (``_ends``) and the full
    ``shape``, which says where "..." stands for the values left out.
    """

    def __init__(self, a: np.ndarray, shape: tuple[int, ...], summarize: bool) -> None:
        self.shape = shape
        self.summarize = summarize
        if a.dtype.kind == "c":
            self.formatters = [_Formatter(a.real.ravel()), _Formatter(a.imag.ravel())]
        else:
            self.formatters = [_Formatter(a.ravel())]

    def _cut(self, depth: int) -> bool:
        """Whether axis ``depth`` shows only its first and last edgeitems."""
        return self.summarize and self.shape[depth] > 2 * _OPTS.edgeitems

    def value(self, v: Any) -> str:
        if len(self.formatters) == 1:
            return self.formatters[0].format(v)
        real = self.formatters[0].format(v.real)
        imag = (self.formatters[1].format(v.imag) + "j").lstrip()
        return real + ("" if imag[0] in "+-" else "+") + imag

    def render(self, a: np.ndarray, indent: int, depth: int = 0) -> str:
        if a.ndim == 0:
            return self.value(a.item())
        if a.ndim == 1:
            return self._vector(a, indent, depth)
        parts = [self.render(row, indent + 1, depth + 1) for row in a]
        if self._cut(depth):
            parts.insert(_OPTS.edgeitems, "...")
        sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
        return "[" + sep.join(parts) + "]"

    def _vector(self, a: np.ndarray, indent: int, depth: int) -> str:
        # Each element costs its width plus ", "; complex adds the imag part and "j".
        item_len = sum(f.width for f in self.formatters) + 2 + (len(self.formatters) - 1)
        per_line = max(1, math.floor((_OPTS.linewidth - indent) / item_len))
        e = _OPTS.edgeitems
        if self.summarize and not e:
            items = ["..."]
        elif self._cut(depth):
            head = [self.value(v) for v in a[:e].tolist()]
            items = [*head, " ...", *(self.value(v) for v in a[e:].tolist())]
        else:
            items = [self.value(v) for v in a.tolist()]
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _ends(a: Any) -> Any:
    """What a summarised tensor shows, as torch picks it: along every axis longer than
    2 * edgeitems only the first and last edgeitems (gathered where ``a`` lives, so only
    these few values go to the host)."""
    if a.ndim == 0:
        return a
    e = _OPTS.edgeitems
    keep = [[*range(e), *range(n - e, n)] if n > 2 * e else range(n) for n in a.shape]
    return a[np.ix_(*keep)]


def format_tensor(
    a: np.ndarray,
    *,
    dtype_suffix: str | None,
    tail: Sequence[str] = (),
    device: str | None = None,
) -> str:
    """Return torch's ``repr`` text for a tensor holding ``a``, an array of any device
    (``device``, e.g. ``"device='cuda:0'"``, is shown first when given).

    ``dtype_suffix`` (e.g. ``"ndgrad.int32"``) is shown as ``dtype=...`` when not
    None; the caller applies torch's rule, which for empty tensors also shows
    int64, bool and the default complex dtype. ``tail`` items (e.g.
    ``"grad_fn=<AddBackward0>"``) follow, wrapped onto new lines as torch does.
    """
    prefix = "tensor("
    indent = len(prefix)
    suffixes = [] if device is None else [device]
    shape = tuple(int(n) for n in a.shape)
    if a.size == 0:
        # numpy-style: the shape is only implicit for a 1-D empty tensor.
        if len(shape) != 1:
            suffixes.append(f"size={shape}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={shape}")
        summarize = a.size > _OPTS.threshold
        shown = B.to_numpy(_ends(a) if summarize else a)
        body = _Renderer(shown, shape, summarize).render(shown, indent)
    if dtype_suffix is not None:
        suffixes.append("dtype=" + dtype_suffix)
    suffixes.extend(tail)

    out = [prefix + body]
    # torch's own measure of the last line: two more than its real length.
    line_len = len(out[0]) - out[0].rfind("\n") + 1
    for suffix in suffixes:
        # Measure "ndgrad.int32" as "torch.int32" so lines break where torch's do.
        size = len(suffix.replace("ndgrad.", "torch."))
        if line_len + size + 2 > _OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            line_len = indent + size
        else:
            out.append(", " + suffix)
            line_len += size + 2
    out.append(")")
    return "".join(out)
