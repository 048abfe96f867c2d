"""default_collate and default_convert: turning fetched samples into batched tensors."""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from ..._creation import as_tensor, tensor
from ..._dtype import float64
from ..._tensor import Tensor
from ...ops.joining import stack

__all__ = ["default_collate", "default_convert"]

_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _numpy_kind(x: Any) -> str | None:
    """'array' or 'scalar' for NumPy values (not NumPy strings), else None."""
    if type(x).__module__ != "numpy" or isinstance(x, (np.str_, np.bytes_)):
        return None
    if isinstance(x, np.ndarray):
        return "array"
    if isinstance(x, np.generic):
        return "scalar"
    return None


def _is_text_or_object(a: np.ndarray) -> bool:
    return a.dtype.kind in "SaUO"


def _rebuild_mapping(elem: Mapping[Any, Any], values: dict[Any, Any]) -> Any:
    # Keep the mapping's own type (and a defaultdict's factory) where it can be rebuilt.
    if isinstance(elem, MutableMapping):
        out = copy.copy(elem)
        out.update(values)
        return out
    try:
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem: Sequence[Any], values: list[Any]) -> Any:
    if isinstance(elem, MutableSequence):
        out = copy.copy(elem)
        for i, v in enumerate(values):
            out[i] = v
        return out
    try:
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, keeping their structure.

    Tensors are stacked along a new first dimension; NumPy arrays and scalars become tensors;
    Python floats become a float64 tensor and ints an int64 one; strings and bytes are kept
    as given (a list, or a tuple inside a transposed sequence);
    mappings are collated key by key; sequences are transposed and collated position by
    position (tuples come back as lists, as in torch; namedtuples keep their type).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    kind = _numpy_kind(elem)
    if kind == "array":
        if _is_text_or_object(elem):
            raise TypeError(_ERR.format(elem.dtype))
        return default_collate([as_tensor(b) for b in batch])
    if kind == "scalar":
        return as_tensor(list(batch))
    if isinstance(elem, float):
        return tensor(list(batch), dtype=float64)
    if isinstance(elem, int):
        return tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return _rebuild_mapping(elem, {k: default_collate([d[k] for d in batch]) for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(s) != size for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild_sequence(elem, columns)
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars inside ``data`` into tensors, keeping the structure."""
    if isinstance(data, Tensor):
        return data
    kind = _numpy_kind(data)
    if kind == "array":
        return data if _is_text_or_object(data) else as_tensor(data)
    if kind == "scalar":
        return as_tensor(data)
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
