"""Writing values into a tensor: ``x.copy_(src)`` and ``x[key] = value``, as Functions.

Under recording, an in-place write is differentiated like its out-of-place twin (PyTorch's
rule): the result is a new node whose inputs are the tensor's old value and the written value.
Old elements that were overwritten had no influence on the result, so their gradient is 0;
the written values receive the gradient of the positions they landed in (summed where one
value was broadcast to many positions).
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.broadcasting import sum_to


class Assign(Function):
    r"""y = src broadcast to x's shape and dtype (``x.copy_(src)``, ``fill_``, ``zero_``).

    dL/dx = 0 (every old element was overwritten); dL/dsrc = sum_to(dL/dy, src.shape).
    """

    def forward(self, x: Any, src: Any) -> Any:
        xp = get_array_module(x)
        self.src_shape = src.shape
        values = xp.broadcast_to(xp.astype(src, x.dtype), x.shape)
        return xp.asarray(values, copy=True)

    def backward(self, gy: Any) -> tuple[Any, Any]:
        return get_array_module(gy).zeros_like(gy), sum_to(gy, self.src_shape)


class SetItem(Function):
    r"""y = x with y[key] = value (``x[key] = value``).

    dL/dx = dL/dy with 0 at the positions written; dL/dvalue = sum_to(dL/dy[key], value.shape).
    """

    def __init__(self, key: Any) -> None:
        super().__init__()
        self.key = key

    def forward(self, x: Any, value: Any) -> Any:
        xp = get_array_module(x)
        self.value_shape = value.shape
        y = xp.asarray(x, copy=True)
        y[self.key] = xp.astype(value, x.dtype)
        return y

    def backward(self, gy: Any) -> tuple[Any, Any]:
        xp = get_array_module(gy)
        gx = xp.asarray(gy, copy=True)
        gx[self.key] = 0
        return gx, sum_to(gy[self.key], self.value_shape)
