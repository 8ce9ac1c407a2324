"""``Linear``: the fully connected layer, y = x W^T + b."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.creation import zeros
from minigen.nn.functional_linear import _linear
from minigen.nn.init import reset_weight_and_bias
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
        return _linear(self, input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")

