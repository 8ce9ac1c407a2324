"""Layouts of images and convolution weights, shared by the convolutions and batch norm.

minigen's tensors are NCHW, as PyTorch's: (batch, channels, height, width). The convolutions
and batch norm compute "channels last": one row of C numbers per pixel, (N, H, W, C), so that
a pixel's channels are contiguous (a window copies runs of C numbers; a per-channel vector
broadcasts along rows). These helpers move between the two. They only permute and reshape:
for an NCHW array whose memory is channels-last (what the convolutions return), they are
views, and a round trip copies nothing.
"""

from __future__ import annotations

from typing import Any

from minigen.backend.array_module import get_array_module


def channels_last(x: Any) -> Any:
    """(N, C, *S) -> (N, *S, C): the channel axis moved last (a view)."""
    axes = (0, *range(2, x.ndim), 1)
    return get_array_module(x).permute_dims(x, axes)


def channels_first(x: Any) -> Any:
    """The inverse of ``channels_last``: (N, *S, C) -> (N, C, *S), a view."""
    axes = (0, x.ndim - 1, *range(1, x.ndim - 1))
    return get_array_module(x).permute_dims(x, axes)


def channel_rows(x: Any) -> Any:
    """(N, C, *S) -> (N * prod(S), C): one row per pixel, one column per channel.
    An (N, C) array already is its rows."""
    if x.ndim == 2:
        return x
    return get_array_module(x).reshape(channels_last(x), (-1, x.shape[1]))


def from_channel_rows(rows: Any, shape: tuple[int, ...]) -> Any:
    """The inverse of ``channel_rows``: (m, C) back to ``shape`` = (N, C, *S)."""
    if len(shape) == 2:
        return rows
    n, c, spatial = shape[0], shape[1], tuple(shape[2:])
    return channels_first(get_array_module(rows).reshape(rows, (n, *spatial, c)))


def taps_last(w: Any) -> Any:
    """A weight (A, B, kh, kw) as (A, kh, kw, B): its taps in the order (i, j, b) of a
    convolution's windows (minigen/functions/im2col.py), channel fastest."""
    return get_array_module(w).permute_dims(w, (0, 2, 3, 1))
