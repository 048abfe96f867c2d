"""ndgrad.return_types: the named tuples that ops return, printed like torch's."""

from __future__ import annotations

from collections import namedtuple
from typing import Any


def _repr(self: Any) -> str:
    body = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
    return f"ndgrad.return_types.{type(self).__name__}(\n{body})"


def _structseq(name: str, fields: tuple[str, ...]) -> type:
    """A named tuple type as torch.return_types has: fields by name and by position."""
    base = namedtuple(name, fields)  # type: ignore[misc]  # noqa: PYI024
    return type(name, (base,), {"__slots__": (), "__repr__": _repr, "__module__": __name__})


_PAIR = ("values", "indices")
max = _structseq("max", _PAIR)
min = _structseq("min", _PAIR)
median = _structseq("median", _PAIR)
mode = _structseq("mode", _PAIR)
cummax = _structseq("cummax", _PAIR)
cummin = _structseq("cummin", _PAIR)
aminmax = _structseq("aminmax", ("min", "max"))
sort = _structseq("sort", _PAIR)
topk = _structseq("topk", _PAIR)
kthvalue = _structseq("kthvalue", _PAIR)
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
svd = _structseq("svd", ("U", "S", "V"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
