r"""Batch normalisation: normalise each channel with its mean and variance, then scale and shift.

For x of shape (N, C) or (N, C, L) or (N, C, H, W), channel c's statistics are taken over every
axis but the channel axis (m = N*L or N*H*W values per channel).

The arithmetic runs on the *channel rows* of x: the (m, C) matrix with one column per channel
(``layout.channel_rows``). Per-channel vectors then broadcast along contiguous rows, and
per-channel means and sums are one matrix-vector product with a constant vector (1/m or 1,
``column_means``/``column_sums``), which BLAS runs fast, instead of a reduction over axes
(0, 2, 3). For the channels-last arrays that minigen's convolutions return, the rows are a
view of x: no copy.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.constants import filled
from minigen.functions.layout import channel_rows, from_channel_rows


def column_sums(rows: Any) -> Any:
    """sum_k rows[k, c] for every column c, as the product 1^T rows."""
    return filled((rows.shape[0],), 1.0, rows) @ rows


def column_means(rows: Any) -> Any:
    """(1/m) sum_k rows[k, c] for every column c of the m rows, as the product (1/m)^T rows."""
    return filled((rows.shape[0],), 1.0 / rows.shape[0], rows) @ rows


def batch_statistics(rows: Any) -> tuple[Any, Any, Any]:
    """The per-channel mean, the biased variance (divided by m, not m - 1) and the centred rows
    x - mu of a batch's ``channel_rows`` (the normalisation reuses them)."""
    mean = column_means(rows)
    centered = rows - mean
    var = column_means(centered * centered)  # correction=0: what normalisation uses
    return mean, var, centered


class BatchNorm(Function):
    r"""y = gamma * x_hat + beta,  x_hat = (x - mu) / sqrt(var + eps), per channel.

    ``mean`` and ``var`` (shape (C,)) are the batch statistics of x when ``training``
    (computed by the caller, which also needs them for the running averages) and the running
    statistics otherwise; ``centered`` is x - mean as channel rows when the caller made it for
    the variance (``batch_statistics``), else None. The inputs are (x, gamma, beta), or x alone
    when the normalisation has no affine part.

    Local derivatives, per channel, with sigma = sqrt(var + eps), m values per channel and
    sums over those m values:

        dL/dbeta  = sum dL/dy
        dL/dgamma = sum dL/dy * x_hat
        eval (mu, var constants):      dL/dx = gamma / sigma * dL/dy
        training (mu, var depend on x): dL/dx = gamma / (m sigma) *
                                    (m dL/dy - sum dL/dy - x_hat * sum(dL/dy * x_hat))

    Derivation: docs/derivations/batchnorm.md.
    """

    def __init__(self, training: bool, eps: float, mean: Any, var: Any,
                 centered: Any = None) -> None:
        super().__init__()
        self.training, self.eps = training, eps
        self.mean, self.var, self.centered = mean, var, centered

    def forward(self, x: Any, gamma: Any = None, beta: Any = None) -> Any:
        xp = get_array_module(x)
        self.x_shape = x.shape
        self.std = xp.sqrt(self.var + self.eps)  # sigma, shape (C,)
        # x - mu, on the channel rows (handed over by batch_statistics when it made them)
        x_hat = self.centered if self.centered is not None else channel_rows(x) - self.mean
        self.centered = None
        x_hat /= self.std  # x_hat = (x - mu) / sigma, in place: x_hat is this Function's
        self.x_hat = x_hat
        if gamma is None:
            return from_channel_rows(x_hat, x.shape)
        self.gamma = gamma
        y = x_hat * gamma
        y += beta  # y = gamma * x_hat + beta
        return from_channel_rows(y, x.shape)

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        g = channel_rows(gy)  # dL/dy as (m, C) rows, like x_hat
        affine = len(self.inputs) == 3
        need_x = self.needs_input_grad[0]
        need_gamma = affine and self.needs_input_grad[1]
        need_beta = affine and self.needs_input_grad[2]
        gx = ggamma = gbeta = None
        sum_gy = column_sums(g) if (need_beta or need_x and self.training) else None
        if need_gamma or (need_x and self.training):
            sum_gy_xhat = column_sums(g * self.x_hat)
        if need_x:
            scale = self.gamma / self.std if affine else 1.0 / self.std
            if self.training:
                m = g.shape[0]
                # gx = scale / m * (m gy - sum gy - x_hat * sum(gy x_hat)), built in place in
                # one array: four passes over the batch without three temporary arrays
                gx = self.x_hat * sum_gy_xhat
                gx -= m * g
                gx += sum_gy
                gx *= scale / -m
            else:
                gx = g * scale
            gx = from_channel_rows(gx, self.x_shape)
        if need_gamma:
            ggamma = sum_gy_xhat
        if need_beta:
            gbeta = sum_gy
        return gx, ggamma, gbeta
