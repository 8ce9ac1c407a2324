r"""2-D max and average pooling of (N, C, H, W), window by window.

A pooling window of kh x kw slides with a stride over the padded image, as a convolution's
does, but each channel is pooled on its own. Both Functions loop over the kh * kw offsets (i, j)
of the window: for each offset ONE strided slice of the padded image holds that tap of every
window, (N, C, OH, OW). The loop is over the window (4 or 9 offsets), never over pixels.

    max:      y = max over offsets of the taps      dL/dx: all of dL/dy to the tap that won
    average:  y = (sum over offsets of taps) / d    dL/dx: dL/dy / d to every tap

Where windows overlap (stride < kernel) a pixel is a tap of several windows and receives the
sum of their gradients, which the += per offset does. Derivation: docs/derivations/pooling.md.
"""

from __future__ import annotations

import math
from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module

Pair = tuple[int, int]


def pool_output_size(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
    """PyTorch's rule: floor((size + 2p - k) / s) + 1, or ceil with ``ceil_mode``, where a last
    window must still start inside the image or its left padding."""
    span = size + 2 * padding - kernel
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _tap(i: int, j: int, out: Pair, stride: Pair) -> tuple[Any, ...]:
    """The slice of the padded image holding offset (i, j) of every window: (N, C, OH, OW)."""
    (oh, ow), (sh, sw) = out, stride
    return (..., slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw))


class _Windows:
    """What both poolings share: the output size, the padded image, the window offsets."""

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair, ceil_mode: bool) -> None:
        super().__init__()  # Function's, next in the poolings' method order
        self.kernel, self.stride, self.padding, self.ceil_mode = kernel, stride, padding, ceil_mode

    def padded(self, x: Any, fill: float) -> Any:
        """x inside a border of ``fill``: the padding, plus on the bottom and right whatever a
        ceil_mode window reaches past it."""
        xp = get_array_module(x)
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        self.x_shape = x.shape
        self.out = (pool_output_size(h, kh, sh, ph, self.ceil_mode),
                    pool_output_size(w, kw, sw, pw, self.ceil_mode))
        self.size = (max(h + 2 * ph, (self.out[0] - 1) * sh + kh),
                     max(w + 2 * pw, (self.out[1] - 1) * sw + kw))
        if self.size == (h, w):
            return x
        padded = xp.full((n, c) + self.size, fill, dtype=x.dtype, device=x.device)
        padded[..., ph : ph + h, pw : pw + w] = x
        return padded

    def offsets(self) -> list[Pair]:
        return [(i, j) for i in range(self.kernel[0]) for j in range(self.kernel[1])]

    def unpad(self, g: Any) -> Any:
        """The part of a padded-image gradient that belongs to the image itself."""
        (ph, pw), (h, w) = self.padding, self.x_shape[2:]
        return g[..., ph : ph + h, pw : pw + w]


class MaxPool2d(_Windows, Function):
    r"""y[n, c, a, b] = max over the window (a, b) of x_padded[n, c, :, :] (padding is -inf).

    dL/dx = dL/dy routed to the tap that holds the maximum (the first in row-major window
    order on a tie, as PyTorch), summed where windows overlap; 0 to every other tap.
    """

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        padded = self.padded(x, -math.inf)
        taps = xp.stack([padded[_tap(i, j, self.out, self.stride)] for i, j in self.offsets()])
        self.winner = xp.argmax(taps, axis=0)  # offset number k = i * kw + j of each maximum
        return xp.max(taps, axis=0)

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        g = xp.zeros(self.x_shape[:2] + self.size, dtype=gy.dtype, device=gy.device)
        for k, (i, j) in enumerate(self.offsets()):
            tap = _tap(i, j, self.out, self.stride)
            g[tap] = g[tap] + gy * xp.astype(self.winner == k, gy.dtype)
        return self.unpad(g)


class AvgPool2d(_Windows, Function):
    r"""y[n, c, a, b] = (sum over the window (a, b) of x_padded[n, c, :, :]) / d[a, b].

    d is ``divisor_override`` when given; otherwise the window's size counting the zero
    padding (``count_include_pad``) or only the pixels of the image, in either case without
    the part of a ceil_mode window that hangs past the padding (PyTorch's rule).
    dL/dx = dL/dy[a, b] / d[a, b] to every tap of window (a, b), summed where windows overlap.
    """

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair, ceil_mode: bool,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__(kernel, stride, padding, ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        padded = self.padded(x, 0.0)
        total = None
        for i, j in self.offsets():
            tap = padded[_tap(i, j, self.out, self.stride)]
            total = tap if total is None else total + tap
        self.divisor = self._divisor(xp, x)
        return total / self.divisor

    def _divisor(self, xp: Any, x: Any) -> Any:
        if self.divisor_override:
            return self.divisor_override
        (ph, pw), (h, w) = self.padding, x.shape[2:]
        counted = xp.zeros(self.size, dtype=x.dtype, device=x.device)
        if self.count_include_pad:
            counted[: h + 2 * ph, : w + 2 * pw] = 1.0
        else:
            counted[ph : ph + h, pw : pw + w] = 1.0
        counts = None
        for i, j in self.offsets():
            tap = counted[_tap(i, j, self.out, self.stride)[1:]]
            counts = tap if counts is None else counts + tap
        return counts  # (OH, OW): broadcasts over N and C

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        share = gy / self.divisor
        g = xp.zeros(self.x_shape[:2] + self.size, dtype=gy.dtype, device=gy.device)
        for i, j in self.offsets():
            tap = _tap(i, j, self.out, self.stride)
            g[tap] = g[tap] + share
        return self.unpad(g)


def max_pool_indices(x: Any, kernel: Pair, stride: Pair, padding: Pair, ceil_mode: bool) -> Any:
    """PyTorch's ``return_indices``: for each maximum, its flat position h * W + w in its
    (H, W) image plane, as int64 (what ``max_unpool2d`` takes)."""
    xp = get_array_module(x)
    pool = MaxPool2d(kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    pool.forward(x)
    (oh, ow), (sh, sw), (ph, pw), kw = pool.out, stride, padding, kernel[1]
    i, j = pool.winner // kw, pool.winner % kw
    rows = xp.reshape(xp.arange(oh, device=x.device), (oh, 1)) * sh - ph + i
    cols = xp.reshape(xp.arange(ow, device=x.device), (1, ow)) * sw - pw + j
    return xp.astype(rows * x.shape[3] + cols, xp.int64)
