"""Reductions: sum, mean, variance and max over some axes (``dim``), with ``keepdim``.

Their backwards share one move: put the reduced axes back as size-1 axes (``restore_axes``),
then broadcast the gradient over them. Beside each Function, the plain function that applies
it (``sum`` for ``Sum``); ``min`` is -max(-x), and ``argmax``/``argmin`` are not differentiable.
This module defines ``sum``, ``max`` and ``min``, so it calls Python's as ``builtins.max``.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import MaxResult, Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.arithmetic import neg
from minigen.functions.selection import minimum


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``None`` means every axis; negative axes count from the end."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        if not -ndim <= a < builtins.max(ndim, 1):  # max, min and sum are this module's
            raise IndexError(f"dimension {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(out))


def restore_axes(gy: Any, axes: tuple[int, ...], keepdims: bool, x_shape: tuple[int, ...]) -> Any:
    """Reshape a reduced gradient so it broadcasts against the input of shape ``x_shape``."""
    if keepdims or not x_shape:
        return gy
    shape = tuple(1 if i in axes else n for i, n in enumerate(x_shape))
    return get_array_module(gy).reshape(gy, shape)


def count(x_shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    n = 1
    for a in axes:
        n *= x_shape[a]
    return n


class Sum(Function):
    r"""y = sum_i x_i over the axes.   dy/dx_i = 1: dL/dx is dL/dy copied over the axes."""

    def __init__(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> None:
        super().__init__()
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: Any) -> Any:
        self.x_shape, self.axes = x.shape, normalize_axes(self.axis, x.ndim)
        return get_array_module(x).sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Any) -> Any:
        g = restore_axes(gy, self.axes, self.keepdims, self.x_shape)
        return get_array_module(gy).broadcast_to(g, self.x_shape)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return Sum.apply(x, axis=dim, keepdims=keepdim)


class Mean(Function):
    r"""y = (1/n) sum_i x_i over the axes.   dL/dx_i = dL/dy / n."""

    def __init__(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> None:
        super().__init__()
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: Any) -> Any:
        self.x_shape, self.axes = x.shape, normalize_axes(self.axis, x.ndim)
        return get_array_module(x).mean(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Any) -> Any:
        g = restore_axes(gy, self.axes, self.keepdims, self.x_shape) / count(self.x_shape, self.axes)
        return get_array_module(gy).broadcast_to(g, self.x_shape)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return Mean.apply(x, axis=dim, keepdims=keepdim)


class Var(Function):
    r"""y = sum_i (x_i - m)^2 / (n - c), with m the mean and c the correction (1: unbiased).

    dL/dx_i = dL/dy * 2 (x_i - m) / (n - c). (The terms through m cancel: sum_i (x_i - m) = 0.)
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
        return xp.sum(self.centered**2, axis=self.axes, keepdims=self.keepdims) / self.divisor

    def backward(self, gy: Any) -> Any:
        g = restore_axes(gy, self.axes, self.keepdims, self.centered.shape)
        scale = 2 / self.divisor if self.divisor else float("nan")  # n = c: NaN, as PyTorch
        return g * scale * self.centered


def var(x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    """Variance; ``unbiased=True`` divides by n - 1 (Bessel's correction), as PyTorch does."""
    return Var.apply(x, axis=dim, correction=1 if unbiased else 0, keepdims=keepdim)


class Max(Function):
    r"""y = max_i x_i over the axes.

    dy/dx_i = 1 for the element that is the maximum, 0 elsewhere. Where several elements tie,
    PyTorch's two rules: ``x.max()`` splits the gradient evenly among them (``ties="split"``);
    ``x.max(dim)`` gives it all to the first maximum, the one its indices name (``ties="first"``).
    """

    def __init__(self, axis: int | Sequence[int] | None = None, keepdims: bool = False,
                 ties: str = "split") -> None:
        super().__init__()
        self.axis, self.keepdims, self.ties = axis, keepdims, ties

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.axes = normalize_axes(self.axis, x.ndim)
        y = xp.max(x, axis=self.axes, keepdims=True)
        if self.ties == "first":  # one axis: a one-hot of argmax along it
            (axis,) = self.axes
            first = xp.argmax(x, axis=axis, keepdims=True)
            positions = xp.reshape(xp.arange(x.shape[axis], device=x.device), (-1,) + (1,) * (x.ndim - axis - 1))
            self.share = xp.astype(positions == first, x.dtype)
        else:
            hits = xp.astype(x == y, x.dtype)
            self.share = hits / xp.sum(hits, axis=self.axes, keepdims=True)
        return y if self.keepdims else xp.reshape(y, tuple(n for i, n in enumerate(x.shape) if i not in self.axes))

    def backward(self, gy: Any) -> Any:
        return restore_axes(gy, self.axes, self.keepdims, self.share.shape) * self.share


def max(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The maximum; with ``dim``, a ``(values, indices)`` pair as in PyTorch."""
    if dim is None:
        return Max.apply(x, axis=None, keepdims=keepdim, ties="split")
    values = Max.apply(x, axis=dim, keepdims=keepdim, ties="first")
    return MaxResult(values, argmax(x, dim, keepdim))


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The minimum: -max(-x). With ``dim``, a ``(values, indices)`` pair as in PyTorch; with
    a tensor in place of ``dim``, the elementwise minimum (``torch.min(a, b)``)."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return neg(max(neg(x), keepdim=keepdim))
    values = neg(max(neg(x), dim, keepdim).values)
    return MaxResult(values, argmin(x, dim, keepdim))


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Indices of the maxima (not differentiable)."""
    return _arg_extreme(x, "argmax", dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Indices of the minima (not differentiable)."""
    return _arg_extreme(x, "argmin", dim, keepdim)


def _arg_extreme(x: Tensor, name: str, dim: int | None, keepdim: bool) -> Tensor:
    xp = get_array_module(x.array)
    if dim is None:
        return Tensor.wrap(getattr(xp, name)(xp.reshape(x.array, (-1,))))
    return Tensor.wrap(getattr(xp, name)(x.array, axis=dim, keepdims=keepdim))
