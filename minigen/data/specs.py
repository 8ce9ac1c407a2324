"""Descriptions of downloadable datasets: their files, checksums and where to get them.

A :class:`DatasetSpec` is all :func:`minigen.data.sources.load_split` needs to find,
download and verify a dataset, so a new IDX dataset (or a tiny one made in a test) is a
new spec, not new code. The real ones are in :mod:`minigen.data.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileSpec:
    """One IDX file of a dataset and the checksums that a correct copy matches.

    ``name`` is the uncompressed file name (``train-images-idx3-ubyte``); downloads fetch
    ``name + ".gz"``, and local folders may hold either.

    Verification (see :func:`minigen.data.verify.load_verified`): when ``payload_sha256``
    is given, the SHA-256 of the decompressed IDX bytes must be one of them, which accepts
    any re-compression of the same data and nothing else. Otherwise the compressed file
    must match ``gz_sha256`` or ``gz_md5`` (the checksums published for the upstream
    ``.gz``), and an uncompressed copy cannot be verified and is refused.
    """

    name: str
    shape: tuple[int, ...]
    payload_sha256: tuple[str, ...] = ()
    gz_sha256: tuple[str, ...] = ()
    gz_md5: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.payload_sha256 or self.gz_sha256 or self.gz_md5):
            # A file nobody can verify would let a broken download through: refuse the spec.
            raise ValueError(f"FileSpec {self.name!r} needs at least one checksum")

    @property
    def remote(self) -> str:
        """The compressed file name that servers publish."""
        return self.name + ".gz"


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset of IDX files: train and test images and labels, with where to find them.

    - ``name``: the short name: cache folder ``~/.cache/minigen/<name>``, the subfolder
      looked for inside an explicit data folder, and ``<share>/datasets/<name>`` for a
      system-wide copy (Debian's ``dataset-fashion-mnist`` installs into
      ``/usr/share/datasets/fashion-mnist``).
    - ``urls``: base URLs tried in order (the official location first, then mirrors);
      each file is fetched from ``base + FileSpec.remote``.
    - ``package_hint``: the command that installs a system-wide copy, if one exists.
    """

    name: str
    title: str
    train_images: FileSpec
    train_labels: FileSpec
    test_images: FileSpec
    test_labels: FileSpec
    classes: tuple[str, ...]
    urls: tuple[str, ...] = ()
    package_hint: str | None = None
    homepage: str | None = None
    license: str | None = None

    def split(self, train: bool) -> tuple[FileSpec, FileSpec]:
        """The (images, labels) files of the train or test split."""
        if train:
            return self.train_images, self.train_labels
        return self.test_images, self.test_labels

    @property
    def files(self) -> tuple[FileSpec, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)
