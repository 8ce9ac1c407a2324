r"""Inverted dropout: zero each element with probability p, scale the survivors by 1 / (1 - p).

Scaling at training time keeps E[y] = x, so evaluation needs no rescaling: dropout is then the
identity. The random mask is drawn by the caller (``minigen.nn.functional.dropout``) from
minigen's seeded generator on the input's device and passed in, already scaled.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function


class Dropout(Function):
    r"""y = x * mask, mask_i = 1 / (1 - p) with probability 1 - p, else 0 (a constant).

    Local derivative: dL/dx = dL/dy * mask (a dropped element passes no gradient).
    Derivation: docs/derivations/dropout.md.
    """

    def __init__(self, mask: Any) -> None:
        super().__init__()
        self.mask = mask  # the scaled 0/1 mask, an array of x's shape

    def forward(self, x: Any) -> Any:
        return x * self.mask

    def backward(self, gy: Any) -> Any:
        return gy * self.mask
