"""``mg.accelerator``, as ``torch.accelerator``: is there a GPU, and which device is it?

PyTorch's official examples now pick their device with it::

    device = mg.accelerator.current_accelerator() if mg.accelerator.is_available() else "cpu"

minigen's only accelerator is CUDA through CuPy, and it counts as present only when CuPy sees
a GPU (CuPy imports without one; see :mod:`minigen.backend.cuda`).
"""

from __future__ import annotations

from minigen.backend import cuda
from minigen.backend.device import Device, synchronize


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """``device("cuda")`` when CuPy sees a GPU, else None.

    PyTorch answers with the accelerator it was *built* for, even without a GPU at run time,
    unless ``check_available=True``; minigen has no build-time accelerator, so it always
    checks, and both calls give what PyTorch gives with ``check_available=True``.
    """
    return Device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """How many GPUs CuPy sees (0 without one)."""
    return cuda.device_count()


__all__ = ["current_accelerator", "device_count", "is_available", "synchronize"]
