"""A device names where a tensor's array lives, and so which array library computes on it.

| device    | library            | what it is for                                          |
|-----------|--------------------|---------------------------------------------------------|
| "cpu"     | NumPy              | everyday work                                           |
| "cuda:N"  | CuPy               | the GPU                                                 |
| "strict"  | array-api-strict   | a test stand-in for the GPU: its arrays refuse implicit |
|           |                    | conversion to NumPy and refuse mixing devices, as CuPy  |
|           |                    | arrays do, so tests catch hidden host copies on a CPU.  |
"""

from __future__ import annotations

import contextlib
import importlib
import os
from typing import Any

from minigen.backend import cuda
from minigen.errors import MinigenError


class DeviceError(MinigenError, ValueError):
    """An unknown or malformed device name."""


_TYPES = ("cpu", "cuda", "strict")


class Device:
    """``Device("cpu")``, ``Device("cuda")``, ``Device("cuda:1")``, ``Device("strict")``."""

    __slots__ = ("type", "index")

    def __init__(self, spec: str | Device, index: int | None = None) -> None:
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise DeviceError(f"a device is a string such as 'cpu' or 'cuda:0', not {spec!r}")
        kind, _, number = spec.strip().lower().partition(":")
        if kind not in _TYPES:
            raise DeviceError(f"unknown device {spec!r}: use 'cpu', 'cuda' or 'cuda:N'")
        if number:
            if kind != "cuda" or not number.isdigit():
                raise DeviceError(f"malformed device {spec!r}: only 'cuda' takes an index, as 'cuda:0'")
            index = int(number)
        if kind == "cuda" and index is None:
            index = 0
        self.type = kind
        self.index = index if kind == "cuda" else None

    # -- the backend behind the device -------------------------------------------------
    @property
    def xp(self) -> Any:
        """The array namespace that computes on this device."""
        if self.type == "cpu":
            import numpy

            return numpy
        if self.type == "cuda":
            cuda.require(self.index or 0)
            return importlib.import_module("array_api_compat.cupy")
        return _strict_module()

    @property
    def native(self) -> Any:
        """The library's own device object, for ``device=`` arguments of array constructors."""
        if self.type == "cpu":
            return "cpu"
        if self.type == "cuda":
            return cuda.require(self.index or 0).cuda.Device(self.index)
        return _strict_module().Device("device1")

    def context(self) -> contextlib.AbstractContextManager:
        """Make this device current (CuPy allocates on the current GPU); a no-op elsewhere."""
        if self.type == "cuda":
            return cuda.require(self.index or 0).cuda.Device(self.index)
        return contextlib.nullcontext()

    # -- value semantics ---------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Device(other)
            except DeviceError:
                return False
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"


def _strict_module() -> Any:
    try:
        return importlib.import_module("array_api_strict")
    except ImportError:
        raise DeviceError(
            "device 'strict' (the test stand-in) needs array-api-strict: pip install 'minigen[dev]'"
        ) from None


CPU = Device("cpu")
_default: list[Device] = []


def get_default_device() -> Device:
    """The device of new tensors: set_default_device(), else $MINIGEN_DEVICE, else "cpu"."""
    if not _default:
        _default.append(Device(os.environ.get("MINIGEN_DEVICE", "cpu")))
    return _default[0]


def set_default_device(device: str | Device) -> None:
    """Make ``device`` the default for tensors created without ``device=``."""
    resolved = Device(device)
    _ = resolved.xp  # fail now, with the clear CUDA error, rather than at the first tensor
    _default[:] = [resolved]


def as_device(device: str | Device | None) -> Device:
    """None means the default device; strings are parsed; Devices pass through."""
    if device is None:
        return get_default_device()
    if isinstance(device, Device):
        return device
    return Device(device)


def synchronize(device: str | Device | None = None) -> None:
    """Wait until all queued work on ``device`` has finished (GPU work runs asynchronously).

    Read a clock only after this when timing the GPU; on the CPU it returns at once.
    """
    resolved = as_device(device)
    if resolved.type == "cuda":
        cupy = cuda.require(resolved.index or 0)
        with cupy.cuda.Device(resolved.index):
            cupy.cuda.Stream.null.synchronize()
            cupy.cuda.get_current_stream().synchronize()
