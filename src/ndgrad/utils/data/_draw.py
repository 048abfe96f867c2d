"""The random draws of ndgrad.utils.data, made exactly as torch makes them."""

from __future__ import annotations

import numpy as np

import ndgrad

from ..._random import Generator


def randperm(n: int, generator: Generator | None = None) -> list[int]:
    """A random permutation of ``range(n)``, as torch.randperm(n).tolist()."""
    return ndgrad.randperm(n, generator=generator).tolist()


def randint(high: int, size: int, generator: Generator | None = None) -> list[int]:
    """``size`` integers drawn uniformly from ``[0, high)``."""
    return ndgrad.randint(high, (size,), generator=generator).tolist()


def seed(generator: Generator | None = None) -> int:
    """A fresh non-negative 63-bit seed, drawn with ``random_()`` as torch does."""
    return int(ndgrad.empty((), dtype=ndgrad.int64).random_(generator=generator).item())


def fresh_generator() -> Generator:
    """A new Generator seeded from the default one (what torch's RandomSampler does)."""
    return Generator().manual_seed(seed())


def multinomial(
    weights: np.ndarray, num_samples: int, replacement: bool, generator: Generator | None = None
) -> list[int]:
    """Indices drawn with probability proportional to ``weights`` (float64, 1-D)."""
    return ndgrad.multinomial(
        ndgrad.tensor(weights), num_samples, replacement, generator=generator
    ).tolist()
