"""The activation functions of the models: tanh, sigmoid, ReLU and leaky ReLU.

Where a formula has two branches, the code picks per element with a 0/1 mask m and arithmetic,
``m * a + (1 - m) * b`` (exact when a and b are finite), rather than ``where(mask, a, b)``:
NumPy's ``where`` takes a branch per element, and on a mask of random signs (an activation's)
it runs about 20 times slower than a multiplication (docs/derivations/activations.md).
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module


class Tanh(Function):
    r"""y = tanh x.   dy/dx = 1 - tanh^2 x = 1 - y^2."""

    def forward(self, x: Any) -> Any:
        self.y = get_array_module(x).tanh(x)
        return self.y

    def backward(self, gy: Any) -> Any:
        return gy * (1 - self.y * self.y)


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(x)


def stable_sigmoid(xp: Any, x: Any, e: Any = None) -> Any:
    """1 / (1 + e^{-x}) as e^{min(x, 0)} / (1 + e), with e = e^{-|x|} (never overflows):
    1 / (1 + e) where x >= 0, else e / (1 + e). Pass ``e`` if it is already computed."""
    if e is None:
        e = xp.exp(-xp.abs(x))
    return xp.exp(xp.minimum(x, 0.0)) / (1 + e)


class Sigmoid(Function):
    r"""y = 1 / (1 + e^{-x}).   dy/dx = y (1 - y).

    With e = e^{-|x|} (never overflows): y = 1 / (1 + e) for x >= 0 and y = e / (1 + e) for
    x < 0, the same function, accurate to the last bit in both tails. The numerator, 1 or e,
    is e^{min(x, 0)}.
    """

    def forward(self, x: Any) -> Any:
        self.y = stable_sigmoid(get_array_module(x), x)
        return self.y

    def backward(self, gy: Any) -> Any:
        return gy * self.y * (1 - self.y)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(x)


class ReLU(Function):
    r"""y = max(x, 0).   dy/dx = 1 where x > 0, else 0 (0 at x = 0, as in PyTorch)."""

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.mask = x > 0
        return xp.maximum(x, 0)  # not where(x > 0, ...): NaN must stay NaN, as in PyTorch

    def backward(self, gy: Any) -> Any:
        return gy * get_array_module(gy).astype(self.mask, gy.dtype)  # ybar * [x > 0]


def relu(x: Tensor) -> Tensor:
    return ReLU.apply(x)


class LeakyReLU(Function):
    r"""y = x where x > 0, else a x.   dy/dx = 1 where x > 0, else a (the negative slope)."""

    def __init__(self, negative_slope: float) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        a = self.negative_slope
        m = xp.astype(x > 0, x.dtype)  # 1 where x > 0, else 0
        # dy/dx: 1 where x > 0, else a; for 0 <= a <= 1 (every model's) that is max(m, a)
        self.slope = xp.maximum(m, a) if 0 <= a <= 1 else m + (1 - m) * a
        return x * self.slope

    def backward(self, gy: Any) -> Any:
        return gy * self.slope


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU.apply(x, negative_slope=negative_slope)
