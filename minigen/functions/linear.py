r"""The fully connected layer's operation, y = x W^T + b, fused into one Function.

Fused rather than composed from matmul, transpose and add because it is the hottest operation of
an MLP: one Function saves the graph nodes, the transposed copy and the broadcast bias gradient
of the composed version, and its backward computes only the gradients that are needed.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module


class Linear(Function):
    r"""Y = X W^T + b, X (..., in), W (out, in), b (out,), Y (..., out).

    Local derivatives (X and dL/dY flattened to matrices of shape (rows, in) and (rows, out)):

        dL/dX = dL/dY W          dL/dW = (dL/dY)^T X          dL/db = sum over rows of dL/dY

    Derivation: docs/derivations/linear.md.
    """

    def forward(self, x: Any, w: Any, b: Any = None) -> Any:
        xp = get_array_module(x)
        self.x, self.w = x, w
        y = x @ xp.matrix_transpose(w)  # W^T is a strided view: BLAS reads it transposed, no copy
        if b is not None:
            y += b  # y is fresh: add the bias in place
        return y

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        xp = get_array_module(gy)
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            gx = gy @ self.w
        # every leading axis is a batch axis: dL/dY and X as matrices (a 2-d batch already is)
        rows = gy if gy.ndim == 2 else xp.reshape(gy, (-1, gy.shape[-1]))
        if self.needs_input_grad[1]:
            x_rows = self.x if self.x.ndim == 2 else xp.reshape(self.x, (-1, self.x.shape[-1]))
            gw = xp.matrix_transpose(rows) @ x_rows
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = xp.sum(rows, axis=0)
        return gx, gw, gb
