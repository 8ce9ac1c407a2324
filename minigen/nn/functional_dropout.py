"""``dropout`` as a function (``F.dropout``), shared with the ``nn.Dropout`` layer."""

from __future__ import annotations

from minigen.autograd.tensor import Tensor
from minigen.backend import random as _random
from minigen.backend.array_module import get_array_module
from minigen.functions.dropout import Dropout


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p); identity when
    not training. The mask comes from minigen's seeded generator on the input's device."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    p = float(p)  # a NumPy float64 p would make the float32 mask float64
    if not training or p == 0.0:
        return input
    xp = get_array_module(input.array)
    u = _random.uniform(tuple(input.shape), input.dtype, input.device)
    keep = xp.astype(u >= p, input.array.dtype)  # P(u >= p) = 1 - p
    mask = keep * (1.0 / (1.0 - p)) if p < 1.0 else keep  # p = 1: every element dropped
    return Dropout.apply(input, mask=mask)
