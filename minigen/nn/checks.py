"""Argument checks shared by the layers and their functional forms.

Each check runs once per call: a layer (``nn.Conv2d``) and its functional form (``F.conv2d``)
both call the same private computation (``_conv2d(who, ...)``), which checks its inputs with
these helpers. ``who`` names the caller in messages: a function's name, or a layer (formatted
with its repr only when there is an error to report).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

from minigen.autograd.tensor import Tensor
from minigen.errors import DeviceMismatchError, ShapeError

IntPair = Union[int, Sequence[int]]  # noqa: UP007  (a runtime alias on Python 3.10)


def pair(value: IntPair, name: str) -> tuple[int, int]:
    """An int or a pair of ints as a pair (kernel_size=4 means (4, 4)), as PyTorch accepts."""
    if isinstance(value, int):
        return (value, value)
    values = tuple(value)
    if len(values) != 2 or not all(isinstance(v, int) for v in values):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return (values[0], values[1])


def check_input(who: object, x: Any, weight: Tensor) -> None:
    """x is a Tensor with weight's floating dtype, on weight's device."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a Tensor input, got {type(x).__name__}")
    if x.dtype != weight.dtype:
        if not x.dtype.is_floating_point:
            fix = f"convert it with .to(minigen.{weight.dtype.name}) (e.g. .float())"
        else:
            to_input = "float" if weight.dtype.name == "float32" else "double"
            to_layer = "double" if x.dtype.name == "float64" else "float"
            fix = f"call .{to_input}() on the input or .{to_layer}() on the layer"
        raise TypeError(
            f"{who}: input is {x.dtype.name} but the layer's parameters are "
            f"{weight.dtype.name}; {fix}"
        )
    if x.device != weight.device:
        raise DeviceMismatchError(
            f"{who}: input is on {x.device} but the layer's parameters are on {weight.device}; "
            f"move one of them with .to(...)"
        )


def check_linear_input(who: object, x: Tensor, in_features: int) -> None:
    """x is (*, in_features)."""
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ShapeError(
            f"{who}: expected input of shape (*, {in_features}), got {tuple(x.shape)}"
        )


def check_conv_input(who: object, x: Tensor, channels: int) -> None:
    """x is (N, channels, H, W) or unbatched (channels, H, W)."""
    if x.ndim not in (3, 4) or x.shape[-3] != channels:
        raise ShapeError(
            f"{who}: expected input of shape (N, {channels}, H, W), got {tuple(x.shape)}"
        )


def check_conv_size(
    who: object, x: Tensor, kernel: tuple[int, int], padding: tuple[int, int]
) -> None:
    h, w = x.shape[-2:]
    if h + 2 * padding[0] < kernel[0] or w + 2 * padding[1] < kernel[1]:
        raise ShapeError(
            f"{who}: input of spatial size ({h}, {w}) with padding {padding} is smaller than "
            f"the kernel {kernel}"
        )


def check_output_padding(
    who: object, output_padding: tuple[int, int], stride: tuple[int, int]
) -> None:
    # Of the s input sizes a stride-s conv maps to the same output size, output_padding picks
    # one; a value >= s would ask for a size no window of the conv reaches.
    if any(o < 0 or o >= s for o, s in zip(output_padding, stride, strict=True)):
        raise ValueError(
            f"{who}: output_padding {output_padding} must be smaller than the stride {stride}"
        )
