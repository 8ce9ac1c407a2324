"""Activation layers: ``ReLU``, ``LeakyReLU``, ``Tanh``, ``Sigmoid``.

``inplace=True`` is accepted for PyTorch compatibility (DCGAN code writes ``nn.ReLU(True)``);
minigen always computes out of place, which gives the same numbers and gradients.
"""

from __future__ import annotations

from minigen.autograd.tensor import Tensor
from minigen.functions import leaky_relu, relu, sigmoid, tanh
from minigen.nn.module import Module


class ReLU(Module):
    """y = max(x, 0)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """y = x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        # float(): a NumPy float64 slope would turn float32 activations into float64.
        self.negative_slope, self.inplace = float(negative_slope), inplace

    def forward(self, input: Tensor) -> Tensor:
        return leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Tanh(Module):
    """y = tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return tanh(input)


class Sigmoid(Module):
    """y = 1 / (1 + e^{-x})."""

    def forward(self, input: Tensor) -> Tensor:
        return sigmoid(input)
