"""Untrusted data is bounded: downloads (time, size), mirror lists, gzip and IDX headers, and
folders that cannot be read or that hold a killed download's leftovers (issue 13)."""

from __future__ import annotations

import errno
import gzip
import os
import pathlib
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from datahelpers import tiny_arrays, tiny_spec, write_tiny_files

from minigen.data import DatasetNotFoundError, IDXDataset, IDXError, read_idx
from minigen.data import download as download_module
from minigen.data.idx import encode_idx, idx_size
from minigen.data.verify import max_bytes
from minigen.folder_lock import shared_folder_lock

SPEC = tiny_spec()


def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "minigen" / "tiny"


def test_a_trickling_server_meets_the_total_deadline(server, monkeypatch):
    # One byte every 0.2 s: each read is quick, so only a deadline on the whole download stops it.
    monkeypatch.setattr(download_module, "DEADLINE", 1.0)
    start = time.monotonic()
    with pytest.raises(DatasetNotFoundError, match=r"took longer than 1 s in all"):
        IDXDataset(spec=SPEC, mirrors=[server.url + "trickle/"])
    assert time.monotonic() - start < 4


def test_a_stream_without_length_is_cut_at_the_largest_possible_file(tmp_path, server):
    with pytest.raises(DatasetNotFoundError, match="more than the .* bytes any copy"):
        IDXDataset(spec=SPEC, mirrors=[server.url + "flood/"])
    # The client stopped reading after max_bytes (plus what sat in the socket buffers),
    # not after the 50 MB the server would have sent.
    assert server.sent < max_bytes(SPEC.train_images) + 8 * 2**20
    assert list(cache(tmp_path).glob("*.part")) == []


def test_an_announced_size_above_the_cap_is_refused_before_reading(server):
    with pytest.raises(DatasetNotFoundError, match=r"announces 1073741824 bytes"):
        IDXDataset(spec=SPEC, mirrors=[server.url + "huge/"])


def test_the_cap_is_the_largest_gzip_of_the_expected_payload():
    payload = idx_size((20, 28, 28))
    incompressible = gzip.compress(os.urandom(payload), compresslevel=9, mtime=0)
    assert payload < len(incompressible) <= max_bytes(SPEC.train_images) < payload + 70_000


def test_a_malformed_mirror_entry_is_skipped_with_its_reason(server, monkeypatch):
    write_tiny_files(server.root / "good")
    monkeypatch.setenv("MINIGEN_MIRRORS", f"notaurl {server.url}good")
    assert len(IDXDataset(spec=SPEC)) == 20
    with pytest.raises(DatasetNotFoundError) as info:  # (the test split: not in the cache)
        IDXDataset(spec=SPEC, train=False, mirrors=["notaurl", "ftp://example.invalid/", "http://[bad/",
                                       "http://127.0.0.1:notaport/"])
    message = str(info.value)
    assert "notaurl/t10k-images-idx3-ubyte.gz: not a download URL" in message
    assert "ftp://example.invalid/t10k-images-idx3-ubyte.gz: not a download URL" in message
    assert "http://[bad/t10k-images-idx3-ubyte.gz: ValueError" in message
    assert "http://127.0.0.1:notaport/t10k-images-idx3-ubyte.gz:" in message


def zeros_gzip(size: int, header: bytes = b"") -> bytes:
    """A gzip stream of ``header`` then ``size`` zero bytes, made without holding them."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(header)]
    block = bytes(2**20)
    for _ in range(size // len(block)):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    return b"".join(parts)


def test_a_gzip_bomb_in_a_data_folder_never_fills_memory(tmp_path):
    folder = tmp_path / "mine"
    write_tiny_files(folder)
    # The right header, then 64 MB of zeros: 64 kB on disk.
    header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 20, 28, 28)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(zeros_gzip(64 * 2**20, header))
    tracemalloc.start()
    try:
        with pytest.warns(UserWarning, match="more than"):
            with pytest.raises(DatasetNotFoundError):
                IDXDataset(spec=SPEC, root=folder, download=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, peak


def test_a_header_declaring_another_shape_is_refused_before_decompressing(tmp_path):
    folder = tmp_path / "mine"
    write_tiny_files(folder)
    header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**20, 28, 28)  # 822 MB declared
    (folder / "train-images-idx3-ubyte.gz").write_bytes(zeros_gzip(2**20, header))
    with pytest.warns(UserWarning, match=r"holds uint8 \(1048576, 28, 28\), expected uint8"):
        with pytest.raises(DatasetNotFoundError):
            IDXDataset(spec=SPEC, root=folder, download=False)


def test_an_oversized_file_is_refused_unread(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    write_tiny_files(folder, compress=False)
    path = folder / "train-images-idx3-ubyte"
    with open(path, "ab") as f:
        f.truncate(max_bytes(SPEC.train_images) + 1)  # sparse: nothing to read
    with pytest.warns(UserWarning, match="more than the .* any copy"):
        with pytest.raises(DatasetNotFoundError):
            IDXDataset(spec=SPEC, root=folder, download=False)


def test_read_idx_checks_the_declared_size_before_allocating(tmp_path):
    path = tmp_path / "big.idx.gz"
    header = bytes([0, 0, 8, 1]) + struct.pack(">I", 2**32 - 1)
    path.write_bytes(gzip.compress(header + bytes(100)))
    with pytest.raises(IDXError, match="declares .* more than the 1073741824 allowed"):
        read_idx(path)
    small = tmp_path / "small.idx"
    small.write_bytes(encode_idx(np.zeros(1000, np.uint8)))
    with pytest.raises(IDXError, match="more than"):
        read_idx(small, max_bytes=100)
    np.testing.assert_array_equal(read_idx(small), np.zeros(1000, np.uint8))


def test_a_folder_that_cannot_be_read_is_one_line_of_the_report(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    write_tiny_files(locked)
    real_is_file = pathlib.Path.is_file

    def no_entry(self):  # what a folder of mode 000 does to a user who is not root
        if self.parent == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(pathlib.Path, "is_file", no_entry)
    with pytest.raises(DatasetNotFoundError, match=f"{locked}: cannot look inside"):
        IDXDataset(spec=SPEC, root=locked, download=False)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders of mode 000")
def test_a_folder_of_mode_000(tmp_path):
    locked = tmp_path / "locked"
    write_tiny_files(locked)
    locked.chmod(0)
    try:
        with pytest.raises(DatasetNotFoundError, match=f"{locked}: cannot look inside"):
            IDXDataset(spec=SPEC, root=locked, download=False)
    finally:
        locked.chmod(0o755)


def test_a_killed_downloads_part_file_is_removed_by_the_next_download(tmp_path, server):
    write_tiny_files(server.root / "good")
    folder = cache(tmp_path)
    folder.mkdir(parents=True)
    stale = folder / ".train-images-idx3-ubyte.gz.x1y2z3_a.part"
    with shared_folder_lock(folder):  # another process downloading: its .part is not stale
        stale.write_bytes(b"\x1f\x8b half a file")
        IDXDataset(spec=SPEC, mirrors=[server.url + "good/"])
        assert stale.exists()
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    IDXDataset(spec=SPEC, mirrors=[server.url + "good/"])
    assert not stale.exists()
    images, _ = tiny_arrays()
    assert (folder / "train-images-idx3-ubyte.gz").exists() and images.shape == (20, 28, 28)
