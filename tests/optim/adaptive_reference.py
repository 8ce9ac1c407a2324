"""NumPy references of PyTorch's AdamW, RMSprop and Adadelta updates, transcribed line by line
from torch/optim's single-tensor CPU code (PyTorch 2.13), not from minigen.

Each PyTorch in-place call is written out as the expression its CPU kernel evaluates, in the
same order (``a.addcmul_(b, c, value=s)`` is ``a + s * b * c``, ``a.addcdiv_(b, c, value=s)``
is ``a + s * b / c``, ``a.lerp_(b, w)`` is PyTorch's two-sided lerp), so minigen must agree
with them to the last bit; PyTorch itself differs by the fused multiply-adds of its
vectorised kernels (benchmarks/torch_optim_parity.py measures that).
"""

from __future__ import annotations

import numpy as np


def lerp(start, end, weight):
    """torch.lerp on the CPU: from ``start`` for small weights, from ``end`` for large ones."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def torch_adamw(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                amsgrad=False, maximize=False):
    """Parameters after each step of torch.optim.AdamW (Adam with decoupled_weight_decay)."""
    beta1, beta2 = betas
    p, history = p.copy(), []
    exp_avg, exp_avg_sq, max_exp_avg_sq = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for step, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if weight_decay != 0:
            p = p * (1 - lr * weight_decay)  # param.mul_(1 - lr * weight_decay)
        exp_avg = lerp(exp_avg, g, 1 - beta1)
        exp_avg_sq = exp_avg_sq * beta2 + (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
            denom = np.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        p = p + (-step_size) * exp_avg / denom  # param.addcdiv_(exp_avg, denom, value=-step_size)
        history.append(p.copy())
    return history


def torch_rmsprop(p, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                  centered=False, maximize=False):
    """Parameters after each step of torch.optim.RMSprop."""
    p, history = p.copy(), []
    square_avg, grad_avg, buf = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = -g if maximize else g
        if weight_decay != 0:
            g = g + weight_decay * p  # grad.add(param, alpha=weight_decay)
        square_avg = square_avg * alpha + (1 - alpha) * g * g
        if centered:
            grad_avg = lerp(grad_avg, g, 1 - alpha)
            avg = np.sqrt(square_avg + (-1) * grad_avg * grad_avg)  # addcmul(.., value=-1).sqrt_()
        else:
            avg = np.sqrt(square_avg)
        avg = avg + eps
        if momentum > 0:
            buf = buf * momentum + g / avg  # buf.mul_(momentum).addcdiv_(grad, avg)
            p = p + (-lr) * buf  # param.add_(buf, alpha=-lr)
        else:
            p = p + (-lr) * g / avg  # param.addcdiv_(grad, avg, value=-lr)
        history.append(p.copy())
    return history


def torch_adadelta(p, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    """Parameters after each step of torch.optim.Adadelta."""
    p, history = p.copy(), []
    square_avg, acc_delta = np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = -g if maximize else g
        if weight_decay != 0:
            g = g + weight_decay * p
        square_avg = square_avg * rho + (1 - rho) * g * g
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps)
        delta = delta / std * g  # delta.div_(std).mul_(grad)
        acc_delta = acc_delta * rho + (1 - rho) * delta * delta
        p = p + (-lr) * delta  # param.add_(delta, alpha=-lr)
        history.append(p.copy())
    return history


def textbook_rmsprop(p, grads, lr, alpha, eps):
    """Hinton's lecture 6e: divide the gradient by a running average of its recent magnitude."""
    p, ms, history = p.copy(), np.zeros_like(p), []
    for g in grads:
        ms = alpha * ms + (1 - alpha) * g**2
        p = p - lr * g / (np.sqrt(ms) + eps)
        history.append(p.copy())
    return history


def textbook_adadelta(p, grads, rho, eps):
    """Algorithm 1 of Zeiler (2012), ADADELTA: no learning rate (PyTorch's lr=1)."""
    p, eg2, edx2, history = p.copy(), np.zeros_like(p), np.zeros_like(p), []
    for g in grads:
        eg2 = rho * eg2 + (1 - rho) * g**2
        dx = -np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx**2
        p = p + dx
        history.append(p.copy())
    return history
