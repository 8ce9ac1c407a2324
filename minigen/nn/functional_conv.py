"""``conv2d`` and ``conv_transpose2d`` as functions, shared with the ``nn.Conv2d`` and
``nn.ConvTranspose2d`` layers: the public forms take PyTorch's arguments, the private ones
(``_conv2d(who, ...)``) take pairs and name ``who`` in their errors."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.errors import ShapeError
from minigen.functions import reshape
from minigen.functions.conv import Conv2d, ConvTranspose2d
from minigen.nn.checks import (
    IntPair,
    check_conv_input,
    check_conv_size,
    check_input,
    check_output_padding,
    pair,
)
from minigen.nn.functional_linear import with_bias


def conv2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1,
    padding: IntPair = 0,
) -> Tensor:
    """2-D convolution of (N, C_in, H, W) with weight (C_out, C_in, kh, kw).

    Output (N, C_out, OH, OW) with OH = floor((H + 2 padding - kh) / stride) + 1.
    """
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    return _conv2d("conv2d", input, weight, bias, stride, padding)


def _conv2d(
    who: object, input: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, int],
    padding: tuple[int, int],
) -> Tensor:
    check_input(who, input, weight)
    check_conv_input(who, input, weight.shape[1])
    kernel = (weight.shape[2], weight.shape[3])
    check_conv_size(who, input, kernel, padding)
    return batched(
        input, lambda x: with_bias(Conv2d, x, weight, bias, stride=stride, padding=padding)
    )


def conv_transpose2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1,
    padding: IntPair = 0, output_padding: IntPair = 0,
) -> Tensor:
    """Transposed convolution of (N, C_in, H, W) with weight (C_in, C_out, kh, kw).

    The adjoint of conv2d. Output (N, C_out, H_out, W_out) with
    H_out = (H - 1) stride - 2 padding + kh + output_padding.
    """
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    output_padding = pair(output_padding, "output_padding")
    return _conv_transpose2d(
        "conv_transpose2d", input, weight, bias, stride, padding, output_padding
    )


def _conv_transpose2d(
    who: object, input: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, int],
    padding: tuple[int, int], output_padding: tuple[int, int],
) -> Tensor:
    check_input(who, input, weight)
    check_conv_input(who, input, weight.shape[0])
    check_output_padding(who, output_padding, stride)
    kernel = (weight.shape[2], weight.shape[3])
    out = [(n - 1) * s - 2 * p + k + o for n, s, p, k, o in
           zip(input.shape[-2:], stride, padding, kernel, output_padding, strict=True)]
    if min(out) < 1:
        raise ShapeError(
            f"{who}: input of spatial size {tuple(input.shape[-2:])} gives an empty "
            f"output of size {tuple(out)} with kernel {kernel}, stride {stride}, padding {padding}"
        )
    return batched(input, lambda x: with_bias(
        ConvTranspose2d, x, weight, bias, stride=stride, padding=padding,
        output_padding=output_padding,
    ))


def batched(x: Tensor, op: Any) -> Tensor:
    """Run ``op`` on a 4-D batch; an unbatched (C, H, W) input is a batch of one, as in PyTorch."""
    if x.ndim == 4:
        return op(x)
    y = op(reshape(x, (1,) + x.shape))
    return reshape(y, y.shape[1:])
