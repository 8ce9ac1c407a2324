"""``flatten`` (a core Function, re-exported) and ``unflatten``, shared with ``nn.Flatten`` and
``nn.Unflatten``."""

from __future__ import annotations

from collections.abc import Sequence

from minigen.autograd.tensor import Tensor
from minigen.errors import ShapeError
from minigen.functions import flatten, reshape

__all__ = ["flatten", "unflatten"]


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one may be -1)."""
    dim = dim % input.ndim
    sizes = tuple(sizes)
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if -1 in sizes:
        sizes = tuple(input.shape[dim] // known if s == -1 else s for s in sizes)
        known = input.shape[dim]
    if known != input.shape[dim]:
        raise ShapeError(
            f"unflatten: sizes {sizes} do not multiply to the size {input.shape[dim]} of "
            f"dimension {dim} of an input of shape {tuple(input.shape)}"
        )
    return reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1:])
