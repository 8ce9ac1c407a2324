"""The regression and binary losses as functions: ``binary_cross_entropy`` (and ``_with_logits``),
``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``gaussian_kl``, with the ``reduction`` rules
every loss shares (also used by ``nll_loss`` and ``cross_entropy``)."""

from __future__ import annotations

import warnings
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.creation import tensor
from minigen.errors import ShapeError
from minigen.functions import abs as _abs
from minigen.functions import exp, mean, where
from minigen.functions import sum as _sum
from minigen.functions.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return _sum(loss)
    return loss


def _check_reduction(reduction: str, allowed: tuple[str, ...] = _REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction!r} is not a valid value for reduction: use one of {allowed}")


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's old ``size_average`` / ``reduce`` flags as a ``reduction`` (with its warning)."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='"
        f"{'none' if reduce is False else 'mean' if size_average is not False else 'sum'}' "
        "instead.", UserWarning, stacklevel=3,
    )
    if reduce is False:
        return "none"
    return "mean" if size_average is not False else "sum"


def _as_target(who: str, target: Any, input: Tensor, same_shape: bool) -> Tensor:
    if not isinstance(target, Tensor):
        target = tensor(target, dtype=input.dtype, device=input.device)
    if target.dtype != input.dtype:
        raise TypeError(
            f"{who}: target is {target.dtype.name} but input is {input.dtype.name}; convert the "
            f"target with .to(minigen.{input.dtype.name})"
        )
    if same_shape and tuple(target.shape) != tuple(input.shape):
        raise ShapeError(
            f"{who}: target of shape {tuple(target.shape)} must have the same shape as the input "
            f"{tuple(input.shape)}"
        )
    return target


def _warn_if_broadcast(target: Tensor, input: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(  # PyTorch's warning: broadcasting (N, 1) against (N,) is rarely meant
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning, stacklevel=3,
        )


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) on probabilities p, each log clamped at >= -100."""
    _check_reduction(reduction)
    target = _as_target("binary_cross_entropy", target, input, same_shape=True)
    xp = get_array_module(input.array)
    if bool(xp.any((input.array < 0) | (input.array > 1))):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 "
            "(probabilities); for logits use binary_cross_entropy_with_logits"
        )
    if bool(xp.any((target.array < 0) | (target.array > 1))):
        raise ValueError(
            "binary_cross_entropy: all elements of target should be between 0 and 1 (a "
            "probability of the label 1); a target outside gives a loss without a minimum"
        )
    if weight is None:  # the Function reduces: no separate mean or sum
        return BinaryCrossEntropy.apply(input, target, reduction=reduction)
    return _reduce(BinaryCrossEntropy.apply(input, target) * weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Any, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """BCE of sigmoid(input), computed from the logits as max(x, 0) - x y + log(1 + e^{-|x|}),
    which is finite and accurate for logits of any size."""
    _check_reduction(reduction)
    target = _as_target("binary_cross_entropy_with_logits", target, input, same_shape=True)
    if weight is None:  # the Function reduces: no separate mean or sum
        return BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction)
    return _reduce(BinaryCrossEntropyWithLogits.apply(input, target) * weight, reduction)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """(input - target)^2, averaged ("mean"), summed ("sum") or elementwise ("none")."""
    _check_reduction(reduction)
    target = _as_target("mse_loss", target, input, same_shape=False)
    _warn_if_broadcast(target, input)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(
    input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """|input - target|, averaged ("mean"), summed ("sum") or elementwise ("none")."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    target = _as_target("l1_loss", target, input, same_shape=False)
    _warn_if_broadcast(target, input)
    return _reduce(_abs(input - target), reduction)


def smooth_l1_loss(
    input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
    reduction: str = "mean", beta: float = 1.0,
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, for d = input - target: quadratic
    near 0, linear (so robust to outliers) beyond beta. beta = 0 is the L1 loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:  # the quadratic part would divide by 0; the loss is L1 exactly
        return l1_loss(input, target, reduction=reduction)
    beta = float(beta)
    target = _as_target("smooth_l1_loss", target, input, same_shape=False)
    _warn_if_broadcast(target, input)
    a = _abs(input - target)
    return _reduce(where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta), reduction)


def gaussian_kl(mu: Tensor, logvar: Tensor, reduction: str = "mean") -> Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) of a diagonal Gaussian, elementwise:

        -0.5 * (1 + logvar - mu^2 - exp(logvar))

    ``reduction``: "none" gives that per element; "sum" the sum over every element; "mean" the
    mean over every element (PyTorch's convention for elementwise losses, so it is divided by
    batch * latent_dim); "batchmean" the sum divided by the batch size mu.shape[0] (PyTorch's
    ``kl_div`` convention): the KL per sample, summed over the latent dimensions and averaged
    over the batch, which is the term of a VAE's ELBO.
    """
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    if tuple(mu.shape) != tuple(logvar.shape):
        raise ShapeError(
            f"gaussian_kl: mu of shape {tuple(mu.shape)} and logvar of shape "
            f"{tuple(logvar.shape)} must have the same shape"
        )
    kl = (mu * mu + exp(logvar) - logvar - 1) * 0.5
    if reduction == "batchmean":
        return _sum(kl) / (mu.shape[0] if mu.ndim else 1)
    return _reduce(kl, reduction)
