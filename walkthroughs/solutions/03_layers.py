"""Solutions to the "implement it" exercises of walkthroughs/03_layers.py.

Each function replaces the skeleton of the same name in the lesson (tests/test_exercises.py
runs the lesson's check cells with it).
"""

import numpy as np


def conv2d_backward_naive(x, W, grad_y, stride=1, padding=0):
    """(grad_x, grad_W, grad_b) of conv2d_forward_naive, from grad_y = dL/dy."""
    _, _, height, width = x.shape
    _, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    grad_xp, grad_W = np.zeros_like(xp), np.zeros_like(W)
    n_images, n_out, oh, ow = grad_y.shape
    for n in range(n_images):
        for o in range(n_out):
            for a in range(oh):
                for c in range(ow):
                    rows, cols = slice(a * stride, a * stride + kh), slice(c * stride, c * stride + kw)
                    g = grad_y[n, o, a, c]
                    grad_W[o] += g * xp[n, :, rows, cols]  # the kernel saw this window
                    grad_xp[n, :, rows, cols] += g * W[o]  # windows overlap: add
    grad_b = grad_y.sum(axis=(0, 2, 3))
    grad_x = grad_xp[:, :, padding:padding + height, padding:padding + width]  # drop the padding
    return grad_x, grad_W, grad_b


def batchnorm_backward(grad_y, cache):
    """(grad_x, grad_gamma, grad_beta) of batchnorm_forward, from grad_y = dL/dy (N, D)."""
    x_hat, std, gamma = cache
    grad_beta = grad_y.sum(axis=0)
    grad_gamma = (grad_y * x_hat).sum(axis=0)
    g = grad_y * gamma  # dL/dx_hat
    grad_x = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / std
    return grad_x, grad_gamma, grad_beta
