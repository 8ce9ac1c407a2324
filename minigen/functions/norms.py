r"""Standard deviation and vector norms over some axes (``dim``), with ``keepdim``.

Both are roots of sums of powers, and a root has an infinite slope at 0: sqrt(var) composed
from Sqrt and Var would give 0 * inf = NaN for the gradient of a constant row's std, and the
same for the 2-norm of a zero vector. PyTorch returns 0 there (the zero subgradient), so each
is one Function whose backward sets those entries to 0. Derivation: docs/derivations/norms.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.arguments import float_input
from minigen.functions.reductions import count, normalize_axes, restore_axes


def _drop_axes(y: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """y computed with keepdims=True, reshaped as keepdims asks."""
    if keepdims:
        return y
    shape = tuple(n for i, n in enumerate(y.shape) if i not in axes)
    return get_array_module(y).reshape(y, shape)


def _zero_where_zero(xp: Any, numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, and 0 where the denominator is 0 (without dividing by 0)."""
    zero = denominator == 0
    safe = xp.where(zero, xp.ones_like(denominator), denominator)
    return xp.where(zero, xp.zeros_like(numerator), numerator / safe)


class Std(Function):
    r"""s = sqrt(sum_i (x_i - m)^2 / (n - c)), m the mean, c the correction (1: unbiased).

    ds/dx_i = (x_i - m) / ((n - c) s), so dL/dx_i = dL/ds (x_i - m) / ((n - c) s), and 0 where
    s = 0 (every x_i equal), as PyTorch.
    """

    def __init__(self, axis: int | Sequence[int] | None = None, correction: int = 1,
                 keepdims: bool = False) -> None:
        super().__init__()
        self.axis, self.correction, self.keepdims = axis, correction, keepdims

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.axes = normalize_axes(self.axis, x.ndim)
        self.centered = x - xp.mean(x, axis=self.axes, keepdims=True)
        self.divisor = count(x.shape, self.axes) - self.correction
        squares = xp.sum(self.centered**2, axis=self.axes, keepdims=True)
        self.s = xp.sqrt(squares / self.divisor) if self.divisor > 0 else squares * math.nan
        return _drop_axes(self.s, self.axes, self.keepdims)

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        g = restore_axes(gy, self.axes, self.keepdims, self.centered.shape)
        return self.centered * _zero_where_zero(xp, g, self.divisor * self.s)


def std(
    x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
    correction: int | None = None,
) -> Tensor:
    """Standard deviation; divides by n - correction (default 1, Bessel's correction, as
    PyTorch; ``unbiased=False`` means correction 0). ``x.std(False)`` is ``unbiased=False``."""
    if isinstance(dim, bool):  # PyTorch's std(input, unbiased) overload
        dim, unbiased = None, dim
    x = float_input("std", x)
    if correction is None:
        correction = 1 if unbiased else 0
    return Std.apply(x, axis=dim, correction=correction, keepdims=keepdim)


class Norm(Function):
    r"""y = (sum_i |x_i|^p)^(1/p) over the axes; p = inf gives max_i |x_i|.

    dy/dx_i = sign(x_i) |x_i|^(p-1) / y^(p-1): p = 2 gives x_i / y and p = 1 gives sign(x_i).
    Where y = 0 the gradient is 0 (PyTorch's subgradient). For p = inf, dy/dx_i = sign(x_i)
    shared evenly among the entries whose |x_i| is the maximum, 0 elsewhere.
    """

    def __init__(self, axis: int | Sequence[int] | None = None, p: float = 2.0,
                 keepdims: bool = False) -> None:
        super().__init__()
        self.axis, self.p, self.keepdims = axis, p, keepdims

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.axes = normalize_axes(self.axis, x.ndim)
        self.x, p = x, self.p
        a = xp.abs(x)
        if p == math.inf:
            self.y = xp.max(a, axis=self.axes, keepdims=True)
        elif p == 1:
            self.y = xp.sum(a, axis=self.axes, keepdims=True)
        elif p == 2:
            self.y = xp.sqrt(xp.sum(x * x, axis=self.axes, keepdims=True))
        else:
            self.y = xp.sum(a**p, axis=self.axes, keepdims=True) ** (1 / p)
        return _drop_axes(self.y, self.axes, self.keepdims)

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        g = restore_axes(gy, self.axes, self.keepdims, self.x.shape)
        x, y, p = self.x, self.y, self.p
        if p == 1:
            return g * xp.sign(x)
        if p == 2:
            return x * _zero_where_zero(xp, g, y)
        a = xp.abs(x)
        if p == math.inf:
            hits = xp.astype(a == y, x.dtype)
            return g * xp.sign(x) * hits / xp.sum(hits, axis=self.axes, keepdims=True)
        return xp.sign(x) * _power_of_nonzero(xp, a, p - 1) * _zero_where_zero(
            xp, g, _power_of_nonzero(xp, y, p - 1)
        )


def norm(
    x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The p-norm over ``dim`` (every element when None): (sum |x|^p)^(1/p); "fro" and the
    default are p = 2; p = inf is max |x|."""
    x = float_input("norm", x, dtype)
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str) or not p > 0:
        raise ValueError(
            f"norm: p={p!r} is not supported; use a number > 0, float('inf') or 'fro'"
        )
    return Norm.apply(x, axis=dim, p=float(p), keepdims=keepdim)


def _power_of_nonzero(xp: Any, a: Any, exponent: float) -> Any:
    """a^exponent, and 0 where a = 0 (for p < 1 a negative power of 0 would be inf)."""
    zero = a == 0
    return xp.where(zero, xp.zeros_like(a), xp.where(zero, xp.ones_like(a), a) ** exponent)
