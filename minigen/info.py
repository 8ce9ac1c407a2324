"""``mg.info()``: the versions and devices a bug report or a timing needs."""

from __future__ import annotations

import platform
import sys

import numpy as np

from minigen.backend import cuda
from minigen.backend.device import get_default_device
from minigen.version import __version__


def info_lines() -> list[str]:
    """The lines ``info()`` prints."""
    lines = [
        f"minigen {__version__}",
        f"Python {sys.version.split()[0]} on {platform.platform()}",
        f"NumPy {np.__version__}",
    ]
    try:
        import cupy
    except ImportError:
        lines.append("CuPy: not installed (pip install 'minigen[gpu]' for the 'cuda' device)")
    else:
        lines.append(f"CuPy {cupy.__version__}")
        try:
            runtime = cupy.cuda.runtime.runtimeGetVersion()
            lines.append(f"CUDA runtime {runtime // 1000}.{(runtime % 1000) // 10}")
        except Exception as error:  # no libcudart / no driver: report, don't fail
            lines.append(f"CUDA runtime: unavailable ({type(error).__name__})")
    count = cuda.device_count()
    devices = ["cpu"]
    if count:
        import cupy

        for i in range(count):
            name = cupy.cuda.runtime.getDeviceProperties(i)["name"]
            name = name.decode() if isinstance(name, bytes) else name
            devices.append(f"cuda:{i} ({name})")
    lines.append("devices: " + ", ".join(devices))
    lines.append(f"default device: {get_default_device()}")
    return lines


def info() -> None:
    """Print minigen, NumPy, CuPy and CUDA versions and the devices found."""
    print("\n".join(info_lines()))
