r"""``gather(x, dim, index)``: along one axis, pick the entry ``index`` names at every position.

For dim = 1 of a matrix, y[i, j] = x[i, index[i, j]]: the classic use picks each row's
target logit (``logp.gather(1, target[:, None])``). As in PyTorch, ``index`` has x's number of
axes and may be smaller than x on the axes other than ``dim`` (only that corner of x is read).
Derivation: docs/derivations/gather.md.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.arguments import along
from minigen.functions.shape import reshape


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


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """Along ``dim``, the entries ``index`` names: for dim = 1, y[i, j] = x[i, index[i, j]]."""
    if not isinstance(index, Tensor) or index.dtype.name != "int64":
        got = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"gather: index must be an int64 tensor, got {got}; use .long()")
    if index.device != x.device:
        raise ValueError(f"gather: index is on {index.device} but the input is on {x.device}")
    axis = along("gather", x, dim)
    if index.ndim != x.ndim or any(
        i != axis and m > n for i, (m, n) in enumerate(zip(index.shape, x.shape, strict=True))
    ):
        raise IndexError(
            f"gather: index of shape {tuple(index.shape)} must have the input's {x.ndim} "
            f"dimensions and be no larger than the input {tuple(x.shape)} except along dim {dim}"
        )
    if x.ndim == 0:
        return reshape(gather(reshape(x, (1,)), 0, reshape(index, (1,))), ())
    xp = get_array_module(index.array)
    n = x.shape[axis]
    if index.numel() and bool(xp.any((index.array < 0) | (index.array >= n))):  # host sync
        raise IndexError(f"gather: an index is out of range for dimension {dim} of size {n}")
    return Gather.apply(x, axis=axis, index=index.array)
