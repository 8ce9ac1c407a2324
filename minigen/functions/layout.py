"""Layouts of images and convolution weights, shared by the convolutions and batch norm.

minigen's tensors are NCHW, as PyTorch's: (batch, channels, height, width). The convolutions
and batch norm compute "channels last", (N, H, W, C): one row of C numbers per pixel, so that
a pixel's channels are contiguous (a window copies runs of C numbers; a per-channel vector
broadcasts along the last axis). These helpers move between the two. They only permute axes:
the results are views, and for an NCHW array whose memory is channels-last (what the
convolutions return) the channels-last view is contiguous.
"""

from __future__ import annotations

from typing import Any

from minigen.backend.array_module import get_array_module


def channels_last(x: Any) -> Any:
    """(N, C, *S) -> (N, *S, C): the channel axis moved last (a view; (N, C) is x itself)."""
    if x.ndim == 2:
        return x
    axes = (0, *range(2, x.ndim), 1)
    return get_array_module(x).permute_dims(x, axes)


def channels_first(x: Any) -> Any:
    """The inverse of ``channels_last``: (N, *S, C) -> (N, C, *S), a view."""
    if x.ndim == 2:
        return x
    axes = (0, x.ndim - 1, *range(1, x.ndim - 1))
    return get_array_module(x).permute_dims(x, axes)


def pixel_rows(x: Any) -> Any:
    """(N, C, H, W) -> (N, H*W, C): each image as one row of C numbers per pixel. With one
    channel that is x's own order, a reshape; else the channels-last view, reshaped (free when
    x's memory is channels-last)."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    return xp.reshape(x if c == 1 else channels_last(x), (n, h * w, c))


def taps_last(w: Any) -> Any:
    """A weight (A, B, kh, kw) as (A, kh, kw, B): its taps in the order (i, j, b) of a
    convolution's windows (minigen/functions/im2col.py), channel fastest."""
    return get_array_module(w).permute_dims(w, (0, 2, 3, 1))
