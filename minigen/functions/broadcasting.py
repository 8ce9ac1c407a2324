"""Broadcasting's backward: a gradient is summed back to the shape its input had.

If ``a`` of shape (3, 1) was broadcast to (2, 3, 4) in ``a + b``, every element of ``a`` was
used 2 * 4 times, so dL/da is dL/dy summed over the broadcast axes:

    dL/da[j, 0] = sum_{i, k} dL/dy[i, j, k]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module


def sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if tuple(g.shape) == tuple(shape):
        return g
    xp = get_array_module(g)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    summed = xp.sum(g, axis=axes, keepdims=True)
    return xp.reshape(summed, shape)


class BroadcastTo(Function):
    r"""y = x broadcast to ``shape`` (``x.expand(...)``).

    Local derivative: dL/dx = sum of dL/dy over the broadcast axes (``sum_to``).
    """

    view = True  # the output is a window on the input's memory

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: Any) -> Any:
        self.x_shape = x.shape
        return get_array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy: Any) -> Any:
        return sum_to(gy, self.x_shape)


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(x.shape[i - (len(shape) - x.ndim)] if n == -1 else n for i, n in enumerate(shape))
    return BroadcastTo.apply(x, shape=shape)
