"""``CrossEntropyLoss`` and ``NLLLoss``: classification losses on class indices (see
minigen.nn.functional.cross_entropy and nll_loss)."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.nn import functional as F
from minigen.nn.functional_losses import legacy_reduction
from minigen.nn.losses import _WeightedLoss


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of the target classes, from log-probabilities (a LogSoftmax)."""

    def __init__(
        self, weight: Tensor | None = None, size_average: bool | None = None,
        ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
    ) -> None:
        super().__init__(weight, legacy_reduction(size_average, reduce, reduction))
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits: a LogSoftmax and NLLLoss in one, stable for any logits."""

    def __init__(
        self, weight: Tensor | None = None, size_average: bool | None = None,
        ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, legacy_reduction(size_average, reduce, reduction))
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(
            input, target, self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )
