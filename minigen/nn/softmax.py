"""``Softmax`` and ``LogSoftmax`` layers (see minigen.nn.functional.softmax and log_softmax)."""

from __future__ import annotations

from minigen.autograd.tensor import Tensor
from minigen.nn import functional as F
from minigen.nn.module import Module


class Softmax(Module):
    """e^x / sum e^x along ``dim``: the entries along it are positive and add up to 1."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed as x - logsumexp(x) (finite for any logits)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
