"""The IDX file format of MNIST-style datasets: read and write, raw or gzip-compressed.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension, then the
array itself, big-endian, in C order::

    magic  = 0x00 0x00 <dtype code> <number of dimensions>
    dims   = ndim x uint32 (big-endian)
    data   = prod(dims) items of the dtype (big-endian)

Reading validates every part and raises :class:`IDXError` naming the file and what is
wrong, so that a truncated download never turns into a silently short dataset.
"""

from __future__ import annotations

import gzip as _gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from minigen.errors import MinigenError

#: IDX dtype code -> big-endian NumPy dtype (the codes of LeCun's format description).
DTYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF_KIND = {(dt.kind, dt.itemsize): code for code, dt in DTYPE_CODES.items()}

#: The first two bytes of every gzip stream; compression is detected by content, not file name.
GZIP_MAGIC = b"\x1f\x8b"

_MAX_DIM = 2**32 - 1


class IDXError(MinigenError, ValueError):
    """An IDX file that is truncated, corrupted or not IDX at all; the message names the file."""


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes 1f 8b."""
    return data[:2] == GZIP_MAGIC


def decompress(data: bytes, name: str = "<bytes>") -> bytes:
    """The IDX payload of ``data``: gunzipped when it starts with the gzip magic, else as is."""
    if not is_gzip(data):
        return data
    try:
        return _gzip.decompress(data)
    except EOFError:
        raise IDXError(f"{name}: gzip data is truncated (the stream ends early)") from None
    except (OSError, zlib.error) as error:
        raise IDXError(f"{name}: corrupt gzip data ({error})") from None


def parse_idx(payload: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode an uncompressed IDX payload into a writable, native-endian array."""
    if len(payload) < 4:
        raise IDXError(f"{name}: file has {len(payload)} bytes, too short for the 4-byte IDX magic")
    zero0, zero1, code, ndim = payload[:4]
    if zero0 or zero1:
        raise IDXError(
            f"{name}: bad magic number {payload[:4].hex()}: an IDX file starts with two zero bytes"
            " (is it compressed in another format, or not an IDX file?)"
        )
    if code not in DTYPE_CODES:
        known = ", ".join(f"0x{c:02X}" for c in DTYPE_CODES)
        raise IDXError(f"{name}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(f"{name}: bad magic number {payload[:4].hex()}: zero dimensions")
    header_size = 4 + 4 * ndim
    if len(payload) < header_size:
        raise IDXError(
            f"{name}: header of {ndim} dimensions needs {header_size} bytes,"
            f" file has {len(payload)}"
        )
    shape = struct.unpack(f">{ndim}I", payload[4:header_size])
    dtype = DTYPE_CODES[code]
    needed = math.prod(shape) * dtype.itemsize
    have = len(payload) - header_size
    if have != needed:
        what = "is truncated" if have < needed else f"has {have - needed} trailing bytes"
        raise IDXError(
            f"{name}: payload has {have} bytes, header {shape} of {dtype.newbyteorder('=')} needs"
            f" {needed} (file {what})"
        )
    array = np.frombuffer(payload, dtype=dtype, offset=header_size).reshape(shape)
    # One copy: makes the array writable (frombuffer over bytes is read-only) and native-endian.
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or raw (detected by its first bytes, not its name)."""
    name = str(path)
    with open(path, "rb") as file:
        data = file.read()
    return parse_idx(decompress(data, name), name)


def encode_idx(array: np.ndarray) -> bytes:
    """The uncompressed IDX bytes of ``array`` (uint8, int8, int16, int32, float32 or float64)."""
    array = np.asarray(array)
    code = _CODE_OF_KIND.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        supported = ", ".join(str(dt.newbyteorder("=")) for dt in DTYPE_CODES.values())
        raise TypeError(f"IDX cannot store dtype {array.dtype}; supported: {supported}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, not {array.ndim}")
    if any(d > _MAX_DIM for d in array.shape):
        raise ValueError(f"IDX dimensions are uint32; shape {array.shape} does not fit")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = np.ascontiguousarray(array, dtype=DTYPE_CODES[code]).tobytes()
    return header + body


def write_idx(path: str | os.PathLike, array: np.ndarray, gzip: bool | None = None) -> None:
    """Write ``array`` as an IDX file; gzip-compressed when ``gzip`` is True, or when it is
    None and the file name ends in ``.gz``."""
    if gzip is None:
        gzip = Path(path).suffix == ".gz"
    data = encode_idx(array)
    if gzip:
        # mtime=0: the same array always gives the same bytes (stable checksums).
        data = _gzip.compress(data, compresslevel=6, mtime=0)
    with open(path, "wb") as file:
        file.write(data)
