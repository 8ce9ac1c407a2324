"""``Identity``: a layer that returns its input (a placeholder, e.g. for a removed head)."""

from __future__ import annotations

from typing import Any

from minigen.nn.module import Module


class Identity(Module):
    """y = x. Takes and ignores any arguments, as PyTorch's does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input
