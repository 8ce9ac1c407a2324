r"""Batch normalisation: normalise each channel with its mean and variance, then scale and shift.

For x of shape (N, C) or (N, C, L) or (N, C, H, W), channel c's statistics are taken over every
axis but the channel axis (m = N*L or N*H*W values per channel).
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module


def reduce_axes(ndim: int) -> tuple[int, ...]:
    """Every axis but the channel axis 1."""
    return (0,) + tuple(range(2, ndim))


def channel_shape(ndim: int, channels: int) -> tuple[int, ...]:
    """(1, C, 1, ...): a per-channel vector shaped to broadcast against the input."""
    return (1, channels) + (1,) * (ndim - 2)


def batch_statistics(x: Any) -> tuple[Any, Any]:
    """The per-channel mean and biased variance (divided by m, not m - 1) of a batch."""
    xp = get_array_module(x)
    axes = reduce_axes(x.ndim)
    mean = xp.mean(x, axis=axes)
    var = xp.var(x, axis=axes)  # correction=0: the biased variance, what normalisation uses
    return mean, var


class BatchNorm(Function):
    r"""y = gamma * x_hat + beta,  x_hat = (x - mu) / sqrt(var + eps), per channel.

    ``mean`` and ``var`` (hyper-parameters, shape (C,)) are the batch statistics of x when
    ``training`` (computed by the caller, which also needs them for the running averages) and
    the running statistics otherwise. The inputs are (x, gamma, beta), or x alone when the
    normalisation has no affine part.

    Local derivatives, per channel, with sigma = sqrt(var + eps), m values per channel and
    sums over those m values:

        dL/dbeta  = sum dL/dy
        dL/dgamma = sum dL/dy * x_hat
        eval (mu, var constants):      dL/dx = gamma / sigma * dL/dy
        training (mu, var depend on x): dL/dx = gamma / (m sigma) *
                                    (m dL/dy - sum dL/dy - x_hat * sum(dL/dy * x_hat))

    Derivation: docs/derivations/batchnorm.md.
    """

    def forward(self, x: Any, gamma: Any = None, beta: Any = None) -> Any:
        xp = get_array_module(x)
        shape = channel_shape(x.ndim, x.shape[1])
        self.inv_std = xp.reshape(1.0 / xp.sqrt(self.var + self.eps), shape)
        self.x_hat = (x - xp.reshape(self.mean, shape)) * self.inv_std
        if gamma is None:
            return self.x_hat
        self.gamma = xp.reshape(gamma, shape)
        return self.x_hat * self.gamma + xp.reshape(beta, shape)

    def backward(self, gy: Any) -> tuple[Any, Any, Any]:
        xp = get_array_module(gy)
        axes = reduce_axes(gy.ndim)
        affine = len(self.inputs) == 3
        need_x = self.inputs[0].requires_grad
        need_gamma = affine and self.inputs[1].requires_grad
        need_beta = affine and self.inputs[2].requires_grad
        gx = ggamma = gbeta = None
        sum_gy = xp.sum(gy, axis=axes) if (need_beta or need_x and self.training) else None
        if need_gamma or (need_x and self.training):
            sum_gy_xhat = xp.sum(gy * self.x_hat, axis=axes)
        if need_x:
            scale = self.gamma * self.inv_std if affine else self.inv_std
            if self.training:
                shape = channel_shape(gy.ndim, gy.shape[1])
                m = _count(gy.shape) // gy.shape[1]
                mean_gy = xp.reshape(sum_gy, shape) / m
                mean_gy_xhat = xp.reshape(sum_gy_xhat, shape) / m
                # gx = scale * (gy - mean_gy - x_hat * mean_gy_xhat), built in place in one
                # array: four passes over the batch without three temporary arrays
                gx = self.x_hat * -mean_gy_xhat
                gx += gy
                gx -= mean_gy
                gx *= scale
            else:
                gx = scale * gy
        if need_gamma:
            ggamma = sum_gy_xhat
        if need_beta:
            gbeta = sum_gy
        return gx, ggamma, gbeta


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
