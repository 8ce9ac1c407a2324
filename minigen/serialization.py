"""``mg.save`` and ``mg.load``: checkpoints that never run code from the file.

A checkpoint is a zip archive (a valid ``.npz``: ``np.load`` opens it) holding

* ``minigen.json``: the format name and version and the structure of the saved object, with
  every tensor and array replaced by a reference such as ``{"$": "tensor", "array":
  "arrays/0.npy", "dtype": "float32", "device": "cuda:0", ...}``;
* ``arrays/N.npy``: each array in NumPy's ``.npy`` format, written and read with
  ``allow_pickle=False``.

Loading parses JSON and ``.npy`` headers only, so a checkpoint from anyone is safe to open:
unlike a pickle, it cannot execute code. Saving writes a temporary file beside the target,
fsyncs it and renames it over the target, so a crash mid-save leaves the previous checkpoint
whole. Anything wrong with a file raises one ``CheckpointError`` naming the file and the fault.
docs/checkpoints.md describes the format.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import zipfile
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from minigen.autograd.tensor import Tensor
from minigen.backend.device import Device, as_device
from minigen.backend.transfer import move_array
from minigen.errors import MinigenError, os_errors_name

FORMAT = "minigen-checkpoint"
VERSION = 1
META = "minigen.json"
#: The dtypes a tensor may have (minigen's own); NumPy arrays may have any numeric dtype.
TENSOR_DTYPES = ("float16", "float32", "float64", "uint8", "int32", "int64", "bool")
_ARRAY_KINDS = "biufc"  # bool, signed, unsigned, float, complex: never str, void, datetime

PathLike = str | os.PathLike[str]
DeviceLike = str | Device | None


class CheckpointError(MinigenError, ValueError):
    """A file that is not a readable minigen checkpoint; the message names the file and why."""


# -- saving -----------------------------------------------------------------------------------
def save(obj: Any, path: PathLike) -> None:
    """Write ``obj`` to ``path`` atomically: the file is either the old one or the new one.

    ``obj`` may nest dicts (keys: str, int, float, bool, None), lists and tuples of tensors,
    NumPy arrays and scalars, and plain values (int, float, str, bool, None): model and
    optimizer ``state_dict()``s, the epoch, ``mg.get_rng_state()``. A tensor saved twice is
    stored once and loads as one shared tensor.
    """
    encoder = _Encoder()
    meta = {"format": FORMAT, "version": VERSION, "root": encoder.encode(obj, "obj")}
    # allow_nan=False: non-finite floats are tagged by the encoder, so the JSON stays standard.
    meta_bytes = json.dumps(meta, allow_nan=False).encode("utf-8")
    with atomic_write(_fspath(path, "save")) as f:
        _write_zip(f, meta_bytes, encoder.arrays)


@contextlib.contextmanager
def atomic_write(path: PathLike) -> Iterator[IO[bytes]]:
    """``with atomic_write(path) as f: f.write(...)``: ``path`` becomes the new content whole,
    or (on any error, Ctrl-C included) stays what it was.

    The bytes go to ``.NAME.RANDOM.tmp`` beside ``path`` (same file system, so the rename is
    atomic), are fsynced, and the file is renamed over ``path``; the temporary file is removed
    on failure (a ``kill -9`` can still leave one: the next run that locks the folder removes
    it, see minigen/folder_lock.py). OS errors name ``path``.
    """
    target = os.path.realpath(os.fspath(path))  # through a symlink, replace the real file
    directory, name = os.path.split(target)
    temp, fd = _create_temp(directory, name)
    try:
        with os_errors_name(target):
            with os.fdopen(fd, "wb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())  # the bytes reach the disk before the rename makes them current
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)  # makes the rename itself durable


def _write_zip(f: IO[bytes], meta_bytes: bytes, arrays: list[tuple[str, Any]]) -> None:
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(META, meta_bytes)
        for member, value in arrays:
            # One host copy at a time: a GPU model is never all on the host at once.
            host = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
            with archive.open(member, "w", force_zip64=True) as out:
                _write_array(out, host)


def _write_array(out: IO[bytes], array: np.ndarray) -> None:
    np.lib.format.write_array(out, array, allow_pickle=False)


def _create_temp(directory: str, name: str) -> tuple[str, int]:
    """A new file beside the target (same file system, so the rename is atomic)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            # Mode 0o666 less the umask, as for any new file (mkstemp would give 0o600).
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:
            continue


