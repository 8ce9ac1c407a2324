"""minigen.data: datasets and data loading.

- Real images with no network: ``MNISTSample()`` (10,000 MNIST digits shipped in the package).
- Full datasets: ``MNIST()``, ``FashionMNIST()``, found in an explicit folder, the user
  cache or a system-wide copy, else downloaded with verified checksums (docs/data.md).
- ``get_dataset("mnist-sample" | "mnist" | "fashion-mnist")``: what the CLI's --data calls.
- ``DataLoader``: batches as minigen tensors, pixels in [0, 1] or [-1, 1].
- Toy 2-D data for GANs: ``ring_of_gaussians``, ``swiss_roll``, ``mode_coverage``.
- The IDX format: ``read_idx``, ``write_idx``.

This package needs only NumPy and tqdm; minigen's engine is imported when a DataLoader runs.
"""

from minigen.data.base import ArrayDataset
from minigen.data.datasets import DATASETS, MNIST, FashionMNIST, IDXDataset, get_dataset
from minigen.data.errors import ChecksumError, DatasetNotFoundError, DownloadError
from minigen.data.idx import IDXError, read_idx, write_idx
from minigen.data.loader import DataLoader
from minigen.data.sample import MNISTSample, stratified_split
from minigen.data.specs import DatasetSpec, FileSpec
from minigen.data.toy import (
    ModeCoverage,
    RingOfGaussians,
    SwissRoll,
    mode_coverage,
    ring_centers,
    ring_of_gaussians,
    swiss_roll,
)
from minigen.data.transforms import Normalize, to_float, to_uint8

__all__ = [
    "ArrayDataset",
    "ChecksumError",
    "DATASETS",
    "DataLoader",
    "DatasetNotFoundError",
    "DatasetSpec",
    "DownloadError",
    "FashionMNIST",
    "FileSpec",
    "IDXDataset",
    "IDXError",
    "MNIST",
    "MNISTSample",
    "Normalize",
    "ModeCoverage",
    "RingOfGaussians",
    "SwissRoll",
    "get_dataset",
    "mode_coverage",
    "read_idx",
    "ring_centers",
    "ring_of_gaussians",
    "stratified_split",
    "swiss_roll",
    "to_float",
    "to_uint8",
    "write_idx",
]
