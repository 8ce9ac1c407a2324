"""The IDX reader and writer: round trips, and a named IDXError for each kind of damage."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from minigen.data import IDXError, read_idx, write_idx
from minigen.data.idx import encode_idx, parse_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
SHAPES = [(7,), (3, 5), (4, 2, 3), (2, 3, 4, 5)]


def _array(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{len(s)}d")
@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
def test_round_trip(tmp_path, dtype, shape, compress):
    array = _array(shape, dtype)
    path = tmp_path / ("a.idx.gz" if compress else "a.idx")
    write_idx(path, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    assert back.shape == shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable


def test_header_is_big_endian_mnist_layout():
    data = encode_idx(np.array([[1, 2, 3], [4, 5, 258]], dtype=np.int16))
    assert data[:4] == bytes([0, 0, 0x0B, 2])
    assert struct.unpack(">2I", data[4:12]) == (2, 3)
    assert data[-2:] == b"\x01\x02"  # 258, most significant byte first
    assert encode_idx(np.zeros((60000, 28, 28), np.uint8))[:4] == b"\x00\x00\x08\x03"


def test_compression_detected_by_content_not_name(tmp_path):
    array = _array((3, 4), np.uint8)
    gz_named_raw = tmp_path / "raw.gz"
    write_idx(gz_named_raw, array, gzip=False)
    raw_named_gz = tmp_path / "compressed-idx1-ubyte"
    write_idx(raw_named_gz, array, gzip=True)
    np.testing.assert_array_equal(read_idx(gz_named_raw), array)
    np.testing.assert_array_equal(read_idx(raw_named_gz), array)


def test_gzip_output_is_reproducible(tmp_path):
    array = _array((5, 5), np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_unsupported_arrays_are_refused():
    with pytest.raises(TypeError, match="int64"):
        encode_idx(np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="dimensions"):
        encode_idx(np.array(5, np.uint8))


GOOD = encode_idx(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "too short"),
        (b"\x00\x00", "too short"),
        (b"\x01\x02" + GOOD[2:], "bad magic number"),
        (GOOD[:2] + b"\x0a" + GOOD[3:], "unknown IDX dtype code 0x0A"),
        (GOOD[:3] + b"\x00" + GOOD[4:], "zero dimensions"),
        (GOOD[:10], "header of 3 dimensions needs 16 bytes"),
        (GOOD[:-5], r"payload has 19 bytes, header \(2, 3, 4\) of uint8 needs 24 .*truncated"),
        (GOOD + b"\x00" * 4, "4 trailing bytes"),
        (gzip.compress(GOOD)[:-12], "gzip data is truncated"),
        (gzip.compress(GOOD)[:10] + b"\xff" * 20 + gzip.compress(GOOD)[30:], "corrupt gzip"),
        (gzip.compress(GOOD[:-5]), "payload has 19 bytes"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
    ],
    ids=[
        "empty",
        "two-bytes",
        "bad-magic",
        "bad-dtype",
        "no-dims",
        "short-header",
        "short-payload",
        "trailing",
        "gz-truncated",
        "gz-corrupt",
        "gz-short-payload",
        "gz-garbage",
    ],
)
def test_each_corruption_names_the_file(tmp_path, data, message):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(data)
    with pytest.raises(IDXError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_corrupt_gzip_crc_is_caught(tmp_path):
    compressed = bytearray(gzip.compress(GOOD))
    compressed[-8] ^= 0xFF  # the CRC-32 of the trailer
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(IDXError, match="corrupt gzip"):
        read_idx(path)


def test_parse_names_its_source():
    with pytest.raises(IDXError, match="^somewhere: "):
        parse_idx(b"\x00\x00\x08", "somewhere")
