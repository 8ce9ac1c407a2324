"""The activations as functions: ``relu``, ``tanh``, ``sigmoid`` (core Functions, re-exported),
``leaky_relu``, ``softmax`` and ``log_softmax``."""

from __future__ import annotations

import warnings
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.functions import leaky_relu as _leaky_relu
from minigen.functions import log_softmax as _log_softmax
from minigen.functions import relu, sigmoid, tanh
from minigen.functions import softmax as _softmax

__all__ = ["leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh"]


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    # float(): a NumPy float64 slope would turn a float32 input into float64 (NumPy 2 rules).
    return _leaky_relu(input, float(negative_slope))


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(  # PyTorch's guess, and its warning
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.", UserWarning, stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^x / sum e^x along ``dim``: the entries along it are positive and add up to 1."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return _softmax(input, dim, dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log(softmax(x)) along ``dim``, computed as x - logsumexp(x): finite for any logits."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return _log_softmax(input, dim, dtype)
