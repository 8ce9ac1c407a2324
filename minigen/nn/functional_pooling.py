"""``max_pool2d`` and ``avg_pool2d`` as functions, shared with ``nn.MaxPool2d`` and
``nn.AvgPool2d``."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.errors import ShapeError
from minigen.functions.pooling import AvgPool2d, MaxPool2d, max_pool_indices, pool_output_size
from minigen.nn.checks import IntPair, pair
from minigen.nn.functional_conv import batched


def _pool_args(
    who: str, input: Tensor, kernel_size: IntPair, stride: Any, padding: IntPair, ceil_mode: bool
) -> dict[str, Any]:
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else pair(stride, "stride")
    padding = pair(padding, "padding")
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise ShapeError(f"{who}: expected input of shape (N, C, H, W) or (C, H, W), got {shape}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"{who}: expected a floating point input, got {input.dtype.name}; use .float()")
    if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ValueError(
            f"{who}: kernel_size {kernel} and stride {stride} must be positive and padding "
            f"{padding} non-negative"
        )
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(
            f"{who}: padding {padding} should be at most half of the kernel size {kernel}"
        )
    out = [pool_output_size(n, k, s, p, ceil_mode)
           for n, k, s, p in zip(input.shape[-2:], kernel, stride, padding, strict=True)]
    if min(out) < 1:
        raise ShapeError(
            f"{who}: input of spatial size {tuple(input.shape[-2:])} is too small for kernel "
            f"{kernel} with padding {padding}: the output would be {tuple(out)}"
        )
    return {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": bool(ceil_mode)}


def max_pool2d(
    input: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
    dilation: IntPair = 1, ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """The maximum of each kh x kw window of (N, C, H, W), per channel; stride defaults to the
    kernel size (windows side by side), padding is -inf. With ``return_indices``, also each
    maximum's flat position h * W + w in its input plane (int64)."""
    if pair(dilation, "dilation") != (1, 1):
        raise NotImplementedError("max_pool2d: minigen supports dilation=1 only")
    params = _pool_args("max_pool2d", input, kernel_size, stride, padding, ceil_mode)
    y = batched(input, lambda x: MaxPool2d.apply(x, **params))
    if not return_indices:
        return y
    x = input.array if input.ndim == 4 else get_array_module(input.array).expand_dims(input.array, axis=0)
    indices = max_pool_indices(x, **params)
    return y, Tensor.wrap(indices if input.ndim == 4 else indices[0])


def avg_pool2d(
    input: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """The mean of each kh x kw window of (N, C, H, W), per channel; stride defaults to the
    kernel size. The zero padding counts in the divisor unless ``count_include_pad=False``;
    ``divisor_override`` replaces the divisor."""
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    params = _pool_args("avg_pool2d", input, kernel_size, stride, padding, ceil_mode)
    return batched(input, lambda x: AvgPool2d.apply(
        x, **params, count_include_pad=bool(count_include_pad), divisor_override=divisor_override,
    ))
