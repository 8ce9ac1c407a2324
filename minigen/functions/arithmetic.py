"""The four arithmetic operations and negation, with broadcasting.

Each backward multiplies the output gradient by the local derivative, then sums it back to
the input's shape (``sum_to``), because a broadcast input was used once per broadcast copy.
Each Function is followed by the plain function that applies it (``add`` for ``Add``), which
first promotes an integer operand as PyTorch does (``_promote``).
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.dtypes import float32
from minigen.functions.broadcasting import sum_to


def _is_integral(x: Any) -> bool:
    return isinstance(x, Tensor) and not x.dtype.is_floating_point


def _promote(a: Any, b: Any, divide: bool = False) -> tuple[Any, Any]:
    """PyTorch's promotion: an integer (or bool) tensor that meets a float, or is divided,
    becomes float (the other tensor's float dtype, else float32), never float64 by accident."""
    if not (_is_integral(a) or _is_integral(b)):
        return a, b
    floats = [x for x in (a, b) if isinstance(x, float) or (isinstance(x, Tensor) and not _is_integral(x))]
    if not (divide or floats):
        return a, b
    target = next((x.dtype for x in floats if isinstance(x, Tensor)), float32)
    return tuple(x.to(dtype=target) if _is_integral(x) else x for x in (a, b))  # type: ignore[return-value]


class Add(Function):
    r"""y = a + b.   dL/da = dL/dy,  dL/db = dL/dy   (each summed to its input's shape)."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        return sum_to(gy, self.a_shape), sum_to(gy, self.b_shape)


def add(a: Any, b: Any) -> Tensor:
    return Add.apply(*_promote(a, b))


class Sub(Function):
    r"""y = a - b.   dL/da = dL/dy,  dL/db = -dL/dy."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a_shape, self.b_shape = a.shape, b.shape
        return a - b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        return sum_to(gy, self.a_shape), sum_to(-gy, self.b_shape)


def sub(a: Any, b: Any) -> Tensor:
    return Sub.apply(*_promote(a, b))


class Mul(Function):
    r"""y = a * b (elementwise).   dL/da = dL/dy * b,  dL/db = dL/dy * a."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a * b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        ga = sum_to(gy * self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(gy * self.a, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*_promote(a, b))


class Div(Function):
    r"""y = a / b.   dL/da = dL/dy / b,  dL/db = -dL/dy * a / b^2 = -dL/dy * y / b."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a_shape, self.b = a.shape, b
        self.y = a / b
        return self.y

    def backward(self, gy: Any) -> tuple[Any, Any]:
        ga = sum_to(gy / self.b, self.a_shape) if self.needs_input_grad[0] else None
        gb = sum_to(-gy * self.y / self.b, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def div(a: Any, b: Any) -> Tensor:
    return Div.apply(*_promote(a, b, divide=True))


class Neg(Function):
    r"""y = -x.   dL/dx = -dL/dy."""

    def forward(self, x: Any) -> Any:
        return -x

    def backward(self, gy: Any) -> Any:
        return -gy


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)
