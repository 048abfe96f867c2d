"""Small datasets shipped with ndgrad, loaded as NumPy arrays (see NOTICE for origins)."""

from __future__ import annotations

import functools
import gzip
from importlib import resources

import numpy as np

__all__ = ["load_digits"]


@functools.cache
def _digits_table() -> np.ndarray:
    # importlib.resources finds the file inside an installed wheel or zip as well as a checkout.
    with resources.files(__name__).joinpath("digits.csv.gz").open("rb") as raw:
        with gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    table.setflags(write=False)
    return table


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits as NumPy arrays (not tensors): ``(images, labels)``.

    ``images`` is float32 of shape (1797, 8, 8) scaled from 0..16 to 0..1; ``labels`` is int64
    of shape (1797,) with values 0..9. Both are fresh writable copies; wrap them with
    ``ndgrad.from_numpy`` (or ``torch.from_numpy``) to train on them.
    """
    table = _digits_table()
    images = (table[:, :64].astype(np.float32) / np.float32(16.0)).reshape(-1, 8, 8)
    labels = table[:, 64].copy()
    return images, labels
