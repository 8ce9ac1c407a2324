"""Elementwise functions of one tensor: exp, log, sqrt, abs, a constant power, log1p, expm1.

Each Function is followed by the plain function that applies it (``exp`` for ``Exp``). This
module defines ``abs`` and ``pow``, so Python's two builtins of those names are not used here.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.arithmetic import mul


class Exp(Function):
    r"""y = e^x.   dy/dx = e^x = y, so dL/dx = dL/dy * y."""

    def forward(self, x: Any) -> Any:
        self.y = get_array_module(x).exp(x)
        return self.y

    def backward(self, gy: Any) -> Any:
        return gy * self.y


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


class Log(Function):
    r"""y = ln x.   dy/dx = 1 / x, so dL/dx = dL/dy / x."""

    def forward(self, x: Any) -> Any:
        self.x = x
        return get_array_module(x).log(x)

    def backward(self, gy: Any) -> Any:
        return gy / self.x


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


class Sqrt(Function):
    r"""y = sqrt(x).   dy/dx = 1 / (2 sqrt(x)), so dL/dx = dL/dy / (2 y)."""

    def forward(self, x: Any) -> Any:
        self.y = get_array_module(x).sqrt(x)
        return self.y

    def backward(self, gy: Any) -> Any:
        return gy / (2 * self.y)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


class Abs(Function):
    r"""y = |x|.   dy/dx = sign(x) (0 at x = 0, as in PyTorch)."""

    def forward(self, x: Any) -> Any:
        self.x = x
        return get_array_module(x).abs(x)

    def backward(self, gy: Any) -> Any:
        return gy * get_array_module(gy).sign(self.x)


def abs(x: Tensor) -> Tensor:
    return Abs.apply(x)


class Pow(Function):
    r"""y = x^c for a constant exponent c.   dy/dx = c x^(c-1)."""

    def __init__(self, exponent: float) -> None:
        super().__init__()
        self.exponent = exponent

    def forward(self, x: Any) -> Any:
        self.x = x
        return x**self.exponent

    def backward(self, gy: Any) -> Any:
        c = self.exponent
        if c == 0:  # x^0 = 1 is constant; c x^(c-1) would be 0 * inf = NaN at x = 0
            return gy * 0
        return gy * (c * self.x ** (c - 1))


def pow(x: Tensor, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):  # a tensor exponent: x^y = e^(y ln x)
        return exp(mul(exponent, log(x)))
    return Pow.apply(x, exponent=exponent)


class Log1p(Function):
    r"""y = ln(1 + x), accurate for tiny x (where 1 + x would round to 1).

    dy/dx = 1 / (1 + x), so dL/dx = dL/dy / (1 + x).
    """

    def forward(self, x: Any) -> Any:
        self.x = x
        return get_array_module(x).log1p(x)

    def backward(self, gy: Any) -> Any:
        return gy / (1 + self.x)


def log1p(x: Tensor) -> Tensor:
    """ln(1 + x), accurate where x is tiny."""
    return Log1p.apply(x)


class Expm1(Function):
    r"""y = e^x - 1, accurate for tiny x (where e^x - 1 would cancel).

    dy/dx = e^x = y + 1, so dL/dx = dL/dy * (y + 1).
    """

    def forward(self, x: Any) -> Any:
        self.y = get_array_module(x).expm1(x)
        return self.y

    def backward(self, gy: Any) -> Any:
        return gy * (self.y + 1)


def expm1(x: Tensor) -> Tensor:
    """e^x - 1, accurate where x is tiny."""
    return Expm1.apply(x)
