"""Class indices to vectors: ``embedding`` (rows of a weight, shared with ``nn.Embedding``) and
``one_hot``."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.creation import tensor
from minigen.errors import DeviceMismatchError
from minigen.functions.embedding import Embedding


def embedding(input: Any, weight: Tensor) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer tensor ``input``."""
    return embedding_lookup("embedding", input, weight)


def embedding_lookup(who: object, input: Any, weight: Tensor) -> Tensor:
    if not isinstance(input, Tensor):
        input = tensor(input, device=weight.device)
    if input.dtype.is_floating_point or input.dtype.name == "bool":
        raise TypeError(
            f"{who}: indices must be an integer tensor (int64), got {input.dtype.name}; "
            "convert them with .long()"
        )
    if input.device != weight.device:
        raise DeviceMismatchError(
            f"{who}: indices are on {input.device} but the weight is on {weight.device}"
        )
    n = weight.shape[0]
    if input.numel():
        xp = get_array_module(input.array)
        low, high = int(xp.min(input.array)), int(xp.max(input.array))  # one host sync on a GPU
        if low < 0 or high >= n:
            bad = low if low < 0 else high
            raise IndexError(f"{who}: index {bad} is out of range for {n} embeddings [0, {n})")
    return Embedding.apply(weight, indices=input.array)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(..., ) class indices -> (..., num_classes) int64 rows with a single 1, as PyTorch.
    ``num_classes=-1`` takes the largest index + 1."""
    if not isinstance(tensor, Tensor) or tensor.dtype.name != "int64":
        got = tensor.dtype.name if isinstance(tensor, Tensor) else type(tensor).__name__
        raise TypeError(f"one_hot: expected an int64 tensor of class indices, got {got}; use .long()")
    xp = get_array_module(tensor.array)
    if tensor.numel() == 0 and num_classes == -1:
        raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; pass num_classes")
    if tensor.numel():
        low, high = int(xp.min(tensor.array)), int(xp.max(tensor.array))  # host sync on a GPU
        if low < 0:
            raise ValueError(f"one_hot: class values must be non-negative, got {low}")
        num_classes = high + 1 if num_classes == -1 else num_classes
        if high >= num_classes:
            raise ValueError(f"one_hot: class value {high} is not smaller than num_classes={num_classes}")
    classes = xp.arange(num_classes, device=tensor.array.device)
    return Tensor.wrap(xp.astype(tensor.array[..., None] == classes, xp.int64))
