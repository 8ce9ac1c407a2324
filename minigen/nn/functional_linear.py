"""``linear`` as a function (``F.linear``), shared with the ``nn.Linear`` layer."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.functions.linear import Linear
from minigen.nn.checks import check_input, check_linear_input


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, W of shape (out_features, in_features); x of shape (*, in_features)."""
    return _linear("linear", input, weight, bias)


def _linear(who: object, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``linear`` with its errors naming ``who`` (a layer passes itself)."""
    check_input(who, input, weight)
    check_linear_input(who, input, weight.shape[1])
    return with_bias(Linear, input, weight, bias)


def with_bias(fn: Any, x: Tensor, weight: Tensor, bias: Tensor | None, **params: Any) -> Tensor:
    """``fn.apply(x, weight[, bias])``: an absent bias is left out of the inputs (a Function's
    inputs are all Tensors)."""
    if bias is None:
        return fn.apply(x, weight, **params)
    return fn.apply(x, weight, bias, **params)
