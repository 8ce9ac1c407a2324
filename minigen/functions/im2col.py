r"""im2col and col2im: a convolution's windows gathered at once, and the adjoint of that copy.

A 2-D convolution slides a kh x kw window over the zero-padded image. ``windows`` copies every
window out of the image; as a matrix, ``im2col``, that is one row per window and one column
per weight tap, and the whole convolution becomes one matrix product with the weight (one
big BLAS call instead of a loop over pixels):

    rows:    one per output pixel, ordered (n, oh, ow)             -> N * OH * OW rows
    columns: one per weight tap,   ordered (i, j, c) (kernel row,  -> kh * kw * C columns
             kernel column, channel)

Output size of a convolution with kernel k, stride s and padding p, per spatial dimension:

    OH = floor((H + 2 p - k) / s) + 1

The columns are ordered (i, j, c), channel fastest, rather than PyTorch's weight order
(c, i, j), because the image is read channels last (N, H*W, C): each tap then copies one
row of C contiguous numbers.

Which pixel each entry copies depends only on the sizes, the kernel, the stride and the
padding. So it is worked out once, in plain Python (``window_index``: window (a, b) reads
padded pixel (a*sh + i, b*sw + j) at tap (i, j), which is image pixel (a*sh + i - ph, ...) or
a padding zero), kept on the device as an integer array (``index_on``), and the copy is ONE
``take`` along the pixel axis (``gather``): one array operation, on a GPU one kernel, for any
kernel size. A padding zero is read from a row of zeros appended to the pixels.

``col2im`` is the adjoint (the transpose) of ``im2col``: it adds every window back into the
place it was copied from. Where windows overlap (stride < kernel), several (window, tap)
pairs land on one pixel and their contributions add up. So

    <im2col(x), Y> = <x, col2im(Y)>     for every x and Y,

which is exactly what the gradient of a convolution with respect to its input needs, and what
the transposed convolution's forward is (see docs/derivations/conv2d.md). It is computed as a
gather too, from the other side: ``pixel_index`` lists, for every pixel, the (window, tap)
pairs that copied it (at most T = ceil(kh/sh) * ceil(kw/sw) of them; fewer at the borders,
filled with the zero row), one ``take`` reads them all, and a sum over the T of them adds
them up. No overlapping += passes.
"""

from __future__ import annotations

from typing import Any

from minigen.backend.array_module import get_array_module
from minigen.functions.constants import filled
from minigen.functions.layout import pixel_rows

Pair = tuple[int, int]

#: (index builder, geometry, array type, device) -> (index array, whether it reads the zeros)
_INDEXES: dict[tuple[Any, ...], tuple[Any, bool]] = {}
_MAX_ENTRIES = 256  # a sweep over many sizes must not grow the cache without end


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """OH = floor((H + 2 p - k) / s) + 1: how many window positions fit along one dimension."""
    return (size + 2 * padding - kernel) // stride + 1


# -- which pixel each entry reads: plain Python, once per geometry ------------------------------
def window_index(h: int, w: int, kernel: Pair, stride: Pair, padding: Pair
                 ) -> tuple[list[int], int]:
    """For every window (a, b) and tap (i, j), in that order: the pixel y * w + x of an h x w
    image that it reads, with y = a*sh + i - ph, x = b*sw + j - pw; or h * w (a padding
    zero) where (y, x) lies outside. Returns the positions and h * w."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    ys = [[a * sh + i - ph for i in range(kh)] for a in range(oh)]
    xs = [[b * sw + j - pw for j in range(kw)] for b in range(ow)]
    zero = h * w
    positions = [y * w + x if 0 <= y < h and 0 <= x < w else zero
                 for row in ys for col in xs for y in row for x in col]
    return positions, zero


def pixel_index(h: int, w: int, kernel: Pair, stride: Pair, padding: Pair
                ) -> tuple[list[int], int]:
    """The other way round: for every pixel (y, x), the entries ((a*OW + b)*kh + i)*kw + j of
    the windows array that copied it, T slots per pixel (T the most any pixel gets), ordered
    slot-major (slot t of every pixel, then slot t + 1), unused slots reading the zero
    position OH*OW*kh*kw. Returns the positions and the zero position."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    # Along one axis: the (window, tap) pairs (a, i) with a*s + i - p == y, for each y.
    rows = [[(a, y + ph - a * sh) for a in range(oh) if 0 <= y + ph - a * sh < kh]
            for y in range(h)]
    cols = [[(b, x + pw - b * sw) for b in range(ow) if 0 <= x + pw - b * sw < kw]
            for x in range(w)]
    th, tw = max(map(len, rows)), max(map(len, cols))
    zero = oh * ow * kh * kw
    positions = []
    for t in range(th):
        for u in range(tw):
            for row in rows:
                for col in cols:
                    if t < len(row) and u < len(col):
                        (a, i), (b, j) = row[t], col[u]
                        positions.append(((a * ow + b) * kh + i) * kw + j)
                    else:
                        positions.append(zero)
    return positions, zero


