"""The real datasets: Fashion-MNIST from ../shared/data (Debian's copy), the shipped sample."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import urllib.request

import numpy as np
import pytest
from datahelpers import SHARED_DATA

from minigen.data import (
    DATASETS,
    ArrayDataset,
    DatasetNotFoundError,
    FashionMNIST,
    MNISTSample,
    get_dataset,
    stratified_split,
)
from minigen.data.sample import SPLIT_SEED, TEST_FRACTION, TEST_SIZE, TRAIN_SIZE, _load_sample

FASHION = SHARED_DATA / "fashion-mnist"
needs_fashion = pytest.mark.skipif(
    not FASHION.is_dir(), reason=f"no Fashion-MNIST copy at {FASHION} (../shared/data)"
)
SAMPLE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture(scope="module")
def fashion(tmp_path_factory):
    """Both splits of Fashion-MNIST, loaded once through the explicit-folder path."""
    if not FASHION.is_dir():
        pytest.skip(f"no Fashion-MNIST copy at {FASHION}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("XDG_DATA_DIRS", str(tmp_path_factory.mktemp("share")))
        mp.delenv("MINIGEN_DATA_DIR", raising=False)
        return FashionMNIST(root=FASHION, download=False), FashionMNIST(
            root=FASHION, train=False, download=False
        )


# -- Fashion-MNIST -------------------------------------------------------------------------


@needs_fashion
def test_fashion_mnist_sizes_and_types(fashion):
    train, test = fashion
    assert len(train) == 60000 and len(test) == 10000
    for ds in fashion:
        assert ds.images.dtype == np.uint8 and ds.images.shape[1:] == (28, 28)
        assert ds.labels.dtype == np.int64 and ds.labels.shape == (len(ds),)
        assert ds.images.max() == 255 and ds.images.min() == 0
    image, label = train[0]
    assert image.shape == (28, 28) and isinstance(label, int)


@needs_fashion
def test_fashion_mnist_has_ten_balanced_classes(fashion):
    train, test = fashion
    assert len(train.classes) == 10
    assert train.classes[0] == "T-shirt/top" and train.classes[9] == "Ankle boot"
    assert train.class_counts().tolist() == [6000] * 10
    assert test.class_counts().tolist() == [1000] * 10


@needs_fashion
def test_debians_recompressed_files_pass_payload_verification(fashion):
    # The shared copy is Debian's: its .gz bytes are not upstream's, yet it loaded (fixture).
    upstream_md5 = "bb300cfdad3c16e7a12a480ee83cd310"
    shared = (FASHION / "t10k-labels-idx1-ubyte.gz").read_bytes()
    assert hashlib.md5(shared).hexdigest() == "0d30e22e447f3c33dab9ed536400ac01"  # Debian's
    assert hashlib.md5(shared).hexdigest() != upstream_md5
    assert len(fashion[1]) == 10000


@needs_fashion
def test_fashion_subfolder_environment_and_get_dataset(monkeypatch, no_network):
    # MINIGEN_DATA_DIR pointing at the parent folder: the files are in its fashion-mnist/.
    monkeypatch.setenv("MINIGEN_DATA_DIR", str(SHARED_DATA))
    ds = get_dataset("fashion-mnist", train=False, download=False)
    assert isinstance(ds, FashionMNIST) and len(ds) == 10000


@needs_fashion
def test_tampered_fashion_copy_is_refused(tmp_path, no_network):
    folder = tmp_path / "fashion"
    folder.mkdir()
    shutil.copy(FASHION / "t10k-images-idx3-ubyte.gz", folder)
    payload = bytearray(gzip.decompress((FASHION / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    payload[100] = (payload[100] + 1) % 10  # one label changed: still valid IDX
    (folder / "t10k-labels-idx1-ubyte").write_bytes(bytes(payload))
    with pytest.warns(UserWarning, match="SHA-256"):
        with pytest.raises(DatasetNotFoundError, match="t10k-labels-idx1-ubyte"):
            FashionMNIST(root=folder, train=False, download=False)


# -- the shipped MNIST sample --------------------------------------------------------------


def test_sample_loads_with_no_folder_and_no_network(monkeypatch, no_network):
    monkeypatch.setenv("MINIGEN_DATA_DIR", "/nonexistent")
    train, test = MNISTSample(), MNISTSample(train=False)
    assert (len(train), len(test)) == (TRAIN_SIZE, TEST_SIZE) == (8334, 1666)
    for ds in (train, test):
        assert ds.images.dtype == np.uint8 and ds.images.shape[1:] == (28, 28)
        assert ds.labels.dtype == np.int64
        assert ds.classes == tuple("0123456789")
        assert ds.images.flags.writeable  # each dataset owns its arrays
    assert get_dataset("mnist-sample", root="/ignored", train=False).labels.tolist() == (
        test.labels.tolist()
    )


def test_sample_split_is_stratified_and_complete():
    train, test = MNISTSample(), MNISTSample(train=False)
    total = train.class_counts() + test.class_counts()
    assert total.tolist() == SAMPLE_COUNTS
    expected_test = [int(np.floor(n / 6 + 0.5)) for n in SAMPLE_COUNTS]
    assert test.class_counts().tolist() == expected_test
    # Every digit of the sample is in exactly one split.
    images, labels = _load_sample()
    train_index, test_index = stratified_split(labels, TEST_FRACTION, SPLIT_SEED)
    assert np.intersect1d(train_index, test_index).size == 0
    assert np.array_equal(np.sort(np.concatenate([train_index, test_index])), np.arange(10000))
    np.testing.assert_array_equal(images[test_index], test.images)


def test_sample_split_is_deterministic_and_mixed():
    a, b = MNISTSample(), MNISTSample()
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.images, b.images)
    assert len(np.unique(a.labels[:50])) == 10  # not grouped by digit
    # Pinned: a change of the split algorithm would silently mix test digits into training.
    assert a.labels[:10].tolist() == [2, 3, 1, 0, 1, 6, 7, 0, 8, 0]


def test_stratified_split_on_other_labels():
    labels = np.repeat(np.arange(3), [6, 12, 7])
    train, test = stratified_split(labels, 1 / 3, seed=5)
    assert np.bincount(labels[test]).tolist() == [2, 4, 2]
    assert np.bincount(labels[train]).tolist() == [4, 8, 5]
    again, _ = stratified_split(labels, 1 / 3, seed=5)
    np.testing.assert_array_equal(train, again)


def test_dataset_is_a_sequence():
    ds = MNISTSample(train=False)
    image, label = ds[5]
    assert image.shape == (28, 28) and image.dtype == np.uint8
    assert label == ds.labels[5] and isinstance(label, int)
    assert ds[-1][1] == ds.labels[-1]
    with pytest.raises(IndexError):
        ds[len(ds)]
    assert sum(1 for _ in ds) == len(ds)
    assert "1666" in repr(ds)
    assert isinstance(ds, ArrayDataset)


def test_get_dataset_names():
    assert set(DATASETS) == {"mnist-sample", "mnist", "fashion-mnist"}
    with pytest.raises(ValueError, match="mnist-sample, mnist, fashion-mnist"):
        get_dataset("cifar10")
