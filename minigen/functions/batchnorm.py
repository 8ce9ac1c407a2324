r"""Batch normalisation: normalise each channel with its mean and variance, then scale and shift.

For x of shape (N, C) or (N, C, L) or (N, C, H, W), channel c's statistics are taken over every
axis but the channel axis (m = N*L or N*H*W values per channel).

The arithmetic runs on x *channels last* (``layout.channels_last``: (N, H, W, C), one row of C
numbers per pixel): per-channel vectors then broadcast along the last axis, and per-channel
means and sums are one contraction with a constant array (1/m or 1, ``channel_means`` and
``channel_sums``), which BLAS runs as a matrix-vector product, instead of a reduction over
axes (0, 2, 3). For the channels-last arrays that minigen's convolutions return, the
channels-last view is x's own memory: no copy.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.constants import filled
from minigen.functions.layout import channels_first, channels_last


def channel_sums(x: Any, value: float = 1.0) -> Any:
    """sum over every axis but the last of ``value`` * x: a (C,) vector for x (..., C), as one
    contraction with a constant array (a matrix-vector product for BLAS)."""
    weights = filled(tuple(x.shape[:-1]), value, x)
    return get_array_module(x).tensordot(weights, x, axes=x.ndim - 1)


def channel_means(x: Any) -> Any:
    """The mean over every axis but the last of x (..., C): ``channel_sums`` with 1/m."""
    return channel_sums(x, 1.0 / (x.size // x.shape[-1]))


def batch_statistics(x: Any) -> tuple[Any, Any, Any]:
    """The per-channel mean, the biased variance (divided by m, not m - 1) and the centred
    values x - mu of a channels-last batch x (..., C) (the normalisation reuses them)."""
    mean = channel_means(x)
    centered = x - mean
    var = channel_means(centered * centered)  # correction=0: what normalisation uses
    return mean, var, centered


class BatchNorm(Function):
    r"""y = gamma * x_hat + beta,  x_hat = (x - mu) / sqrt(var + eps), per channel.

    ``mean`` and ``var`` (shape (C,)) are the batch statistics of x when ``training``
    (computed by the caller, which also needs them for the running averages) and the running
    statistics otherwise; ``centered`` is x - mean, channels last, when the caller made it for
    the variance (``batch_statistics``), else None. The inputs are (x, gamma, beta), or x alone
    when the normalisation has no affine part.

    Local derivatives, per channel, with sigma = sqrt(var + eps), m values per channel and
    sums over those m values:

        dL/dbeta  = sum dL/dy
        dL/dgamma = sum dL/dy * x_hat
        eval (mu, var constants):      dL/dx = gamma / sigma * dL/dy
        training (mu, var depend on x): dL/dx = gamma / sigma *
                                    (dL/dy - (sum dL/dy + x_hat * sum(dL/dy * x_hat)) / m)

    Derivation: docs/derivations/batchnorm.md.
    """

    def __init__(self, training: bool, eps: float, mean: Any, var: Any,
                 centered: Any = None) -> None:
        super().__init__()
        self.training, self.eps = training, eps
        self.mean, self.var, self.centered = mean, var, centered

    def forward(self, x: Any, gamma: Any = None, beta: Any = None) -> Any:
        xp = get_array_module(x)
        self.std = xp.sqrt(self.var + self.eps)  # sigma, shape (C,)
        # x - mu, channels last (handed over by batch_statistics when it made it)
        x_hat = self.centered if self.centered is not None else channels_last(x) - self.mean
        self.centered = None
        x_hat /= self.std  # x_hat = (x - mu) / sigma, in place: x_hat is this Function's
        self.x_hat = x_hat
        if gamma is None:
            return channels_first(x_hat)
        self.gamma = gamma
        y = x_hat * gamma
        y += beta  # y = gamma * x_hat + beta
        return channels_first(y)

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        g = channels_last(gy)  # dL/dy channels last, like x_hat
        affine = len(self.inputs) == 3
        need_x = self.needs_input_grad[0]
        need_gamma = affine and self.needs_input_grad[1]
        need_beta = affine and self.needs_input_grad[2]
        gx = ggamma = gbeta = None
        sum_gy = channel_sums(g) if (need_beta or need_x and self.training) else None
        if need_gamma or (need_x and self.training):
            sum_gy_xhat = channel_sums(g * self.x_hat)
        if need_x:
            scale = self.gamma / self.std if affine else 1.0 / self.std
            if self.training:
                m = g.size // g.shape[-1]
                # gx = scale * (gy - (sum gy + x_hat * sum(gy x_hat)) / m), built in place in
                # one array: five passes over the batch without temporary arrays
                gx = self.x_hat * sum_gy_xhat
                gx += sum_gy
                gx *= -1.0 / m
                gx += g
                gx *= scale
            else:
                gx = g * scale
            gx = channels_first(gx)
        if need_gamma:
            ggamma = sum_gy_xhat
        if need_beta:
            gbeta = sum_gy
        return gx, ggamma, gbeta
