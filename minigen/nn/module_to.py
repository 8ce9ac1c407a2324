"""What ``Module.to`` does: move and/or cast a module's parameters and buffers in place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import Device, as_device
from minigen.backend.transfer import move_array
from minigen.dtypes import DType, as_dtype, dtype_from_native, split_to_arguments


def move_tensors(
    tensors: list[Tensor], args: Sequence[Any], device: Any = None, dtype: Any = None
) -> None:
    """Replace each tensor's ``.array`` (and its grad's) by one on the target device and dtype.

    ``args`` are ``Module.to``'s positional arguments: a dtype (a DType or a name such as
    "float64") or a device. Only floating-point tensors change dtype.
    """
    device, dtype = split_to_arguments(args, device, dtype)
    target_dtype = None if dtype is None else as_dtype(dtype)
    if target_dtype is not None and not target_dtype.is_floating_point:
        raise TypeError(f"Module.to only accepts floating point dtypes, got {target_dtype}")
    target_device = None if device is None else as_device(device)
    if target_device is not None:
        _ = target_device.xp  # fail now, with the clear CUDA error, before touching anything
    for t in tensors:
        t.array = _converted(t.array, target_dtype, target_device)
        if t.grad is not None:
            t.grad.array = _converted(t.grad.array, target_dtype, target_device)


def _converted(data: Any, dtype: DType | None, device: Device | None) -> Any:
    """``data`` cast to ``dtype`` (floating-point data only) and moved to ``device``."""
    xp = get_array_module(data)
    floating = dtype_from_native(data.dtype).is_floating_point
    if dtype is not None and floating and dtype_from_native(data.dtype) != dtype:
        data = xp.astype(data, dtype.native(xp))
    if device is not None and device_of_array(data) != device:
        data = move_array(data, device)
    return data
