"""Weights in the ``safetensors`` format, the file PyTorch, Hugging Face and minigen all read.

    mg.save_safetensors(model.state_dict(), "model.safetensors")   # minigen -> file
    model.load_state_dict("model.safetensors")                     # file -> minigen
    # in PyTorch: torch_model.load_state_dict(safetensors.torch.load_file("model.safetensors"))

A safetensors file is a JSON header (each tensor's name, dtype, shape and byte range) followed
by the raw little-endian bytes: like minigen's own checkpoints it cannot run code when opened,
and unlike them PyTorch reads it without minigen. minigen's state_dict names and layouts are
PyTorch's (``0.weight`` of a Linear is (out_features, in_features), a ConvTranspose2d's weight
is (in, out, kH, kW), BatchNorm's ``num_batches_tracked`` an int64 scalar), so the same file
loads into the same model written in either library. The ``safetensors`` library's NumPy API
does the reading and writing; PyTorch is not needed.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from minigen.atomic_file import atomic_write
from minigen.autograd.tensor import Tensor
from minigen.backend.device import Device, as_device
from minigen.backend.transfer import move_array, to_host
from minigen.errors import MinigenError

PathLike = str | os.PathLike[str]


class WeightsFileError(MinigenError, ValueError):
    """A file that is not readable safetensors, or values that cannot be written as such."""


def save_safetensors(
    state_dict: Mapping[str, Any], path: PathLike, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write ``state_dict`` (name -> Tensor or array, e.g. ``model.state_dict()``) to ``path``.

    Tensors on a GPU are copied to the host first. ``metadata`` (text only) goes into the
    header beside ``{"format": "pt"}``, the mark PyTorch's loaders look for.
    """
    from safetensors.numpy import save

    arrays: dict[str, np.ndarray] = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise WeightsFileError(f"safetensors names are strings, not {name!r}")
        array = value.array if isinstance(value, Tensor) else value
        if type(array) is not np.ndarray:
            array = to_host(array) if not isinstance(array, np.generic) else np.asarray(array)
        # The format stores dense C-order bytes (np.ascontiguousarray would make a 0-d array 1-d).
        arrays[name] = array if array.flags.c_contiguous else np.array(array, order="C")
    header = {"format": "pt", **{str(k): str(v) for k, v in (metadata or {}).items()}}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = save(arrays, metadata=header)
    with atomic_write(path) as f:  # a kill mid-write leaves the old file whole
        f.write(data)
    return path


def load_safetensors(path: PathLike, device: str | Device | None = "cpu") -> OrderedDict[str, Tensor]:
    """The tensors in the safetensors file ``path``, by name, on ``device`` (default "cpu")."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no safetensors file at {path}")
    try:
        arrays = load_file(str(path))
    except SafetensorError as error:
        raise WeightsFileError(f"cannot read {path} as safetensors: {error}") from None
    target = as_device(device)
    out: OrderedDict[str, Tensor] = OrderedDict()
    for name in sorted(arrays):
        array = arrays[name]
        out[name] = Tensor.wrap(array if target.type == "cpu" else move_array(array, target))
    return out


def read_safetensors_metadata(path: PathLike) -> dict[str, str]:
    """The text metadata in the header of ``path`` (``minigen export`` writes the model's name
    and training settings there)."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="np") as f:
            return dict(f.metadata() or {})
    except SafetensorError as error:
        raise WeightsFileError(f"cannot read {path} as safetensors: {error}") from None
