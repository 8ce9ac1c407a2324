"""``L1Loss`` and ``SmoothL1Loss`` (see minigen.nn.functional.l1_loss and smooth_l1_loss)."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.nn import functional as F
from minigen.nn.functional_losses import legacy_reduction
from minigen.nn.losses import _Loss


class L1Loss(_Loss):
    """Mean absolute error |input - target|."""

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction))

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic for |input - target| < beta, linear beyond (robust to outliers)."""

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None,
        reduction: str = "mean", beta: float = 1.0,
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction))
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)