def _fsync_directory(directory: str) -> None:
    with contextlib.suppress(OSError):  # not possible on every OS (Windows); best effort
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Encoder:
    """Turns the object into JSON-able nodes; collects the arrays to write beside them."""

    def __init__(self) -> None:
        self.arrays: list[tuple[str, Any]] = []
        self._stored: dict[int, str] = {}  # id(tensor or array) -> member: store each once
        self._active: set[int] = set()  # containers being encoded: catches an object in itself

    def encode(self, value: Any, where: str) -> Any:
        if isinstance(value, Tensor):
            node = {"$": "tensor", "array": self._member(value), "dtype": value.dtype.name,
                    "device": str(value.device), "shape": list(value.shape),
                    "requires_grad": value.requires_grad}
            if _is_parameter(value):
                node["parameter"] = True
            return node
        if isinstance(value, (np.ndarray, np.generic)):  # before float: np.float64 is a float
            if value.dtype.hasobject:
                raise TypeError(f"mg.save: {where} is a NumPy array of Python objects; "
                                "checkpoints hold numeric arrays only (objects would need pickle)")
            if value.dtype.kind not in _ARRAY_KINDS or value.dtype.fields is not None:
                raise TypeError(f"mg.save: {where} is a NumPy array of dtype {value.dtype}; "
                                "checkpoints hold numeric arrays only (bool, int, float, complex)")
            kind = "ndarray" if isinstance(value, np.ndarray) else "numpy_scalar"
            return {"$": kind, "array": self._member(value), "dtype": value.dtype.name,
                    "shape": list(value.shape)}
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$": "float", "value": repr(value)}
        if isinstance(value, (list, tuple, dict)):
            return self._container(value, where)
        raise TypeError(
            f"mg.save: {where} is a {type(value).__module__}.{type(value).__qualname__}; "
            "checkpoints hold tensors, NumPy arrays, dicts, lists, tuples, int, float, str, "
            "bool and None"
        )

    def _container(self, value: Any, where: str) -> Any:
        if id(value) in self._active:
            raise ValueError(f"mg.save: {where} contains itself")
        self._active.add(id(value))
        try:
            if isinstance(value, dict):
                items = []
                for key, item in value.items():
                    if key is not None and not isinstance(key, (str, int, float)):
                        raise TypeError(f"mg.save: {where} has a key of type "
                                        f"{type(key).__name__}; keys are str, int, float, "
                                        "bool or None")
                    items.append([self.encode(key, where), self.encode(item, f"{where}[{key!r}]")])
                return {"$": "dict", "items": items}
            items = [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
            return items if isinstance(value, list) else {"$": "tuple", "items": items}
        finally:
            self._active.discard(id(value))

    def _member(self, value: Any) -> str:
        if id(value) not in self._stored:
            self._stored[id(value)] = member = f"arrays/{len(self.arrays)}.npy"
            self.arrays.append((member, value))
        return self._stored[id(value)]


# -- loading ----------------------------------------------------------------------------------


def load(path: PathLike, map_location: DeviceLike = None) -> Any:
    """Read a checkpoint written by ``mg.save``; tensors go to ``map_location``.

    ``map_location``: "cpu", "cuda", "cuda:N", "strict" or None (each tensor's saved device;
    if that device is missing here, say "cpu" to load there). NumPy arrays stay NumPy arrays.
    A truncated, corrupted or foreign file raises ``CheckpointError``; nothing in the file is
    ever executed, so a checkpoint from anyone is safe to open. Nothing is allocated beyond
    what the file's own bytes hold: members must be stored (not compressed) and each array's
    header must agree with its member's size before the array is read.
    """
    name = _fspath(path, "load")
    target = None if map_location is None else as_device(map_location)
    if target is not None:
        _ = target.xp  # an unavailable map_location fails now, with the device's clear error
    with open(name, "rb") as f:  # a missing file raises FileNotFoundError, as open() does
        size = os.fstat(f.fileno()).st_size
        try:
            archive = zipfile.ZipFile(f)
        except Exception as error:  # zipfile raises many kinds on a foreign file
            f.seek(0)
            raise CheckpointError(f"{name}: {_diagnose(f.read(8), error)}") from None
        with archive:
            try:
                _check_members(archive, name, size)
                meta = _read_meta(archive, name)
                return _Decoder(archive, name, target).decode(meta["root"], "obj")
            except CheckpointError:
                raise
            except (KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
                # One clear error rather than a deep traceback; the cause is in the text.
                raise CheckpointError(f"{name}: corrupted checkpoint: {META} is malformed "
                                      f"({type(error).__name__}: {error})") from None
            except Exception as error:  # e.g. NotImplementedError, RuntimeError
                raise CheckpointError(f"{name}: corrupted checkpoint "
                                      f"({type(error).__name__}: {error})") from None


def _diagnose(head: bytes, error: Exception) -> str:
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


def _check_members(archive: zipfile.ZipFile, name: str, size: int) -> None:
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


def _read_meta(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
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


class _Decoder:
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
            from minigen.nn.parameter import Parameter

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
                dtype.kind in _ARRAY_KINDS and dtype.fields is None)
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


def _is_parameter(value: Tensor) -> bool:
    try:
        from minigen.nn.parameter import Parameter
    except ImportError:  # minigen.nn not importable: then no tensor is a Parameter
        return False
    return isinstance(value, Parameter)


def _fspath(path: Any, verb: str) -> str:
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(f"mg.{verb} takes a file path (str or os.PathLike), "
                        f"not {type(path).__name__}") from None
