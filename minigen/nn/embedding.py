"""``Embedding``: a learned table of vectors looked up by integer index (e.g. class labels)."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.creation import zeros
from minigen.nn import init
from minigen.nn.functional_embedding import embedding_lookup
from minigen.nn.module import Module
from minigen.nn.parameter import Parameter


class Embedding(Module):
    """Row ``i`` of weight (num_embeddings, embedding_dim) for every index i of an integer
    tensor: (*) -> (*, embedding_dim). Initialised from N(0, 1), as PyTorch does."""

    def __init__(
        self, num_embeddings: int, embedding_dim: int, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(zeros(num_embeddings, embedding_dim, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)

    def forward(self, input: Any) -> Tensor:
        return embedding_lookup(self, input, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
