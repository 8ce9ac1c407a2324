"""``torch.utils.data.DataLoader`` for PyTorch's examples on minigen: a map-style dataset,
batched in the main process, collated into minigen tensors.

It takes PyTorch's arguments. ``num_workers``, ``pin_memory``, ``persistent_workers``,
``prefetch_factor``, ``timeout`` and ``pin_memory_device`` are accepted and have no effect
(batches are built in the main process). ``shuffle=True`` draws each epoch's order from
minigen's generator (``mg.manual_seed``) or ``generator=``, as PyTorch's RandomSampler does
from torch's. ``sampler`` / ``batch_sampler`` are iterables of indices / index lists.

``MINIGEN_EXAMPLES_MAX_BATCHES=N`` in the environment stops every epoch after N batches (and
``len(loader)`` says N): ``pytorch_examples.py --max-batches`` sets it for a quick run. With
``TORCHVISION_SHIM_LIB=torch`` the batches are PyTorch's tensors (the runner's --torch), so
both libraries read the same data the same way.
"""

from __future__ import annotations

import importlib
import math
import numbers
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

MAX_BATCHES_ENV = "MINIGEN_EXAMPLES_MAX_BATCHES"
LIB_ENV = "TORCHVISION_SHIM_LIB"


def lib() -> Any:
    """The tensor library the examples run on: minigen, or PyTorch with TORCHVISION_SHIM_LIB=torch."""
    return importlib.import_module(os.environ.get(LIB_ENV) or "minigen")


def default_collate(batch: Sequence[Any]) -> Any:
    """PyTorch's default_collate: tensors and arrays are stacked on a new first axis, Python
    ints become an int64 tensor, floats a float64 tensor, and tuples, lists and dicts are
    collated field by field."""
    first, tensors = batch[0], lib()
    if isinstance(first, tensors.Tensor):
        return tensors.stack(list(batch), 0)
    if isinstance(first, np.ndarray):
        return tensors.from_numpy(np.stack(batch))
    if isinstance(first, bool):
        return tensors.tensor(list(batch), dtype=tensors.bool)
    if isinstance(first, numbers.Integral):
        return tensors.tensor(list(batch), dtype=tensors.int64)
    if isinstance(first, numbers.Real):
        return tensors.tensor(list(batch), dtype=tensors.float64)
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, Mapping):
        return {key: default_collate([item[key] for item in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(item) != len(first) for item in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(field)) for field in zip(*batch, strict=True)]
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"default_collate: batch must contain tensors, arrays, numbers, dicts or lists; found {type(first)}"
    )


class DataLoader:
    """``DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
    persistent_workers=False, pin_memory_device="", in_order=True)``."""

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[Sequence[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
            )
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.shuffle, self.sampler, self.batch_sampler = bool(shuffle), sampler, batch_sampler
        self.num_workers, self.pin_memory, self.generator = num_workers, pin_memory, generator
        self.collate_fn = collate_fn if collate_fn is not None else default_collate
        limit = os.environ.get(MAX_BATCHES_ENV)
        self.max_batches = int(limit) if limit else None

    def _indices(self) -> Iterable[int]:
        if self.sampler is not None:
            return self.sampler
        n = len(self.dataset)
        if self.shuffle:
            return lib().randperm(n, generator=self.generator).tolist()
        return range(n)

    def _batches(self) -> Iterator[list[int]]:
        if self.batch_sampler is not None:
            yield from (list(b) for b in self.batch_sampler)
            return
        if self.batch_size is None:  # PyTorch: no batching, one item at a time
            yield from ([i] for i in self._indices())
            return
        batch: list[int] = []
        for index in self._indices():
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __iter__(self) -> Iterator[Any]:
        for count, indices in enumerate(self._batches()):
            if self.max_batches is not None and count >= self.max_batches:
                return
            items = [self.dataset[i] for i in indices]
            yield items[0] if self.batch_size is None and self.batch_sampler is None else self.collate_fn(items)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            n = len(self.batch_sampler)
        else:
            size = len(self.sampler) if self.sampler is not None else len(self.dataset)
            per = self.batch_size or 1
            n = size // per if self.drop_last else math.ceil(size / per)
        return n if self.max_batches is None else min(n, self.max_batches)
