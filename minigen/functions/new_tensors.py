"""``x.new_zeros(...)`` and friends: new tensors that take their dtype and device from ``x``."""

from __future__ import annotations

from typing import Any

from minigen import creation
from minigen.autograd.tensor import Tensor


def new_like(x: Tensor, kind: str, arg: Any, dtype: Any, device: Any, requires_grad: bool,
             value: Any = None) -> Tensor:
    """``x.new_zeros(...)`` and friends: dtype and device default to ``x``'s, as in PyTorch."""
    dtype = x.dtype if dtype is None else dtype
    device = x.device if device is None else device
    if kind == "tensor":
        return creation.tensor(arg, dtype=dtype, device=device, requires_grad=requires_grad)
    if kind == "full":
        return creation.full(arg, value, dtype=dtype, device=device, requires_grad=requires_grad)
    return getattr(creation, kind)(arg, dtype=dtype, device=device, requires_grad=requires_grad)
