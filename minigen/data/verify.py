"""Turn the bytes of a dataset file into an array, only if they are the published data."""

from __future__ import annotations

import hashlib

import numpy as np

from minigen.data.errors import ChecksumError
from minigen.data.idx import decompress, idx_size, is_gzip, max_file_size, parse_idx, read_header
from minigen.data.specs import FileSpec


def max_bytes(spec: FileSpec) -> int:
    """The most bytes any copy of ``spec``'s file can have, gzipped or not: derived from the
    shape in the checksum table, it bounds downloads and the files read from folders."""
    return max_file_size(idx_size(spec.shape))


def load_verified(data: bytes, spec: FileSpec, name: str) -> np.ndarray:
    """Decode ``data`` (the bytes of a file, gzip or raw) as the IDX file ``spec`` describes.

    Raises :class:`IDXError` for a file that is not valid IDX (truncated, corrupt gzip)
    and :class:`ChecksumError` for valid IDX with the wrong content. ``name`` (a path or
    URL) is used in the messages. The IDX header is checked against ``spec`` first, and no
    more than the expected payload is ever decompressed.
    """
    compressed = is_gzip(data)
    dtype, shape, _ = read_header(data, name)
    if shape != spec.shape or dtype != np.uint8:
        # Caught before the checksum to say what is wrong (a test split for a train split...),
        # and before decompressing, so a forged header cannot ask for gigabytes.
        raise ChecksumError(
            f"{name}: holds {dtype.newbyteorder('=')} {shape}, expected uint8 {spec.shape}"
        )
    payload = decompress(data, name, idx_size(spec.shape))
    array = parse_idx(payload, name)
    if spec.payload_sha256:
        # The decompressed payload is what matters: any re-compression of the right data
        # (Debian's Fashion-MNIST) passes, and only the right data does.
        digest = hashlib.sha256(payload).hexdigest()
        if digest not in spec.payload_sha256:
            raise ChecksumError(
                f"{name}: SHA-256 of the decompressed IDX payload is {digest}, expected"
                f" {_one_of(spec.payload_sha256)}: not the published {spec.name}"
            )
    elif not compressed:
        raise ChecksumError(
            f"{name}: an uncompressed {spec.name} cannot be verified (only the checksums of"
            f" the published {spec.remote} are known): supply the original {spec.remote}"
        )
    else:
        sha256 = hashlib.sha256(data).hexdigest()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if sha256 not in spec.gz_sha256 and md5 not in spec.gz_md5:
            raise ChecksumError(
                f"{name}: checksum mismatch: SHA-256 {sha256} (expected"
                f" {_one_of(spec.gz_sha256)}), md5 {md5} (expected {_one_of(spec.gz_md5)}):"
                f" not the published {spec.remote}"
            )
    return array


def _one_of(values: tuple[str, ...]) -> str:
    if not values:
        return "none known"
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)
