"""The classification losses as functions: ``nll_loss`` and ``cross_entropy`` (class indices
or class probabilities, class weights, ``ignore_index``, label smoothing)."""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.creation import tensor
from minigen.errors import DeviceMismatchError, ShapeError
from minigen.functions import gather, reshape, squeeze, where
from minigen.functions import log_softmax as _log_softmax
from minigen.functions import sum as _sum
from minigen.nn.functional_losses import _check_reduction, _reduce, legacy_reduction


def _class_targets(
    who: str, input: Tensor, target: Any, weight: Tensor | None, ignore_index: int
) -> tuple[Any, Any, Any]:
    """Class-index targets checked, as (the targets with ignored ones set to class 0; the weight
    of each target: weight[target], or 1, and 0 where ignored; where not ignored)."""
    if input.ndim == 0:
        raise ShapeError(f"{who}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    if not isinstance(target, Tensor):
        target = tensor(target, device=input.device)
    if target.dtype.name != "int64":
        raise TypeError(
            f"{who}: class-index targets must be int64, got {target.dtype.name}; convert them "
            "with .long() (class probabilities are a float target of the input's shape)"
        )
    if target.device != input.device:
        raise DeviceMismatchError(
            f"{who}: target is on {target.device} but the input is on {input.device}"
        )
    expected = tuple(input.shape[:1] + input.shape[2:]) if input.ndim > 1 else ()
    if tuple(target.shape) != expected:
        raise ShapeError(
            f"{who}: target of shape {tuple(target.shape)} does not fit input of shape "
            f"{tuple(input.shape)}: expected a target of shape {expected}"
        )
    classes = input.shape[0 if input.ndim == 1 else 1]
    if weight is not None and (tuple(weight.shape) != (classes,) or weight.dtype != input.dtype):
        raise ValueError(
            f"{who}: weight must be a {input.dtype.name} tensor of shape ({classes},), one "
            f"number per class, got {weight.dtype.name} of shape {tuple(weight.shape)}"
        )
    xp = get_array_module(input.array)
    t = target.array
    counted = t != ignore_index
    safe = xp.where(counted, t, xp.zeros_like(t))
    if safe.size and bool(xp.any((safe < 0) | (safe >= classes))):  # one host sync on a GPU
        bad = int(xp.min(safe)) if int(xp.min(safe)) < 0 else int(xp.max(safe))
        raise IndexError(f"{who}: target {bad} is out of bounds for {classes} classes [0, {classes})")
    w = xp.astype(counted, input.array.dtype)
    if weight is not None:
        w = w * xp.reshape(xp.take(weight.array, xp.reshape(safe, (-1,)), axis=0), t.shape)
    return safe, w, counted


def _nll(input: Tensor, safe: Any, w: Any, reduction: str) -> Tensor:
    """-w[n] input[n, target[n]], reduced; "mean" divides by the sum of the weights w."""
    xp = get_array_module(input.array)
    class_dim = 0 if input.ndim == 1 else 1
    index = Tensor.wrap(xp.expand_dims(safe, axis=class_dim))
    picked = squeeze(gather(input, class_dim, index), class_dim)
    loss = -(picked * Tensor.wrap(w))
    if reduction == "mean":
        return _sum(loss) / Tensor.wrap(xp.sum(w))
    return _reduce(loss, reduction)


def nll_loss(
    input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets from log-probabilities (N, C, ...):
    -weight[t] input[n, t] for t = target[n]; "mean" divides by the sum of those weights.
    Targets equal to ``ignore_index`` count for nothing."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    safe, w, _ = _class_targets("nll_loss", input, target, weight, ignore_index)
    return _nll(input, safe, w, reduction)


def cross_entropy(
    input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits (N, C, ...) against class indices (N, ...) or, as a float target
    of the input's shape, class probabilities: nll_loss(log_softmax(input, 1), target).

    ``label_smoothing`` e mixes the target with the uniform distribution: (1 - e) times the
    loss of the target plus e / C times the loss summed over every class, as in PyTorch.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = _log_softmax(input, class_dim)
    if isinstance(target, Tensor) and target.dtype.is_floating_point:
        return _cross_entropy_probabilities(logp, target, weight, ignore_index, reduction, label_smoothing)
    safe, w, counted = _class_targets("cross_entropy", input, target, weight, ignore_index)
    loss = _nll(logp, safe, w, reduction)
    if label_smoothing == 0.0:
        return loss
    every_class = logp if weight is None else logp * _along_classes(weight, logp.ndim)
    smooth = where(counted, -_sum(every_class, class_dim), 0.0)  # 0 for an ignored target
    if reduction == "mean":
        smooth = _sum(smooth) / Tensor.wrap(get_array_module(w).sum(w))
    else:
        smooth = _reduce(smooth, reduction)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / logp.shape[class_dim])


def _along_classes(weight: Tensor, ndim: int) -> Tensor:
    """weight (C,) shaped to broadcast along axis 1 of an (N, C, d1, ...) tensor."""
    return weight if ndim == 1 else reshape(weight, (1, weight.shape[0]) + (1,) * (ndim - 2))


def _cross_entropy_probabilities(
    logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str,
    label_smoothing: float,
) -> Tensor:
    """-sum_c weight[c] target[n, c] logp[n, c] for class-probability targets; "mean" divides
    by the number of samples N (times d1 ...), not by the weights (PyTorch's rule)."""
    if tuple(target.shape) != tuple(logp.shape):
        raise ShapeError(
            f"cross_entropy: a float target holds class probabilities and must have the input's "
            f"shape {tuple(logp.shape)}, got {tuple(target.shape)}; class indices are int64"
        )
    if target.dtype != logp.dtype:
        raise TypeError(
            f"cross_entropy: target is {target.dtype.name} but input is {logp.dtype.name}; convert "
            f"the target with .to(minigen.{logp.dtype.name})"
        )
    if ignore_index >= 0:
        raise ValueError("cross_entropy: ignore_index is not supported for class-probability targets")
    class_dim = 0 if logp.ndim == 1 else 1
    classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = logp * target
    if weight is not None:
        terms = terms * _along_classes(weight, logp.ndim)
    if reduction == "mean":
        return -_sum(terms) / (logp.numel() // classes)
    if reduction == "sum":
        return -_sum(terms)
    return -_sum(terms, class_dim)
