"""``pad`` as a function (``F.pad``): constant, reflect, replicate or circular borders, and
negative widths that crop."""

from __future__ import annotations

from collections.abc import Sequence

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.functions import getitem
from minigen.functions.pad import Pad, border_index


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dimensions: pad = (left, right) for the last, then (top,
    bottom) for the one before, ... as PyTorch. Negative widths crop. Modes: "constant"
    (``value``, default 0), "reflect", "replicate", "circular"."""
    widths_last_first = list(pad)
    if len(widths_last_first) % 2:
        raise ValueError(f"pad: the padding {tuple(pad)} must have an even length (pairs)")
    k = len(widths_last_first) // 2
    if k > input.ndim:
        raise ValueError(f"pad: padding {tuple(pad)} pads {k} dimensions of a {input.ndim}-D input")
    widths = [(0, 0)] * (input.ndim - k) + [
        (widths_last_first[2 * i], widths_last_first[2 * i + 1]) for i in reversed(range(k))
    ]
    if any(n + b + a < 0 for n, (b, a) in zip(input.shape, widths, strict=True)):
        raise ValueError(f"pad: padding {tuple(pad)} crops more than the input {tuple(input.shape)} has")
    if mode == "constant":
        return Pad.apply(input, widths=tuple(widths), value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(
            f"pad: mode {mode!r} is not supported; use 'constant', 'reflect', 'replicate' or 'circular'"
        )
    if value is not None and value != 0:
        raise ValueError(f"pad: mode {mode!r} does not take a value")
    if input.ndim not in (k + 1, k + 2) or k > 3:
        raise NotImplementedError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a (N, C, ...) or (C, ...) "
            f"input; padding of length {len(widths_last_first)} does not fit a {input.ndim}-D input"
        )
    # Crop first (negative widths), then read each padded axis through the mode's index map.
    y = getitem(input, tuple(slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(input.shape, widths, strict=True)))
    xp = get_array_module(input.array)
    for axis, (before, after) in enumerate(widths):
        before, after, n = max(before, 0), max(after, 0), y.shape[axis]
        if not (before or after):
            continue
        if (mode == "reflect" and max(before, after) >= n) or (mode == "circular" and max(before, after) > n) or n == 0:
            raise ValueError(
                f"pad: {mode} padding ({before}, {after}) of dimension {axis} must be smaller than "
                f"its size {n}" + (" (or equal, for circular)" if mode == "circular" else "")
            )
        index = border_index(xp, n, before, after, mode, input.array.device)
        y = getitem(y, (slice(None),) * axis + (Tensor.wrap(index),))
    return y
