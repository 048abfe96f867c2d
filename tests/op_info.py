"""OpInfo: how the op table describes one op's test, and the inputs it is run on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Shapes = tuple[tuple[int, ...], ...]  # one shape per input of the lambda


@dataclass(frozen=True)
class OpInfo:
    name: str
    fn: Callable[..., Any]  # fn(lib, *xs) -> one tensor
    samples: tuple[Shapes, ...]  # each sample: the shapes of all inputs
    covers: tuple[str, ...]  # node names (keys of ndgrad.ops._registry.OPS) it reaches
    domain: Any = (-2.0, 2.0)  # (lo, hi) for every input, or one (lo, hi) per input
    kinks: tuple[float, ...] = ()  # input values to stay 0.1 away from
    smooth: bool = True  # also run gradgradcheck
    torch_grad_fn: str | None = None  # torch's grad_fn name where it differs from ndgrad's
    gradcheck_kw: dict[str, float] = field(default_factory=dict)

    def ids(self) -> list[str]:
        return [f"{self.name}-{i}" for i in range(len(self.samples))]


def make_inputs(
    info: OpInfo, shapes: Shapes, dtype: Any, seed: int, at_kinks: bool = False
) -> list[np.ndarray]:
    """Arrays for one sample, uniform over the domain and away from the kinks; or, with
    ``at_kinks``, with every other element exactly on a kink (for subgradient conventions)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for i, shape in enumerate(shapes):
        lo, hi = info.domain[i] if isinstance(info.domain[0], tuple) else info.domain
        a = rng.uniform(lo, hi, shape)
        for k in info.kinks:
            a = np.where(np.abs(a - k) < 0.1, k + np.where(a < k, -0.2, 0.2), a)
        if at_kinks:
            flat = a.reshape(-1)
            flat[::2] = np.resize(info.kinks, flat[::2].size)
        arrays.append(a.astype(dtype))
    return arrays


UNARY: tuple[Shapes, ...] = (((3, 4),), ((),), ((2, 1, 3),))
BINARY: tuple[Shapes, ...] = (
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 3), (4, 1)),
    ((), (2, 3)),
    ((3,), ()),
)
POSITIVE = (0.5, 2.0)
