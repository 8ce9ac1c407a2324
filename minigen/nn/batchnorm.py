"""``BatchNorm1d`` and ``BatchNorm2d``: batch normalisation layers with running statistics.

Training: normalise with the batch's statistics (biased variance) and move the running
averages towards them (unbiased variance), counting batches in ``num_batches_tracked``.
Evaluation: normalise with the running averages, so the output of one sample does not depend on
the rest of its batch.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.creation import ones, tensor, zeros
from minigen.errors import ShapeError
from minigen.nn.checks import check_input
from minigen.nn.functional_batchnorm import _batch_norm
from minigen.nn.module import Module
from minigen.nn.parameter import Parameter


class _BatchNorm(Module):
    #: The accepted input ranks and how to say them in an error message.
    ranks: tuple[int, ...] = ()
    layout: str = ""

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
        affine: bool = True, track_running_stats: bool = True, device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features, dtype=dtype, device=device))
            self.bias = Parameter(zeros(num_features, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", tensor(0, dtype="int64", device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            for name, fill in (("running_mean", zeros), ("running_var", ones)):
                old = self._buffers[name]
                old.array = fill(self.num_features, dtype=old.dtype, device=old.device).array
            self.num_batches_tracked.zero_()

    def forward(self, input: Tensor) -> Tensor:
        reference = self.weight if self.affine else self.running_mean
        if reference is not None:
            check_input(self, input, reference)
        if input.ndim not in self.ranks or input.shape[1] != self.num_features:
            raise ShapeError(
                f"{self}: expected input of shape {self.layout.format(C=self.num_features)}, "
                f"got {tuple(input.shape)}"
            )
        factor: Any = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array = self.num_batches_tracked.array + 1
            if self.momentum is None:  # a cumulative average: the n-th batch weighs 1/n
                # 1/n as a 0-d array where the count lives (no .item(): a GPU never waits)
                xp = get_array_module(input.array)
                factor = 1.0 / xp.astype(self.num_batches_tracked.array, input.array.dtype)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return _batch_norm(
            input, self.running_mean if track else None, self.running_var if track else None,
            self.weight, self.bias, use_batch_stats, factor, self.eps,
        )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs over every axis but C."""

    ranks = (2, 3)
    layout = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs over N, H and W, per channel C."""

    ranks = (4,)
    layout = "(N, {C}, H, W)"
