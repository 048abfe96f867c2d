"""DataLoader: iterate a dataset in (shuffled, collated) batches, in this process."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..._creation import tensor
from ..._dtype import int64
from ..._random import Generator
from . import _draw
from ._collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]

# Attributes that fix what one pass yields; torch forbids changing them after construction.
_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


def get_worker_info() -> None:
    """Always None: ndgrad loads every batch in the calling process."""
    return None


class DataLoader:
    """Iterate ``dataset`` in batches, as torch.utils.data.DataLoader.

    Every batch is loaded in the calling process. ``num_workers > 0`` is accepted for
    compatibility but runs in-process too (so ``get_worker_info()`` stays None, each sample is
    read once, and ``worker_init_fn`` is not called); ``pin_memory``, ``timeout``,
    ``prefetch_factor`` and ``multiprocessing_context`` are checked as torch checks them and
    otherwise have no effect.
    """

    def __init__(
        self,
        dataset: Dataset[Any],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set "
                "prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading "
                f"(num_workers > 0), but got num_workers={num_workers}"
            )

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            # Stream datasets choose their own order: no sampler or shuffling applies.
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if sampler is None and not iterable:
            if shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]
        if collate_fn is None:
            auto = batch_sampler is not None or (iterable and batch_size is not None)
            collate_fn = default_collate if auto else default_convert

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FROZEN and self.__dict__.get("_initialized", False):
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    def __iter__(self) -> _LoaderIter:
        return _LoaderIter(self)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                if self.drop_last:
                    return n // self.batch_size
                return (n + self.batch_size - 1) // self.batch_size
            return n
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]


class _LoaderIter:
    """One pass over a DataLoader."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._dataset = loader.dataset
        self._collate = loader.collate_fn
        self._batch_size = loader.batch_size
        self._drop_last = loader.drop_last
        self._iterable = isinstance(loader.dataset, IterableDataset)
        if self._iterable:
            self._source: Iterator[Any] = iter(loader.dataset)
        elif loader.batch_sampler is not None:
            self._source = iter(loader.batch_sampler)
        else:
            self._source = iter(loader.sampler)  # type: ignore[arg-type]
        # torch draws a per-pass base seed (for its workers) from the loader's generator;
        # draw it too so the generator advances exactly as torch's does.
        self._base_seed = _draw.seed(loader.generator)
        getitems = getattr(loader.dataset, "__getitems__", None)
        self._getitems = getitems if callable(getitems) else None
        # A TensorDataset collated by default_collate: each tensor's rows of a batch in one
        # gather, which is what stacking the batch's samples gives.
        ds = loader.dataset
        self._rows = (
            type(ds) is TensorDataset
            and loader.collate_fn is default_collate
            and not any(t.requires_grad for t in ds.tensors)
        )

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        if self._iterable:
            if self._batch_size is None:
                return self._collate(next(self._source))
            batch = list(itertools.islice(self._source, self._batch_size))
            if not batch or (self._drop_last and len(batch) < self._batch_size):
                raise StopIteration
            return self._collate(batch)
        if self._loader.batch_sampler is None:
            return self._collate(self._dataset[next(self._source)])
        indices = next(self._source)
        if self._rows and type(indices) is list and indices and _ints(indices):
            index = tensor(indices, dtype=int64)
            return [t[index] for t in self._dataset.tensors]
        if self._getitems is not None:
            samples = self._getitems(indices)
        else:
            samples = [self._dataset[i] for i in indices]
        return self._collate(samples)


def _ints(indices: list[Any]) -> bool:
    return all(type(i) is int for i in indices)
