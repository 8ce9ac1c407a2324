"""ArrayDataset: a labelled image dataset held in two NumPy arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class ArrayDataset:
    """Images and labels in memory, as a sequence of ``(image, label)`` pairs.

    - ``images``: (N, H, W) uint8 array, all of it (what :class:`DataLoader` batches from);
    - ``labels``: (N,) int64 array;
    - ``classes``: the class names, ``classes[label]``;
    - ``len(ds)`` is N and ``ds[i]`` is ``(images[i], int(labels[i]))``.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, classes: Sequence[str]) -> None:
        images = np.asarray(images)
        labels = np.asarray(labels, dtype=np.int64)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"images must be uint8 (N, H, W), not {images.dtype} {images.shape}")
        if labels.shape != (len(images),):
            raise ValueError(f"labels must have shape ({len(images)},), not {labels.shape}")
        self.images = images
        self.labels = labels
        self.classes: tuple[str, ...] = tuple(classes)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        # operator.index: integers only (slices and arrays would not give one pair);
        # out-of-range indices raise IndexError, which ends a for loop over the dataset.
        i = index.__index__()
        return self.images[i], int(self.labels[i])

    def class_counts(self) -> np.ndarray:
        """How many examples of each class: (len(classes),) int64."""
        return np.bincount(self.labels, minlength=len(self.classes))

    def __repr__(self) -> str:
        shape = "x".join(str(d) for d in self.images.shape[1:])
        return f"{type(self).__name__}({len(self)} images {shape}, {len(self.classes)} classes)"
