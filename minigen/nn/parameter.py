"""``Parameter``: a tensor that a Module owns and an optimizer updates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minigen.autograd.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` by default, registered by the Module holding it."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        # The tensor's own array (shared, as PyTorch's Parameter shares the tensor's storage).
        self._set(data.array if isinstance(data, Tensor) else data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def clear_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the gradients of ``params``: set each to None (PyTorch's default) or fill it with
    zeros. What ``Module.zero_grad`` and ``Optimizer.zero_grad`` both do."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            p.grad.zero_()
