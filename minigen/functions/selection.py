"""Functions that choose between values: clamp, maximum (and minimum, composed) and where."""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.arithmetic import neg
from minigen.functions.broadcasting import sum_to


class Clamp(Function):
    r"""y = min(max(x, lo), hi).   dy/dx = 1 where lo <= x <= hi, else 0 (as in PyTorch)."""

    def __init__(self, min: float | None = None, max: float | None = None) -> None:
        super().__init__()
        self.min, self.max = min, max  # PyTorch's names; either may be None

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.inside = (x >= self.min) if self.min is not None else xp.ones_like(x, dtype=xp.bool)
        if self.max is not None:
            self.inside = self.inside & (x <= self.max)
        return xp.clip(x, self.min, self.max)

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        return xp.where(self.inside, gy, xp.zeros_like(gy))


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp needs min, max or both")
    return Clamp.apply(x, min=min, max=max)


class Maximum(Function):
    r"""y = max(a, b) elementwise.

    dL/da = dL/dy where a > b, dL/db = dL/dy where b > a; at ties each gets half (PyTorch's rule).
    """

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return get_array_module(a).maximum(a, b)

    def backward(self, gy: Any) -> tuple[Any, Any]:
        xp = get_array_module(gy)
        a, b = self.a, self.b
        share_a = xp.astype(a > b, gy.dtype) + 0.5 * xp.astype(a == b, gy.dtype)
        return sum_to(gy * share_a, a.shape), sum_to(gy * (1 - share_a), b.shape)


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """The smaller of a and b elementwise: -max(-a, -b); ties split the gradient in half."""
    return neg(maximum(neg(a), neg(b)))


class Where(Function):
    r"""y = a where cond, else b (cond is a constant boolean mask).

    dL/da = dL/dy where cond, else 0;  dL/db = dL/dy where not cond, else 0.
    """

    def __init__(self, condition: Any) -> None:
        super().__init__()
        self.condition = condition  # a boolean array, a constant

    def forward(self, a: Any, b: Any) -> Any:
        self.a_shape, self.b_shape = a.shape, b.shape
        return get_array_module(a).where(self.condition, a, b)

    def backward(self, gy: Any) -> tuple[Any, Any]:
        xp = get_array_module(gy)
        zero = xp.zeros_like(gy)
        cond = self.condition
        return sum_to(xp.where(cond, gy, zero), self.a_shape), sum_to(xp.where(cond, zero, gy), self.b_shape)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``; gradients flow to ``a`` and ``b``."""
    cond = condition.array if isinstance(condition, Tensor) else condition
    return Where.apply(a, b, condition=cond)
