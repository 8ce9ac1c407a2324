"""``batch_norm`` as a function (``F.batch_norm``), shared with the BatchNorm layers."""

from __future__ import annotations

import numbers
from typing import Any

from minigen.autograd.grad_mode import no_grad
from minigen.autograd.tensor import Tensor
from minigen.creation import ones, zeros
from minigen.errors import ShapeError
from minigen.functions.batchnorm import BatchNorm, batch_statistics
from minigen.functions.layout import channels_last


def batch_norm(
    input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
    weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
    momentum: Any = 0.1, eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of (N, C), (N, C, L) or (N, C, H, W).

    Training: with the batch's mean and biased variance; the running statistics (when given)
    move towards the batch's mean and UNBIASED variance: r <- (1 - momentum) r + momentum b.
    Evaluation: with the running statistics.
    """
    if input.ndim < 2:
        raise ShapeError(
            f"batch_norm: expected input of shape (N, C, ...), got {tuple(input.shape)}"
        )
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise ShapeError(
                f"batch_norm: {name} has shape {tuple(t.shape)} but the input of shape "
                f"{tuple(input.shape)} has {channels} channels"
            )
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(
    input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
    weight: Tensor | None, bias: Tensor | None, training: bool, momentum: Any, eps: float,
) -> Tensor:
    """``batch_norm`` on shapes already checked (by it, or by a BatchNorm layer)."""
    eps = float(eps)  # NumPy float64 scalars would promote float32
    if isinstance(momentum, numbers.Real):  # a 0-d array (BatchNorm's 1/n) stays on its device
        momentum = float(momentum)
    channels = input.shape[1]
    if training:
        mean_, var_, centered = _batch_stats_and_update(input, running_mean, running_var, momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm: evaluation (training=False) needs running_mean and running_var"
            )
        mean_, var_, centered = running_mean.array, running_var.array, None
    stats = {"mean": mean_, "var": var_, "centered": centered}
    if weight is None and bias is None:
        return BatchNorm.apply(input, training=training, eps=eps, **stats)
    if weight is None:
        weight = ones(channels, dtype=input.dtype, device=input.device)
    if bias is None:
        bias = zeros(channels, dtype=input.dtype, device=input.device)
    return BatchNorm.apply(input, weight, bias, training=training, eps=eps, **stats)


def _batch_stats_and_update(
    input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, momentum: Any
) -> tuple[Any, Any, Any]:
    """The batch's (mean, biased variance, centred input), after moving the running statistics
    (when given) towards them."""
    channels = input.shape[1]
    per_channel = input.numel() // channels
    if per_channel <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per channel when training, got input "
            f"of shape {tuple(input.shape)}"
        )
    mean_, var_, centered = batch_statistics(channels_last(input.array))
    if running_mean is not None and running_var is not None:
        with no_grad():
            # r <- (1 - momentum) r + momentum b, with b the unbiased variance
            # var * m / (m - 1) for running_var (the factor folded into the momentum)
            var_weight = momentum * (per_channel / (per_channel - 1))
            running_mean.array = (1 - momentum) * running_mean.array + momentum * mean_
            running_var.array = (1 - momentum) * running_var.array + var_weight * var_
    return mean_, var_, centered
