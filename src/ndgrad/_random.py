"""Random number generators: ndgrad.Generator, the default one, and manual_seed."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed"]

_DEFAULT_SEED = 67280421310721


class Generator:
    """A seeded random stream (NumPy's MT19937 underneath)."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        self._seed = seed
        self.np = np.random.Generator(np.random.MT19937(seed & 0xFFFF_FFFF_FFFF_FFFF))
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Any:
        return self.np.bit_generator.state

    def set_state(self, state: Any) -> Generator:
        self.np.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(state: Any) -> None:
    default_generator.set_state(state)


def stream(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator).np
