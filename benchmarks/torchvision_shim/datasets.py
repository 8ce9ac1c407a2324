"""``torchvision.datasets.MNIST`` and ``FakeData``, served from minigen's shipped sample."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from minigen.data import get_dataset


class MNIST:
    """``MNIST(root, train=True, transform=None, target_transform=None, download=False)``.

    Items are ``(image, label)``: the image a uint8 (28, 28) array passed through
    ``transform``, the label a Python int passed through ``target_transform``. The digits are
    minigen's shipped sample (8,334 train / 1,666 test), so ``root`` and ``download`` are
    accepted and not used: nothing is read from disk beyond the package, nothing downloaded.
    """

    classes = [f"{d} - {name}" for d, name in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])]

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        sample = get_dataset("mnist-sample", train=train)
        self.root, self.train = root, train
        self.data, self.targets = sample.images, sample.labels
        self.transform, self.target_transform = transform, target_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return f"Dataset MNIST (minigen's shipped sample)\n    Number of datapoints: {len(self)}\n    Split: {split}"


class FakeData:
    """``FakeData(size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
    target_transform=None, random_offset=0)``: random uint8 images (H, W, C) and labels.

    Item ``i`` is drawn from a generator seeded with ``i + random_offset``, so it is the same
    every time it is read (as in torchvision; the pixels themselves differ from torchvision's).
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: tuple[int, int, int] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        random_offset: int = 0,
    ) -> None:
        self.size, self.image_size, self.num_classes = size, tuple(image_size), num_classes
        self.transform, self.target_transform = transform, target_transform
        self.random_offset = random_offset

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if not -self.size <= index < self.size:
            raise IndexError(f"FakeData index {index} is out of range for {self.size} images")
        rng = np.random.default_rng(index % self.size + self.random_offset)
        c, h, w = self.image_size
        image = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
        target = int(rng.integers(0, self.num_classes))
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target
