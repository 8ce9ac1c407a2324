"""MNISTSample: the real 10,000-digit MNIST sample shipped inside the package (offline default).

The files are ``minigen/data/mnist10k/*.gz`` (source and licenses in ``ATTRIBUTION.md``
beside them). Their records are sorted by digit, so they are split into train and test
by :func:`stratified_split`: within each digit, a fixed pseudo-random order puts
round(n / 6) digits in test and the rest in train. The split is the same on every machine
and every NumPy version:

======  =====  ====  ====  ====  ====  ====  ====  ====  ====  ====  =====
digit   0      1     2     3     4     5     6     7     8     9     total
======  =====  ====  ====  ====  ====  ====  ====  ====  ====  ====  =====
all     1001   1127  991   1032  980   863   1014  1070  944   978   10000
test    167    188   165   172   163   144   169   178   157   163   1666
train   834    939   826   860   817   719   845   892   787   815   8334
======  =====  ====  ====  ====  ====  ====  ====  ====  ====  ====  =====
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from minigen.data import registry
from minigen.data.base import ArrayDataset
from minigen.data.verify import load_verified

#: Fraction of each digit held out for the test split.
TEST_FRACTION = 1 / 6
#: Seed of the split; changing it changes which digits are in test.
SPLIT_SEED = 1998

TRAIN_SIZE = 8334
TEST_SIZE = 1666


class MNISTSample(ArrayDataset):
    """The shipped MNIST sample: 8,334 train / 1,666 test digits (28x28 uint8, labels 0-9).

    Needs no folder and no network. Both splits are stratified (each digit keeps its
    share) and fixed; see the table in this module's docstring. Examples are in a fixed
    mixed order (not grouped by digit).
    """

    def __init__(self, train: bool = True) -> None:
        images, labels = _load_sample()
        train_index, test_index = stratified_split(labels, TEST_FRACTION, SPLIT_SEED)
        index = train_index if train else test_index
        self.train = train
        # Fancy indexing copies: each dataset owns writable arrays, the cache stays intact.
        super().__init__(images[index], labels[index], registry.DIGITS)

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"MNISTSample({split}: {len(self)} images, 10 classes)"


def stratified_split(
    labels: np.ndarray, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)``: round(n * test_fraction) of each label's n examples go to
    test, chosen by a fixed pseudo-random order from ``seed``; both index arrays are
    returned in a mixed (seeded) order, so neither is grouped by label.

    The order comes from :func:`_stable_keys`, not from ``np.random``, whose streams may
    change between NumPy versions: the split must never change under a user's feet.
    """
    labels = np.asarray(labels)
    keys = _stable_keys(len(labels), seed)
    train, test = [], []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        members = members[np.argsort(keys[members], kind="stable")]
        n_test = int(np.floor(len(members) * test_fraction + 0.5))
        test.append(members[:n_test])
        train.append(members[n_test:])
    train_index, test_index = np.concatenate(train), np.concatenate(test)
    mix = _stable_keys(len(labels), seed + 1)
    train_index = train_index[np.argsort(mix[train_index], kind="stable")]
    test_index = test_index[np.argsort(mix[test_index], kind="stable")]
    return train_index, test_index


def _stable_keys(n: int, seed: int) -> np.ndarray:
    """n pseudo-random uint64 keys from SplitMix64: fixed forever for a given seed."""
    with np.errstate(over="ignore"):
        z = np.arange(n, dtype=np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


@functools.lru_cache(maxsize=1)
def _load_sample() -> tuple[np.ndarray, np.ndarray]:
    """The whole verified sample, decoded once per process (read-only: it is shared)."""
    folder = resources.files("minigen.data") / "mnist10k"
    arrays = []
    for spec in (registry.SAMPLE_IMAGES, registry.SAMPLE_LABELS):
        resource = folder / spec.remote
        array = load_verified(resource.read_bytes(), spec, f"minigen/data/mnist10k/{spec.remote}")
        array.flags.writeable = False
        arrays.append(array)
    images, labels = arrays[0], arrays[1].astype(np.int64)
    labels.flags.writeable = False
    return images, labels
