r"""Padding: a border of a constant around a tensor (``Pad``), and the index maps of the other
modes of ``F.pad`` (reflect, replicate, circular), which are gathers along each padded axis.

Constant padding writes x into a larger array filled with the value; a negative width crops
instead, as in PyTorch. The other modes read every output position from some input position
(the map ``border_index``), so they are integer-array indexing, whose backward adds up the
gradients of positions read twice (docs/derivations/indexing.md). Derivation:
docs/derivations/pad.md.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module


def placement(widths: tuple[tuple[int, int], ...], shape: tuple[int, ...]) -> tuple[tuple, tuple]:
    """(the part of x that is kept, where it lands in the output) as two keys of slices.

    ``widths[d] = (before, after)`` for axis d: a positive width adds that many positions, a
    negative one removes them from that end.
    """
    kept, landing = [], []
    for (before, after), n in zip(widths, shape, strict=True):
        start, stop = max(-before, 0), n - max(-after, 0)
        kept.append(slice(start, stop))
        landing.append(slice(max(before, 0), max(before, 0) + stop - start))
    return tuple(kept), tuple(landing)


class Pad(Function):
    r"""y = x inside a border filled with ``value``; ``widths[d] = (before, after)`` per axis.

    Each x element lands at one position of y (or is cropped away), so
    dL/dx = dL/dy at the positions x landed on, and 0 for a cropped element.
    """

    def __init__(self, widths: tuple[tuple[int, int], ...], value: float = 0.0) -> None:
        super().__init__()
        self.widths, self.value = widths, value

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        self.x_shape, self.x_dtype = x.shape, x.dtype
        self.kept, self.landing = placement(self.widths, x.shape)
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, self.widths, strict=True))
        y = xp.full(shape, self.value, dtype=x.dtype, device=x.device)
        y[self.landing] = x[self.kept]
        return y

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        if all(b >= 0 and a >= 0 for b, a in self.widths):  # nothing cropped
            return gy[self.landing]
        gx = xp.zeros(self.x_shape, dtype=self.x_dtype, device=gy.device)
        gx[self.kept] = gy[self.landing]
        return gx


def border_index(xp: Any, n: int, before: int, after: int, mode: str, device: Any) -> Any:
    """For each of the n + before + after output positions of one axis, the input position
    (in 0..n-1) that ``mode`` reads there:

    reflect    ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...   (mirrored, the edge not repeated)
    replicate  ... 0 0 | 0 1 2 ... n-1 | n-1 n-1 ...   (the edge repeated)
    circular   ... n-2 n-1 | 0 1 ... n-1 | 0 1 ...     (wrapped around)
    """
    p = xp.arange(-before, n + after, device=device)
    if mode == "reflect":  # fold at 0, then at n - 1
        return (n - 1) - xp.abs((n - 1) - xp.abs(p))
    if mode == "replicate":
        return xp.clip(p, 0, n - 1)
    return p % n  # circular
