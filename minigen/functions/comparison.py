"""``a == b``, ``a < b``, ...: elementwise comparisons giving bool tensors (not differentiable).

As in PyTorch, an integer tensor compared with a float (tensor or Python number) is compared
as a float, so ``mg.tensor([1, 2]) < 1.5`` is ``[True, False]``.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.backend.transfer import as_array_like
from minigen.errors import ShapeError


def compare(a: Tensor, other: Any, op: str) -> Tensor | Any:
    """``op`` is an array-API name: equal, not_equal, less, less_equal, greater, greater_equal.

    Anything other than a tensor or a Python number gives NotImplemented, so Python falls back
    to its own rule (``t == None`` is False, ``t < "a"`` a TypeError), as with PyTorch.
    """
    if isinstance(other, Tensor):
        b = other.array
    elif isinstance(other, (bool, int, float)):
        b = as_array_like(other, a.array)
    else:
        return NotImplemented
    x = a.array
    xp = get_array_module(x)
    x_float, b_float = _is_float(xp, x.dtype), _is_float(xp, b.dtype)
    if x_float and not b_float:
        b = xp.astype(b, x.dtype)
    elif b_float and not x_float:
        x = xp.astype(x, b.dtype)
    try:
        return Tensor.wrap(getattr(xp, op)(x, b))
    except ValueError:
        raise ShapeError(
            f"cannot compare (with {op}) tensors of shapes {tuple(x.shape)} and {tuple(b.shape)}: "
            "they do not broadcast"
        ) from None


def _is_float(xp: Any, dtype: Any) -> bool:
    return xp.isdtype(dtype, "real floating")
