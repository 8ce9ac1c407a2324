"""Reading an ``mg.save`` checkpoint without running anything from the file.

Only JSON and ``.npy`` headers are parsed, and every member is checked against the file's
size before it is read, so a truncated, foreign or hostile file raises one
``CheckpointError`` naming the file and the fault.
"""

from __future__ import annotations

import json
import math
import zipfile
from typing import IO, Any

import numpy as np

from minigen.autograd.tensor import Tensor
from minigen.backend.device import Device
from minigen.backend.transfer import move_array
from minigen.errors import MinigenError
from minigen.nn.parameter import Parameter
from minigen.serialization_format import ARRAY_KINDS, FORMAT, META, TENSOR_DTYPES, VERSION, CheckpointError


def diagnose(head: bytes, error: Exception) -> str:
    """Say what the file is, from its first bytes, when the archive itself cannot be read."""
    if not head:
        return "not a minigen checkpoint: the file is empty"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return ("not a minigen checkpoint: it is a pickle, which minigen never loads "
                "(unpickling can run arbitrary code)")
    if head.startswith(b"\x93NUMPY"):
        return "not a minigen checkpoint: it is a single NumPy .npy array (use np.load)"
    if head.startswith(b"PK"):
        return f"a damaged or truncated checkpoint: the zip archive cannot be read ({error})"
    return f"not a minigen checkpoint: not a zip archive (it starts with {head!r})"


