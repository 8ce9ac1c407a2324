"""Helpers of the minigen.data tests: tiny IDX datasets with matching specs.

(A uniquely named module rather than conftest.py, so that tests can import it by name.)
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

from minigen.data.idx import encode_idx
from minigen.data.specs import DatasetSpec, FileSpec

#: The shared development data beside the repository (see ../shared/data/README.md).
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def tiny_arrays(n: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def tiny_spec(n: int = 20, by: str = "payload") -> DatasetSpec:
    """A 4-file dataset of ``n`` random 28x28 images, verified by payload SHA-256
    (``by="payload"``, as Fashion-MNIST) or by the .gz SHA-256 (``by="gz"``, as MNIST)."""
    images, labels = tiny_arrays(n)

    def file(name: str, array: np.ndarray) -> FileSpec:
        payload = encode_idx(array)
        if by == "payload":
            digest = hashlib.sha256(payload).hexdigest()
            return FileSpec(name, array.shape, payload_sha256=(digest,))
        compressed = gzip.compress(payload, mtime=0)
        return FileSpec(name, array.shape, gz_sha256=(hashlib.sha256(compressed).hexdigest(),))

    return DatasetSpec(
        name="tiny",
        title="Tiny",
        train_images=file("train-images-idx3-ubyte", images),
        train_labels=file("train-labels-idx1-ubyte", labels),
        test_images=file("t10k-images-idx3-ubyte", images[:10]),
        test_labels=file("t10k-labels-idx1-ubyte", labels[:10]),
        classes=tuple(str(d) for d in range(10)),
        urls=(),
    )


def write_tiny_files(folder: Path, n: int = 20, compress: bool = True, seed: int = 0) -> None:
    """The files of :func:`tiny_spec` (``seed`` other than 0: same shapes, wrong content)."""
    images, labels = tiny_arrays(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": images,
        "train-labels-idx1-ubyte": labels,
        "t10k-images-idx3-ubyte": images[:10],
        "t10k-labels-idx1-ubyte": labels[:10],
    }
    for name, array in arrays.items():
        payload = encode_idx(array)
        if compress:
            (folder / (name + ".gz")).write_bytes(gzip.compress(payload, mtime=0))
        else:
            (folder / name).write_bytes(payload)
