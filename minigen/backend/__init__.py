"""Devices are backends: "cpu" is NumPy, "cuda" is CuPy, "strict" is the array-API stand-in.

Engine code asks the arrays it works on for their namespace (`get_array_module`), never a
global, so one code path serves every device.
"""

from minigen.backend import cuda
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import (
    Device,
    DeviceError,
    get_default_device,
    set_default_device,
    synchronize,
)
from minigen.backend.host_memory import keep_freed_memory

keep_freed_memory()  # reuse freed host memory step after step (see host_memory.py)

__all__ = [
    "Device",
    "DeviceError",
    "cuda",
    "device_of_array",
    "get_array_module",
    "get_default_device",
    "set_default_device",
    "synchronize",
]
