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

#: The largest uncompressed IDX file read_idx reads unless told otherwise (1 GiB; MNIST's
#: training images are 47 MB).
MAX_BYTES = 2**30


class IDXError(MinigenError, ValueError):
    """An IDX file that is truncated, corrupted or not IDX at all; the message names the file."""


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes 1f 8b."""
    return data[:2] == GZIP_MAGIC


def idx_size(shape: tuple[int, ...], dtype: np.dtype | type = np.uint8) -> int:
    """The bytes of an uncompressed IDX file of ``shape`` and ``dtype``: header and data."""
    return 4 + 4 * len(shape) + math.prod(shape) * np.dtype(dtype).itemsize


def max_file_size(payload_bytes: int) -> int:
    """The most bytes a file holding ``payload_bytes`` of IDX can take, gzipped or not.

    Deflate's worst case (incompressible data) adds 5 bytes per 16 KiB stored block; gzip's
    header and trailer add 18 bytes, plus an optional file name and comment, allowed 64 KiB.
    """
    return payload_bytes + 5 * (payload_bytes // 16383 + 1) + 18 + 65536


def decompress(data: bytes, name: str = "<bytes>", max_size: int = MAX_BYTES) -> bytes:
    """The IDX payload of ``data``: gunzipped when it starts with the gzip magic, else as is.

    At most ``max_size`` bytes are ever produced: a stream that unpacks into more (a
    "gzip bomb") raises :class:`IDXError` without filling memory.
    """
    if not is_gzip(data):
        return data
    return _gunzip(data, name, max_size)


def _gunzip(data: bytes, name: str, limit: int, prefix_only: bool = False) -> bytes:
    """Decompress the gzip members of ``data``, producing at most ``limit`` bytes (with
    ``prefix_only``: the first ``limit`` bytes, however the stream goes on or ends)."""
    out = bytearray()
    rest = data
    while True:
        stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing, CRC checked
        try:
            out += stream.decompress(rest, limit + 1 - len(out))
        except zlib.error as error:
            raise IDXError(f"{name}: corrupt gzip data ({error})") from None
        if len(out) > limit:
            if prefix_only:
                return bytes(out[:limit])
            raise IDXError(f"{name}: gzip data unpacks to more than {limit} bytes, more than "
                           "this file can hold: refused")
        if not stream.eof:
            if prefix_only:
                return bytes(out)
            raise IDXError(f"{name}: gzip data is truncated (the stream ends early)")
        rest = stream.unused_data
        if not rest:
            return bytes(out)
        if not is_gzip(rest):  # as gzip.decompress: only another gzip member may follow
            raise IDXError(f"{name}: corrupt gzip data ({len(rest)} bytes after the stream)")


def read_header(data: bytes, name: str = "<bytes>") -> tuple[np.dtype, tuple[int, ...], int]:
    """``(dtype, shape, header size)`` of the IDX file ``data`` (gzipped or raw), reading only
    its first bytes: what the file claims to hold, known before anything is allocated."""
    head = _gunzip(data, name, 4 + 4 * 255, prefix_only=True) if is_gzip(data) else data[:1024]
    if len(head) < 4 + 4 * (head[3] if len(head) >= 4 else 0) and is_gzip(data):
        _gunzip(data, name, len(head))  # a short header: say how the gzip stream is broken
    if len(head) < 4:
        raise IDXError(f"{name}: file has {len(head)} bytes, too short for the 4-byte IDX magic")
    zero0, zero1, code, ndim = head[:4]
    if zero0 or zero1:
        raise IDXError(
            f"{name}: bad magic number {head[:4].hex()}: an IDX file starts with two zero bytes"
            " (is it compressed in another format, or not an IDX file?)"
        )
    if code not in DTYPE_CODES:
        known = ", ".join(f"0x{c:02X}" for c in DTYPE_CODES)
        raise IDXError(f"{name}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(f"{name}: bad magic number {head[:4].hex()}: zero dimensions")
    header_size = 4 + 4 * ndim
    if len(head) < header_size:
        raise IDXError(
            f"{name}: header of {ndim} dimensions needs {header_size} bytes,"
            f" file has {len(head)}"
        )
    shape = struct.unpack(f">{ndim}I", head[4:header_size])
    return DTYPE_CODES[code], shape, header_size


def parse_idx(payload: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode an uncompressed IDX payload into a writable, native-endian array."""
    dtype, shape, header_size = read_header(payload[:1024], name)
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


def load_idx(data: bytes, name: str = "<bytes>", max_bytes: int = MAX_BYTES) -> np.ndarray:
    """The array of the IDX file ``data`` (gzipped or raw). Its header is read first, and a
    file declaring more than ``max_bytes`` is refused before anything is decompressed."""
    dtype, shape, header_size = read_header(data, name)
    declared = header_size + math.prod(shape) * dtype.itemsize
    if declared > max_bytes:
        raise IDXError(f"{name}: header declares {shape} of {dtype.newbyteorder('=')}, "
                       f"{declared} bytes, more than the {max_bytes} allowed: refused")
    return parse_idx(decompress(data, name, declared), name)


def read_idx(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """Read an IDX file, gzip-compressed or raw (detected by its first bytes, not its name).

    ``max_bytes`` bounds the uncompressed size (default 1 GiB); larger files are refused
    before they are read or decompressed.
    """
    name = str(path)
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > max_file_size(max_bytes):
            raise IDXError(f"{name}: the file has {size} bytes, more than an IDX file of at "
                           f"most {max_bytes} bytes can take: refused")
        data = file.read()
    return load_idx(data, name, max_bytes)


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
