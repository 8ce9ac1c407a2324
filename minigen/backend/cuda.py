"""Is there a usable GPU? Decided by CuPy's device count, never by whether ``cupy`` imports.

CuPy installs and imports on a machine without a GPU; it fails only at the first allocation.
So availability asks the CUDA runtime how many devices it sees, and a failure to ask counts
as "no usable GPU", with the runtime's own words kept for the error message.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from minigen.errors import MinigenError


class CudaUnavailableError(MinigenError, RuntimeError):
    """Asked for "cuda" where CuPy is missing or has no usable GPU; says which and how to fix it."""


def _import_cupy() -> ModuleType | None:
    try:
        return importlib.import_module("cupy")
    except ImportError:
        return None


def _probe() -> tuple[int, str]:
    """(number of usable devices, why none) without raising."""
    cupy = _import_cupy()
    if cupy is None:
        return 0, "missing"
    try:
        return int(cupy.cuda.runtime.getDeviceCount()), ""
    except Exception as error:  # CUDARuntimeError, missing libcuda, no driver: all mean "no GPU"
        return 0, f"{type(error).__name__}: {error}"


def device_count() -> int:
    """How many CUDA devices CuPy can use (0 without CuPy or without a GPU)."""
    return _probe()[0]


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return device_count() > 0


def require(index: int = 0) -> ModuleType:
    """Return ``cupy`` for device ``index``, or raise one clear error saying what is missing."""
    count, why = _probe()
    if why == "missing":
        raise CudaUnavailableError(
            "device 'cuda' needs CuPy, which is not installed. Install the GPU extra: "
            "pip install 'minigen[gpu]' (CuPy for CUDA 12; for a CUDA 13 driver use "
            "pip install cupy-cuda13x), or use device='cpu'."
        )
    if count == 0:
        cupy = _import_cupy()
        raise CudaUnavailableError(
            f"device 'cuda': CuPy {cupy.__version__} is installed but found no usable GPU "
            f"({why}). Check that this machine has an NVIDIA GPU and driver (nvidia-smi), and "
            "that the CuPy wheel matches the driver's CUDA version (cupy-cuda12x or "
            "cupy-cuda13x); or use device='cpu'."
        )
    if not 0 <= index < count:
        raise CudaUnavailableError(f"device 'cuda:{index}' does not exist: CuPy sees {count} GPU(s)")
    return _import_cupy()
