"""Joining tensors: ``cat`` along an existing axis and ``stack`` along a new one.

Each input receives the slice of the output gradient where its values went.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module


class Cat(Function):
    r"""y = [x_1, x_2, ...] joined along ``axis``.   dL/dx_k = the k-th block of dL/dy."""

    def __init__(self, axis: int = 0) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, *xs: Any) -> Any:
        self.sizes = [x.shape[self.axis] for x in xs]
        return get_array_module(xs[0]).concat(xs, axis=self.axis)

    def backward(self, gy: Any) -> tuple[Any, ...]:
        axis = self.axis % gy.ndim
        grads, start = [], 0
        for size in self.sizes:
            index = (slice(None),) * axis + (slice(start, start + size), ...)
            grads.append(gy[index])
            start += size
        return tuple(grads)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    return Cat.apply(*tensors, axis=dim)


class Stack(Function):
    r"""y[..., k, ...] = x_k, a new axis ``axis``.   dL/dx_k = dL/dy[..., k, ...]."""

    def __init__(self, axis: int = 0) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, *xs: Any) -> Any:
        return get_array_module(xs[0]).stack(xs, axis=self.axis)

    def backward(self, gy: Any) -> tuple[Any, ...]:
        axis = self.axis % gy.ndim
        return tuple(gy[(slice(None),) * axis + (k, ...)] for k in range(gy.shape[axis]))


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along a new dimension."""
    return Stack.apply(*tensors, axis=dim)
