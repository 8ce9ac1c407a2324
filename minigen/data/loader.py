"""DataLoader: batches of a dataset as minigen tensors, built on the host, moved once per batch.

Each batch is made in NumPy from the dataset's uint8 array: index it with the batch's
indices, convert those pixels once (a lookup table, :mod:`minigen.data.transforms`), then
hand the float32 array to the device in one transfer. The whole dataset is never converted,
so an epoch costs a few milliseconds of host work per batch at most.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from minigen.backend.device import Device, as_device
from minigen.backend.random import draw_seed
from minigen.creation import from_numpy, tensor
from minigen.data.transforms import arrange, check_scale, numpy_dtype, pixel_table


class DataLoader:
    """Iterate over ``dataset`` in batches of ``(inputs, labels)`` minigen tensors.

    ``dataset`` is anything with ``.images`` (uint8 (N, H, W) or (N, C, H, W): the image
    datasets) or ``.data`` (float (N, D): the toy datasets), and optionally ``.labels``
    ((N,) integers); or a bare NumPy array; or any sequence of ``(x, label)`` pairs or of
    ``x``, stacked once at construction.

    - ``scale``: uint8 pixels become ``"unit"`` floats in [0, 1] (VAEs, BCE) or
      ``"symmetric"`` floats in [-1, 1] (tanh generators). Float data is only cast to
      ``dtype``; ``scale`` does not apply to it.
    - ``flatten``: images as (B, H*W) vectors (MLPs) instead of (B, 1, H, W) (convolutions).
    - ``shuffle``: a new order each epoch. As in PyTorch, the order is drawn from minigen's
      generator when the epoch starts, so ``mg.manual_seed(s)`` fixes it; ``generator=``
      (an ``mg.Generator``) draws it from that stream instead. With a ``seed``, epoch k's order
      is a function of (seed, k) alone, so a resumed run repeats it (see :meth:`order`).
    - ``drop_last``: skip the last, smaller batch.
    - ``device``: where the tensors go ("cpu", "cuda"...; None: minigen's default device).
    - ``dtype``: of the inputs (default float32; ``minigen.float32``, ``"float32"`` or
      ``np.float32``). Labels are int64 tensors; they are None for unlabelled data.

    ``len(loader)`` is the number of batches per epoch. Each ``for`` loop over the loader is
    one epoch and advances :attr:`epoch`; :meth:`numpy_batches` gives the same batches as
    NumPy arrays, without minigen.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        scale: str = "unit",
        flatten: bool = False,
        device: Any = None,
        dtype: Any = np.float32,
        generator: Any = None,
    ) -> None:
        if not _is_count(batch_size) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
        if seed is not None and (not _is_count(seed) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer or None, not {seed!r}")
        self.dataset = dataset
        self.inputs, self.labels = _arrays_of(dataset)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.scale = check_scale(scale)
        self.flatten = flatten
        self.device = device
        self.dtype = numpy_dtype(dtype)
        self.seed = None if seed is None else int(seed)
        self.generator = generator
        #: The epoch the next ``for`` loop will run; set it to resume (or use set_epoch).
        self.epoch = 0
        self._table = pixel_table(self.scale, self.dtype) if self.inputs.dtype == np.uint8 else None

    def __len__(self) -> int:
        n = len(self.inputs)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``for`` loop run epoch ``epoch`` (e.g. when resuming training)."""
        self.epoch = int(epoch)

    def order(self, epoch: int) -> np.ndarray | None:
        """The example indices of ``epoch`` in order, or None when not shuffling (0..N-1).

        With a ``seed``: a permutation from its own generator seeded with (seed, epoch), so no
        global random state is touched and any epoch can be reproduced alone. Without: from a
        seed drawn now from ``generator`` or minigen's generator (PyTorch's RandomSampler).
        """
        if not self.shuffle:
            return None
        if self.seed is not None:
            rng = np.random.default_rng([self.seed, int(epoch)])
        else:
            rng = np.random.default_rng(draw_seed(self.generator))
        return rng.permutation(len(self.inputs))

    def numpy_batches(
        self, epoch: int | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """The batches of ``epoch`` (default: :attr:`epoch`, not advanced) as NumPy arrays."""
        order = self.order(self.epoch if epoch is None else epoch)
        n = len(self.inputs)
        stop_at = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop_at, self.batch_size):
            stop = min(start + self.batch_size, n)
            # Contiguous slices when not shuffling: views, no index array to gather through.
            index = slice(start, stop) if order is None else order[start:stop]
            yield self._inputs_batch(index), self._labels_batch(index)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        target = as_device(self.device)
        epoch, self.epoch = self.epoch, self.epoch + 1
        for x, y in self.numpy_batches(epoch):
            labels = None if y is None else _to_tensor(y, target)
            yield _to_tensor(x, target), labels

    def _inputs_batch(self, index: slice | np.ndarray) -> np.ndarray:
        batch = self.inputs[index]
        if self._table is not None:
            batch = self._table[batch]  # uint8 -> dtype, scaled: one gather, a fresh array
        else:
            batch = batch.astype(self.dtype, copy=True)  # a copy: never share the dataset
        return arrange(batch, self.flatten)

    def _labels_batch(self, index: slice | np.ndarray) -> np.ndarray | None:
        if self.labels is None:
            return None
        return np.array(self.labels[index], dtype=np.int64, copy=True)

    def __repr__(self) -> str:
        return (
            f"DataLoader({len(self.inputs)} examples, batch_size={self.batch_size}, "
            f"{len(self)} batches, shuffle={self.shuffle}, scale={self.scale!r}, "
            f"flatten={self.flatten})"
        )


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _to_tensor(array: np.ndarray, target: Device) -> Any:
    if target.type == "cpu":
        return from_numpy(array)  # the batch is ours alone: share it, no copy
    return tensor(array, device=target)  # one host-to-device transfer


def _arrays_of(dataset: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The (inputs, labels or None) arrays behind ``dataset``."""
    if isinstance(dataset, np.ndarray):
        inputs, labels = dataset, None
    elif getattr(dataset, "images", None) is not None:
        inputs, labels = dataset.images, getattr(dataset, "labels", None)
    elif getattr(dataset, "data", None) is not None:
        inputs, labels = dataset.data, getattr(dataset, "labels", None)
    else:
        inputs, labels = _stack(dataset)
    inputs = np.asarray(inputs)
    if inputs.ndim < 2:
        raise ValueError(f"dataset inputs need shape (N, ...), not {inputs.shape}")
    if inputs.dtype != np.uint8 and inputs.dtype.kind != "f":
        raise TypeError(f"dataset inputs must be uint8 pixels or floats, not {inputs.dtype}")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu" or labels.shape != (len(inputs),):
            raise ValueError(
                f"labels must be ({len(inputs)},) integers, not {labels.dtype} {labels.shape}"
            )
    return inputs, labels


def _stack(dataset: Any) -> tuple[np.ndarray, np.ndarray | None]:
    # A generic sequence: read it once here, so batches are array slices afterwards.
    try:
        items = [dataset[i] for i in range(len(dataset))]
    except TypeError:
        raise TypeError(
            "DataLoader needs .images, .data, a NumPy array or a sequence,"
            f" not {type(dataset).__name__}"
        ) from None
    if not items:
        raise ValueError("DataLoader got an empty dataset")
    if isinstance(items[0], tuple) and len(items[0]) == 2:
        return np.stack([x for x, _ in items]), np.asarray([y for _, y in items])
    return np.stack(items), None