def check_members(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """Refuse, before reading any member, what mg.save never writes: duplicate names,
    encryption, compression (a small file could then unpack into gigabytes), or sizes that
    disagree with the file."""
    seen: set[str] = set()
    for info in archive.infolist():
        member = info.filename
        if member in seen:
            raise CheckpointError(f"{name}: corrupted checkpoint: it holds two members named "
                                  f"{member!r} (mg.save writes each once)")
        seen.add(member)
        if info.flag_bits & 0x1:
            raise CheckpointError(f"{name}: member {member} is encrypted; minigen checkpoints "
                                  "never are")
        if info.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(
                f"{name}: member {member} is compressed (zip method {info.compress_type}); "
                "minigen checkpoints are stored uncompressed, so refused")
        if info.file_size != info.compress_size or info.header_offset + info.compress_size > size:
            raise CheckpointError(
                f"{name}: corrupted checkpoint: member {member} declares {info.file_size} bytes, "
                f"more than the file holds (a damaged or truncated checkpoint)")


def read_meta(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    names = archive.namelist()
    if META not in names:
        what = ("a PyTorch file (torch.save), which holds pickles"
                if any(n.endswith("data.pkl") for n in names) else
                "a zip or .npz archive from something else (e.g. np.savez)")
        raise CheckpointError(f"{name}: not a minigen checkpoint: it has no {META}; it looks like "
                              f"{what}. Members: {names[:5]}")
    try:
        text = archive.read(META)
    except Exception as error:  # a damaged member: bad CRC, bad local header...
        raise CheckpointError(f"{name}: corrupted checkpoint: {META} cannot be read "
                              f"({type(error).__name__}: {error})") from None
    try:
        meta = json.loads(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise CheckpointError(
            f"{name}: corrupted checkpoint: {META} is not valid JSON ({error})"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CheckpointError(f"{name}: not a minigen checkpoint: {META} names format {found!r}")
    version = meta.get("version")
    if type(version) is not int or version < 1:  # bool is an int to isinstance: not here
        raise CheckpointError(f"{name}: corrupted checkpoint: format version {version!r} is not "
                              "a version number")
    if version > VERSION:
        raise CheckpointError(f"{name}: checkpoint format version {version!r} is not one this "
                              f"minigen reads (it reads up to {VERSION}); upgrade minigen")
    if "root" not in meta:
        raise CheckpointError(f"{name}: corrupted checkpoint: {META} has no root")
    return meta


class Decoder:
    """Rebuilds the object from the JSON nodes, reading each array member once."""

    def __init__(self, archive: zipfile.ZipFile, name: str, target: Device | None) -> None:
        self.archive, self.name, self.target = archive, name, target
        self._loaded: dict[tuple[str, str], Any] = {}  # one object per stored tensor or array
        self._ready: set[Device] = set()

    def fail(self, where: str, why: str) -> CheckpointError:
        return CheckpointError(f"{self.name}: corrupted checkpoint: {where} {why}")

    def decode(self, node: Any, where: str) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(item, f"{where}[{i}]") for i, item in enumerate(node)]
        if not isinstance(node, dict) or "$" not in node:
            raise self.fail(where, f"has an entry this format does not define: {str(node)[:80]}")
        kind = node["$"]
        if kind == "dict":
            result = {}
            for key_node, item in node["items"]:
                key = self.decode(key_node, where)
                if key is not None and not isinstance(key, (str, int, float)):
                    raise self.fail(where, f"has a dict key of type {type(key).__name__}")
                result[key] = self.decode(item, f"{where}[{key!r}]")
            return result
        if kind == "tuple":
            return tuple(self.decode(item, f"{where}[{i}]") for i, item in enumerate(node["items"]))
        if kind == "float" and node.get("value") in ("nan", "inf", "-inf"):
            return float(node["value"])
        if kind in ("tensor", "ndarray", "numpy_scalar"):
            cache_key = (kind, node["array"])
            if cache_key not in self._loaded:
                self._loaded[cache_key] = self._array_value(kind, node, where)
            return self._loaded[cache_key]
        raise self.fail(where, f"has an entry of unknown type {kind!r}")

    def _array_value(self, kind: str, node: dict[str, Any], where: str) -> Any:
        if not isinstance(node["array"], str):
            raise self.fail(where, f"names its array with {node['array']!r}, not a member name")
        if kind == "numpy_scalar" and node["shape"] != []:
            raise self.fail(where, f"is a NumPy scalar recorded with shape {node['shape']}")
        array = self._read_array(node["array"], where, kind, node)
        if kind == "ndarray":
            return array
        if kind == "numpy_scalar":
            return array[()]
        device = self.target if self.target is not None else self._saved_device(node, where)
        self._require(device, where)
        data = array if device.type == "cpu" else move_array(array, device)
        if node.get("parameter"):
            return Parameter(data, requires_grad=bool(node["requires_grad"]))
        return Tensor.wrap(data, requires_grad=bool(node["requires_grad"]))

    def _read_array(self, member: str, where: str, kind: str, node: dict[str, Any]) -> np.ndarray:
        try:
            self.archive.getinfo(member)
        except KeyError:
            raise self.fail(where, f"refers to {member}, which the archive lacks") from None
        try:
            return self._read_member(member, where, kind, node)
        except CheckpointError:
            raise
        except Exception as error:  # zipfile's and NumPy's own errors, whatever their kind
            raise self.fail(where, f"has a damaged array {member} "
                                   f"({type(error).__name__}: {error})") from None

    def _read_member(self, member: str, where: str, kind: str, node: dict[str, Any]) -> np.ndarray:
        with self.archive.open(member) as stream:
            dtype, shape, order = _npy_header(stream)
            if dtype.hasobject:
                raise CheckpointError(
                    f"{self.name}: {member} ({where}) holds pickled Python objects; minigen "
                    "never unpickles (it could run code), so this file is refused")
            allowed = dtype.name in TENSOR_DTYPES if kind == "tensor" else (
                dtype.kind in ARRAY_KINDS and dtype.fields is None)
            if not allowed:
                what = "a tensor" if kind == "tensor" else "an array"
                raise self.fail(where, f"is {what} of dtype {dtype} ({member}), which a "
                                       "checkpoint never holds")
            if dtype.name != node["dtype"] or list(shape) != node["shape"]:
                raise self.fail(where, f"is recorded as {node['dtype']} {node['shape']} but its "
                                       f"array is {dtype.name} {list(shape)}")
            nbytes = math.prod(shape) * dtype.itemsize
            held = self.archive.getinfo(member).file_size - stream.tell()
            if held != nbytes:  # checked before allocating: a header cannot ask for more
                raise self.fail(where, f"has an array {member} whose header declares {nbytes} "
                                       f"bytes but the member holds {held}")
            buffer = bytearray(nbytes)  # writable, as every loaded array must be
            view = memoryview(buffer)
            filled = 0
            while filled < nbytes:
                got = stream.readinto(view[filled:])
                if not got:
                    raise self.fail(where, f"has a truncated array {member}")
                filled += got
            if stream.read(1):  # reads to the end, where zipfile checks the CRC
                raise self.fail(where, f"has trailing bytes after the array in {member}")
        flat = np.frombuffer(buffer, dtype=dtype)
        array = flat.reshape(shape[::-1]).T if order == "F" else flat.reshape(shape)
        return array.astype(dtype.newbyteorder("="), copy=False)

    def _saved_device(self, node: dict[str, Any], where: str) -> Device:
        try:
            return Device(node["device"])
        except MinigenError:
            raise self.fail(where, f"names an unknown device {node['device']!r}") from None

    def _require(self, device: Device, where: str) -> None:
        if device in self._ready:
            return
        try:
            _ = device.xp  # raises the clear CUDA (or strict) error where it is missing
        except MinigenError as error:
            raise CheckpointError(
                f"{self.name}: {where} was saved on {device}, which is not available here "
                f"({error}). Load it onto the CPU with mg.load(path, map_location='cpu')"
            ) from None
        self._ready.add(device)


def _npy_header(stream: IO[bytes]) -> tuple[np.dtype, tuple[int, ...], str]:
    """(dtype, shape, "C" or "F") from a .npy header, leaving ``stream`` at the data."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f".npy format version {version} (mg.save writes 1.0 or 2.0)")
    return dtype, tuple(shape), "F" if fortran else "C"
