"""``Dropout``: inverted dropout in training, the identity in evaluation."""

from __future__ import annotations

from minigen.autograd.tensor import Tensor
from minigen.nn import functional as F
from minigen.nn.module import Module


class Dropout(Module):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while training;
    pass the input through unchanged in eval mode. The mask is drawn from minigen's seeded
    generator on the input's device (``mg.manual_seed`` makes it reproducible)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
