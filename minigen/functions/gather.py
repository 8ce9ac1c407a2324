r"""``gather(x, dim, index)``: along one axis, pick the entry ``index`` names at every position.

For dim = 1 of a matrix, y[i, j] = x[i, index[i, j]]: the classic use picks each row's
target logit (``logp.gather(1, target[:, None])``). As in PyTorch, ``index`` has x's number of
axes and may be smaller than x on the axes other than ``dim`` (only that corner of x is read).
Derivation: docs/derivations/gather.md.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module


class Gather(Function):
    r"""y[..., j, ...] = x[..., index[..., j, ...], ...] along ``axis``.

    dL/dx[..., k, ...] = sum over j with index[..., j, ...] = k of dL/dy[..., j, ...]: each
    entry receives the gradients of every output that picked it (a one-hot product along the
    axis, since an index may repeat), and 0 if none did.
    """

    def __init__(self, axis: int, index: Any) -> None:
        super().__init__()
        self.axis, self.index = axis, index  # index: an int64 array

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.x_shape, self.x_dtype = x.shape, x.dtype
        # Only the corner of x that index covers is read (index may be smaller off the axis).
        self.corner = tuple(
            slice(None) if d == self.axis else slice(0, n) for d, n in enumerate(self.index.shape)
        )
        return xp.take_along_axis(x[self.corner], self.index, axis=self.axis)

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        n = self.x_shape[self.axis]
        index = xp.moveaxis(self.index, self.axis, -1)  # (..., K)
        g = xp.moveaxis(gy, self.axis, -1)[..., None, :]  # (..., 1, K)
        onehot = xp.astype(index[..., None] == xp.arange(n, device=gy.device), gy.dtype)
        summed = xp.moveaxis((g @ onehot)[..., 0, :], -1, self.axis)  # (..., 1, n) -> x's axes
        if tuple(summed.shape) == tuple(self.x_shape):
            return summed
        gx = xp.zeros(self.x_shape, dtype=self.x_dtype, device=gy.device)
        gx[self.corner] = summed
        return gx
