"""Checks of the arguments the plain functions share: a ``dim`` in range, a floating-point input.

Used by ``softmax``/``log_softmax``, ``gather``, ``split``/``chunk``, ``std`` and ``norm``, so
that each gives PyTorch's error, naming itself, in the same words.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor


def along(who: str, x: Tensor, dim: int) -> int:
    """The axis ``dim`` names in ``x`` (negative counts from the end; a 0-d tensor has axis 0)."""
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
        raise IndexError(
            f"{who}: dimension {dim} is out of range for a tensor with {x.ndim} dimensions"
        )
    return dim % x.ndim if x.ndim else 0


def float_input(who: str, x: Tensor, dtype: Any = None) -> Tensor:
    """``x`` (converted to ``dtype`` first, when given), which must be floating point."""
    if dtype is not None:
        x = x.to(dtype=dtype)
    if not x.dtype.is_floating_point:
        raise TypeError(
            f"{who}: expected a floating point tensor, got {x.dtype.name}; convert it with "
            ".float() (or pass dtype=minigen.float32)"
        )
    return x
