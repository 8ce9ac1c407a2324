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

import json
import math
import os
import zipfile
from typing import IO, Any

import numpy as np

from minigen.atomic_file import atomic_write
from minigen.autograd.tensor import Tensor
from minigen.backend.device import as_device
from minigen.nn.parameter import Parameter
from minigen.serialization_format import (
    ARRAY_KINDS,
    FORMAT,
    META,
    VERSION,
    CheckpointError,
    DeviceLike,
    PathLike,
)
from minigen.serialization_read import Decoder, check_members, diagnose, read_meta

__all__ = ["CheckpointError", "atomic_write", "load", "save"]


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
            if isinstance(value, Parameter):
                node["parameter"] = True
            return node
        if isinstance(value, (np.ndarray, np.generic)):  # before float: np.float64 is a float
            if value.dtype.hasobject:
                raise TypeError(f"mg.save: {where} is a NumPy array of Python objects; "
                                "checkpoints hold numeric arrays only (objects would need pickle)")
            if value.dtype.kind not in ARRAY_KINDS or value.dtype.fields is not None:
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
            raise CheckpointError(f"{name}: {diagnose(f.read(8), error)}") from None
        with archive:
            try:
                check_members(archive, name, size)
                meta = read_meta(archive, name)
                return Decoder(archive, name, target).decode(meta["root"], "obj")
            except CheckpointError:
                raise
            except (KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
                # One clear error rather than a deep traceback; the cause is in the text.
                raise CheckpointError(f"{name}: corrupted checkpoint: {META} is malformed "
                                      f"({type(error).__name__}: {error})") from None
            except Exception as error:  # e.g. NotImplementedError, RuntimeError
                raise CheckpointError(f"{name}: corrupted checkpoint "
                                      f"({type(error).__name__}: {error})") from None


def _fspath(path: Any, verb: str) -> str:
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(f"mg.{verb} takes a file path (str or os.PathLike), "
                        f"not {type(path).__name__}") from None
