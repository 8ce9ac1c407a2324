"""The four arithmetic operations and negation, with broadcasting.

Each backward multiplies the output gradient by the local derivative, then sums it back to
the input's shape (``sum_to``), because a broadcast input was used once per broadcast copy.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.functions.broadcasting import sum_to


class Add(Function):
    r"""y = a + b.   dL/da = dL/dy,  dL/db = dL/dy   (each summed to its input's shape)."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        return sum_to(gy, self.a_shape), sum_to(gy, self.b_shape)


class Sub(Function):
    r"""y = a - b.   dL/da = dL/dy,  dL/db = -dL/dy."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a_shape, self.b_shape = a.shape, b.shape
        return a - b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        return sum_to(gy, self.a_shape), sum_to(-gy, self.b_shape)


class Mul(Function):
    r"""y = a * b (elementwise).   dL/da = dL/dy * b,  dL/db = dL/dy * a."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a * b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        ga = sum_to(gy * self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(gy * self.a, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


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


class Neg(Function):
    r"""y = -x.   dL/dx = -dL/dy."""

    def forward(self, x: Any) -> Any:
        return -x

    def backward(self, gy: Any) -> Any:
        return -gy
