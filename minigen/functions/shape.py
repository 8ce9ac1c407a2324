"""Functions that rearrange elements without changing them: reshape and permute.

Their backwards rearrange the gradient back: reshape it to the old shape, or apply the inverse
permutation.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module


class Reshape(Function):
    r"""y = x with shape ``shape`` (same elements, same order).   dL/dx = reshape(dL/dy, x.shape)."""

    view = True  # the output is a window on the input's memory

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: Any) -> Any:
        self.x_shape = x.shape
        return get_array_module(x).reshape(x, self.shape)

    def backward(self, gy: Any) -> Any:
        return get_array_module(gy).reshape(gy, self.x_shape)


class Permute(Function):
    r"""y = x with its axes reordered: y.shape[i] = x.shape[dims[i]].

    dL/dx = dL/dy with the inverse permutation applied.
    """

    view = True  # the output is a window on the input's memory

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Any) -> Any:
        return get_array_module(x).permute_dims(x, self.dims)

    def backward(self, gy: Any) -> Any:
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return get_array_module(gy).permute_dims(gy, tuple(inverse))
