"""Functions that rearrange elements without changing them: reshape and permute.

Their backwards rearrange the gradient back: reshape it to the old shape, or apply the inverse
permutation. Beside them the plain functions built on them: ``reshape``, ``flatten``,
``unsqueeze``, ``squeeze`` and ``repeat`` (a reshape, a broadcast and a reshape) on Reshape;
``permute`` and ``transpose`` on Permute.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions.broadcasting import broadcast_to


class Reshape(Function):
    r"""y = x with shape ``shape`` (same elements, same order).   dL/dx = reshape(dL/dy, x.shape)."""

    view = True  # the output is a window on the input's memory

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: Any) -> Any:
        self.x_shape = x.shape
        return get_array_module(x).reshape(x, self.shape)

    def backward(self, gy: Any) -> Any:
        return get_array_module(gy).reshape(gy, self.x_shape)


def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    return Reshape.apply(x, shape=tuple(shape))


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = start_dim % x.ndim, end_dim % x.ndim
    shape = x.shape
    merged = 1
    for n in shape[start : end + 1]:
        merged *= n
    return reshape(x, shape[:start] + (merged,) + shape[end + 1 :])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 axis at ``dim``."""
    dim = dim % (x.ndim + 1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def squeeze(x: Tensor, dim: int | None = None) -> Tensor:
    """Remove size-1 axes (only ``dim``, when given and of size 1)."""
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    dim = dim % x.ndim
    if x.shape[dim] != 1:
        return x
    return reshape(x, x.shape[:dim] + x.shape[dim + 1 :])


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile x ``sizes[d]`` times along each axis d; extra leading sizes add axes.

    Composed of a reshape, a broadcast and a reshape: x of shape (a, b) viewed as (1, a, 1, b),
    broadcast to (r0, a, r1, b), read as (r0 a, r1 b).
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < x.ndim:
        raise ValueError(
            f"repeat: {len(sizes)} repeat sizes for a tensor with {x.ndim} dimensions; give at "
            "least one per dimension"
        )
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    pairs = [(r, n) for r, n in zip(sizes, shape, strict=True)]
    spread = reshape(x, tuple(v for _, n in pairs for v in (1, n)))
    tiled = broadcast_to(spread, tuple(v for pair in pairs for v in pair))
    return reshape(tiled, tuple(r * n for r, n in pairs))


class Permute(Function):
    r"""y = x with its axes reordered: y.shape[i] = x.shape[dims[i]].

    dL/dx = dL/dy with the inverse permutation applied.
    """

    view = True  # the output is a window on the input's memory

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Any) -> Any:
        return get_array_module(x).permute_dims(x, self.dims)

    def backward(self, gy: Any) -> Any:
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return get_array_module(gy).permute_dims(gy, tuple(inverse))


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    dims = tuple(d % x.ndim for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute needs a reordering of 0..{x.ndim - 1}, got {dims}")
    return Permute.apply(x, dims=dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, dims)
