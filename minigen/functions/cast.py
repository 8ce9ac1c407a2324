"""Changing a tensor's dtype or device, and copying it; gradients flow back through each."""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import Device
from minigen.backend.transfer import move_array
from minigen.dtypes import DType


class Cast(Function):
    r"""y = x converted to ``dtype``.   dL/dx = dL/dy converted back to x's dtype."""

    def __init__(self, dtype: DType) -> None:
        super().__init__()
        self.dtype = dtype

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.x_dtype = x.dtype
        return xp.astype(x, self.dtype.native(xp))

    def backward(self, gy: Any) -> Any:
        return get_array_module(gy).astype(gy, self.x_dtype)


def cast(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (recorded: the gradient is converted back)."""
    return Cast.apply(x, dtype=dtype)


class ToDevice(Function):
    r"""y = x copied to ``device`` (host<->GPU).   dL/dx = dL/dy copied back to x's device."""

    def __init__(self, device: Device) -> None:
        super().__init__()
        self.device = device

    def forward(self, x: Any) -> Any:
        self.source = device_of_array(x)
        return move_array(x, self.device)

    def backward(self, gy: Any) -> Any:
        return move_array(gy, self.source)


def to_device(x: Tensor, device: Any) -> Tensor:
    """``x`` copied to ``device`` (recorded: the gradient is copied back)."""
    return ToDevice.apply(x, device=device)


class Copy(Function):
    r"""y = a copy of x (``x.clone()``).   dL/dx = dL/dy."""

    def forward(self, x: Any) -> Any:
        return get_array_module(x).asarray(x, copy=True)

    def backward(self, gy: Any) -> Any:
        return gy


def clone(x: Tensor) -> Tensor:
    return Copy.apply(x)
