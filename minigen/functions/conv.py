r"""2-D convolution and transposed convolution: windows, one product, and col2im.

With the windows of x (``im2col.windows``: windows[n, a, b, i, j, c] = x_pad[n, c, a*s + i,
b*s + j]) a convolution is one contraction with the weight W (C_out, C_in, kh, kw):

    y[n, o, a, b] = b[o] + sum_{i, j, c} windows[n, a, b, i, j, c] W[o, c, i, j]

which, with the windows as a matrix X_col (one row per output pixel) and W as a matrix W_mat
(one row per output channel, taps in the same (i, j, c) order), is the product

    Y_mat = X_col W_mat^T + b        (N*OH*OW, C_out), viewed as (N, C_out, OH, OW).

``tensordot`` computes it from the arrays as they are: the contraction axes say which tap of W
meets which column of X_col, so no weight matrix is built. Its three gradients are the
gradients of a matrix product, with col2im (the adjoint of im2col) carrying the input gradient
from windows back to pixels:

    dL/dW_mat = dL/dY_mat^T X_col        dL/db = sum over rows of dL/dY_mat
    dL/dx     = col2im(dL/dY_mat W_mat)

The transposed convolution is the adjoint of that map: its forward is the convolution's input
gradient (a product with W_mat, then col2im) and its input gradient is the convolution's
forward (windows, then a product with W_mat^T). Derivations: docs/derivations/conv2d.md and
conv_transpose2d.md.

``col2im_of_product`` is the one place that computes col2im(G W_mat), for both; where the
sub-pixel form fits and pays (minigen/functions/subpixel.py) it takes that faster path to the
same numbers.

A kernel as large as the unpadded image has one window: the convolution is a fully connected
layer over (C, kh, kw), one contraction with no copy (the DCGAN discriminator's last layer, and
the generator's first as a transposed convolution of a 1x1 input).

Layout: the results are computed channels last and returned as NCHW views of that memory
(minigen/functions/layout.py), without a transposing copy.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.im2col import Pair, col2im, windows
from minigen.functions.layout import channels_first, taps_last
from minigen.functions.subpixel import col2im_matmul_subpixel, subpixel_pays


def col2im_of_product(grid: Any, w: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair,
                      padding: Pair) -> Any:
    """col2im(G W_mat) for the grid ``grid`` (N, A, OH, OW) of A-vectors and ``w`` (A, C, kh, kw):
    the (N, H, W, C) image (channels last) of ``x_shape`` = (N, C, H, W)."""
    if subpixel_pays(x_shape, kernel, stride, padding, grid.shape[1]):  # same numbers, faster
        return col2im_matmul_subpixel(grid, w, x_shape, kernel, stride, padding)
    # (G W_mat)[n, a, b, i, j, c] = sum_o G[n, o, a, b] W[o, c, i, j], in the windows' order
    # (i, j, c); with one channel c, W's own order (c, i, j) is that order already
    taps = w if w.shape[1] == 1 else taps_last(w)
    product = get_array_module(grid).tensordot(grid, taps, axes=([1], [0]))
    return col2im(product, x_shape, kernel, stride, padding)


def one_window(x_shape: tuple[int, ...], kernel: Pair, padding: Pair) -> bool:
    """Whether the kernel covers the whole (unpadded) image: one window, a dense layer."""
    return padding == (0, 0) and tuple(x_shape[2:]) == tuple(kernel)


class Conv2d(Function):
    r"""y = conv2d(x, W) + b, x (N, C_in, H, W), W (C_out, C_in, kh, kw), b (C_out,).

    y[n, o, a, b] = b[o] + sum_{c, i, j} W[o, c, i, j] x_pad[n, c, a*sh + i, b*sw + j]
    Output size: OH = floor((H + 2 ph - kh) / sh) + 1 (and the same for OW).

    Local derivatives (X_col = im2col(x), W_mat = W as a (C_out, K) matrix, G = dL/dy as an
    (N*OH*OW, C_out) matrix):

        dL/dW = G^T X_col            (reshaped to W's shape)
        dL/db = sum_{n, a, b} dL/dy[n, :, a, b]
        dL/dx = col2im(G W_mat)      (the adjoint of im2col)
    """

    def __init__(self, stride: Pair, padding: Pair) -> None:
        super().__init__()
        self.stride, self.padding = stride, padding

    def forward(self, x: Any, w: Any, b: Any = None) -> Any:
        xp = get_array_module(x)
        self.x_shape, self.w = x.shape, w  # w kept for dL/dx
        self.kernel = (w.shape[2], w.shape[3])
        if one_window(x.shape, self.kernel, self.padding):
            self.x = x  # kept for dL/dW
            y = xp.tensordot(x, w, axes=([1, 2, 3], [1, 2, 3]))  # (N, C_out)
            if b is not None:
                y += b
            return xp.reshape(y, y.shape + (1, 1))
        self.cols = windows(x, self.kernel, self.stride, self.padding)  # kept for dL/dW
        # Y_mat = X_col W_mat^T: the windows' taps (i, j, c) against W's axes (2, 3, 1)
        y = xp.tensordot(self.cols, w, axes=([3, 4, 5], [2, 3, 1]))  # (N, OH, OW, C_out)
        if b is not None:
            y += b  # y is a fresh array: add the bias in place, pixel by pixel
        return channels_first(y)

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        xp = get_array_module(gy)
        need_x, need_w = self.needs_input_grad[0], self.needs_input_grad[1]
        need_b = len(self.needs_input_grad) > 2 and self.needs_input_grad[2]
        gx = gw = gb = None
        if one_window(self.x_shape, self.kernel, self.padding):
            g = xp.reshape(gy, gy.shape[:2])  # (N, C_out)
            gx = xp.tensordot(g, self.w, axes=([1], [0])) if need_x else None
            gw = xp.tensordot(g, self.x, axes=([0], [0])) if need_w else None
            gb = xp.sum(g, axis=0) if need_b else None
            return gx, gw, gb
        if need_x:
            gx = channels_first(col2im_of_product(gy, self.w, self.x_shape, self.kernel,
                                                  self.stride, self.padding))
        if need_w:
            # G^T X_col: summed over (n, a, b); (C_out, i, j, c) back to W's (C_out, c, i, j)
            gw = xp.tensordot(gy, self.cols, axes=([0, 2, 3], [0, 1, 2]))
            gw = xp.permute_dims(gw, (0, 3, 1, 2))
        if need_b:
            gb = xp.sum(gy, axis=(0, 2, 3))
        return gx, gw, gb


class ConvTranspose2d(Function):
    r"""y = conv_transpose2d(x, W) + b, x (N, C_in, H, W), W (C_in, C_out, kh, kw), b (C_out,).

    The adjoint of Conv2d with weight W (a conv from C_out to C_in channels): y is what Conv2d's
    input gradient would be for an upstream gradient x, so
        y = col2im(X_rows W_mat) + b,    X_rows = x as (N*H*W, C_in), W_mat = W as (C_in, K).
    Output size: H_out = (H - 1) sh - 2 ph + kh + output_padding (and the same for W_out);
    output_padding (< stride) picks one of the s sizes that a stride-s Conv2d maps to H.

    Local derivatives (the adjoint's derivatives are the convolution's forward):

        dL/dx = dL/dY_col W_mat^T      with dL/dY_col = im2col(dL/dy)   (a Conv2d of dL/dy)
        dL/dW = X_rows^T dL/dY_col     (reshaped to W's shape)
        dL/db = sum_{n, a, b} dL/dy[n, :, a, b]
    """

    def __init__(self, stride: Pair, padding: Pair, output_padding: Pair) -> None:
        super().__init__()
        self.stride, self.padding, self.output_padding = stride, padding, output_padding

    def forward(self, x: Any, w: Any, b: Any = None) -> Any:
        xp = get_array_module(x)
        n, _, h, wd = x.shape
        self.kernel = (w.shape[2], w.shape[3])
        (sh, sw), (ph, pw), (oph, opw) = self.stride, self.padding, self.output_padding
        self.out_shape = (n, w.shape[1], (h - 1) * sh - 2 * ph + self.kernel[0] + oph,
                          (wd - 1) * sw - 2 * pw + self.kernel[1] + opw)
        self.x_shape, self.x, self.w = x.shape, x, w  # x kept for dL/dW, w for dL/dx
        if one_window(self.out_shape, self.kernel, self.padding):  # a 1x1 input
            self.x = xp.reshape(x, x.shape[:2])  # (N, C_in)
            y = xp.tensordot(self.x, w, axes=([1], [0]))  # (N, C_out, kh, kw)
            if b is not None:
                y += xp.reshape(b, (-1, 1, 1))
            return y
        # col2im(X_rows W_mat): the textbook map, or its sub-pixel form where that pays
        y = col2im_of_product(x, w, self.out_shape, self.kernel, self.stride, self.padding)
        if b is not None:
            y += b  # y is a fresh channels-last array: add the bias in place, pixel by pixel
        return channels_first(y)

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        xp = get_array_module(gy)
        need_x, need_w = self.needs_input_grad[0], self.needs_input_grad[1]
        need_b = len(self.needs_input_grad) > 2 and self.needs_input_grad[2]
        gx = gw = gb = None
        if one_window(self.out_shape, self.kernel, self.padding):
            if need_x:
                gx = xp.tensordot(gy, self.w, axes=([1, 2, 3], [1, 2, 3]))  # (N, C_in)
                gx = xp.reshape(gx, self.x_shape)
            gw = xp.tensordot(self.x, gy, axes=([0], [0])) if need_w else None
        elif need_x or need_w:
            cols = windows(gy, self.kernel, self.stride, self.padding)  # dL/dY_col, one per x pixel
            if need_x:
                # dL/dY_col W_mat^T: the windows' taps (i, j, c) against W's axes (2, 3, 1)
                gx = channels_first(xp.tensordot(cols, self.w, axes=([3, 4, 5], [2, 3, 1])))
            if need_w:
                # X_rows^T dL/dY_col: (C_in, i, j, c) back to W's (C_in, c, i, j)
                gw = xp.tensordot(self.x, cols, axes=([0, 2, 3], [0, 1, 2]))
                gw = xp.permute_dims(gw, (0, 3, 1, 2))
        if need_b:
            gb = xp.sum(gy, axis=(0, 2, 3))
        return gx, gw, gb
