r"""2-D convolution and transposed convolution, each one matrix product around im2col/col2im.

With X_col = im2col(x) of shape (M, K) (M = N*OH*OW windows, K = kh*kw*C_in taps) and the weight
as a matrix W_mat of shape (C_out, K), a convolution is

    Y_mat = X_col W_mat^T + b        (M, C_out), then viewed as (N, C_out, OH, OW).

Its three gradients are the gradients of a matrix product, with col2im (the adjoint of im2col)
carrying the input gradient from windows back to pixels:

    dL/dW_mat = dL/dY_mat^T X_col        dL/db = sum over rows of dL/dY_mat
    dL/dx     = col2im(dL/dY_mat W_mat)

The transposed convolution is the adjoint of that map: its forward is the convolution's input
gradient (a product with W_mat, then col2im) and its input gradient is the convolution's forward
(im2col, then a product with W_mat^T). Derivations: docs/derivations/conv2d.md and
conv_transpose2d.md.

Both products that feed col2im (the convolution's input gradient, the transposed convolution's
forward) go through ``col2im_matmul`` (minigen/functions/im2col.py). Where the sub-pixel form
fits and pays (the stride divides the kernel, the windows cover the padded image exactly, and
s*s*C >= 64), it computes col2im(R W_mat) as one stride-1 im2col of the small grid R, one product
and a pixel shuffle, without forming R W_mat and without overlapping += passes. Otherwise (the
stride does not divide the kernel, the windows do not cover the image exactly, or a thin
product: C = 1 at the DCGAN generator's last layer, one 7x7 window at its first) it stores the
full product R W_mat and then applies col2im.

Layout: the matrices are "channels last" (rows of C numbers per pixel), so the outputs come back
as NCHW-shaped views of channels-last memory, without a transposing copy. Weight taps are
ordered (i, j, c) to match im2col's columns, so W (C_out, C_in, kh, kw) is permuted to
(C_out, kh, kw, C_in) before flattening.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.im2col import col2im_matmul, conv_output_size, im2col, weight_matrix


def weight_from_matrix(g: Any, shape: tuple[int, ...]) -> Any:
    """The inverse of ``weight_matrix``: (A, kh*kw*B) back to (A, B, kh, kw)."""
    xp = get_array_module(g)
    a, b, kh, kw = shape
    return xp.permute_dims(xp.reshape(g, (a, kh, kw, b)), (0, 3, 1, 2))


def pixel_rows(x: Any) -> Any:
    """(N, C, H, W) -> (N*H*W, C): one row per pixel (free when x is channels-last in memory)."""
    xp = get_array_module(x)
    return xp.reshape(xp.permute_dims(x, (0, 2, 3, 1)), (-1, x.shape[1]))


def rows_to_image(rows: Any, n: int, h: int, w: int) -> Any:
    """(N*H*W, C) -> an (N, C, H, W) view of the channels-last rows (no copy)."""
    xp = get_array_module(rows)
    return xp.permute_dims(xp.reshape(rows, (n, h, w, rows.shape[1])), (0, 3, 1, 2))


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

    def forward(self, x: Any, w: Any, b: Any = None) -> Any:
        xp = get_array_module(x)
        n, _, h, wd = x.shape
        kernel = (w.shape[2], w.shape[3])
        oh = conv_output_size(h, kernel[0], self.stride[0], self.padding[0])
        ow = conv_output_size(wd, kernel[1], self.stride[1], self.padding[1])
        self.x_shape, self.w_shape, self.kernel = x.shape, w.shape, kernel
        self.w = w  # kept for dL/dx
        self.cols = im2col(x, kernel, self.stride, self.padding)  # kept for dL/dW
        y = self.cols @ xp.matrix_transpose(weight_matrix(w))
        if b is not None:
            y += b  # y is a fresh array: add the bias in place, row by row
        return rows_to_image(y, n, oh, ow)

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        xp = get_array_module(gy)
        g = pixel_rows(gy)  # (N*OH*OW, C_out)
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            # col2im(G W_mat): sub-pixel where it fits and pays, else the product, then col2im
            gx = col2im_matmul(g, self.w, self.x_shape, self.kernel, self.stride, self.padding)
        if self.needs_input_grad[1]:
            gw = weight_from_matrix(xp.matrix_transpose(g) @ self.cols, self.w_shape)
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = xp.sum(g, axis=0)
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

    def forward(self, x: Any, w: Any, b: Any = None) -> Any:
        n, _, h, wd = x.shape
        kernel = (w.shape[2], w.shape[3])
        (sh, sw), (ph, pw), (oph, opw) = self.stride, self.padding, self.output_padding
        out_shape = (n, w.shape[1], (h - 1) * sh - 2 * ph + kernel[0] + oph,
                     (wd - 1) * sw - 2 * pw + kernel[1] + opw)
        self.x_shape, self.w_shape, self.kernel = x.shape, w.shape, kernel
        self.w = w  # kept for dL/dx
        self.x_rows = pixel_rows(x)  # kept for dL/dW
        # col2im(X_rows W_mat): sub-pixel where it fits and pays, else the product, then col2im
        y = col2im_matmul(self.x_rows, w, out_shape, kernel, self.stride, self.padding)
        if b is not None:
            xp = get_array_module(x)
            y += xp.reshape(b, (1, -1, 1, 1))  # y is a view of a fresh array
        return y

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        xp = get_array_module(gy)
        gx = gw = gb = None
        need_x, need_w = self.needs_input_grad[0], self.needs_input_grad[1]
        if need_x or need_w:
            cols = im2col(gy, self.kernel, self.stride, self.padding)  # (N*H*W, K)
            if need_x:
                n, _, h, wd = self.x_shape
                w_mat = weight_matrix(self.w)
                gx = rows_to_image(cols @ xp.matrix_transpose(w_mat), n, h, wd)
            if need_w:
                gw = weight_from_matrix(xp.matrix_transpose(self.x_rows) @ cols, self.w_shape)
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = xp.sum(gy, axis=(0, 2, 3))
        return gx, gw, gb
