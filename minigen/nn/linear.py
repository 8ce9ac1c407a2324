"""``Linear``: the fully connected layer, y = x W^T + b."""

from __future__ import annotations

import math
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.creation import zeros
from minigen.errors import ShapeError
from minigen.nn import functional as F
from minigen.nn import init
from minigen.nn.module import Module
from minigen.nn.parameter import Parameter


class Linear(Module):
    """y = x W^T + b for x of shape (*, in_features); W (out_features, in_features), b
    (out_features,). Initialised as PyTorch does: W and b from U(-1/sqrt(in), 1/sqrt(in))."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(zeros(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(fan_in)), for both."""
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        F.check_input(self, input, self.weight)
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ShapeError(
                f"{self}: expected input of shape (*, {self.in_features}), got {tuple(input.shape)}"
            )
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default init of Linear and conv layers (reset_parameters)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)
