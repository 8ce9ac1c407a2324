"""``Conv2d`` and ``ConvTranspose2d``: the layers around minigen.functions.conv."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.creation import zeros
from minigen.nn.checks import IntPair, check_output_padding, pair
from minigen.nn.functional_conv import _conv2d, _conv_transpose2d
from minigen.nn.init import reset_weight_and_bias
from minigen.nn.module import Module
from minigen.nn.parameter import Parameter


class _ConvNd(Module):
    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair,
        padding: IntPair, output_padding: IntPair, bias: bool, weight_shape: tuple[int, ...],
        device: Any, dtype: Any,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        self.output_padding = pair(output_padding, "output_padding")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(
                f"{type(self).__name__}: kernel_size {self.kernel_size} and stride {self.stride} "
                f"must be positive and padding {self.padding} non-negative"
            )
        self.weight = Parameter(zeros(weight_shape + self.kernel_size, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(zeros(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for W, U(+-1/sqrt(fan_in)) for b,
        with fan_in = weight.shape[1] * kh * kw (also for ConvTranspose2d, as PyTorch does)."""
        reset_weight_and_bias(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv2d(_ConvNd):
    """2-D convolution: (N, in_channels, H, W) -> (N, out_channels, OH, OW), weight
    (out_channels, in_channels, kh, kw), with OH = floor((H + 2 padding - kh) / stride) + 1.

    kernel_size, stride and padding are an int or an (h, w) pair. An unbatched (C, H, W) input
    gives an unbatched output, as in PyTorch.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
        padding: IntPair = 0, bias: bool = True, device: Any = None, dtype: Any = None,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, 0, bias,
                         (out_channels, in_channels), device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return _conv2d(self, input, self.weight, self.bias, self.stride, self.padding)


class ConvTranspose2d(_ConvNd):
    """Transposed convolution, the adjoint of Conv2d: (N, in_channels, H, W) ->
    (N, out_channels, H_out, W_out), weight (in_channels, out_channels, kh, kw), with
    H_out = (H - 1) stride - 2 padding + kh + output_padding (output_padding < stride).

    With stride s it undoes the shape change of a Conv2d with the same kernel, stride and
    padding: Conv2d maps H to floor((H + 2p - k) / s) + 1, and output_padding picks which of
    the s sizes with that image to give back.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
        padding: IntPair = 0, output_padding: IntPair = 0, bias: bool = True,
        device: Any = None, dtype: Any = None,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding,
                         bias, (in_channels, out_channels), device, dtype)
        check_output_padding(self, self.output_padding, self.stride)

    def forward(self, input: Tensor) -> Tensor:
        return _conv_transpose2d(self, input, self.weight, self.bias, self.stride, self.padding,
                                 self.output_padding)
