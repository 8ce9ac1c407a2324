"""The full datasets, MNIST and Fashion-MNIST, and :func:`get_dataset` to pick one by name."""

from __future__ import annotations

import os
from collections.abc import Sequence

from minigen.data import registry
from minigen.data.base import ArrayDataset
from minigen.data.sample import MNISTSample
from minigen.data.sources import load_split
from minigen.data.specs import DatasetSpec


class IDXDataset(ArrayDataset):
    """A dataset of four IDX files described by a :class:`DatasetSpec`.

    Finds the files in ``root`` (else ``$MINIGEN_DATA_DIR``), the user cache, a system-wide
    copy, or downloads them (``download=True``) from ``mirrors`` (else ``$MINIGEN_MIRRORS``,
    else the official locations), verifying every copy; see :mod:`minigen.data.sources`.
    Subclasses set ``spec``; any other IDX dataset can be loaded with ``spec=``.
    """

    spec: DatasetSpec

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        train: bool = True,
        download: bool = True,
        mirrors: Sequence[str] | None = None,
        *,
        spec: DatasetSpec | None = None,
    ) -> None:
        if spec is not None:
            self.spec = spec
        if getattr(self, "spec", None) is None:
            raise TypeError("IDXDataset needs spec=DatasetSpec(...)")
        self.train = train
        images, labels = load_split(self.spec, train, root, download, mirrors)
        super().__init__(images, labels, self.spec.classes)

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}({split}: {len(self)} images, {len(self.classes)} classes)"


class MNIST(IDXDataset):
    """MNIST handwritten digits: 60,000 train / 10,000 test, 28x28 uint8, labels 0-9.

    The ``.gz`` files are verified against the published upstream checksums.
    """

    spec = registry.MNIST


class FashionMNIST(IDXDataset):
    """Fashion-MNIST (Zalando): 60,000 train / 10,000 test, 28x28 uint8, 10 clothing classes.

    ``classes`` names them ("T-shirt/top", "Trouser", ...). The decompressed payloads are
    verified, so both the upstream files and Debian's re-compressed copy are accepted.
    """

    spec = registry.FASHION_MNIST


#: The names get_dataset() and the CLI's --data option accept.
DATASETS = {
    "mnist-sample": MNISTSample,
    "mnist": MNIST,
    "fashion-mnist": FashionMNIST,
}


def get_dataset(
    name: str,
    root: str | os.PathLike | None = None,
    train: bool = True,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
) -> ArrayDataset:
    """The dataset called ``name``: "mnist-sample" (shipped, offline), "mnist" or "fashion-mnist".

    ``root``, ``download`` and ``mirrors`` apply to the full datasets; the shipped sample
    ignores them.
    """
    key = name.strip().lower().replace("_", "-")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    if key == "mnist-sample":
        return MNISTSample(train=train)
    return DATASETS[key](root=root, train=train, download=download, mirrors=mirrors)
