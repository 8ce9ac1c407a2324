"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d`` (see minigen.nn.functional)."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.nn import functional as F
from minigen.nn.checks import IntPair
from minigen.nn.module import Module


class MaxPool2d(Module):
    """The maximum of each window of each channel; stride defaults to the kernel size."""

    def __init__(
        self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
        dilation: IntPair = 1, return_indices: bool = False, ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        return F.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation,
            ceil_mode=self.ceil_mode, return_indices=self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean of each window of each channel; stride defaults to the kernel size."""

    def __init__(
        self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
        ceil_mode: bool = False, count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad, self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