def index_on(build: Any, geometry: tuple[Any, ...], like: Any) -> tuple[Any, bool]:
    """``build(*geometry)``'s positions as an integer array on ``like``'s device, made once per
    geometry and device, and whether they read the zero row."""
    key = (build, geometry, type(like), str(like.device))
    found = _INDEXES.get(key)
    if found is None:
        positions, zero = build(*geometry)
        if len(_INDEXES) >= _MAX_ENTRIES:
            _INDEXES.clear()
        array = get_array_module(like).asarray(positions, device=like.device)
        found = _INDEXES[key] = (array, zero in positions)
    return found


def gather(pixels: Any, index: tuple[Any, bool]) -> Any:
    """``pixels`` (N, L, C) taken along axis 1 at ``index`` (from ``index_on``), position L
    reading a row of zeros: an (N, len(index), C) array, one copy."""
    xp = get_array_module(pixels)
    positions, reads_zero = index
    if reads_zero:
        zero_row = filled((pixels.shape[0], 1, pixels.shape[2]), 0.0, pixels)
        pixels = xp.concat([pixels, zero_row], axis=1)
    return xp.take(pixels, positions, axis=1)


# -- im2col and col2im ---------------------------------------------------------------------------
def windows(x: Any, kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """Every window of the zero-padded ``x`` (N, C, H, W), as an (N, OH, OW, kh, kw, C) array:
    ``windows[n, a, b, i, j, c] = x_padded[n, c, a*sh + i, b*sw + j]``."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    index = index_on(window_index, (h, w, kernel, stride, padding), x)
    return xp.reshape(gather(pixel_rows(x), index), (n, oh, ow, kh, kw, c))


def im2col(x: Any, kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """The windows of ``x`` (N, C, H, W) as a matrix of shape (N*OH*OW, kh*kw*C).

    Row (n, oh, ow), column (i, j, c) holds x_padded[n, c, oh*sh + i, ow*sw + j].
    """
    cols = windows(x, kernel, stride, padding)
    return get_array_module(cols).reshape(cols, (-1, kernel[0] * kernel[1] * x.shape[1]))


def col2im(cols: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """The adjoint of ``im2col``: add each window's entries back onto the pixels they copied.

    ``cols`` holds N*OH*OW*kh*kw*C numbers in the order of ``windows`` (the (N*OH*OW, K)
    matrix or the 6-d array), with OH, OW the conv output size of an image of shape
    ``x_shape`` = (N, C, H, W). The result is that image channels last, (N, H, W, C)
    (``layout.channels_first`` views it as NCHW). Pixels that no window covers (rows cut off by
    the floor in the output-size formula) get 0, and the padding's entries are dropped.
    """
    xp = get_array_module(cols)
    n, c, h, w = x_shape
    positions = index_on(pixel_index, (h, w, kernel, stride, padding), cols)
    slots = positions[0].shape[0] // (h * w)  # T: the most (window, tap) pairs of any pixel
    entries = xp.reshape(cols, (n, -1, c))  # (N, OH*OW*kh*kw, C)
    if slots == 1:  # no window overlaps another: nothing to add up
        return xp.reshape(gather(entries, positions), (n, h, w, c))
    copies = xp.reshape(gather(entries, positions), (n, slots, h, w, c))
    return xp.sum(copies, axis=1)
