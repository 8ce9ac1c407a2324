r"""Softmax and log-softmax along one axis, each one Function for its numerics.

Both subtract the maximum along the axis first: softmax(x) = softmax(x - m) for any constant m,
and with m = max_j x_j every exponent is <= 0, so exp() cannot overflow. Log-softmax is the
log-sum-exp form x_k - m - log(sum_j e^{x_j - m}), which stays finite where log(softmax(x))
would take the log of an underflowed 0. Derivation: docs/derivations/softmax.md.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.arguments import along, float_input
from minigen.functions.shape import reshape


def _shifted(x: Any, axis: int) -> Any:
    """x - max(x) along the axis: every entry <= 0, the largest exactly 0."""
    xp = get_array_module(x)
    return x - xp.max(x, axis=axis, keepdims=True)


class Softmax(Function):
    r"""y_k = e^{x_k} / sum_j e^{x_j} along ``axis``.

    dy_k/dx_j = y_k ([k = j] - y_j), so dL/dx = y * (dL/dy - sum_k dL/dy_k y_k).
    """

    def __init__(self, axis: int) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        e = xp.exp(_shifted(x, self.axis))
        self.y = e / xp.sum(e, axis=self.axis, keepdims=True)
        return self.y

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        return self.y * (gy - xp.sum(gy * self.y, axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    r"""y_k = x_k - log sum_j e^{x_j} along ``axis`` (log-sum-exp with the maximum taken out).

    dy_k/dx_j = [k = j] - softmax(x)_j, so dL/dx = dL/dy - e^y * sum_k dL/dy_k.
    """

    def __init__(self, axis: int) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        shifted = _shifted(x, self.axis)
        self.y = shifted - xp.log(xp.sum(xp.exp(shifted), axis=self.axis, keepdims=True))
        return self.y

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        return gy - xp.exp(self.y) * xp.sum(gy, axis=self.axis, keepdims=True)


def _along_axis(fn: type, x: Tensor, axis: int) -> Tensor:
    if x.ndim == 0:  # a scalar is one entry along its only "axis"
        return reshape(fn.apply(reshape(x, (1,)), axis=0), ())
    return fn.apply(x, axis=axis)


def softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """e^x / sum e^x along ``dim`` (the entries along it are positive and sum to 1)."""
    x = float_input("softmax", x, dtype)
    return _along_axis(Softmax, x, along("softmax", x, dim))


def log_softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """x - log sum e^x along ``dim``, by log-sum-exp (finite where log(softmax) underflows)."""
    x = float_input("log_softmax", x, dtype)
    return _along_axis(LogSoftmax, x, along("log_softmax", x, dim))
