r"""im2col and col2im: convolution as one matrix product, and its adjoint.

A 2-D convolution slides a kh x kw window over the (zero-padded) image. ``im2col`` copies every
window into one row of a matrix, so the whole convolution becomes one matrix product with the
weight matrix (one big BLAS call instead of a loop over pixels):

    rows:    one per output pixel, ordered (n, oh, ow)             -> N * OH * OW rows
    columns: one per weight tap,   ordered (i, j, c) (kernel row,  -> kh * kw * C columns
             kernel column, channel)

Output size of a convolution with kernel k, stride s and padding p, per spatial dimension:

    OH = floor((H + 2 p - k) / s) + 1

The columns are ordered (i, j, c), channel fastest, rather than PyTorch's weight order
(c, i, j), because then each copy below moves runs of C contiguous numbers: the image is viewed
channels-last (N, H, W, C) and every kernel offset (i, j) is ONE strided slice of it. The loop
runs over the kh * kw kernel offsets only; images and output pixels are never looped over,
except when there are fewer output pixels than kernel offsets (a 7x7 kernel over a 7x7 image:
one window, 49 offsets), where copying whole windows makes fewer, larger copies.

``col2im`` is the adjoint (the transpose) of ``im2col``: it adds every row back into the window
it was copied from. Where windows overlap (stride < kernel), the contributions add up. So

    <im2col(x), Y> = <x, col2im(Y)>     for every x and Y,

which is exactly what the gradient of a convolution with respect to its input needs, and what
the transposed convolution's forward is (see docs/derivations/conv2d.md).

Both of those apply col2im to a matrix product, col2im(R @ W_mat). ``col2im_matmul`` computes
the same thing one kernel offset at a time, R @ W_ij for the (A, C) block of W_mat that offset
owns, so the (M, kh*kw*C) product is never stored: it would be the largest array of the whole
layer (25 MB for the DCGAN's transposed conv), and writing it, then reading it back, costs more
than the products themselves. (Unless it is small: with one output channel, the whole product
is a thin matrix, and one product followed by col2im is faster than 16 products by a vector.)
"""

from __future__ import annotations

from typing import Any

from minigen.backend.array_module import get_array_module

Pair = tuple[int, int]


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """OH = floor((H + 2 p - k) / s) + 1: how many window positions fit along one dimension."""
    return (size + 2 * padding - kernel) // stride + 1


def _window(start: int, count: int, stride: int) -> slice:
    # The positions start, start + s, ..., start + s (count - 1): one tap of every window.
    return slice(start, start + stride * (count - 1) + 1, stride)


def im2col(x: Any, kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """Windows of ``x`` (N, C, H, W) as rows: a matrix of shape (N*OH*OW, kh*kw*C).

    Row (n, oh, ow), column (i, j, c) holds x_padded[n, c, oh*sh + i, ow*sw + j]. ``x`` may be
    any strided view; a channels-last memory layout makes the first copy free.
    """
    xp = get_array_module(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    channels_last = xp.permute_dims(x, (0, 2, 3, 1))
    if ph or pw:
        # Zero padding written as zeros + one slice assignment (no pad function in the standard).
        padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype, device=x.device)
        padded[:, ph : ph + h, pw : pw + w, :] = channels_last
    else:
        padded = channels_last
    cols = xp.empty((n, oh, ow, kh, kw, c), dtype=x.dtype, device=x.device)
    if oh * ow < kh * kw:  # fewer windows than kernel offsets: copy window by window instead
        for a in range(oh):
            for b in range(ow):
                cols[:, a, b, :, :, :] = padded[:, a * sh : a * sh + kh, b * sw : b * sw + kw, :]
    else:
        for i in range(kh):
            for j in range(kw):
                cols[:, :, :, i, j, :] = padded[:, _window(i, oh, sh), _window(j, ow, sw), :]
    return xp.reshape(cols, (n * oh * ow, kh * kw * c))


def col2im(cols: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """The adjoint of ``im2col``: add each row of ``cols`` back into its window of an image.

    ``cols`` has shape (N*OH*OW, kh*kw*C) with OH, OW the conv output size of an image of
    shape ``x_shape`` = (N, C, H, W); the result has shape ``x_shape``. Positions that no window
    covers (rows cut off by the floor in the output-size formula) get 0.

    The result is a channels-last array viewed as (N, C, H, W): no copy back to NCHW order, the
    next operation reads it through its strides.
    """
    xp = get_array_module(cols)
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    windows = xp.reshape(cols, (n, oh, ow, kh, kw, c))
    padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype, device=cols.device)
    if oh * ow < kh * kw:  # fewer windows than kernel offsets: add window by window instead
        for a in range(oh):
            for b in range(ow):
                padded[:, a * sh : a * sh + kh, b * sw : b * sw + kw, :] += windows[:, a, b, ...]
    else:
        for i in range(kh):
            for j in range(kw):
                # Overlapping windows (stride < kernel) hit a position several times: +=, not =.
                padded[:, _window(i, oh, sh), _window(j, ow, sw), :] += windows[:, :, :, i, j, :]
    return xp.permute_dims(padded[:, ph : ph + h, pw : pw + w, :], (0, 3, 1, 2))


def weight_matrix(w: Any) -> Any:
    """(A, B, kh, kw) -> (A, kh*kw*B): one row per A, taps ordered (i, j, b) as im2col's."""
    xp = get_array_module(w)
    return xp.reshape(xp.permute_dims(w, (0, 2, 3, 1)), (w.shape[0], -1))


def weight_taps(w: Any) -> Any:
    """(A, C, kh, kw) -> (kh*kw, A, C): one contiguous (A, C) matrix per kernel offset (i, j).

    taps[i*kw + j] is the block of columns (i, j, :) of the (A, kh*kw*C) weight matrix.
    """
    xp = get_array_module(w)
    a, c, kh, kw = w.shape
    return xp.reshape(xp.permute_dims(w, (2, 3, 0, 1)), (kh * kw, a, c))


def col2im_matmul(
    rows: Any, weight: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> Any:
    """col2im(rows @ W_mat), computed without storing the (M, kh*kw*C) matrix rows @ W_mat.

    ``rows`` is (N*OH*OW, A) and ``weight`` the (A, C, kh, kw) weight, W_mat its
    ``weight_matrix``. The columns (i, j, :) of rows @ W_mat are rows @ taps[i*kw + j], so each
    offset's product is added into its window positions as soon as it is made (an (M, C) array
    that stays small).

    When the whole product is no larger than ``rows`` (few channels C, such as the one channel of
    an image), kh*kw thin products would each read all of ``rows`` for little arithmetic: one
    product, then col2im, is faster. The same holds when there are fewer windows than offsets.
    """
    xp = get_array_module(rows)
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    if kh * kw * c <= rows.shape[1] or oh * ow < kh * kw:
        return col2im(rows @ weight_matrix(weight), x_shape, kernel, stride, padding)
    taps = weight_taps(weight)
    padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=rows.dtype, device=rows.device)
    for i in range(kh):
        for j in range(kw):
            block = xp.reshape(rows @ taps[i * kw + j, ...], (n, oh, ow, c))
            padded[:, _window(i, oh, sh), _window(j, ow, sw), :] += block
    return xp.permute_dims(padded[:, ph : ph + h, pw : pw + w, :], (0, 3, 1, 2))
