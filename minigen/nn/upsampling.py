"""``Upsample``: resize images by a factor or to a size (see minigen.nn.functional.interpolate)."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.nn import functional as F
from minigen.nn.module import Module


class Upsample(Module):
    """Resize the spatial axes: ``Upsample(scale_factor=2)`` doubles H and W by copying pixels
    ("nearest"); ``mode="bilinear"`` interpolates."""

    def __init__(
        self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
        align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        shown = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{shown}, mode={self.mode!r}"
