"""Arrays between devices: the explicit host<->device copies, and Python numbers as arrays.

These are the only places where data crosses between the host (NumPy) and a device (CuPy, or
the strict stand-in): ``move_array`` copies to a device, ``to_host`` copies back, and
``as_array_like`` turns a Python number into a 0-d array on the device of the array it meets.
They work on raw arrays, so every layer above (tensors, functions, layers, optimizers) uses them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import Device


def as_array_like(value: Any, like: Any) -> Any:
    """A Python number or host array as an array on ``like``'s device with a matching dtype.

    Floats meeting an integer tensor become the default float dtype (float32), as in PyTorch.
    """
    xp = get_array_module(like)
    if isinstance(value, (bool, int, float)):
        floating = np.dtype(like.dtype).kind == "f" if xp is np else xp.isdtype(like.dtype, "real floating")
        if isinstance(value, float) and not floating:
            return xp.asarray(value, dtype=xp.float32, device=like.device)
        return xp.asarray(value, dtype=like.dtype, device=like.device)
    if xp is np:
        return np.asarray(value)
    if isinstance(value, np.ndarray):
        raise TypeError(
            f"a NumPy array cannot meet a tensor on {device_of_array(like)}: "
            "wrap it with mg.tensor(array, device=...) first"
        )
    return value


def move_array(data: Any, target: Device) -> Any:
    """Copy an array to ``target``'s memory: the explicit host<->device transfer."""
    host = data if type(data) is np.ndarray else to_host(data)
    if target.type == "cpu":
        return host
    with target.context():
        return target.xp.asarray(host, device=target.native)


def to_host(data: Any) -> np.ndarray:
    if type(data).__module__.split(".", 1)[0] == "cupy":
        return data.get()
    # array-api-strict (the test stand-in): an explicit copy to its CPU device, then NumPy.
    import array_api_strict

    cpu = array_api_strict.asarray(data, device=array_api_strict.Device("CPU_DEVICE"), copy=True)
    return np.asarray(cpu)
