"""Matrix product ``a @ b``, batched over leading axes as in NumPy and PyTorch; ``mm`` for
two matrices only."""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.broadcasting import sum_to


def swap_last_two(x: Any) -> Any:
    """The transpose of each matrix in a stack (the last two axes swapped)."""
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return get_array_module(x).permute_dims(x, axes)


class MatMul(Function):
    r"""Y = A @ B.

    Local derivatives (for matrices; batches are the same per matrix, then summed over the
    batch axes that were broadcast):

        dL/dA = dL/dY @ B^T        dL/dB = A^T @ dL/dY

    A vector operand is treated as a one-row (A) or one-column (B) matrix.
    """

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a @ b

    def backward(self, gy: Any) -> tuple[Any, Any]:
        xp = get_array_module(gy)
        a, b = self.a, self.b
        a2 = xp.reshape(a, (1, a.shape[0])) if a.ndim == 1 else a
        b2 = xp.reshape(b, (b.shape[0], 1)) if b.ndim == 1 else b
        gy2 = gy
        if a.ndim == 1:
            gy2 = xp.expand_dims(gy2, axis=-2 if gy2.ndim >= 1 else 0)
        if b.ndim == 1:
            gy2 = xp.expand_dims(gy2, axis=-1)
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = xp.reshape(sum_to(gy2 @ swap_last_two(b2), a2.shape), a.shape)
        if self.needs_input_grad[1]:
            gb = xp.reshape(sum_to(swap_last_two(a2) @ gy2, b2.shape), b.shape)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    return MatMul.apply(a, b)


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product of two 2-D tensors (no broadcasting; matmul is the general one)."""
    for name, t in (("self", a), ("mat2", b)):
        if t.ndim != 2:
            raise ValueError(f"mm: {name} must be a matrix (2-D), got shape {tuple(t.shape)}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"mm: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
            f"({a.shape[1]} != {b.shape[0]})"
        )
    return matmul(a, b)
