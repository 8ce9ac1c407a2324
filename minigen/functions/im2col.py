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

Both of those apply col2im to a matrix product, col2im(R @ W_mat). ``col2im_matmul`` computes the
same thing as a *sub-pixel convolution* when the stride divides the kernel and the windows cover
the padded image exactly (``subpixel_fits``: the 4x4, stride 2 layers of every model here) and
the product is wide enough to pay (``subpixel_pays``: s*s*C >= 64): output pixels fall into s*s
phases by their position modulo the stride, each phase receives exactly (kh/s) * (kw/s) of the
taps, and so the whole map is ONE stride-1 im2col of the (small) input grid, ONE product with the
taps regrouped by phase, and a "pixel shuffle" that interleaves the s*s phase images. No
overlapping += passes, and one large, well-shaped product instead of a long thin one (see
``col2im_matmul_subpixel``). Everywhere else it stores the full product R @ W_mat, then col2im.
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
    next operation reads it through its strides. As in ``im2col``, fewer windows than kernel
    offsets are added window by window, and one window that covers the whole padded image (a
    7x7 kernel over a 7x7 image, unpadded) is only a reshape.
    """
    xp = get_array_module(cols)
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    if (oh, ow) == (1, 1) and (kh, kw) == (h + 2 * ph, w + 2 * pw):
        # One window that covers the whole padded image: nothing overlaps, col2im is a reshape.
        whole = xp.reshape(cols, (n, kh, kw, c))
        return xp.permute_dims(whole[:, ph : ph + h, pw : pw + w, :], (0, 3, 1, 2))
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


def subpixel_weight(w: Any, stride: Pair) -> Any:
    """(A, C, kh, kw) -> (th*tw*A, sh*sw*C), th = kh/sh and tw = kw/sw: the taps by phase.

    Kernel row i = d*sh + r splits into a phase r (which output rows it reaches, by their
    remainder mod sh) and a step d (how many grid rows back its input lies). Row (e_i, e_j, a)
    of the result, column (r_i, r_j, c), holds W[a, c, (th-1-e_i)*sh + r_i, (tw-1-e_j)*sw + r_j]:
    window offset e = th-1-d, because the window that im2col reads runs forwards in the grid
    while d counts backwards.
    """
    xp = get_array_module(w)
    a, c, kh, kw = w.shape
    (sh, sw) = stride
    th, tw = kh // sh, kw // sw
    steps = xp.flip(xp.reshape(w, (a, c, th, sh, tw, sw)), axis=(2, 4))  # (a, c, e_i, r_i, e_j, r_j)
    return xp.reshape(xp.permute_dims(steps, (2, 4, 0, 3, 5, 1)), (th * tw * a, sh * sw * c))


def subpixel_fits(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> bool:
    """Whether ``col2im_matmul_subpixel`` can compute this map: the stride divides the kernel,
    the windows cover the padded image exactly (no rows cut off by the floor in the output
    size), and the grid is no smaller than a window."""
    _, _, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    if kh % sh or kw % sw:
        return False
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    exact = (oh - 1) * sh + kh == h + 2 * ph and (ow - 1) * sw + kw == w + 2 * pw
    return exact and kh // sh <= oh and kw // sw <= ow


def subpixel_pays(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> bool:
    """Whether the sub-pixel form is also the faster one: its product must be wide
    (sh*sw*C >= 64 columns; for one output channel it would be a thin product, slower than one
    product followed by col2im). A grid smaller than a window (a 7x7 kernel over a 1x1 input)
    is excluded by ``subpixel_fits``: padding it by th-1 would multiply the work."""
    return subpixel_fits(x_shape, kernel, stride, padding) and stride[0] * stride[1] * x_shape[1] >= 64


def col2im_matmul(
    rows: Any, weight: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> Any:
    """col2im(rows @ W_mat): the sub-pixel way where it applies, else the product, then col2im.

    ``rows`` is (N*OH*OW, A) and ``weight`` the (A, C, kh, kw) weight, W_mat its
    ``weight_matrix``; the result has shape ``x_shape`` = (N, C, H, W).
    """
    if subpixel_pays(x_shape, kernel, stride, padding):
        return col2im_matmul_subpixel(rows, weight, x_shape, kernel, stride, padding)
    return col2im(rows @ weight_matrix(weight), x_shape, kernel, stride, padding)


def col2im_matmul_subpixel(
    rows: Any, weight: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> Any:
    r"""col2im(rows @ W_mat) as a stride-1 convolution of the grid, then a pixel shuffle.

    col2im adds row (n, oh, ow) of the product into the padded image at (oh*sh + i, ow*sw + j)
    for every tap (i, j). Along one axis, write the image position as y = s*q + r (phase r < s)
    and the tap as i = s*d + r: then y = s*oh + i means q = oh + d, so

        padded[s*q + r] = sum_{d < t} rows[q - d] @ W[..., s*d + r]          (t = k / s)

    For each phase r this is a stride-1 correlation of the grid of rows with t taps. So: pad
    the (N, OH, OW, A) grid of rows by t-1 on each side, take its t x t windows with im2col
    (QH = OH + t - 1 of them per column), multiply once by ``subpixel_weight`` (every phase's
    taps side by side), and read the result (N, QH, QW, sh, sw, C) as the padded image
    (N, QH*sh, QW*sw, C) by interleaving the phases. Needs ``subpixel_fits``.
    """
    xp = get_array_module(rows)
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    th, tw = kh // sh, kw // sw
    grid = xp.permute_dims(xp.reshape(rows, (n, oh, ow, rows.shape[1])), (0, 3, 1, 2))
    windows = im2col(grid, (th, tw), (1, 1), (th - 1, tw - 1))  # (N*QH*QW, th*tw*A)
    qh, qw = oh + th - 1, ow + tw - 1
    phases = xp.reshape(windows @ subpixel_weight(weight, stride), (n, qh, qw, sh, sw, c))
    # The pixel shuffle: padded[n, s*q + r, s*q' + r', c] = phases[n, q, q', r, r', c].
    shuffled = xp.reshape(xp.permute_dims(phases, (0, 1, 3, 2, 4, 5)), (n, qh * sh, qw * sw, c))
    return xp.permute_dims(shuffled[:, ph : ph + h, pw : pw + w, :], (0, 3, 1, 2))
