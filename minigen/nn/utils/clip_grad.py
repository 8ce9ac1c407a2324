"""Gradient clipping, as ``torch.nn.utils``: rescale all gradients together when their total
norm is too large (``clip_grad_norm_``), or clamp each entry (``clip_grad_value_``).

The total norm treats every gradient as one long vector: with p-norms ``n_i`` of the
gradients, ``total = ||(n_1, ..., n_k)||_p`` (= ``(sum_i ||g_i||_p^p)^(1/p)``; the largest
``|g|`` for ``inf``). Clipping multiplies every gradient by
``min(max_norm / (total + 1e-6), 1)``: the direction of the whole step is kept, only its
length is capped. The gradients change in place (``p.grad`` stays the same Tensor; its
``.array`` is replaced); nothing here is recorded by autograd.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.transfer import move_array
from minigen.creation import tensor
from minigen.errors import MinigenError

TensorOrTensors = Tensor | Iterable[Tensor]


class NonFiniteNormError(MinigenError, RuntimeError):
    """``error_if_nonfinite=True`` and the total gradient norm is nan or inf."""


def get_total_norm(
    tensors: TensorOrTensors,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type``-norm of ``tensors`` taken together as one vector (a 0-d tensor on the
    first tensor's device; ``tensor(0.0)`` when there are none). ``foreach`` is accepted and
    ignored: there is one implementation."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    p = _norm_order(norm_type)
    if not tensors:
        return tensor(0.0)
    first = tensors[0].device
    norms = []
    for t in tensors:
        n = _vector_norm(t.array, p)
        norms.append(n if device_of_array(n) == first else move_array(n, first))
    xp = get_array_module(norms[0])
    dtype = norms[0].dtype if len({n.dtype for n in norms}) == 1 else xp.result_type(*norms)
    total = _vector_norm(xp.stack([xp.astype(n, dtype) for n in norms]), p)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise NonFiniteNormError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor.wrap(total)


def clip_grads_with_norm_(
    parameters: TensorOrTensors, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Multiply every gradient by ``min(max_norm / (total_norm + 1e-6), 1)``."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    total = total_norm.array
    xp = get_array_module(total)
    coef = xp.asarray(float(max_norm) / (total + 1e-6))
    coef = xp.minimum(coef, xp.ones_like(coef))  # never scale up; nan stays nan, as in PyTorch
    for g in grads:
        scale = coef if device_of_array(coef) == g.device else move_array(coef, g.device)
        scale = get_array_module(scale).astype(scale, g.array.dtype)
        # A new array, not *=: an engine gradient may be a read-only broadcast view.
        g.array = g.array * scale


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients of ``parameters`` so that their total norm is at most
    ``max_norm``; returns the total norm *before* clipping (a 0-d tensor), as PyTorch does.

    ``norm_type``: 2 (default), 1, any p > 0, ``inf`` (the largest ``|g|``) or ``-inf``.
    ``error_if_nonfinite=True`` raises when the norm is nan or inf instead of scaling by it.
    """
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = list(parameters)
        if is_generator and not params:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.",
                stacklevel=2,
            )
    grads = [p.grad for p in params if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(
    parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]``."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    clip_value = float(clip_value)
    for p in params:
        if p.grad is not None:
            xp = get_array_module(p.grad.array)
            p.grad.array = xp.clip(p.grad.array, -clip_value, clip_value)


def _norm_order(norm_type: float | str) -> float:
    try:
        return float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(f"norm_type must be a number or 'inf', not {norm_type!r}") from None


def _vector_norm(a: Any, p: float) -> Any:
    """``torch.linalg.vector_norm(a, p)`` of all of ``a``'s entries, as a 0-d array."""
    xp = get_array_module(a)
    return xp.asarray(_reduce(xp, a, p))


def _reduce(xp: Any, a: Any, p: float) -> Any:
    if p == math.inf:
        return xp.max(xp.abs(a))
    if p == -math.inf:
        return xp.min(xp.abs(a))
    if p == 0:
        return xp.sum(xp.astype(a != 0, a.dtype))
    if p == 1:
        return xp.sum(xp.abs(a))
    if p == 2:
        return xp.sqrt(xp.sum(a * a))
    return xp.sum(xp.abs(a) ** p) ** (1.0 / p)
